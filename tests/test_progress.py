"""Progress on long runs: reported by the library through a callback, drawn by the CLI.

The library never prints; the command line draws a bar only on a terminal, only after a
run has taken a while, and never into pipes, files or JSON.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from rulesengine.analysis.context import Analysis, Step
from rulesengine.cli.progress import TerminalProgress, wanted
from rulesengine.compile.compiler import load_rules
from rulesengine.rules.run import run_check
from rulesengine.views.matrix import build_matrix
from rulesengine.views.simulate import simulate
from tests.conftest import ROOT
from tests.test_cli import run


def _analysis(progress: object) -> Analysis:
    result = load_rules(ROOT)
    assert result.ok
    return Analysis(result.ruleset, progress=progress)  # type: ignore[arg-type]


def test_the_library_reports_every_stage_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    steps: list[Step] = []
    an = _analysis(steps.append)
    res = run_check(an.ruleset, analysis=an)
    build_matrix(an, res.findings)
    simulate(an)
    assert capsys.readouterr() == ("", "")
    stages = [s.stage for s in steps]
    assert {"index", "explore", "rules", "matrix", "simulate"} == set(stages)
    assert stages.index("index") < stages.index("explore") < stages.index("matrix") < stages.index("simulate")
    assert steps[stages.index("matrix") - 1] == Step("rules", len(res.rules), len(res.rules))
    explore = [s for s in steps if s.stage == "explore"]
    total = sum(an.index.workflow(w).class_count for w in an.ruleset.workflows)
    assert explore[-1] == Step("explore", total, total, 4, 4)
    assert [s.done for s in explore] == sorted(s.done for s in explore)
    assert all(0 <= s.done <= s.total for s in steps)


def test_the_bar_draws_the_stages_on_a_terminal() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    with TerminalProgress(delay=0, console=console) as bar:
        bar(Step("explore", 1200, 4000, 2, 5))
        bar(Step("rules", 3, 18))
    out = buf.getvalue()
    assert "Exploring workflows 2/5" in out and "1,200/4,000 classes" in out
    assert "Checking" in out and "3/18 rules" in out


def test_a_quick_run_or_a_disabled_bar_draws_nothing() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True)
    with TerminalProgress(delay=3600, console=console) as bar:
        bar(Step("explore", 1, 2, 0, 1))
    with TerminalProgress(enabled=False, delay=0, console=console) as bar:
        bar(Step("explore", 1, 2, 0, 1))
    assert buf.getvalue() == ""


def test_no_bar_in_pipes_files_or_json(tmp_path: Path) -> None:
    assert not wanted("json", None) and not wanted("json", tmp_path / "r.json")
    assert not wanted("text", None)  # under pytest neither stream is a terminal
    code, out = run("check", str(ROOT), "--format", "json")
    assert code == 0 and out.lstrip().startswith("{") and "Exploring" not in out
