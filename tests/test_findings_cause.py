"""Findings name their true cause: the regressions of RE107, RE105, RE401, `from: "*"` and traces."""

from __future__ import annotations

from typing import Any

from rulesengine.compile.compiler import compile_files
from rulesengine.reports.text import text_lines
from rulesengine.rules.registry import find_rule
from rulesengine.rules.run import run_check

TICKET = "attributes:\n  category: {values: [task]}\n  urgent: {type: boolean}\n"


def findings(workflow: str, roles: dict[str, str], code: str | None = None) -> list[Any]:
    files = {"ticket.yaml": TICKET, "workflows/work.yaml": workflow}
    files.update({f"roles/{r}.yaml": f"id: {r}\nname: {{en: {r}}}\n{body}" for r, body in roles.items()})
    result = compile_files(files)
    assert result.ruleset is not None, [d.message for d in result.diagnostics]
    rules = [find_rule(code)] if code else None
    return run_check(result.ruleset, rules).findings  # type: ignore[arg-type]


BASE = """id: work
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


def test_a_self_loop_the_owner_can_fire_is_not_unfireable() -> None:
    wf = BASE + "  - {name: log_call, from: working, to: working, by: handle}\n"
    assert findings(wf, {"agent": "handle:\n  - {}\n"}, "RE107") == []


def test_unfireable_names_the_real_block() -> None:
    roles = {"agent": "handle:\n  - {}\n", "lead": "handle:\n  - states: [done]\n"}
    by_roles = BASE + "  - {name: approve, from: working, to: done, by: handle, roles: [lead]}\n"
    (f,) = findings(by_roles, roles, "RE107")
    assert f.message.endswith("can never be fired: only lead may fire it")
    assert "`roles`" in (f.help or "")
    by_when = BASE + "  - {name: rush, from: working, to: done, by: handle, when: {urgent: true}}\n"
    files_when = findings(
        by_when.replace("initial: new", "applies_when: {urgent: false}\ninitial: new"), roles, "RE107"
    )
    assert [x.message.split(": ", 1)[1] for x in files_when] == ["its condition fails: urgent = true"]
    by_grant = BASE + "  - {name: hand_over, from: working, to: done, by: coordinate}\n"
    (f,) = findings(by_grant, roles, "RE107")
    assert f.message.endswith("no owner holds a coordinate grant covering it")


def test_required_step_blames_the_move_that_skips_it() -> None:
    wf = """id: work
name: {en: Work}
initial: new
states:
  new: {}
  working: {}
  review: {}
  follow_up: {required: true}
  done: {final: true}
transitions:
  - {name: start, from: new, to: working, by: handle}
  - {name: raise, from: new, to: review, by: escalate}
  - {name: back, from: review, to: working, by: handle}
  - {name: call, from: working, to: follow_up, by: handle}
  - {name: close, from: follow_up, to: done, by: handle}
  - {name: shortcut, from: working, to: done, by: handle}
"""
    roles = {"agent": "handle:\n  - {}\nescalate:\n  - {to: lead}\n", "lead": "handle:\n  - states: [review]\n"}
    (f,) = findings(wf, roles, "RE105")
    assert "via `shortcut`" in f.message
    assert f.location is not None and f.location.line == 16


def test_sla_target_unreachable_carries_state_and_trace() -> None:
    wf = BASE.replace("  new: {}\n", "  new: {}\n  triage: {}\n") + "sla:\n  first: {target: 1h, stop: [triage]}\n"
    (f,) = findings(wf, {"agent": "handle:\n  - {}\n"}, "RE401")
    assert f.state == "done" and f.trace
    assert [s["event"] for s in f.trace] == ["assign", "start", "finish"]


def test_from_star_includes_its_own_target() -> None:
    wf = BASE + "  - {name: raise, from: '*', to: working, by: escalate}\n"
    roles = {
        "agent": "handle:\n  - states: [new]\nescalate:\n  - {to: lead}\n",
        "lead": "handle:\n  - states: [new]\nescalate:\n  - {to: boss}\n",
        "boss": "handle:\n  - states: [working]\n",
    }
    codes = {(f.code, f.state) for f in findings(wf, roles)}
    assert ("RE203", "working") in codes  # the raise at `working` lands where nobody may own it


def test_a_transition_named_assign_is_not_the_engines_assignment() -> None:
    wf = BASE.replace("start, from: new", "assign, from: new").replace("  done:", "  limbo: {}\n  done:")
    wf += (
        "  - {name: stall, from: working, to: limbo, by: handle}\n  - {name: out, from: limbo, to: done, by: handle}\n"
    )
    roles = {"agent": "handle:\n  - states: [working]\n", "lead": "handle:\n  - states: [new]\n"}
    fs = [f for f in findings(wf, roles) if f.trace]
    lines = [t for f in fs for t, _ in text_lines([f]) if "↳" in t]
    assert any("new --assign--> working by lead, now held by agent" in t for t in lines), lines
    assert any("assigned to lead at new" in t for t in lines), lines
    assert not any("assigned to None" in t for t in lines)
