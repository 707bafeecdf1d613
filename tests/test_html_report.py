"""Tests of the self-contained HTML report, including a real headless-browser check.

The report is read by people without the tool, often offline, so the tests pin that it
carries everything itself (findings, traces, inline SVG diagrams, the matrix), fetches
nothing, escapes user text, degrades to Mermaid source without Graphviz, and — in
Chromium — actually loads and paints the red gap overlay.  The browser test decodes the
screenshot with a few lines of ``zlib`` rather than an imaging library.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from rulesengine.compile.compiler import load_rules
from rulesengine.diagnostics import Diagnostic, Location, Severity
from rulesengine.model.ruleset import Ruleset
from rulesengine.render import output
from rulesengine.reports import html_figures
from rulesengine.reports.html import inline_svg, render_html_report, render_html_validation
from rulesengine.rules.run import CheckResult, run_check

ROOT = Path(__file__).resolve().parent.parent
GAP_DIR = ROOT / "examples" / "broken" / "ownership-gap"
HAS_DOT = shutil.which("dot") is not None
CHROMIUM = shutil.which("chromium")
GAP_RGB = (0xF4, 0xCC, 0xCC)  # GAP_FILL of the diagrams and the matrix


def _check(path: Path) -> tuple[Ruleset, CheckResult]:
    result = load_rules(path)
    rs = result.ruleset
    assert result.ok and rs is not None
    return rs, run_check(rs)


@pytest.fixture(scope="module")
def gap() -> tuple[Ruleset, CheckResult]:
    return _check(GAP_DIR)


@pytest.fixture(scope="module")
def gap_html(gap: tuple[Ruleset, CheckResult]) -> str:
    rs, res = gap
    return render_html_report(res, rs, "examples/broken/ownership-gap")


# -- content ------------------------------------------------------------------------------
def test_header_and_verdict(gap_html: str) -> None:
    assert gap_html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in gap_html
    assert '"Noto Sans CJK SC", "Noto Sans", sans-serif' in gap_html
    assert "<code>examples/broken/ownership-gap</code>" in gap_html
    assert '<span class="verdict fail" id="verdict">FAIL</span>' in gap_html
    assert "1 error</span>" in gap_html and "0 warnings</span>" in gap_html and "0 info</span>" in gap_html
    assert "over 1 workflow and 2 roles" in gap_html


def test_finding_with_trace(gap_html: str) -> None:
    assert '<article class="finding sev-error" id="finding-1" data-rule="RE201">' in gap_html
    assert '<a href="docs/rules/RE201.md">RE201</a>' in gap_html
    assert '<span class="rule-name">ownership-gap</span>' in gap_html
    assert "ownership gap in `refund` at `approval`: no role may own the ticket" in gap_html
    assert "<code>workflows/refund.yaml:18:3</code>" in gap_html
    assert "<code>refund / approval</code>" in gap_html and 'href="#diagram-refund"' in gap_html
    assert "<code>amount=5001</code> <code>category=refund</code>" in gap_html
    trace = re.search(r'<ol class="trace">(.*?)</ol>', gap_html, re.S)
    assert trace is not None
    steps = re.findall(r"<li>(.*?)</li>", trace.group(1))
    assert steps == [
        "assigned to frontline_agent at requested",
        'requested --verify--&gt; verifying by frontline_agent<span class="loc">workflows/refund.yaml:27:5</span>',
        'verifying --submit--&gt; approval by frontline_agent<span class="loc">workflows/refund.yaml:32:5</span>',
    ]
    assert "give a role a `handle` grant covering this state for this ticket" in gap_html
    assert 'href="#finding-1"' in gap_html  # the index table links to the finding


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_inline_svg_per_workflow_and_chart(gap_html: str, gap: tuple[Ruleset, CheckResult]) -> None:
    rs, _ = gap
    assert gap_html.count("<svg") == len(rs.workflows) + 1
    for wid in rs.workflows:
        assert f'<figure class="diagram" id="diagram-{wid}" data-diagram="{wid}">' in gap_html
    assert 'id="diagram-chart" data-diagram="roles"' in gap_html
    assert 'fill="#f4cccc"' in gap_html  # the gap overlay of the diagram
    assert "<?xml" not in gap_html and "<!DOCTYPE svg" not in gap_html
    ids = re.findall(r'\bid="([^"]+)"', gap_html)
    assert len(ids) == len(set(ids)), "element ids must be unique across the inlined diagrams"
    assert '<pre class="mermaid-src">' not in gap_html


def test_matrix_is_embedded(gap_html: str) -> None:
    section = gap_html.split('<section id="matrix">', 1)[1]
    assert '<table class="re-matrix">' in section
    assert 'title="refund/approval">Approval ⚠gap</th>' in section
    assert ">H≤5000<" in section and ">GAP<" in section


def test_nothing_is_fetched(gap_html: str) -> None:
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", gap_html, re.I)
    assert refs and all(not re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", r, re.I) for r in refs), refs
    assert all(r.startswith(("#", "docs/rules/")) for r in refs), refs
    assert "@import" not in gap_html
    assert not re.search(r"url\(\s*['\"]?(?!#)", gap_html)
    assert "http://" not in gap_html and "https://" not in gap_html
    assert "<script" not in gap_html and "<link" not in gap_html and "<img" not in gap_html


def test_clean_centre_passes() -> None:
    rs, res = _check(ROOT)
    page = render_html_report(res, rs, ".")
    assert '<span class="verdict pass" id="verdict">PASS</span>' in page
    assert "No findings: every rule passed." in page
    if HAS_DOT:
        assert page.count("<svg") == len(rs.workflows) + 1
    assert page.count('<th class="role" scope="row">') == len(rs.roles)


def test_chinese(gap: tuple[Ruleset, CheckResult]) -> None:
    rs, res = gap
    page = render_html_report(res, rs, "examples/broken/ownership-gap", lang="zh")
    assert '<html lang="zh-CN">' in page
    assert "检查发现" in page and "岗位职责矩阵" in page and "未通过" in page
    assert "售后退款 (refund)" in page  # the workflow's Chinese name on its diagram
    assert "一线客服<small>Frontline agent · frontline_agent</small>" in page


def test_user_text_is_escaped(gap: tuple[Ruleset, CheckResult]) -> None:
    rs, res = gap
    evil = Diagnostic(
        "RE201",
        "ownership-gap",
        Severity.WARNING,
        "gap at `<script>alert(1)</script>`",
        Location('workflows/"x".yaml', 3, 4),
        help="use <b>bold</b> & more",
        workflow="refund",
        state="approval",
        ticket={"tier": "<vip>"},
        trace=({"state": "a<b", "event": "create", "role": None, "to": "a<b", "owner": None},),
    )
    page = render_html_report(res, rs, "<root>", findings=[evil])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>&lt;root&gt;</code>" in page
    assert "workflows/&quot;x&quot;.yaml:3:4" in page
    assert "use &lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    assert "<code>tier=&lt;vip&gt;</code>" in page and "ticket created at a&lt;b" in page
    assert 'class="finding sev-warning"' in page
    assert '<span class="verdict pass"' in page  # a warning does not fail at --fail-on error
    assert '<span class="verdict fail"' in render_html_report(res, rs, "x", findings=[evil], fail_on="warning")


def test_without_graphviz_shows_mermaid(gap: tuple[Ruleset, CheckResult], monkeypatch: pytest.MonkeyPatch) -> None:
    rs, res = gap
    monkeypatch.setattr(output, "dot_binary", lambda: None)
    page = render_html_report(res, rs, "examples/broken/ownership-gap")
    assert "<svg" not in page
    assert page.count('<pre class="mermaid-src">') == len(rs.workflows) + 1
    assert "stateDiagram-v2" in page and "flowchart BT" in page
    assert "sudo apt-get install graphviz" in page
    assert 'id="finding-1"' in page and '<table class="re-matrix">' in page


def test_report_without_analysis_builds_one(gap: tuple[Ruleset, CheckResult]) -> None:
    rs, res = gap
    bare = dataclasses.replace(res, analysis=None)
    page = render_html_report(bare, rs, "x")
    assert 'id="finding-1"' in page and "⚠gap" in page


def test_inline_svg_prefixes_ids() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n "http://x/svg11.dtd">\n'
        '<svg width="300pt" height="100pt" viewBox="0 0 300 100" xmlns="http://www.w3.org/2000/svg">'
        '<defs><linearGradient id="l_0"/></defs><g id="node1"><rect fill="url(#l_0)"/></g></svg>'
    )
    out = inline_svg(svg, "d3-")
    assert out.startswith("<svg") and "http" not in out
    assert 'id="d3-l_0"' in out and 'fill="url(#d3-l_0)"' in out and 'id="d3-node1"' in out
    assert 'style="width:min(400px, max(100%, 300px))"' in out and 'viewBox="0 0 300 100"' in out


# -- a real browser -----------------------------------------------------------------------
def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def _png_rgb_rows(path: Path) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB(A) PNG into rows of raw pixel bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    assert ihdr is not None
    width, height, depth, colour, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0 and colour in (2, 6), ihdr
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    low7 = int.from_bytes(b"\x7f" * stride, "big")
    high = int.from_bytes(b"\x80" * stride, "big")
    prev, rows = bytes(stride), []
    for y in range(height):
        off = y * (stride + 1)
        kind, line = raw[off], raw[off + 1 : off + 1 + stride]
        if kind == 0:
            cur = bytes(line)
        elif kind == 2:  # Up: byte-wise addition without carries, on whole rows at once
            a, b = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            cur = (((a & low7) + (b & low7)) ^ ((a ^ b) & high)).to_bytes(stride, "big")
        else:
            out = bytearray(line)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                up = prev[i]
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) >> 1
                else:
                    corner = prev[i - bpp] if i >= bpp else 0
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                out[i] = (out[i] + pred) & 0xFF
            cur = bytes(out)
        rows.append(cur)
        prev = cur
    return width, height, bpp, rows


def _count_near(rows: list[bytes], bpp: int, rgb: tuple[int, int, int], tol: int = 6) -> int:
    r0, g0, b0 = rgb
    n = 0
    for row in rows:
        for x in range(0, len(row), bpp):
            if abs(row[x] - r0) <= tol and abs(row[x + 1] - g0) <= tol and abs(row[x + 2] - b0) <= tol:
                n += 1
    return n


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (`chromium` not on PATH)")
def test_in_headless_chromium(gap_html: str, gap: tuple[Ruleset, CheckResult], tmp_path: Path) -> None:
    rs, _ = gap
    page = tmp_path / "report.html"
    page.write_text(gap_html, encoding="utf-8")
    url = page.as_uri()

    dom = _chromium(["--dump-dom", url], tmp_path / "profile-dom").stdout
    assert 'id="finding-1"' in dom and "RE201" in dom
    assert "ownership gap in `refund` at `approval`" in dom
    assert "assigned to frontline_agent at requested" in dom
    assert '<table class="re-matrix">' in dom
    if HAS_DOT:
        assert dom.count("<svg") == len(rs.workflows) + 1
    else:
        assert dom.count('<pre class="mermaid-src">') == len(rs.workflows) + 1

    shot = tmp_path / "report.png"
    _chromium(["--screenshot=" + str(shot), "--window-size=1400,2200", url], tmp_path / "profile-shot")
    assert shot.is_file() and shot.stat().st_size > 10_000
    width, height, bpp, rows = _png_rgb_rows(shot)
    assert (width, height) == (1400, 2200)
    # the gap state of the diagram and the gap column of the matrix are painted red
    assert _count_near(rows, bpp, GAP_RGB) > 500
    # and the page is not blank: plenty of dark text pixels
    assert sum(1 for row in rows[:400] for x in range(0, len(row), bpp) if row[x] < 80 and row[x + 1] < 80) > 2000


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (`chromium` not on PATH)")
def test_clean_page_has_no_gap_colour(tmp_path: Path) -> None:
    """The control for the test above: a passing centre paints no gap red."""
    rs, res = _check(GAP_DIR)
    clean = dataclasses.replace(res, findings=[])
    page = tmp_path / "clean.html"
    page.write_text(render_html_report(clean, rs, "clean"), encoding="utf-8")
    shot = tmp_path / "clean.png"
    _chromium(["--screenshot=" + str(shot), "--window-size=1400,2200", page.as_uri()], tmp_path / "profile")
    _, _, bpp, rows = _png_rgb_rows(shot)
    assert _count_near(rows, bpp, GAP_RGB) == 0


def test_invalid_rules_page() -> None:
    result = load_rules(ROOT / "examples" / "broken" / "loader" / "duplicate-key")
    assert not result.ok
    page = render_html_validation(result.diagnostics, "examples/broken/loader/duplicate-key")
    assert '<span class="verdict fail" id="verdict">FAIL</span>' in page
    assert "duplicate key `headcount`" in page and 'data-rule="RE006"' in page
    assert "roles/frontline_agent.yaml:10:1" in page
    assert "invalid rules" in page and 'id="diagrams"' not in page and "re-matrix" not in page.split("</style>")[1]


# -- large organisations ------------------------------------------------------------------
@pytest.fixture(scope="module")
def centre() -> tuple[Ruleset, CheckResult]:
    return _check(ROOT)


def _finding_in(workflow: str, state: str) -> Diagnostic:
    return Diagnostic("RE201", "ownership-gap", Severity.ERROR, "gap", workflow=workflow, state=state)


def test_a_large_matrix_is_shown_per_workflow(
    centre: tuple[Ruleset, CheckResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    rs, res = centre
    monkeypatch.setattr(html_figures, "MATRIX_CELLS", 10)
    page = render_html_report(res, rs, "centre")
    matrix = page[page.index('<section id="matrix">') :]
    assert "rulesengine matrix centre --format csv --output matrix.csv" in matrix
    assert matrix.count('<h3 id="matrix-') == len(rs.workflows)
    assert matrix.count('<table class="re-matrix">') == len(rs.workflows)
    assert "qa_inspector" not in matrix  # a role that acts nowhere has no row in any part
    assert "<small>frontline_agent</small>" in matrix


def test_many_workflows_draw_the_ones_with_findings(
    centre: tuple[Ruleset, CheckResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    rs, res = centre
    monkeypatch.setattr(html_figures, "MAX_DIAGRAMS", 2)
    page = render_html_report(res, rs, "centre", findings=[_finding_in("complaint", "received")])
    assert 'data-diagram="complaint"' in page and 'data-diagram="after_sales"' not in page
    assert "3 of the 4 workflows are not drawn here" in page
    assert "rulesengine render centre --format svg --output diagrams" in page
    assert 'href="#diagram-complaint"' in page  # the finding links to the diagram that is there


def test_a_large_chart_is_left_to_render(centre: tuple[Ruleset, CheckResult], monkeypatch: pytest.MonkeyPatch) -> None:
    rs, res = centre
    monkeypatch.setattr(html_figures, "MAX_CHART_ROLES", 3)
    page = render_html_report(res, rs, "centre")
    assert 'data-diagram="roles"' not in page and 'data-diagram="complaint"' in page
    assert "chart of the 10 roles is too large to draw here" in page
