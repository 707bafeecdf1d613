"""The transitions integration: the rules guard every trigger, and the back doors stay shut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from transitions import MachineError

import rulesengine
from rulesengine import Reason

FIX = Path(__file__).parent / "fixtures" / "engine"
AGENT = {"id": "p-1", "roles": ["agent"]}


@pytest.fixture
def model() -> Any:
    engine = rulesengine.load(FIX)
    t = engine.create({"category": "refund", "tier": "normal", "amount": 100, "urgent": False})
    return rulesengine.guarded_machine(engine, t)


def test_an_allowed_trigger_fires_through_the_engine(model: Any) -> None:
    assert model.state == "new" and model.ticket["owner"] == "agent"
    assert model.start(actor=AGENT) is True
    assert model.state == "working" and model.ticket["state"] == "working" and model.ticket["version"] == 1
    assert model.transfer(actor=AGENT, target="expert_b") is True
    assert model.state == "expert" and model.ticket["owner"] == "expert_b"
    assert [h["event"] for h in model.history] == ["start", "transfer"]


def test_no_auto_transitions(model: Any) -> None:
    assert not hasattr(model, "to_done")
    with pytest.raises(AttributeError):
        model.to_done()


def test_a_trigger_without_an_actor_or_with_the_wrong_role_is_refused(model: Any) -> None:
    assert model.start() is False
    assert model.last_decision.reason is Reason.INVALID_ACTOR and model.state == "new"
    assert model.start(actor={"id": "p-2", "roles": ["lead"]}) is False
    assert model.last_decision.reason is Reason.NOT_OWNER and model.state == "new"
    assert model.ticket["version"] == 0 and model.history == []


def test_a_trigger_from_a_state_the_rules_do_not_allow(model: Any) -> None:
    with pytest.raises(MachineError):
        model.finish(actor=AGENT)  # no `finish` leaves `new`
    assert model.state == "new"


def test_writing_the_machine_state_directly_does_not_open_a_door(model: Any) -> None:
    model.state = "working"  # the machine believes it; the record does not
    assert model.finish(actor=AGENT) is False
    assert model.last_decision.reason is Reason.NOT_FROM_STATE
    assert model.ticket["state"] == "new"
    model.state = "new"
    assert model.start(actor=AGENT) is True


def test_timers_fire_without_an_actor(model: Any) -> None:
    assert model.trigger("timer:0", actor=AGENT) is False
    assert model.last_decision.reason is Reason.TIMER_EVENT
    assert model.trigger("timer:0") is True
    assert model.ticket["owner"] == "lead" and model.state == "new"


def test_the_same_name_to_two_states_is_never_guessed(model: Any) -> None:
    assert model.start(actor=AGENT)
    assert model.split(actor=AGENT) is False
    assert model.last_decision.reason is Reason.AMBIGUOUS_EVENT and model.state == "working"
