"""The figures of the HTML report: workflow diagrams as inline SVG, and the matrix.

Both grow with the organisation, so both know when to stop: a page that lists a
thousand roles by three thousand steps, or a hundred workflow diagrams, is neither
readable nor mailable.  Past a size the matrix is cut into one table per workflow with
only the roles acting there, and only the workflows with findings are drawn; the page
says which command gives the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic
from ..labels import label as tr
from ..render import output
from ..render.diagrams import DUP_FILL, GAP_FILL, GREY_FILL
from ..render.facts import DEAD_RULES, DUP_RULES, GAP_RULES
from ..views.matrix import build_matrix
from .html_style import esc
from .matrix import render_html as matrix_html
from .matrix import split_by_workflow

MIN_DIAGRAM_SCALE = 0.75  # wide diagrams shrink to fit, but not below this (then scroll)
MAX_DIAGRAMS = 24  # workflow diagrams drawn in one page; past that, those with findings
MAX_CHART_ROLES = 200  # a larger reporting and escalation chart is left to `rulesengine render`
MATRIX_CELLS = 20_000  # a larger matrix is shown as one table per workflow

# -- inline SVG ---------------------------------------------------------------------------
_XML_DECL = re.compile(r"<\?xml[^>]*\?>\s*")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.IGNORECASE)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SIZE = re.compile(r'<svg\b([^>]*?)\swidth="([\d.]+)(pt|px)?"\s+height="([\d.]+)(pt|px)?"')
_ID = re.compile(r'\bid="([^"]*)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]*)')


def inline_svg(svg: str, prefix: str) -> str:
    """Graphviz SVG made fit for inlining in an HTML page.

    Drops the XML declaration, DOCTYPE and namespace declarations (an HTML parser needs
    none of them), prefixes every ``id`` so several diagrams on one page cannot collide
    (Graphviz numbers ``node1``, ``edge1``… in each), and replaces the fixed size by a
    style that shrinks a wide diagram to the page down to :data:`MIN_DIAGRAM_SCALE` and
    scrolls beyond that.
    """
    svg = _XML_DECL.sub("", svg)
    svg = _DOCTYPE.sub("", svg)
    svg = _XMLNS.sub("", svg)
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)

    def size(m: re.Match[str]) -> str:
        w = float(m.group(2)) * (4 / 3 if m.group(3) in (None, "pt") else 1)
        floor = w * MIN_DIAGRAM_SCALE
        style = f"width:min({w:.0f}px, max(100%, {floor:.0f}px))"
        return f'<svg{m.group(1)} style="{style}" role="img"'

    return _SIZE.sub(size, svg, count=1)


def drawn_workflows(an: Analysis, findings: Sequence[Diagnostic]) -> list[str]:
    """The workflows whose diagrams the page shows: all of them, or past
    :data:`MAX_DIAGRAMS` those a finding points into (their overlay is what the reader
    needs), in the ruleset's order."""
    wids = list(an.ruleset.workflows)
    if len(wids) <= MAX_DIAGRAMS:
        return wids
    flagged = {f.workflow for f in findings if f.workflow is not None}
    return [w for w in wids if w in flagged][:MAX_DIAGRAMS]


def diagram_section(
    an: Analysis, findings: Sequence[Diagnostic], lang: str, drawn: Sequence[str], root_label: str
) -> list[str]:
    """The diagrams of ``drawn`` workflows and the escalation chart, drawn side by side."""
    rs = an.ruleset
    out = [f'<section id="diagrams">\n<h2>{esc(tr("diagrams", lang))}</h2>']
    have_dot = output.dot_binary() is not None
    codes = {f.code for f in findings if f.workflow is not None and f.state is not None}
    swatches = "".join(
        f'<span class="sw" style="background:{fill}"></span>{esc(tr(key, lang))}'
        for fill, key, rules in (
            (GAP_FILL, "legend_gap", GAP_RULES),
            (DUP_FILL, "legend_dup", DUP_RULES),
            (GREY_FILL, "legend_grey", DEAD_RULES),
        )
        if codes & rules
    )
    if swatches:  # only the overlays this check painted
        out.append(f'<p class="diagram-legend">{swatches}</p>')
    if not have_dot:
        out.append(f'<p class="note">{esc(tr("no_dot", lang))}</p>')
    left = len(rs.workflows) - len(drawn)
    chart = len(rs.roles) <= MAX_CHART_ROLES  # dot needs minutes for a chart of a thousand roles
    command = f"rulesengine render {root_label} --format svg --output diagrams"
    if left:
        note = tr("diagrams_left", lang).format(n=left, total=len(rs.workflows))
        out.append(f'<p class="note">{esc(note)} <code>{esc(command)}</code></p>')
    if not chart:
        note = tr("chart_left", lang).format(n=len(rs.roles))
        out.append(f'<p class="note">{esc(note)} <code>{esc(command)}</code></p>')
    ds = output.diagrams(an, findings, drawn, lang=lang, chart=chart)
    svgs: list[str | output.RenderError | None] = [None] * len(ds)
    if have_dot:
        svgs = list(output.render_svgs([d.dot for d in ds], an.report))
    for i, (d, svg) in enumerate(zip(ds, svgs, strict=True)):
        if d.name == "roles":
            caption = tr("chart", lang)
            anchor = "diagram-chart"
        else:
            wf = rs.workflows[d.name]
            caption = f"{wf.name.get(lang)} ({d.name})"
            anchor = f"diagram-{d.name}"
        out.append(f'<figure class="diagram" id="{esc(anchor)}" data-diagram="{esc(d.name)}">')
        out.append(f"<figcaption>{esc(caption)}</figcaption>")
        if isinstance(svg, str):
            out.append(f'<div class="svg-wrap">{inline_svg(svg, f"d{i}-")}</div>')
        else:
            if svg is not None:
                out.append(f'<p class="note">{esc(tr("dot_failed", lang))}: {esc(str(svg))}</p>')
            out.append(f'<pre class="mermaid-src">{esc(d.mermaid)}</pre>')
        out.append("</figure>")
    out.append("</section>")
    return out


def matrix_section(an: Analysis, findings: Sequence[Diagnostic], lang: str, root_label: str) -> list[str]:
    """The responsibility matrix by state: whole, or past :data:`MATRIX_CELLS` cut into
    one table per workflow with only the roles that act in it."""
    matrix = build_matrix(an, findings, by="state", lang=lang)
    out = [f'<section id="matrix">\n<h2>{esc(tr("matrix", lang))}</h2>']
    if len(matrix.rows) * len(matrix.columns) <= MATRIX_CELLS:
        out.append(f'<div class="matrix-wrap">{matrix_html(matrix, standalone=False)}</div>')
    else:
        command = f"rulesengine matrix {root_label} --format csv --output matrix.csv"
        note = tr("matrix_split", lang).format(roles=len(matrix.rows), steps=len(matrix.columns))
        out.append(f'<p class="note">{esc(note)} <code>{esc(command)}</code></p>')
        for part in split_by_workflow(matrix):
            wid = part.columns[0].workflow or ""
            name = an.ruleset.workflows[wid].name.get(lang) if wid in an.ruleset.workflows else wid
            out.append(f'<h3 id="matrix-{esc(wid)}">{esc(name)} ({esc(wid)})</h3>')
            out.append(f'<div class="matrix-wrap">{matrix_html(part, standalone=False)}</div>')
    out.append("</section>")
    return out
