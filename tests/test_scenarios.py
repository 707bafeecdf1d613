"""``rulesengine test``: scenarios run through the engine, with coverage and located errors."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rulesengine.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).parent / "fixtures" / "engine"


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(FIX, d)
    (d / "scenarios").mkdir()
    return d


PASSING = """\
scenarios:
  - name: the agent starts, transfers to an expert who finishes
    ticket: {attributes: {category: refund, tier: normal, amount: 100, urgent: false}}
    steps:
      - expect: {state: new, owner: agent}
      - {actor: agent, event: start, expect: {state: working, grant: roles/agent.yaml:5}}
      - {actor: lead, event: finish, expect: {allowed: false, reason: not-owner}}
      - {actor: agent, event: transfer, target: expert_b, expect: {state: expert, owner: expert_b}}
      - {actor: expert_b, event: finish, expect: {state: done}}
  - name: a timer hands an untouched ticket to the lead
    ticket: {attributes: {category: tech, tier: normal, amount: 0, urgent: false}}
    steps:
      - {after: 2m, expect: {owner: agent}}
      - {after: 1m, expect: {state: new, owner: lead}}
"""


def test_the_bundled_centre_scenarios_pass() -> None:
    code, out = run("test", str(ROOT))
    assert code == 0, out
    last = out.strip().splitlines()[-1]
    assert last.endswith(" passed, 0 failed") and int(last.split()[0]) >= 20


def test_passing_scenarios_and_coverage(rules: Path) -> None:
    (rules / "scenarios" / "basic.yaml").write_text(PASSING)
    code, out = run("test", str(rules))
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "2 passed, 0 failed"
    assert "roles/expert_a.yaml: 0/1; not exercised:" in out
    assert "workflows/service.yaml:19:5: transition `approve`" in out
    code, out = run("test", str(rules), "--format", "json")
    doc = json.loads(out)
    assert doc["summary"] == {"passed": 2, "failed": 0}
    cov = doc["coverage"]
    hit = {(m["what"], m["location"]) for f in cov["files"].values() for m in f["missed"]}
    assert ("timer after 3m", "workflows/service.yaml:26:5") not in hit  # the timer fired
    assert ("transition `transfer`", "workflows/service.yaml:17:5") not in hit
    assert cov["total"] == cov["covered"] + len(hit)
    code, out = run("test", str(rules), "--min-coverage", "99")
    assert code == 1 and "below --min-coverage" in out


def test_a_failing_scenario_says_what_and_where(rules: Path) -> None:
    (rules / "scenarios" / "basic.yaml").write_text(PASSING.replace("state: done", "state: review"))
    code, out = run("test", str(rules))
    assert code == 1
    assert "FAIL scenarios/basic.yaml: the agent starts, transfers to an expert who finishes" in out
    assert "step 5 (expert_b finish) at scenarios/basic.yaml:9:9:" in out
    assert "expected state `review`, got `done`" in out
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"
    code, out = run("test", str(rules), "--format", "junit")
    root = ET.fromstring(out)
    cases = root.findall(".//testcase")
    assert len(cases) == 2 and len(root.findall(".//failure")) == 1
    code, out = run("test", str(rules), "-k", "timer")
    assert code == 0 and out.strip().splitlines()[-1] == "1 passed, 0 failed"


@pytest.mark.parametrize(
    ("change", "message", "where"),
    [
        (
            ("actor: lead", "actor: laed"),
            "did you mean `lead`",
            "scenarios/basic.yaml:7:17: error[RE060] unknown role `laed`",
        ),
        (("event: transfer", "event: transfr"), "unknown event `transfr` of workflow `service`", ":8:"),
        (("tier: normal, amount: 100", "tier: nromal, amount: 100"), "unknown value `nromal`", ":3:51:"),
        (("reason: not-owner", "reason: not-the-owner"), "unknown reason `not-the-owner`", ":7:"),
        (("state: working", "state: workin"), "did you mean `working`", ":6:"),
        (
            ("urgent: false}}\n    steps:\n      - expect", "urgnt: false}}\n    steps:\n      - expect"),
            "unknown attribute `urgnt`",
            ":3:",
        ),
    ],
)
def test_malformed_scenarios_are_located_errors(rules: Path, change: tuple[str, str], message: str, where: str) -> None:
    text = PASSING.replace(*change, 1)
    assert text != PASSING
    (rules / "scenarios" / "basic.yaml").write_text(text)
    code, out = run("test", str(rules))
    assert code == 2, out
    assert message in out and where in out


def test_no_scenarios_is_exit_2(rules: Path) -> None:
    code, out = run("test", str(rules))
    assert code == 2 and "no scenarios" in out
    (rules / "scenarios" / "basic.yaml").write_text(PASSING)
    code, out = run("test", str(rules), "-k", "nothing matches this")
    assert code == 2 and "no scenarios matching" in out


def test_a_yaml_error_in_a_scenario_is_located(rules: Path) -> None:
    (rules / "scenarios" / "basic.yaml").write_text("scenarios: [\n")
    code, out = run("test", str(rules))
    assert code == 2 and "scenarios/basic.yaml:" in out
