"""The analysis stays within its budget: a located diagnostic instead of exhausting memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import rulesengine
from rulesengine.analysis import partition
from rulesengine.cli.app import app
from rulesengine.model.conditions import Interval


def independent(d: Path, n: int) -> Path:
    """n attributes, each tested by a role of its own: 2**n ticket classes."""
    (d / "roles").mkdir(parents=True)
    (d / "workflows").mkdir()
    (d / "ticket.yaml").write_text(yaml.safe_dump({"attributes": {f"a{i}": {"values": ["x", "y"]} for i in range(n)}}))
    for i in range(n):
        role = {"id": f"r{i}", "name": {"en": f"R{i}"}, "handle": [{"when": {f"a{i}": "x"}}]}
        (d / "roles" / f"r{i}.yaml").write_text(yaml.safe_dump(role))
    (d / "roles" / "all.yaml").write_text("id: all\nname: {en: All}\nhandle:\n  - {}\n")
    wf = {
        "id": "w",
        "name": {"en": "W"},
        "initial": "s0",
        "assign": ["all"] + [f"r{i}" for i in range(n)],
        "states": {"s0": {}, "done": {"final": True}},
        "transitions": [{"name": "end", "from": "s0", "to": "done", "by": "handle"}],
    }
    (d / "workflows" / "w.yaml").write_text(yaml.safe_dump(wf))
    return d


def test_too_many_independent_conditions_is_a_located_error(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(partition, "MAX_CLASSES", 1000)
    d = independent(tmp_path / "r", 12)
    res = CliRunner().invoke(app, ["check", str(d)])
    assert res.exit_code == 2, res.output
    assert "workflows/w.yaml:" in res.output and "error[RE090]" in res.output
    assert "more than 1,000 classes" in res.output and "(2 kinds)" in res.output
    with pytest.raises(rulesengine.RulesInvalid) as exc:
        rulesengine.load(d)
    assert exc.value.diagnostics[0].code == "RE090"
    # through the real entry point, as a user runs it: exit 2 with the located message
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    p = subprocess.run(
        [sys.executable, str(root / "cli.py"), "explain", str(d), "-w", "w", "-s", "s0"],
        capture_output=True,
        text=True,
        env={"RULESENGINE_MAX_CLASSES": "1000", "PATH": "/usr/bin:/bin"},
    )
    assert p.returncode == 2 and "error[RE090]" in p.stderr and "Traceback" not in p.stderr


def test_within_the_budget_the_analysis_runs(tmp_path: Path) -> None:
    d = independent(tmp_path / "r", 10)
    res = CliRunner().invoke(app, ["check", str(d), "--fail-on", "never"])
    assert res.exit_code == 0, res.output


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=30, unique=True).map(sorted),
    st.lists(
        st.tuples(st.integers(-60, 60), st.integers(-60, 60), st.booleans(), st.booleans()), max_size=20
    ),
)
def test_the_sweep_finds_what_each_number_fails(reps: list[int], bounds: list[tuple[int, int, bool, bool]]) -> None:
    relevant = [(i, Interval(lo, hi, lc, hc)) for i, (lo, hi, lc, hc) in enumerate(bounds)]
    naive = [sum(1 << i for i, c in relevant if not c.contains(r)) for r in reps]
    assert partition._dead_along(reps, relevant) == naive  # type: ignore[arg-type]
