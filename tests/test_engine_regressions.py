"""Where explain, check and decide used to disagree: now they read one transition function."""

from __future__ import annotations

from typing import Any

from rulesengine import Engine, Reason
from rulesengine.analysis.context import Analysis
from rulesengine.compile.compiler import compile_files
from rulesengine.rules.run import run_check
from rulesengine.views.explain import explain

TICKET = "attributes:\n  category: {values: [task]}\n"


def _files(roles: dict[str, str], workflow: str) -> dict[str, str]:
    files = {"ticket.yaml": TICKET, "workflows/work.yaml": workflow}
    files.update({f"roles/{rid}.yaml": f"id: {rid}\nname: {{en: {rid}}}\n{body}" for rid, body in roles.items()})
    return files


def _all(files: dict[str, str]) -> tuple[Engine, list[str], dict[str, Any]]:
    result = compile_files(files)
    assert result.ruleset is not None, [d.message for d in result.diagnostics]
    rs = result.ruleset
    codes = [f.code for f in run_check(rs).findings]
    an = Analysis(rs)
    docs = {s: explain(rs, an.runs["work"], s)["classes"][0] for s in rs.workflows["work"].states}
    return Engine.from_ruleset(rs), codes, docs


WORK = """id: work
name: {en: Work}
initial: new
states:
  new: {}
  working: {}
  done: {final: true}
transitions:
  - {name: start, from: new, to: working, by: handle}
  - {name: finish, from: working, to: done, by: handle}
"""


def ticket(state: str, owner: str) -> dict[str, Any]:
    return {"workflow": "work", "state": state, "owner": owner, "attributes": {"category": "task"}}


def test_a_grant_on_a_final_state_does_not_let_anyone_leave_it() -> None:
    files = _files(
        {"agent": "handle:\n  - states: [new]\n", "lead": "handle:\n  - states: [working, done]\n"},
        WORK + "  - {name: reopen, from: done, to: working, by: handle}\n",
    )
    engine, codes, docs = _all(files)
    assert "RE104" in codes  # the exit from a final state is a finding
    reopen = next(t for t in docs["done"]["transitions"] if t["name"] == "reopen")
    assert reopen["allowed"] == [] and reopen["blocked"].startswith("the state is final")
    d = engine.decide(ticket("done", "lead"), "reopen", {"id": "p", "roles": ["lead"]})
    assert d.reason is Reason.FINAL_STATE


def test_a_timer_into_a_final_state_needs_no_owner_there() -> None:
    files = _files(
        {"agent": "handle:\n  - states: [new, working]\n", "closer": "handle:\n  - states: [new]\n"},
        WORK + "escalations:\n  - {in: working, after: 1h, to: closer, goto: done}\n",
    )
    engine, codes, docs = _all(files)
    assert "RE203" not in codes
    (timer,) = docs["working"]["timers"]
    assert timer["target_can_handle"] is True and timer["goto"] == "done"
    d = engine.decide(ticket("working", "agent"), "timer:0", None)
    assert d.allowed and d.next_state == "done" and d.owner_after == ("closer",)


def test_explain_shows_the_owner_check_proves_not_a_hypothetical_duplicate() -> None:
    files = _files(
        {"agent": "handle:\n  - {}\n", "helper": "handle:\n  - states: [working]\n"},
        WORK,
    )
    files["roles/agent.yaml"] = "id: agent\nname: {en: agent}\nhandle:\n  - workflows: [work]\n"
    engine, codes, docs = _all(files)
    assert "RE202" not in codes
    asg = docs["working"]["assignment"]
    assert asg == {"owners": ["agent"], "handed_over": [], "settled_by_assign_order": False, "duplicate": False, "gap": False}
    assert engine.owners(ticket("working", "agent")) == ("agent",)
    assert engine.decide(ticket("working", "helper"), "finish", {"id": "p", "roles": ["helper"]}).allowed
    assert engine.decide(ticket("working", "agent"), "finish", {"id": "p", "roles": ["agent"]}).allowed


def test_matrix_and_diagrams_honour_suppressions(tmp_path: Any) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from rulesengine.cli.app import app

    d = Path(tmp_path)
    files = _files({"agent": "handle:\n  - states: [new]\n"}, WORK)
    for p, text in files.items():
        (d / p).parent.mkdir(parents=True, exist_ok=True)
        (d / p).write_text(text)
    from rulesengine.render.diagrams import GAP_FILL

    runner = CliRunner()
    before = runner.invoke(app, ["matrix", str(d)]).output
    assert "| **owner check** | ok | GAP |" in before
    runner.invoke(app, ["render", str(d), "-f", "dot", "-o", str(d / "before")])
    assert GAP_FILL in (d / "before" / "work.dot").read_text()
    (d / "suppressions.yaml").write_text(
        "suppressions:\n  - {rule: ownership-gap, workflow: work, reason: the night team takes these}\n"
    )
    assert runner.invoke(app, ["check", str(d)]).exit_code == 0
    after = runner.invoke(app, ["matrix", str(d)]).output
    assert "| **owner check** | ok | ok |" in after
    dot = runner.invoke(app, ["render", str(d), "-f", "dot", "-o", str(d / "after")])
    assert dot.exit_code == 0 and GAP_FILL not in (d / "after" / "work.dot").read_text()
