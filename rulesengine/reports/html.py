"""The HTML report: one self-contained page to mail, attach to a ticket or archive.

The reader is often not the person who ran the check — a centre manager, an auditor, a
reviewer without the tool installed — so the page carries everything itself: the verdict
and counts, every finding with its ticket, trace and advice, the diagrams of every
workflow (inline SVG, with the gap / duplicate / unreachable overlay of the findings) and
the escalation chart, and the responsibility matrix.  Nothing is fetched: CSS is inline,
fonts come from the reader's machine through a CJK-capable stack, there are no scripts,
and the only links are relative ones to the rule pages (``docs/rules/RE201.md``) and
anchors within the page.  Without Graphviz the diagrams fall back to their Mermaid
source with a note on how to install it; the report never fails for want of ``dot``.

Like the other renderers this is a pure function of its inputs (no clock, no paths
beyond the label it is given), so the same check gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import __version__
from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity, summary
from ..labels import label as tr
from ..model.ruleset import Ruleset
from ..rules.run import CheckResult, fails
from ..text import plural
from . import rule_doc_path, step_location_text, ticket_text
from .html_figures import diagram_section, drawn_workflows, inline_svg, matrix_section
from .html_style import CSS, esc
from .text import step_line

__all__ = ["inline_svg", "render_html_report", "render_html_validation"]

_SEV_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


# -- findings -----------------------------------------------------------------------------
def _where(d: Diagnostic) -> str:
    if d.workflow is None and d.state is None:
        return ""
    return f"{d.workflow or ''} / {d.state or ''}"


def _finding(d: Diagnostic, n: int, documented: set[str], lang: str, workflows: set[str]) -> list[str]:
    sev = d.severity.value
    code = (
        f'<a href="{esc(rule_doc_path(d.code))}">{esc(d.code)}</a>'
        if d.code in documented
        else f"<span>{esc(d.code)}</span>"
    )
    out = [
        f'<article class="finding sev-{esc(sev)}" id="finding-{n}" data-rule="{esc(d.code)}">',
        f'<h3><span class="sev">{esc(sev)}</span>{code} <span class="rule-name">{esc(d.name)}</span></h3>',
        f'<p class="message">{esc(d.message)}</p>',
        '<dl class="facts">',
    ]
    if d.location is not None:
        out.append(f"<dt>{esc(tr('location', lang))}</dt><dd><code>{esc(d.location)}</code></dd>")
    where = _where(d)
    if where:
        link = ""
        if d.workflow in workflows:
            link = f' · <a href="#diagram-{esc(d.workflow)}">{esc(tr("see_diagram", lang))}</a>'
        out.append(f"<dt>{esc(tr('where', lang))}</dt><dd><code>{esc(where)}</code>{link}</dd>")
    if d.role is not None:
        out.append(f"<dt>{esc(tr('role', lang))}</dt><dd><code>{esc(d.role)}</code></dd>")
    if d.ticket:
        values = " ".join(f"<code>{esc(k)}={esc(v)}</code>" for k, v in d.ticket.items())
        out.append(
            f'<dt>{esc(tr("ticket", lang))}</dt><dd class="ticket" title="{esc(ticket_text(d.ticket))}">{values}</dd>'
        )
    if d.related:
        locs = " ".join(f"<code>{esc(loc)}</code>" for loc in d.related)
        out.append(f"<dt>{esc(tr('related', lang))}</dt><dd>{locs}</dd>")
    out.append("</dl>")
    if d.trace:
        out.append(f"<h4>{esc(tr('trace', lang))}</h4>")
        out.append('<ol class="trace">')
        for step in d.trace:
            at = step_location_text(step)
            where_html = f'<span class="loc">{esc(at)}</span>' if at else ""
            out.append(f"<li>{esc(step_line(step))}{where_html}</li>")
        out.append("</ol>")
    if d.help:
        out.append(f'<p class="help"><strong>{esc(tr("help", lang))}:</strong> {esc(d.help)}</p>')
    out.append("</article>")
    return out


def _findings_section(
    findings: Sequence[Diagnostic], documented: set[str], lang: str, workflows: set[str]
) -> list[str]:
    out = [f'<section id="findings">\n<h2>{esc(tr("findings", lang))} ({len(findings)})</h2>']
    if not findings:
        out.append(f'<p class="no-findings">{esc(tr("no_findings", lang))}</p>')
        out.append("</section>")
        return out
    out.append('<table class="finding-index">')
    out.append(
        "<thead><tr>"
        + "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("severity", "rule", "location", "where", "message"))
        + "</tr></thead><tbody>"
    )
    for n, d in enumerate(findings, 1):
        out.append(
            "<tr>"
            f'<td><span class="sev sev-{esc(d.severity.value)}">{esc(d.severity.value)}</span></td>'
            f'<td><a href="#finding-{n}">{esc(d.code)}</a> {esc(d.name)}</td>'
            f"<td><code>{esc(d.location) if d.location else '—'}</code></td>"
            f"<td>{esc(_where(d)) or '—'}</td>"
            f"<td>{esc(d.message)}</td>"
            "</tr>"
        )
    out.append("</tbody></table>")
    for n, d in enumerate(findings, 1):
        out.extend(_finding(d, n, documented, lang, workflows))
    out.append("</section>")
    return out


# -- the page -----------------------------------------------------------------------------
def render_html_report(
    result: CheckResult,
    ruleset: Ruleset,
    root_label: str,
    lang: str = "en",
    *,
    findings: Sequence[Diagnostic] | None = None,
    fail_on: str = "error",
) -> str:
    """One self-contained HTML page for a check: verdict, findings, diagrams, matrix.

    ``findings`` overrides ``result.findings`` (the CLI adds the compiler's warnings to the
    check's findings); ``fail_on`` is the ``--fail-on`` level the verdict is judged by.
    The diagrams carry the overlay of these findings and the matrix flags their columns.
    """
    found = list(result.findings if findings is None else findings)
    an = result.analysis if result.analysis is not None else Analysis(ruleset)
    if lang == "zh":
        scope = tr("scope", lang).format(
            rules=len(result.rules), workflows=len(ruleset.workflows), roles=len(ruleset.roles)
        )
    else:
        scope = tr("scope", lang).format(
            rules=plural(len(result.rules), "rule"),
            workflows=plural(len(ruleset.workflows), "workflow"),
            roles=plural(len(ruleset.roles), "role"),
        )
    if result.suppressed:
        scope += "; " + tr("suppressed", lang).format(n=len(result.suppressed))
    drawn = drawn_workflows(an, found)
    body = _findings_section(found, {r.code for r in result.rules}, lang, set(drawn))
    body.extend(diagram_section(an, found, lang, drawn, root_label))
    body.extend(matrix_section(an, found, lang, root_label))
    sections = (("findings", "findings"), ("diagrams", "diagrams"), ("matrix", "matrix"))
    return _page(found, root_label, lang, fail_on, scope, sections, body)


def render_html_validation(
    diagnostics: Sequence[Diagnostic], root_label: str, lang: str = "en", *, fail_on: str = "error"
) -> str:
    """The same page for rules that do not compile: verdict and located errors only.

    There is no ruleset to draw or tabulate, so the diagrams and the matrix are left out;
    the CLI uses this for ``--format html`` when validation stops (exit 2).
    """
    found = list(diagnostics)
    body = _findings_section(found, set(), lang, set())
    scope = tr("invalid", lang)
    return _page(found, root_label, lang, fail_on, scope, (("findings", "findings"),), body)


def _page(
    found: Sequence[Diagnostic],
    root_label: str,
    lang: str,
    fail_on: str,
    scope: str,
    sections: Sequence[tuple[str, str]],
    body: Sequence[str],
) -> str:
    e = esc
    counts = summary(list(found))
    verdict_key = "fail" if fails(found, fail_on) else "pass"
    count_spans = "".join(
        f'<span class="count-{s.value}">{e(_count_text(counts[s.value], s, lang))}</span>' for s in _SEV_ORDER
    )
    toc = "".join(f'<a href="#{anchor}">{e(tr(key, lang))}</a>' for anchor, key in sections)
    title = f"{tr('title', lang)} — {root_label}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="rulesengine ' + e(__version__) + '">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f'<header class="report {verdict_key}">',
        f"<h1>{e(tr('title', lang))}</h1>",
        f'<p class="root">{e(tr("rules_dir", lang))}: <code>{e(root_label)}</code></p>',
        f'<p><span class="verdict {verdict_key}" id="verdict">{e(tr(verdict_key, lang))}</span>'
        f'<span class="counts">{count_spans}</span></p>',
        f'<p class="meta">{e(scope)}</p>',
        f'<nav class="toc">{e(tr("contents", lang))}: {toc}</nav>',
        "</header>",
        "<main>",
        *body,
        "</main>",
        f"<footer>{e(tr('generated', lang).format(v=__version__))}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _count_text(n: int, s: Severity, lang: str) -> str:
    """``1 error``, ``2 warnings``, ``0 info``; ``1 错误`` in Chinese."""
    word = tr({Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}[s], lang)
    if lang != "zh" and n == 1 and word.endswith("s"):
        word = word[:-1]
    return f"{n} {word}"
