"""The command line: exit codes, output formats, and the two entry points agreeing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rulesengine.cli.app import app
from rulesengine.cli.schema import all_schemas
from rulesengine.source.schema_defs import schema_filename
from tests.conftest import MINI, ROOT

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_validate_bundled_centre() -> None:
    code, out = run("validate", str(ROOT))
    assert code == 0, out
    assert "valid:" in out


def test_validate_json_shape(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "r")
    p = tmp_path / "r" / "roles" / "agent.yaml"
    p.write_text(p.read_text().replace("reports_to: lead", "reports_to: leed"))
    code, out = run("validate", str(tmp_path / "r"), "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["summary"]["error"] == 1 and doc["valid"] is False
    f = doc["findings"][0]
    assert f["rule"] == "RE040" and f["name"] == "unknown-reference"
    assert f["location"]["file"] == "roles/agent.yaml" and f["location"]["line"] == 3
    assert f["help"] == "did you mean `lead`?"


def test_empty_directory_is_exit_2(tmp_path: Path) -> None:
    code, out = run("validate", str(tmp_path))
    assert code == 2
    assert "no roles" in out and "no workflows" in out


def test_missing_directory_is_exit_2(tmp_path: Path) -> None:
    code, out = run("validate", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in out


def test_usage_error_is_exit_2() -> None:
    code, _ = run("validate", "--format", "yaml")
    assert code == 2


def test_schema_command_writes_the_shipped_schemas(tmp_path: Path) -> None:
    code, _ = run("schema", "--output", str(tmp_path))
    assert code == 0
    for kind, sch in all_schemas().items():
        written = json.loads((tmp_path / schema_filename(kind)).read_text())
        shipped = json.loads((ROOT / "schemas" / schema_filename(kind)).read_text())
        assert written == sch == shipped, f"schemas/{schema_filename(kind)} drifted: run `rulesengine schema`"


def test_modelines_resolve_to_shipped_schemas() -> None:
    for sub, kind in (("roles", "role"), ("workflows", "workflow")):
        for p in sorted((ROOT / sub).glob("*.yaml")):
            first = p.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema="), p
            target = (p.parent / first.split("=", 1)[1].strip()).resolve()
            assert target.name == schema_filename(kind) and target.is_file(), p


def test_check_bundled_centre_is_clean() -> None:
    code, out = run("check", str(ROOT))
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("clean")


def test_check_exit_codes_and_fail_on() -> None:
    code, _ = run("check", str(MINI))
    assert code == 1
    code, _ = run("check", str(MINI), "--fail-on", "never")
    assert code == 0
    code, out = run("check", str(MINI), "--select", "ownership-gap", "--format", "json")
    doc = json.loads(out)
    assert {f["name"] for f in doc["findings"]} == {"ownership-gap"}
    assert doc["findings"][0]["ticket"] == {"amount": 201, "tier": "normal"}
    code, out = run("check", str(MINI), "--ignore", "RE201,RE203")
    assert code == 0, out


def test_check_unknown_rule_is_exit_2() -> None:
    code, out = run("check", str(MINI), "--select", "ownershipgap")
    assert code == 2 and "did you mean `ownership-gap`" in out


def test_suppressions(tmp_path: Path) -> None:
    d = tmp_path / "r"
    shutil.copytree(MINI, d)
    (d / "suppressions.yaml").write_text(
        "suppressions:\n"
        "  - {rule: ownership-gap, workflow: service, state: new, reason: big refunds go to finance}\n"
        "  - {rule: RE202, workflow: service, reason: stale}\n"
    )
    code, out = run("check", str(d), "--select", "RE201,RE202", "--format", "json")
    doc = json.loads(out)
    assert doc["suppressed"] == 1
    assert [f["name"] for f in doc["findings"]] == ["unused-suppression"]
    (d / "suppressions.yaml").write_text("suppressions:\n  - {rule: nonsense-rule, reason: x}\n")
    code, out = run("check", str(d))
    assert code == 2 and "unknown rule `nonsense-rule`" in out
    (d / "suppressions.yaml").write_bytes(b"suppressions: [\xff\n")
    code, out = run("check", str(d))
    assert code == 2 and "suppressions.yaml:1:" in out


def test_explain() -> None:
    code, out = run(
        "explain",
        str(MINI),
        "--workflow",
        "service",
        "--state",
        "working",
        "--set",
        "tier=normal",
        "--set",
        "amount=500",
    )
    assert code == 0, out
    assert "owner: lead" in out
    assert "not agent: the ticket fails `amount <= 200`" in out
    code, out = run("explain", str(MINI), "-w", "service", "-s", "working", "--set", "tier=normal", "--format", "json")
    doc = json.loads(out)
    assert doc["ticket_classes"] == 2 and doc["varying_attributes"] == ["amount"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "tier=gold"], "unknown value `gold` of attribute `tier`"),
        (["--set", "teir=vip"], "did you mean `tier`"),
        (["--set", "amount=lots"], "`amount` is a number"),
        (["--set", "tier"], "attribute=value"),
    ],
)
def test_explain_bad_values_are_exit_2(args: list[str], message: str) -> None:
    code, out = run("explain", str(MINI), "-w", "service", "-s", "new", *args)
    assert code == 2 and message in out


def test_unknown_workflow_and_state_are_exit_2() -> None:
    code, out = run("explain", str(MINI), "-w", "servise", "-s", "new")
    assert code == 2 and "did you mean `service`" in out
    code, out = run("explain", str(MINI), "-w", "service", "-s", "nwe")
    assert code == 2 and "did you mean `new`" in out
    code, out = run("simulate", str(MINI), "-w", "nope")
    assert code == 2 and "unknown workflow `nope`" in out


def test_simulate_json_and_random() -> None:
    code, out = run("simulate", str(MINI), "--format", "json", "--set", "tier=vip")
    assert code == 0
    doc = json.loads(out)
    (wf,) = doc["workflows"]
    assert all(c["ticket"]["tier"] == "vip" for c in wf["classes"])
    assert wf["classes"][0]["shortest"]["events"] == ["start", "finish"]
    # classes that travel alike are one entry listing all their tickets
    assert sum(c["ticket_classes"] for c in wf["classes"]) == wf["ticket_classes"]
    assert all(c["tickets"][0] == c["ticket"] and len(c["tickets"]) == c["ticket_classes"] for c in wf["classes"])
    code, out = run("simulate", str(MINI), "--random", "200", "--seed", "3", "--format", "json")
    doc = json.loads(out)
    w = doc["workflows"][0]
    assert w["walks"] == 200 and sum(w["ended"].values()) == 200
    _code2, out2 = run("simulate", str(MINI), "--random", "200", "--seed", "3", "--format", "json")
    assert out2 == out  # seeded walks are reproducible


def test_rules_listing_and_pages() -> None:
    code, out = run("rules")
    assert code == 0 and "RE201" in out and "ownership-gap" in out
    code, out = run("rules", "transfer-loop")
    assert code == 0 and out.startswith("# RE205 transfer-loop") and "## How to fix" in out
    code, out = run("rules", "RE999")
    assert code == 2


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


def test_python_cli_py_and_console_script_agree(tmp_path: Path) -> None:
    script = shutil.which("rulesengine", path=str(Path(sys.executable).parent))
    assert script, "the console script is not installed next to this Python"
    a = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "validate", str(MINI)], capture_output=True, text=True, env=_env()
    )
    b = subprocess.run([script, "validate", str(MINI)], capture_output=True, text=True, env=_env(), cwd=tmp_path)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    bad = tmp_path / "bad"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", bad)
    (bad / "roles" / "agent.yaml").write_text("id: agent\nid: again\n")
    a = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "validate", str(bad)], capture_output=True, text=True, env=_env()
    )
    b = subprocess.run([script, "validate", str(bad)], capture_output=True, text=True, env=_env(), cwd="/")
    assert a.returncode == b.returncode == 2
    assert a.stdout == b.stdout
    assert "roles/agent.yaml:2:1: error[RE006] duplicate key `id`" in a.stdout
    assert "Traceback" not in a.stdout + a.stderr + b.stdout + b.stderr


def test_check_reports_validate_and_carry_traces() -> None:
    import jsonschema

    broken = ROOT / "examples" / "broken" / "escalation-into-gap"
    code, out = run("check", str(broken), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    (f,) = doc["findings"]
    assert f["name"] == "escalation-into-gap" and f["trace"][0]["event"] == "assign"
    code, out = run("check", str(broken), "--format", "sarif")
    sarif = json.loads(out)
    (result,) = sarif["runs"][0]["results"]
    assert result["ruleId"] == "RE203"
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) == len(f["trace"])
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (f["location"]["line"], f["location"]["column"])
    code, out = run("check", str(broken), "--format", "junit")
    assert code == 1 and "<testsuites" in out and "RE203" in out
    code, out = run("check", str(broken), "--format", "markdown")
    assert code == 1 and "escalation-into-gap" in out


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    code, _ = run("check", str(MINI), "--format", "json", "--output", str(target))
    assert code == 1 and json.loads(target.read_text())["version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    code, out = run("check", str(MINI), "--format", "json", "--output", str(tmp_path))
    assert code == 2 and "is a directory" in out
