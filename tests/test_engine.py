"""The enforcement engine: one test per reason code, the regressions, ticket round trips."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import rulesengine
from rulesengine import Actor, Reason, RulesInvalid, Ticket, TransitionDenied

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "engine"
ROOT = HERE.parent


@pytest.fixture(scope="module")
def engine() -> rulesengine.Engine:
    return rulesengine.load(FIX)


def ticket(state: str = "working", owner: str | None = "agent", **attrs: Any) -> dict[str, Any]:
    values = {"category": "refund", "tier": "normal", "amount": 100, "urgent": False, **attrs}
    return {"workflow": "service", "state": state, "owner": owner, "attributes": values, "version": 3}


AGENT = {"id": "p-1", "roles": ["agent"]}
LEAD = {"id": "p-2", "roles": ["lead"]}

# reason -> (ticket, event, actor, target)
CASES: dict[Reason, tuple[Any, Any, Any, Any]] = {
    Reason.ALLOWED: (ticket("new"), "start", AGENT, None),
    Reason.INVALID_TICKET: ("not a ticket", "start", AGENT, None),
    Reason.INVALID_ACTOR: (ticket("new"), "start", "p-1", None),
    Reason.UNKNOWN_WORKFLOW: ({**ticket(), "workflow": "nope"}, "start", AGENT, None),
    Reason.WRONG_WORKFLOW: ({**ticket(), "workflow": "complaint", "state": "open"}, "close", AGENT, None),
    Reason.UNKNOWN_STATE: (ticket("nowhere"), "start", AGENT, None),
    Reason.UNKNOWN_EVENT: (ticket(), "teleport", AGENT, None),
    Reason.UNKNOWN_ATTRIBUTE: (ticket(colour="red"), "finish", AGENT, None),
    Reason.INVALID_VALUE: (ticket(tier="gold"), "finish", AGENT, None),
    Reason.MISSING_ATTRIBUTE: (
        {**ticket(), "attributes": {"category": "refund", "tier": "normal", "urgent": False}},
        "transfer",
        AGENT,
        "expert_a",
    ),
    Reason.MISSING_OWNER: (ticket(owner=None), "finish", AGENT, None),
    Reason.UNKNOWN_OWNER: (ticket(owner="ghost"), "finish", AGENT, None),
    Reason.FINAL_STATE: (ticket("done"), "finish", AGENT, None),
    Reason.NOT_FROM_STATE: (ticket("new"), "finish", AGENT, None),
    Reason.OWNER_NOT_ELIGIBLE: (ticket("new", owner="expert_a"), "start", {"id": "x", "roles": ["expert_a"]}, None),
    Reason.NOT_OWNER: (ticket(), "finish", LEAD, None),
    Reason.NOT_ASSIGNEE: ({**ticket(), "assignee": "p-9"}, "finish", AGENT, None),
    Reason.TIMER_EVENT: (ticket("new"), "timer:0", AGENT, None),
    Reason.NO_GRANT: (ticket("new"), "consult", AGENT, "expert_a"),
    Reason.CONDITION_FAILED: (ticket(), "urgent_close", AGENT, None),
    Reason.LIMIT_EXCEEDED: (ticket(amount=1500), "transfer", AGENT, "expert_a"),
    Reason.ROLE_NOT_LISTED: (ticket(), "approve", AGENT, None),
    Reason.TARGET_REQUIRED: (ticket(), "transfer", AGENT, None),
    Reason.TARGET_NOT_ALLOWED: (ticket(), "transfer", AGENT, "lead"),
    Reason.AMBIGUOUS_EVENT: (ticket(), "split", AGENT, None),
    Reason.NO_OWNER_AFTER: (ticket(), "park", AGENT, None),
    Reason.SEVERAL_OWNERS_AFTER: (ticket(), "to_review", AGENT, None),
}


def test_every_reason_has_a_case_and_a_description() -> None:
    assert set(CASES) == set(Reason)
    for r in Reason:
        assert r.description and r.value == r.value.lower()


@pytest.mark.parametrize("reason", list(Reason), ids=lambda r: r.value)
def test_each_reason(engine: rulesengine.Engine, reason: Reason) -> None:
    t, event, actor, target = CASES[reason]
    d = engine.decide(t, event, actor, target)
    assert d.reason is reason, d.message
    assert d.allowed is (reason is Reason.ALLOWED)
    assert d.message and d.rules_hash == engine.rules_hash
    if not d.allowed:
        with pytest.raises(TransitionDenied) as exc:
            engine.fire(t, event, actor, target)
        assert exc.value.decision == d


def test_denials_say_what_came_nearest(engine: rulesengine.Engine) -> None:
    d = engine.decide(*CASES[Reason.LIMIT_EXCEEDED])
    assert d.nearest is not None and d.nearest.role == "agent" and d.nearest.kind.value == "coordinate"
    assert d.nearest.location == "roles/agent.yaml:10:5"
    assert d.failed == ("amount <= 1000",)
    d = engine.decide(*CASES[Reason.NO_GRANT])
    assert d.nearest is not None and "not `new`" in d.message
    d = engine.decide(*CASES[Reason.CONDITION_FAILED])
    assert d.failed == ("urgent = true",) and d.transition is not None and d.transition.name == "urgent_close"


def test_allowed_decisions_carry_the_grant_and_the_outcome(engine: rulesengine.Engine) -> None:
    d = engine.decide(ticket(), "transfer", AGENT, "expert_b")
    assert d.allowed and d.next_state == "expert" and d.owner_after == ("expert_b",) and d.target == "expert_b"
    assert [g.location for g in d.grants] == ["roles/agent.yaml:10:5"]
    assert d.transition is not None and (d.transition.workflow, d.transition.index) == ("service", 3)
    d = engine.decide(ticket("working", owner="lead"), "approve", LEAD)
    assert d.allowed and d.owner_after == ("lead",) and not d.fresh_assignment
    d = engine.decide(ticket("new"), "timer:0", None)
    assert d.allowed and d.owner_after == ("lead",) and d.transition is not None and d.transition.timer
    # a person holding several roles acts as the one that owns the ticket
    assert engine.decide(ticket(), "finish", {"id": "p-3", "roles": ["qa", "agent"]}).allowed


def test_an_owner_beyond_its_limit_is_told_so() -> None:
    engine = rulesengine.load(ROOT)
    t = {
        "workflow": "after_sales",
        "state": "approval",
        "owner": "frontline_agent",
        "attributes": {"category": "refund", "tier": "active", "channel": "phone", "priority": "P2", "amount": 1500},
    }
    d = engine.decide(t, "approve", {"id": "p-1", "roles": ["frontline_agent"]})
    assert d.reason is Reason.LIMIT_EXCEEDED and d.failed == ("amount <= 200",)
    assert d.nearest is not None and d.nearest.location == "roles/frontline_agent.yaml:33:5"
    d = engine.decide({**t, "owner": "qa_inspector"}, "approve", {"id": "p-1", "roles": ["qa_inspector"]})
    assert d.reason is Reason.OWNER_NOT_ELIGIBLE and "handles_tickets: false" in d.message


def test_numbers_given_as_text_are_parsed_like_the_command_line(engine: rulesengine.Engine) -> None:
    assert engine.decide(ticket(amount="150"), "finish", AGENT).allowed
    assert engine.decide(ticket(amount="lots"), "finish", AGENT).reason is Reason.INVALID_VALUE
    assert engine.decide(ticket(amount=-1), "finish", AGENT).reason is Reason.INVALID_VALUE
    assert engine.decide(ticket(amount=float("nan")), "finish", AGENT).reason is Reason.INVALID_VALUE
    assert engine.decide(ticket(urgent=1.0), "finish", AGENT).reason is Reason.INVALID_VALUE
    assert engine.decide(ticket(amount=True), "finish", AGENT).reason is Reason.INVALID_VALUE


def test_typed_ticket_and_actor(engine: rulesengine.Engine) -> None:
    t = Ticket(state="new", owner="agent", workflow="service", attributes=ticket()["attributes"])
    assert engine.decide(t, "start", Actor("p-1", ("agent",))).allowed
    assert engine.decide(t, "start", Actor("p-1", ("lead",))).reason is Reason.NOT_OWNER


def test_workflow_derived_from_applies_when(engine: rulesengine.Engine) -> None:
    t = ticket("new")
    del t["workflow"]
    assert engine.decide(t, "start", AGENT).allowed
    t["attributes"]["category"] = "other"
    assert engine.decide(t, "start", AGENT).reason is Reason.UNKNOWN_WORKFLOW


def test_fire_returns_a_new_ticket_and_a_history_entry(engine: rulesengine.Engine) -> None:
    t = {**ticket(), "assignee": "p-1"}
    before = {**t, "attributes": dict(t["attributes"])}
    new, entry = engine.fire(t, "transfer", AGENT, "expert_a")
    assert t == before  # the input is never changed
    assert new["state"] == "expert" and new["owner"] == "expert_a" and new["version"] == 4
    assert "assignee" not in new  # a new role owns it: its person is chosen anew
    assert entry["from"] == "working" and entry["to"] == "expert" and entry["actor"] == "p-1"
    assert entry["owner_before"] == "agent" and entry["owner_after"] == "expert_a"
    assert entry["rules_hash"] == engine.rules_hash and entry["version"] == 4
    same, _ = engine.fire({**ticket("new"), "assignee": "p-1"}, "start", AGENT)
    assert same["assignee"] == "p-1"  # the same role keeps the ticket: the same person too


def test_create_assigns_the_first_owner(engine: rulesengine.Engine) -> None:
    t = engine.create({"category": "tech", "tier": "normal", "amount": "50", "urgent": False})
    assert t == {
        "workflow": "service",
        "state": "new",
        "owner": "agent",
        "attributes": {"category": "tech", "tier": "normal", "amount": 50, "urgent": False},
        "version": 0,
    }
    assert engine.create({"category": "tech", "tier": "vip", "amount": 0, "urgent": False})["owner"] == "lead"
    with pytest.raises(TransitionDenied) as exc:
        engine.create({"category": "other", "tier": "vip", "amount": 0, "urgent": False})
    assert exc.value.decision.reason is Reason.UNKNOWN_WORKFLOW


def test_allowed_events_owners_and_explain(engine: rulesengine.Engine) -> None:
    t = ticket()
    events = {(d.event, d.target) for d in engine.allowed_events(t, AGENT)}
    assert events == {("finish", None), ("transfer", "expert_a"), ("transfer", "expert_b"), ("raise", "lead")}
    assert engine.allowed_events(t, LEAD) == ()
    assert engine.owners(t) == ("agent", "lead")  # lead after a raise
    # check explores both candidates of the unsettled assignment (and reports RE202); decide refuses it
    assert set(engine.owners(ticket("review"))) == {"expert_a", "lead"}
    doc = engine.explain(t)
    assert doc["state"] == "working" and doc["holders"] == ["agent"]
    by_name = {x["name"]: x for x in doc["transitions"]}
    assert [a["role"] for a in by_name["finish"]["allowed"]] == ["agent"]
    assert by_name["approve"]["blocked"] == "only lead may fire it"
    with pytest.raises(rulesengine.InvalidTicket):
        engine.owners("nonsense")


def test_invalid_rules_raise_with_located_diagnostics(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    shutil.copytree(FIX, d)
    (d / "roles" / "agent.yaml").write_text("id: agent\nname: {en: Agent}\nhandle:\n  - workflows: [servise]\n")
    with pytest.raises(RulesInvalid) as exc:
        rulesengine.load(d)
    assert any(x.location is not None and x.location.file == "roles/agent.yaml" for x in exc.value.diagnostics)
    assert "did you mean `service`" in " ".join(str(x.help) for x in exc.value.diagnostics)


def test_strict_load_refuses_rules_with_errors() -> None:
    with pytest.raises(RulesInvalid) as exc:
        rulesengine.load(FIX, strict=True)
    assert {x.code for x in exc.value.diagnostics} >= {"RE201", "RE202"}
    assert rulesengine.load(ROOT, strict=True).check().findings == []


def test_the_rules_hash_follows_the_content(tmp_path: Path, engine: rulesengine.Engine) -> None:
    d = tmp_path / "rules"
    shutil.copytree(FIX, d)
    assert rulesengine.load(d).rules_hash == engine.rules_hash  # the place does not matter
    p = d / "roles" / "qa.yaml"
    p.write_text(p.read_text() + "# a comment\n")
    assert rulesengine.load(d).rules_hash != engine.rules_hash


def test_public_api_is_what_all_lists() -> None:
    for name in rulesengine.__all__:
        assert hasattr(rulesengine, name), name
    assert {"load", "Engine", "Decision", "Reason", "TransitionDenied", "RulesInvalid"} <= set(rulesengine.__all__)
