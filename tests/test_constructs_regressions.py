"""Defects found by trying the new constructs, each kept from coming back."""

from __future__ import annotations

from typing import Any

from rulesengine import Engine, Reason
from rulesengine.compile.compiler import compile_files
from rulesengine.rules.run import run_check

TICKET = "attributes:\n  priority: {values: [P1, P2]}\n"


def _engine(files: dict[str, str]) -> Engine:
    result = compile_files(files)
    assert result.ruleset is not None, [d.message for d in result.diagnostics]
    return Engine.from_ruleset(result.ruleset)


def _role(rid: str, body: str) -> tuple[str, str]:
    return f"roles/{rid}.yaml", f"id: {rid}\nname: {{en: {rid}}}\n{body}"


CLOSE = {
    "ticket.yaml": TICKET,
    "workflows/support.yaml": """id: support
name: {en: Support}
initial: open
states: {open: {}, resolved: {}, closed: {final: true}}
transitions:
  - {name: resolve, from: open, to: resolved, by: handle}
  - {name: customer_close, from: resolved, to: closed, by: handle, roles: [customer], owner_only: false}
""",
    **dict(
        [
            _role("agent", "handle: [{states: [open, resolved]}]\n"),
            _role("customer", "handles_tickets: false\nhandle: [{states: [resolved]}]\n"),
        ]
    ),
}


def test_a_non_owner_acts_on_an_assigned_ticket() -> None:
    """The quick path used to answer `not-assignee` to a role that does not own the ticket."""
    engine = _engine(CLOSE)
    ticket: dict[str, Any] = {
        "workflow": "support",
        "state": "resolved",
        "owner": "agent",
        "assignee": "a-7",
        "attributes": {"priority": "P2"},
    }
    d = engine.decide(ticket, "customer_close", {"id": "c-1", "roles": ["customer"]})
    assert d.allowed and d.owner_after == ("agent",), d.message
    # the owning role still answers to its assignee
    d = engine.decide(ticket, "resolve", {"id": "a-9", "roles": ["agent"]})
    assert d.reason in (Reason.NOT_ASSIGNEE, Reason.NOT_FROM_STATE)
    assert engine.decide(ticket, "customer_close", {"id": "x", "roles": ["agent"]}).reason is Reason.NOT_ASSIGNEE


GAP_TIMER = {
    "ticket.yaml": TICKET,
    "workflows/support.yaml": """id: support
name: {en: Support}
initial: open
states: {open: {}, waiting: {}, closed: {final: true}}
transitions:
  - {name: wait, from: open, to: waiting, by: handle}
  - {name: close, from: open, to: closed, by: handle}
escalations:
  - {in: waiting, after: 1d, to: lead}
""",
    **dict(
        [
            _role("agent", "handle: [{states: [open]}]\n"),
            _role("lead", "handle: [{states: [open]}]\nreports_to: agent\n"),
        ]
    ),
}


def test_a_timer_in_a_gap_fires_and_its_escalation_is_checked() -> None:
    """Exploration used to stop at a failed assignment: the timer at `waiting` was then
    reported as never firing (`none of its states is ever reached`) and the escalation it
    makes — to a lead who may not hold the ticket there — was never checked."""
    files = dict(GAP_TIMER)
    files["roles/lead.yaml"] = "id: lead\nname: {en: lead}\n"  # the lead handles nothing
    files["roles/agent.yaml"] = "id: agent\nname: {en: agent}\nhandle: [{states: [open]}]\n"
    result = compile_files(files)
    assert result.ruleset is not None
    found = {(f.code, f.state) for f in run_check(result.ruleset).findings}
    assert ("RE201", "waiting") in found  # the gap
    assert ("RE203", "waiting") in found  # the timer's escalation into it, no longer hidden
    assert not any(code == "RE108" for code, _ in found)  # the timer does fire


def test_a_finding_after_a_set_shows_the_ticket_as_it_is_there() -> None:
    files = {
        "ticket.yaml": TICKET,
        "workflows/support.yaml": """id: support
name: {en: Support}
initial: open
states: {open: {}, urgent: {}, closed: {final: true}}
transitions:
  - {name: raise_priority, from: open, to: urgent, by: handle, set: {priority: P1}}
  - {name: close, from: [open, urgent], to: closed, by: handle}
""",
        **dict([_role("agent", "handle: [{states: [open, urgent], when: {priority: P2}}, {states: [open]}]\n")]),
    }
    result = compile_files(files)
    assert result.ruleset is not None
    gaps = [f for f in run_check(result.ruleset).findings if f.code == "RE201"]
    assert gaps and gaps[0].state == "urgent"
    assert gaps[0].ticket is not None and gaps[0].ticket["priority"] == "P1", gaps[0].ticket


def test_policies_read_a_timer_that_only_moves_the_ticket() -> None:
    """Found by the long fuzz run: a timer without `to` made the policy search fail on
    its step kind (a timer that only moves the ticket is a step of its own kind)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in root.glob("*/*.yaml")
        if p.parts[-2] in ("roles", "workflows", "policies")
    }
    files["ticket.yaml"] = (root / "ticket.yaml").read_text(encoding="utf-8")
    wf = files["workflows/after_sales.yaml"]
    files["workflows/after_sales.yaml"] = wf.replace(
        "    of: first_response_email\n    when: {channel: email}\n    to: supervisor\n",
        "    of: first_response_email\n    when: {channel: email}\n",
    )
    assert files["workflows/after_sales.yaml"] != wf
    result = compile_files(files)
    assert result.ruleset is not None, [d.message for d in result.diagnostics]
    run_check(result.ruleset)  # must not raise
