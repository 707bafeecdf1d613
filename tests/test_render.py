"""Diagrams: golden DOT/Mermaid text, overlays of planted defects, rendering, bad input."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rulesengine.cli.app import app
from rulesengine.compile.compiler import load_rules
from rulesengine.render.diagrams import FONT, source_digest
from rulesengine.render.output import diagrams
from rulesengine.rules.run import run_check
from tests.conftest import MINI, ROOT

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
BROKEN = ROOT / "examples" / "broken"
HAS_DOT = shutil.which("dot") is not None
runner = CliRunner()


def _diagrams(d: Path, lang: str = "en"):  # type: ignore[no-untyped-def]
    rs = load_rules(d).ruleset
    assert rs is not None
    res = run_check(rs)
    return diagrams(res.analysis, res.findings, lang=lang), res.findings


def _golden_dirs() -> list[Path]:
    return [ROOT] + sorted(p for p in BROKEN.iterdir() if (p / "roles").is_dir())


@pytest.mark.parametrize("d", _golden_dirs(), ids=lambda p: p.name if p != ROOT else "bundled")
def test_golden_dot_and_mermaid(d: Path) -> None:
    name = "bundled" if d == ROOT else d.name
    ds, _ = _diagrams(d)
    for diag in ds:
        for ext, text in (("dot", diag.dot), ("mmd", diag.mermaid)):
            path = GOLDEN / name / f"{diag.name}.{ext}"
            if UPDATE:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            assert path.is_file(), f"missing golden {path}: run UPDATE_GOLDEN=1 pytest tests/test_render.py"
            assert path.read_text(encoding="utf-8") == text, f"{path} differs; review, then UPDATE_GOLDEN=1"


OVERLAYS = {
    "ownership-gap": ("refund", "approval", "#f4cccc", "gap"),
    "duplicate-ownership": ("complaint", "received", "#fce5cd", "duplicate"),
    "unreachable-state": ("order_inquiry", "waiting_customer", "#eeeeee", "unreachable"),
}


@pytest.mark.parametrize("name", sorted(OVERLAYS))
def test_overlay_marks_the_planted_defect(name: str) -> None:
    wid, state, fill, cls = OVERLAYS[name]
    ds, _ = _diagrams(BROKEN / name)
    diag = next(x for x in ds if x.name == wid)
    node = re.search(rf"\t{state} \[(.*?)\]\n", diag.dot, re.DOTALL)
    assert node is not None and f'fillcolor="{fill}"' in node.group(1)
    assert (
        f"class {state} {cls}" in diag.mermaid or f"class {state}," in diag.mermaid or f",{state} {cls}" in diag.mermaid
    )
    # and nowhere else
    nodes = re.findall(r"\t(\w+) \[(.*?)\]\n", diag.dot, re.DOTALL)
    marked = [n for n, attrs in nodes if f'fillcolor="{fill}"' in attrs and not n.startswith("legend_")]
    assert marked == [state]


def test_bundled_diagrams_show_owners_and_permissions() -> None:
    ds, findings = _diagrams(ROOT)
    assert not findings
    names = {d.name for d in ds}
    assert names == {"after_sales", "complaint", "expert_routing", "standard_service", "roles"}
    complaint = next(d for d in ds if d.name == "complaint")
    assert "★ Follow-up" in complaint.dot  # required state marked
    assert "peripheries=2" in complaint.dot  # final state marked
    assert "[E]" in complaint.dot and "[H]" in complaint.dot  # permission kinds on transitions
    assert FONT in complaint.dot
    roles = next(d for d in ds if d.name == "roles")
    assert "reports to" in roles.dot and "escalate" in roles.dot and "timer 3m" in roles.dot


def test_chinese_labels() -> None:
    ds, _ = _diagrams(ROOT, lang="zh")
    complaint = next(d for d in ds if d.name == "complaint")
    assert "投诉处理" in complaint.dot and "一线客服" in complaint.dot
    assert "投诉处理" in complaint.mermaid


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_png_of_a_chinese_diagram(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["render", str(ROOT), "-f", "png", "-o", str(tmp_path), "-w", "complaint", "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    png = (tmp_path / "complaint.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    # the font the diagrams name resolves to a CJK font, so glyphs are not boxes
    fc = shutil.which("fc-match")
    if fc:
        match = subprocess.run([fc, FONT], capture_output=True, text=True).stdout
        assert "CJK" in match, match


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` is not installed")
def test_committed_diagrams_match_the_rules() -> None:
    ds, _ = _diagrams(ROOT)
    out = ROOT / "diagrams"
    hint = "regenerate with `rulesengine render --format svg --format mermaid --output diagrams`"
    for d in ds:
        mmd = out / f"{d.name}.mmd"
        svg = out / f"{d.name}.svg"
        assert mmd.is_file() and svg.is_file(), hint
        assert mmd.read_text(encoding="utf-8") == d.mermaid, f"{mmd} drifted: {hint}"
        assert f"rulesengine source {source_digest(d.dot)}" in svg.read_text(encoding="utf-8"), f"{svg} drifted: {hint}"
    extra = {p.name for p in out.iterdir()} - {f"{d.name}.{e}" for d in ds for e in ("svg", "mmd")}
    assert not extra, f"stale files in diagrams/: {extra}"


def test_bad_input(tmp_path: Path) -> None:
    r = runner.invoke(app, ["render", str(MINI), "-w", "nope", "-o", str(tmp_path / "a")])
    assert r.exit_code == 2 and "unknown workflow `nope`" in r.output
    assert not (tmp_path / "a").exists()
    r = runner.invoke(app, ["render", str(MINI), "-f", "gif", "-o", str(tmp_path / "b")])
    assert r.exit_code == 2
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(app, ["render", str(MINI), "-f", "dot", "-o", str(blocker / "sub")])
    assert r.exit_code == 2 and "cannot" in r.output
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.geteuid() != 0:  # root ignores permissions
            r = runner.invoke(app, ["render", str(MINI), "-f", "dot", "-o", str(ro)])
            assert r.exit_code == 2 and list(ro.iterdir()) == []
    finally:
        ro.chmod(0o700)


def test_missing_dot_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    r = runner.invoke(app, ["render", str(MINI), "-f", "svg", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2
    assert "apt-get install graphviz" in r.output and "--format dot" in r.output
    assert not (tmp_path / "x").exists() or not list((tmp_path / "x").iterdir())
    r = runner.invoke(app, ["render", str(MINI), "-f", "mermaid", "-o", str(tmp_path / "y")])
    assert r.exit_code == 0 and (tmp_path / "y" / "service.mmd").is_file()
