"""The broken examples of the new format constructs and their fixed twins.

Each `examples/broken/construct-<name>/` has one planted defect (its `# expect:`
comment; `tests/test_examples.py` checks that `check` finds exactly that). Its twin,
`tests/fixtures/constructs/<name>/`, is the same rules directory with the defect
corrected. Here: every twin checks clean, every broken example differs from its twin
in one file, and the engine's decisions agree with what `check` says about both.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import rulesengine
from rulesengine import Engine, Reason, TransitionDenied
from rulesengine.compile.compiler import load_rules
from rulesengine.rules.run import run_check
from tests.conftest import ROOT

BROKEN = ROOT / "examples" / "broken"
TWINS = ROOT / "tests" / "fixtures" / "constructs"
NAMES = [
    "reopen",
    "non-owner",
    "auto-close",
    "any-of",
    "set-priority",
    "creation-states",
    "after-escalation",
    "night-shift",
]

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2024, 5, 6, 10, 0, tzinfo=SHANGHAI)  # a Monday, office open (08:00-20:00)
NIGHT = dt.datetime(2024, 5, 6, 23, 0, tzinfo=SHANGHAI)  # the same Monday, office closed
CUSTOMER = {"id": "c-1001", "roles": ["customer"]}


def broken(name: str) -> Path:
    return BROKEN / f"construct-{name}"


def twin(name: str) -> Path:
    return TWINS / name


def engines(name: str) -> tuple[Engine, Engine]:
    return rulesengine.load(broken(name)), rulesengine.load(twin(name))


def rules_text(d: Path) -> dict[str, list[str]]:
    """Each file's lines without comments (the `$schema` header depends on the depth)."""
    out = {}
    for p in sorted(d.rglob("*.yaml")):
        lines = [line.rstrip() for line in p.read_text(encoding="utf-8").splitlines()]
        out[p.relative_to(d).as_posix()] = [x for x in lines if x.strip() and not x.lstrip().startswith("#")]
    return out


def test_every_construct_example_has_a_twin() -> None:
    assert sorted(p.name.removeprefix("construct-") for p in BROKEN.glob("construct-*")) == sorted(NAMES)
    assert sorted(p.name for p in TWINS.iterdir() if p.is_dir()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_twin_checks_clean(name: str) -> None:
    result = load_rules(twin(name))
    assert result.ok, [f"{x.location} {x.message}" for x in result.diagnostics]
    assert not result.diagnostics, [f"{x.location} {x.message}" for x in result.diagnostics]
    findings = run_check(result.ruleset).findings
    assert not findings, [f"{x.location} {x.name} {x.message}" for x in findings]


@pytest.mark.parametrize("name", NAMES)
def test_broken_example_differs_from_its_twin_in_one_file(name: str) -> None:
    bad, good = rules_text(broken(name)), rules_text(twin(name))
    assert sorted(bad) == sorted(good), "the same files"
    changed = [f for f in good if bad[f] != good[f]]
    assert len(changed) == 1, changed
    result = load_rules(broken(name))
    assert result.ok
    assert len(run_check(result.ruleset).findings) == 1


def fire_both(name: str, ticket: dict[str, Any], event: str, actor: Any, **kw: Any) -> tuple[Any, Any]:
    """The decision on the broken example, and the ticket `fire` returns on the twin."""
    bad, good = engines(name)
    return bad.decide(ticket, event, actor, **kw), good.fire(ticket, event, actor, **kw).ticket


# -- (1) reopening a final state ---------------------------------------------------------


def test_reopen_into_the_gap_is_denied_and_the_twin_reopens() -> None:
    closed = {
        "workflow": "after_sales",
        "state": "closed",
        "owner": "frontline_agent",
        "attributes": {"category": "after_sales", "channel": "app"},
        "version": 4,
    }
    d, reopened = fire_both("reopen", closed, "customer_reopen", CUSTOMER)
    assert not d.allowed and d.reason is Reason.NO_OWNER_AFTER and d.next_state == "reopened"
    assert reopened["state"] == "reopened" and reopened["owner"] == "second_line_agent"
    # the reopening is the customer's: the owner of the closed ticket may not fire it
    agent = {"id": "a-12", "roles": ["frontline_agent"]}
    for engine in engines("reopen"):
        assert engine.decide(closed, "customer_reopen", agent).reason is Reason.ROLE_NOT_LISTED
        # a final state without the transition under `reopen:` stays closed
        assert engine.decide(closed, "resolve", agent).reason is Reason.FINAL_STATE


# -- (2) transitions fired by roles that do not own the ticket --------------------------


def test_customer_close_needs_a_customer_grant_at_the_source_state() -> None:
    resolved = {
        "workflow": "complaint",
        "state": "resolved",
        "owner": "complaint_agent",
        "attributes": {"category": "complaint", "priority": "P2"},
    }
    d, closed = fire_both("non-owner", resolved, "customer_close", CUSTOMER)
    assert not d.allowed and d.reason is Reason.NO_GRANT
    assert closed["state"] == "closed" and closed["owner"] == "complaint_agent"  # the owner keeps it
    # the customer never owns a ticket, and still acts where its grant covers the state
    for engine in engines("non-owner"):
        waiting = {**resolved, "state": "waiting_customer"}
        ok = engine.decide(waiting, "customer_reply", CUSTOMER)
        assert ok.allowed and ok.owner_after == ("complaint_agent",)
        assert engine.decide(resolved, "close", CUSTOMER).reason is Reason.NOT_OWNER


def test_supervisor_steps_in_and_takes_the_ticket_over() -> None:
    investigating = {
        "workflow": "complaint",
        "state": "investigating",
        "owner": "complaint_agent",
        "attributes": {"category": "complaint", "priority": "P1"},
    }
    supervisor = {"id": "s-2", "roles": ["supervisor"]}
    for engine in engines("non-owner"):
        fired = engine.fire(investigating, "intervene", supervisor)
        assert fired.ticket["state"] == "supervisor_handling" and fired.ticket["owner"] == "supervisor"
        assert fired.history["owner_before"] == "complaint_agent"
        # the coordinate grant covers only `investigating`
        received = {**investigating, "state": "received"}
        assert not engine.decide(received, "intervene", supervisor).allowed


# -- (3) timers that only change state -------------------------------------------------


def test_auto_close_timer_into_the_gap_is_denied() -> None:
    waiting = {
        "workflow": "inquiry",
        "state": "waiting_customer",
        "owner": "inquiry_agent",
        "attributes": {"category": "inquiry", "channel": "email"},
    }
    d, moved = fire_both("auto-close", waiting, "timer:0", None)
    assert not d.allowed and d.reason is Reason.NO_OWNER_AFTER and d.next_state == "wrap_up"
    assert moved["state"] == "wrap_up" and moved["owner"] == "inquiry_agent"


# -- (4) any_of --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "tier", "owner"),
    [("P1", "standard", "senior_agent"), ("P3", "vip", "senior_agent"), ("P3", "standard", "frontline_agent")],
)
def test_any_of_alternatives_both_versions_cover(priority: str, tier: str, owner: str) -> None:
    for engine in engines("any-of"):
        made = engine.create({"category": "complaint", "priority": priority, "customer_tier": tier})
        assert made["owner"] == owner


def test_any_of_left_out_combination_has_no_owner_on_creation() -> None:
    bad, good = engines("any-of")
    attrs = {"category": "complaint", "priority": "P2", "customer_tier": "standard"}
    with pytest.raises(TransitionDenied) as denied:
        bad.create(attrs)
    assert denied.value.decision.reason is Reason.NO_OWNER_AFTER
    assert good.create(attrs)["owner"] == "senior_agent"


# -- (5) set: (re-prioritise) ------------------------------------------------------------


def test_raise_to_p1_lands_where_p1_tickets_have_no_owner() -> None:
    diagnosing = {
        "workflow": "fault",
        "state": "diagnosing",
        "owner": "support_agent",
        "attributes": {"category": "fault", "priority": "P2"},
        "version": 2,
    }
    agent = {"id": "a-3", "roles": ["support_agent"]}
    bad, good = engines("set-priority")
    d = bad.decide(diagnosing, "raise_to_p1", agent)
    assert not d.allowed and d.reason is Reason.NO_OWNER_AFTER and d.next_state == "diagnosing"
    with pytest.raises(TransitionDenied):
        bad.fire(diagnosing, "raise_to_p1", agent)
    ok = good.decide(diagnosing, "raise_to_p1", agent)
    assert ok.allowed and ok.sets == (("priority", "P1"),) and ok.owner_after == ("senior_engineer",)
    raised = good.fire(diagnosing, "raise_to_p1", agent).ticket
    assert raised["attributes"]["priority"] == "P1" and raised["state"] == "urgent_repair"
    assert diagnosing["attributes"]["priority"] == "P2"  # the input is never changed
    # the raised ticket goes on as a P1 ticket: the agent may no longer act on it
    fixed = good.decide(raised, "fixed", agent)
    assert fixed.reason is Reason.NOT_OWNER
    assert good.decide(raised, "fixed", {"id": "e-1", "roles": ["senior_engineer"]}).allowed


# -- (6) several creation states --------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "state", "owner"), [("phone", "call_intake", "hotline_agent"), ("chat", "queued", "online_agent")]
)
def test_creation_state_by_channel(channel: str, state: str, owner: str) -> None:
    for engine in engines("creation-states"):
        made = engine.create({"category": "order_issue", "channel": channel})
        assert (made["state"], made["owner"]) == (state, owner)


def test_callback_requests_fall_through_to_the_online_queue() -> None:
    bad, good = engines("creation-states")
    attrs = {"category": "order_issue", "channel": "callback"}
    with pytest.raises(TransitionDenied) as denied:
        bad.create(attrs)
    assert denied.value.decision.reason is Reason.NO_OWNER_AFTER
    made = good.create(attrs)
    assert (made["state"], made["owner"]) == ("call_intake", "hotline_agent")


# -- (7) after_escalation ----------------------------------------------------------------


def test_escalation_to_a_supervisor_without_its_after_escalation_grant_is_denied() -> None:
    investigating = {
        "workflow": "billing_dispute",
        "state": "investigating",
        "owner": "billing_agent",
        "attributes": {"category": "billing_dispute", "amount": 300},
    }
    agent = {"id": "a-5", "roles": ["billing_agent"]}
    d, raised = fire_both("after-escalation", investigating, "raise", agent)
    assert not d.allowed and d.reason is Reason.NO_OWNER_AFTER
    assert raised["owner"] == "supervisor" and raised["attributes"]["escalated"] is True
    _, good = engines("after-escalation")
    supervisor = {"id": "s-1", "roles": ["supervisor"]}
    # before an escalation the supervisor may not hold the dispute at `investigating`
    never_raised = {**investigating, "owner": "supervisor"}
    assert good.decide(never_raised, "settle", supervisor).reason is Reason.OWNER_NOT_ELIGIBLE
    # after it, it settles the dispute and the agent confirms with the customer
    settled = good.decide(raised, "settle", supervisor)
    assert settled.allowed and settled.owner_after == ("billing_agent",) and settled.fresh_assignment


# -- (8) within_hours / outside_hours -----------------------------------------------------


def test_night_shift_cannot_park_a_ticket_for_the_customer() -> None:
    tracing = {
        "workflow": "delivery",
        "state": "tracing",
        "owner": "night_agent",
        "attributes": {"category": "delivery"},
    }
    night_agent = {"id": "n-4", "roles": ["night_agent"]}
    bad, good = engines("night-shift")
    d = bad.decide(tracing, "ask_customer", night_agent, at=NIGHT)
    assert not d.allowed and d.reason is Reason.NO_OWNER_AFTER and d.next_state == "waiting_customer"
    ok = good.decide(tracing, "ask_customer", night_agent, at=NIGHT)
    assert ok.allowed and ok.owner_after == ("night_agent",)
    # by day the night shift holds nothing, in either version
    for engine in (bad, good):
        assert engine.decide(tracing, "ask_customer", night_agent, at=DAY).reason is Reason.OWNER_NOT_ELIGIBLE


def test_day_shift_is_the_same_in_both_versions() -> None:
    tracing = {"workflow": "delivery", "state": "tracing", "owner": "day_agent", "attributes": {"category": "delivery"}}
    day_agent = {"id": "d-9", "roles": ["day_agent"]}
    for engine in engines("night-shift"):
        d = engine.decide(tracing, "ask_customer", day_agent, at=DAY)
        assert d.allowed and d.owner_after == ("day_agent",)
        # the ticket may say whether the office is open instead of the time of the request
        assert engine.create({"category": "delivery", "in_hours:office": False})["owner"] == "night_agent"
        assert engine.create({"category": "delivery", "in_hours:office": True})["owner"] == "day_agent"
