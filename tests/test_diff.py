"""``rulesengine diff``: the command line, invalid sides and each kind of change."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rulesengine.cli.app import app
from rulesengine.diagnostics import Diagnostic, Location, Severity
from rulesengine.diff import ChangeKind, Direction, FindingChange, RulesDiff, Subject, diff_dirs, finding_changes
from rulesengine.model.ruleset import Kind
from tests.conftest import MINI, ROOT

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["diff", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.py", "tests", "examples", ".*"))
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def mini_pair(tmp_path: Path) -> tuple[Path, Path]:
    return copy(MINI, tmp_path / "old"), copy(MINI, tmp_path / "new")


def centre(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    dst.mkdir()
    for part in ("ticket.yaml", "roles", "workflows"):
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dst / part)
        else:
            shutil.copy(src, dst / part)
    return dst


# -- what is reported ----------------------------------------------------------------------------
def test_a_narrowed_limit_is_a_lost_responsibility_with_its_tickets_and_grant(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "roles" / "agent.yaml", "amount: 200", "amount: 100")
    got = diff_dirs(old, new)
    assert isinstance(got, RulesDiff)
    (p,) = got.permissions
    assert (p.role, p.kind, p.direction, p.states) == ("agent", Kind.HANDLE, Direction.LOST, ("new", "working"))
    assert p.tickets.condition == "amount > 100 and amount <= 200 and tier = normal"
    assert dict(p.tickets.ticket) == {"amount": 101, "tier": "normal"}
    assert [str(x) for x in p.locations] == ["roles/agent.yaml:5:5"]  # the grant, in the old version
    (o,) = got.owners
    assert (o.states, o.before, o.after) == (("new", "working", "done"), ("agent",), ())
    assert not got.structure and not got.timing and not got.findings


def test_tickets_of_a_new_value_are_gained_and_of_a_removed_value_lost(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "ticket.yaml", "tier: {values: [normal, vip]}", "tier: {values: [normal, vip, gold]}")
    gained = diff_dirs(old, new)
    lost = diff_dirs(new, old)
    assert isinstance(gained, RulesDiff) and isinstance(lost, RulesDiff)
    expected = [
        ("agent", Kind.ESCALATE, ("lead",), "tier = gold"),
        ("lead", Kind.HANDLE, (), "amount > 200 and tier = gold"),
    ]
    for got, direction in ((gained, Direction.GAINED), (lost, Direction.LOST)):
        assert [(p.role, p.kind, p.targets, p.tickets.condition) for p in got.permissions] == expected
        assert all(p.direction is direction and p.states == ("working",) for p in got.permissions)
    assert [(c.subject, c.detail) for c in gained.structure] == [(Subject.ATTRIBUTE, "values added: gold")]
    assert [(c.subject, c.detail) for c in lost.structure] == [(Subject.ATTRIBUTE, "values removed: gold")]


CLAIMS = """id: claims
name: {en: Claims}
applies_when: {category: refund}
initial: open
states:
  open: {}
  closed: {final: true}
transitions:
  - {name: settle, from: open, to: closed, by: handle}
"""


def test_a_workflow_taking_over_tickets_moves_their_responsibilities(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    (new / "workflows" / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    edit(new / "workflows" / "service.yaml", "initial: new", "applies_when: {category: inquiry}\ninitial: new")
    with (new / "roles" / "lead.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  - workflows: [claims]\n    when: {tier: vip}\n")
    got = diff_dirs(old, new)
    assert isinstance(got, RulesDiff)
    assert [(c.subject, c.change, c.id, c.detail) for c in got.structure] == [
        (Subject.WORKFLOW, ChangeKind.ADDED, "claims", ""),
        (Subject.WORKFLOW, ChangeKind.CHANGED, "service", "applies to: any ticket → category = inquiry"),
    ]
    perms = {(p.workflow, p.role, p.kind, p.direction, p.states): p.tickets.condition for p in got.permissions}
    assert perms[("claims", "lead", Kind.HANDLE, Direction.GAINED, ("open",))] == "tier = vip"
    assert perms[("service", "lead", Kind.HANDLE, Direction.LOST, ("new",))] == "category = refund and tier = vip"
    assert all(p.direction is Direction.LOST for p in got.permissions if p.workflow == "service")
    owners = {(o.workflow, o.states, o.before, o.after) for o in got.owners}
    assert ("claims", ("open", "closed"), (), ("lead",)) in owners
    assert ("service", ("new", "working", "done"), ("lead",), ()) in owners
    assert [(f.change, f.finding.code, f.finding.workflow) for f in got.findings] == [
        (FindingChange.APPEARED, "RE201", "claims")
    ]


def test_invalid_suppressions_make_a_side_invalid(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    (old / "suppressions.yaml").write_text(
        "suppressions:\n  - rule: ownership-gap\n    workflow: servce\n    reason: pilot\n", encoding="utf-8"
    )
    code, out = run(str(old), str(new))
    assert code == 2
    assert f"the old rules ({old}) are invalid (stopped at stage `suppressions`)" in out
    assert "suppressions.yaml:3:15: error[RE051] unknown workflow `servce` in suppression" in out


def test_structure_and_timing_changes_of_the_bundled_centre(tmp_path: Path) -> None:
    old, new = centre(tmp_path, "old"), centre(tmp_path, "new")
    wf = new / "workflows" / "after_sales.yaml"
    edit(wf, "    target: 3wd", "    target: 2wd")
    edit(wf, "    sla: 4h\n", "    sla: 2h\n")
    edit(wf, "  - in: requested\n    after: 3m", "  - in: requested\n    after: 5m")
    edit(wf, "  - name: raise_to_supervisor\n", "  - name: raise_to_supervisor\n    when: {tier: vip}\n")
    edit(wf, "  - name: reject\n", "  - name: decline\n")
    edit(wf, "assign: [vip_service, key_account_service,", "assign: [key_account_service, vip_service,")
    shutil.copy(new / "roles" / "qa_inspector.yaml", new / "roles" / "auditor.yaml")
    edit(new / "roles" / "auditor.yaml", "id: qa_inspector", "id: auditor")
    got = diff_dirs(old, new)
    assert isinstance(got, RulesDiff)
    items = {(c.subject, c.change, c.id): c for c in (*got.structure, *got.timing)}
    assert items[(Subject.SLA, ChangeKind.CHANGED, "resolution")].detail == (
        "target: 3wd on service_hours → 2wd on service_hours"
    )
    assert items[(Subject.STATE_SLA, ChangeKind.CHANGED, "approval")].detail == "4h → 2h"
    timer = items[(Subject.TIMER, ChangeKind.CHANGED, "in requested when channel in [chat, phone, social]")]
    assert (
        timer.detail
        == "after 3m → supervisor, moves to supervisor_intervention → after 5m → supervisor, moves to supervisor_intervention"
    )
    raise_ = items[
        (Subject.TRANSITION, ChangeKind.CHANGED, "raise_to_supervisor: verifying → supervisor_intervention [escalate]")
    ]
    assert raise_.detail == "always → when tier = vip"
    assert (Subject.TRANSITION, ChangeKind.REMOVED, "reject: approval → follow_up [handle]") in items
    assert (Subject.TRANSITION, ChangeKind.ADDED, "decline: approval → follow_up [handle]") in items
    assert (Subject.ROLE, ChangeKind.ADDED, "auditor") in items
    order = items[(Subject.WORKFLOW, ChangeKind.CHANGED, "after_sales")]
    assert order.detail.startswith("assign order: vip_service, key_account_service,")
    assert str(items[(Subject.ROLE, ChangeKind.ADDED, "auditor")].location).startswith("roles/auditor.yaml:")
    assert len(items) == len(got.structure) + len(got.timing) == 8


def test_findings_are_matched_by_code_workflow_state_and_role_not_by_line_or_message() -> None:
    def f(line: int, message: str, state: str = "s") -> Diagnostic:
        return Diagnostic("RE201", "ownership-gap", Severity.ERROR, message, Location("w.yaml", line), None, "w", state)

    assert finding_changes([f(3, "a gap")], [f(9, "a gap, worded anew")]) == []
    got = finding_changes([f(3, "a")], [f(3, "a"), f(5, "b"), f(7, "c", "t")])
    assert [(x.change, x.finding.message) for x in got] == [
        (FindingChange.APPEARED, "b"),
        (FindingChange.APPEARED, "c"),
    ]
    got = finding_changes([f(3, "a", "t")], [])
    assert [(x.change, x.finding.state) for x in got] == [(FindingChange.DISAPPEARED, "t")]


# -- the command line ------------------------------------------------------------------------------
def test_no_change_is_exit_0(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "roles" / "agent.yaml", "name: {en: Agent, zh: 客服}", "name: {en: Service agent, zh: 服务客服}")
    code, out = run(str(old), str(new))
    assert code == 0, out
    assert "no changes" in out


def test_a_new_error_is_exit_1_in_every_format(mini_pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = mini_pair
    edit(new / "workflows" / "service.yaml", "  - {name: finish, from: working, to: done, by: handle}\n", "")
    code, out = run(str(old), str(new))
    assert code == 1, out
    assert "error[RE103]" in out and "transition `finish: working → done [handle]` in service removed" in out
    code, out = run(str(old), str(new), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["valid"] is True and doc["summary"]["new_errors"] >= 1
    assert set(doc) == {
        "version",
        "valid",
        "old",
        "new",
        "summary",
        "permissions",
        "owners",
        "structure",
        "timing",
        "findings",
    }
    assert {f["rule"] for f in doc["findings"]["appeared"]} == {"RE101", "RE103", "RE401"}
    (t,) = doc["structure"]
    assert t == {
        "subject": "transition",
        "change": "removed",
        "id": "finish: working → done [handle]",
        "workflow": "service",
        "detail": "",
        "side": "old",
        "location": {"file": "workflows/service.yaml", "line": 10, "column": 5, "end_line": 10, "end_column": 6},
    }
    report = tmp_path / "diff.md"
    code, _ = run(str(old), str(new), "--format", "markdown", "--output", str(report))
    assert code == 1
    md = report.read_text(encoding="utf-8")
    assert md.startswith("## Rules diff: ") and md.splitlines()[2] == "❌ The new rules add **2 errors**."
    assert "### Findings of `check`" in md and "| 🆕 new | error | RE103 no-path-to-final |" in md


def test_json_permissions_and_owners(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "roles" / "lead.yaml", "    when: {amount: {gt: 200}}\n", "    when: {amount: {gt: 100}}\n")
    code, out = run(str(old), str(new), "-f", "json")
    doc = json.loads(out)
    (p,) = doc["permissions"]
    assert p["role"] == "lead" and p["change"] == "gained" and p["kind"] == "handle" and p["states"] == ["working"]
    assert p["condition"] == "amount > 100 and amount <= 200 and tier = normal"
    assert p["ticket"] == {"amount": 101, "tier": "normal"} and p["tickets"] == [p["ticket"]]
    assert p["side"] == "new" and p["locations"][0]["file"] == "roles/lead.yaml" and p["targets"] == []
    for o in doc["owners"]:
        assert set(o) == {"workflow", "states", "before", "after", "condition", "ticket", "tickets"}
    assert code == (1 if doc["summary"]["new_errors"] else 0)


def test_long_lists_fold_into_details_in_markdown(tmp_path: Path) -> None:
    old, new = centre(tmp_path, "old"), centre(tmp_path, "new")
    for name in ("super_agent", "frontline_agent"):
        role = new / "roles" / f"{name}.yaml"
        text = role.read_text(encoding="utf-8")
        role.write_text(text[: text.index("handle:")] + text[text.index("\nescalate:") + 1 :], encoding="utf-8")
    code, out = run(str(old), str(new), "--format", "markdown")
    assert code == 1  # tickets only the super agent took now have no owner
    assert "<details><summary>" in out and "</details>" in out
    verdict, summary = out.split("\n\n")[1:3]
    assert verdict.startswith("❌ The new rules add **") and "responsibility changes" in summary


def test_an_invalid_side_is_exit_2_with_its_located_errors(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "roles" / "agent.yaml", "reports_to: lead", "reports_to: leed")
    code, out = run(str(old), str(new))
    assert code == 2
    assert f"the new rules ({new}) are invalid" in out
    assert "roles/agent.yaml:3:13: error[RE040] unknown role `leed`" in out
    assert "the old rules" not in out
    code, out = run(str(new), str(old), "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["valid"] is False and [s["side"] for s in doc["invalid"]] == ["old"]
    assert doc["invalid"][0]["diagnostics"][0]["location"]["file"] == "roles/agent.yaml"
    code, out = run(str(new), str(new), "--format", "markdown")
    assert code == 2 and "**The old rules" in out and "**The new rules" in out


@pytest.mark.parametrize(
    "args",
    [[], ["one"], ["a", "b", "c"], ["a", "b", "--git", "HEAD"], ["--format", "yaml", "a", "b"]],
)
def test_usage_errors_are_exit_2(args: list[str]) -> None:
    code, _ = run(*args)
    assert code == 2


# -- the README's example --------------------------------------------------------------------------
def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### `rulesengine diff OLD NEW`")
    return text[start : text.index("\n### ", start + 1)]


def test_the_readme_documents_every_json_key(mini_pair: tuple[Path, Path]) -> None:
    old, new = mini_pair
    edit(new / "roles" / "lead.yaml", "    when: {amount: {gt: 200}}\n", "    when: {amount: {gt: 100}}\n")
    edit(new / "workflows" / "service.yaml", "  new: {sla: 3m}", "  new: {sla: 5m}")
    edit(new / "workflows" / "service.yaml", "  - {name: finish, from: working, to: done, by: handle}\n", "")
    doc = json.loads(run(str(old), str(new), "-f", "json")[1])
    rows = dict(re.findall(r"^\| (`[^|]+`) \| (.+) \|$", _readme_section(), re.M))
    documented = {k.strip("`") for key in rows for k in key.split(", ")}
    assert documented - {"valid"} == set(doc) - {"valid"}

    def fields(key: str) -> set[str]:
        return set(re.match(r"`\{([^}]*)\}`", rows[key]).group(1).split(", "))  # type: ignore[union-attr]

    assert fields("`permissions`") == set(doc["permissions"][0])
    assert fields("`owners`") == set(doc["owners"][0])
    assert fields("`structure`, `timing`") == set(doc["structure"][0]) == set(doc["timing"][0])
    assert fields("`old`, `new`") == set(doc["old"]) == set(doc["new"])
    assert set(re.findall(r"`([a-z_]+)`", rows["`summary`"])) == set(doc["summary"])
    assert fields("`findings`") == set(doc["findings"])


def test_a_long_markdown_report_is_cut_to_fit_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rulesengine.reports import diff as render

    old, new = centre(tmp_path, "old"), centre(tmp_path, "new")
    edit(
        new / "ticket.yaml", "      active: {en: Active user", "      gold: {en: Gold}\n      active: {en: Active user"
    )
    got = diff_dirs(old, new)
    assert isinstance(got, RulesDiff) and len(got.permissions) > 20
    full = render.markdown_report(got)
    assert "more:" not in full and full.count("➕ gained") == len(got.permissions)
    monkeypatch.setattr(render, "MAX_CHARS", len(full) // 2)
    cut = render.markdown_report(got)
    assert len(cut) <= len(full) // 2
    assert cut.split("\n\n")[:3] == full.split("\n\n")[:3]  # the verdict and counts are never cut
    assert f"… and {len(got.permissions) - cut.count('➕ gained')} more:" in cut
