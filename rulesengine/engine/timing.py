"""What is due for a ticket, and when a service's scheduler must wake up next.

``Engine.sla`` reads the SLA clocks of a ticket from its history; ``Engine.due`` adds
the timed escalations of the state the ticket is in — after N in the state, or at a
share of an SLA — with what firing each would do (the decision of the one transition
function), and the next instant anything falls due.  Firing a timer is an ordinary
``fire(ticket, "timer:N", None)``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from ..analysis.index import timer_event
from ..model.ruleset import Ruleset, Workflow
from ..model.slaclock import Entry, SlaClock, SlaStatus, read_history, sla_clock, sla_clocks
from .decision import Decision
from .reasons import Reason


class DueKind(str, enum.Enum):
    TIMER = "timer"  # a timed escalation of the current state
    SLA = "sla"  # an SLA's deadline


@dataclass(frozen=True)
class DueItem:
    kind: DueKind
    name: str  # the timer's event (`timer:N`) or the SLA's name
    due: dt.datetime | None  # None: cannot fall due now (paused, stopped)
    overdue: bool
    decision: Decision | None = None  # for a timer: what firing it does (or why it cannot)
    clock: SlaClock | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "due": self.due.isoformat() if self.due else None,
            "overdue": self.overdue,
            "decision": self.decision.to_json() if self.decision else None,
            "sla": self.clock.to_json() if self.clock else None,
        }


@dataclass(frozen=True)
class DueReport:
    now: dt.datetime
    items: tuple[DueItem, ...]  # by due instant, the undated last
    next: dt.datetime | None  # the earliest instant after `now` at which something falls due

    @property
    def to_fire(self) -> tuple[DueItem, ...]:
        """The timers due now that the rules let fire: ``fire(ticket, item.name, None)`` each."""
        return tuple(
            i for i in self.items if i.kind is DueKind.TIMER and i.overdue and i.decision and i.decision.allowed
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "next": self.next.isoformat() if self.next else None,
            "items": [i.to_json() for i in self.items],
        }


def _stay_start(entries: list[Entry]) -> dt.datetime:
    """When the ticket entered the state it is in (a hand-off within the state keeps it)."""
    i = len(entries) - 1
    while i > 0 and entries[i - 1].state == entries[i].state:
        i -= 1
    return entries[i].at


def due_report(
    rs: Ruleset,
    wf: Workflow,
    attributes: dict[str, Any],
    history: list[Any],
    now: dt.datetime,
    decide: Any,
) -> DueReport:
    """The due items of a placed ticket; ``decide(event)`` asks the engine about a timer."""
    entries = read_history(history)
    clocks = sla_clocks(wf, rs.calendars, attributes, history, now)
    items: list[DueItem] = []
    state = entries[-1].state
    for e in wf.escalations:
        if state not in e.states:
            continue
        d: Decision = decide(timer_event(e))
        if d.reason is Reason.CONDITION_FAILED or d.reason is Reason.NOT_FROM_STATE:
            continue  # it does not apply to this ticket, or would change nothing
        if e.after is not None:
            when: dt.datetime | None = _stay_start(entries) + dt.timedelta(minutes=e.after.minutes)
        else:
            sla = next(s for s in wf.slas if s.name == e.of_sla)
            part = sla_clock(
                sla, entries, now, rs.calendars, sla.condition.matches(attributes), (e.at_percent or 0) / 100
            )
            when = part.due if part.status in (SlaStatus.RUNNING, SlaStatus.BREACHED) and part.stopped is None else None
        items.append(DueItem(DueKind.TIMER, timer_event(e), when, when is not None and when <= now, d))
    for c in clocks:
        if c.status in (SlaStatus.RUNNING, SlaStatus.BREACHED) and c.stopped is None:
            items.append(DueItem(DueKind.SLA, c.name, c.due, c.due is not None and c.due <= now, clock=c))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.due or far, i.kind.value, i.name))
    later = [i.due for i in items if i.due is not None and i.due > now]
    return DueReport(now, tuple(items), min(later) if later else None)
