"""The rules as guards of a ``transitions`` state machine.

A service already built on the ``transitions`` library keeps its triggers
(``ticket.approve(actor=...)``) and gets the rules for free: every transition of the
machine is guarded by :meth:`Engine.decide` with the actor passed as event data, and a
trigger that passes applies :meth:`Engine.fire` to the ticket.

What it closes: ``auto_transitions`` (``to_<state>``) are off; a trigger without an
actor, with an actor lacking the owning role, from a state the rules do not allow, or
after the machine's state was written directly (``model.state = …``,
``machine.set_state``) is refused, because the guard decides on the ticket's own
record, not on the machine's state.  What it cannot stop: code that writes the ticket
record itself (``model.ticket["state"] = …``) or the service's database behind the
engine's back — keep those writes behind :meth:`Engine.fire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transitions import EventData, Machine

from ..analysis.index import timer_event
from .core import Engine
from .decision import Decision
from .holder import EngineHolder


class GuardedTicket:
    """A ``transitions`` model holding one ticket record, moved only as the rules allow.

    ``ticket`` is the record (the mapping :meth:`Engine.fire` returns), ``history``
    the entries of the moves made, ``last_decision`` the answer to the latest trigger.
    """

    def __init__(self, rules: Engine | EngineHolder, ticket: Mapping[str, Any]) -> None:
        self._rules = rules
        self.ticket: dict[str, Any] = dict(ticket)
        self.history: list[dict[str, Any]] = []
        self.last_decision: Decision | None = None
        self.state: str = str(self.ticket.get("state"))

    @property
    def engine(self) -> Engine:
        rules = self._rules
        return rules.engine if isinstance(rules, EngineHolder) else rules

    def _guard(self, event: EventData) -> bool:
        actor = event.kwargs.get("actor")
        target = event.kwargs.get("target")
        assert event.transition is not None
        d = self.engine.decide(self.ticket, event.event.name, actor, target)
        self.last_decision = d
        # the machine's own state may have been written directly: the record decides
        return d.allowed and d.state == event.transition.source and d.next_state == event.transition.dest

    def _apply(self, event: EventData) -> None:
        new, entry = self.engine.fire(
            self.ticket, event.event.name, event.kwargs.get("actor"), event.kwargs.get("target")
        )
        self.ticket = new
        self.history.append(entry)


def guarded_machine(rules: Engine | EngineHolder, ticket: Mapping[str, Any], **kwargs: Any) -> GuardedTicket:
    """A :class:`GuardedTicket` for ``ticket`` with a ``transitions.Machine`` over its workflow.

    Triggers are the transitions' names (``model.approve(actor={...})``) and the timers'
    ``timer:N`` (``model.trigger("timer:0")``); ``target=`` names the role of a transfer.
    Extra keyword arguments go to ``Machine`` (``auto_transitions`` stays off).
    """
    model = GuardedTicket(rules, ticket)
    engine = model.engine
    wid = ticket.get("workflow")
    if not isinstance(wid, str) or wid not in engine.ruleset.workflows:
        raise ValueError(f"the ticket must name one of the workflows: {', '.join(engine.ruleset.workflows)}")
    wf = engine.ruleset.workflows[wid]
    specs: list[dict[str, Any]] = []
    for t in wf.transitions:
        for src in t.sources:
            specs.append({"trigger": t.name, "source": src, "dest": t.target})
    for e in wf.escalations:
        for src in e.states:
            specs.append({"trigger": timer_event(e), "source": src, "dest": e.goto or src})
    for spec in specs:
        spec.update(conditions=[model._guard], after=[model._apply])
    kwargs["auto_transitions"] = False
    Machine(
        model=model,
        states=list(wf.states),
        transitions=specs,
        initial=model.state,
        send_event=True,
        **kwargs,
    )
    return model
