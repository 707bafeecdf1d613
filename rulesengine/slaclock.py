"""SLA clocks from a ticket's history: running, paused, met or breached, by how much, due when.

One module that ``explain``, the engine (``Engine.sla``, ``Engine.due``), the log audit
and capacity planning all call, so a breach is measured the same everywhere.  A
history is the list of the states a ticket entered, oldest first, each with the
instant it entered: ``{"state": "received", "at": "2026-12-01T09:00:00+08:00"}``.

For each SLA that applies to the ticket (its ``when`` holds): the clock starts at the
ticket's creation (the first entry) or, for ``start: S``, when the ticket first enters
``S``; it stops at the first stop state entered after that; time in ``pause_in`` states
does not count; with a calendar only opening hours count.  A working-day target
(``1wd``) is turned into business time at the start: the business time from the start
to its due instant (:meth:`BusinessClock.add_working_days`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Calendar, Sla, Workflow

ZERO = dt.timedelta()


class SlaStatus(str, enum.Enum):
    NOT_APPLICABLE = "not-applicable"  # the SLA's `when` does not hold for this ticket
    NOT_STARTED = "not-started"  # its start state has not been entered yet
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"  # stopped within the target
    BREACHED = "breached"  # over the target, stopped or still running


class HistoryError(ValueError):
    """A history that cannot be read: the message says which entry and why."""


@dataclass(frozen=True)
class Entry:
    state: str
    at: dt.datetime


@dataclass(frozen=True)
class SlaClock:
    """The state of one SLA for one ticket at ``now``."""

    name: str
    kind: str
    status: SlaStatus
    target: dt.timedelta | None  # business time (a working-day target as of its start)
    elapsed: dt.timedelta
    remaining: dt.timedelta
    due: dt.datetime | None  # when it falls (fell) due; None while paused or when it cannot
    breached_by: dt.timedelta
    started: dt.datetime | None = None
    stopped: dt.datetime | None = None
    calendar: str | None = None

    def to_json(self) -> dict[str, Any]:
        def iso(t: dt.datetime | None) -> str | None:
            return t.isoformat() if t is not None else None

        def secs(d: dt.timedelta | None) -> float | None:
            return d.total_seconds() if d is not None else None

        return {
            "name": self.name,
            "kind": self.kind,
            "status": self.status.value,
            "target_seconds": secs(self.target),
            "elapsed_seconds": secs(self.elapsed),
            "remaining_seconds": secs(self.remaining),
            "breached_by_seconds": secs(self.breached_by),
            "due": iso(self.due),
            "started": iso(self.started),
            "stopped": iso(self.stopped),
            "calendar": self.calendar,
        }


def read_history(history: Iterable[Any]) -> list[Entry]:
    """Entries from mappings with ``state`` and ``at`` (aware datetime or ISO 8601 text)."""
    out: list[Entry] = []
    for i, raw in enumerate(history):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("state"), str):
            raise HistoryError(f"history entry {i} must be a mapping with `state` and `at`")
        at = raw.get("at")
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                raise HistoryError(f"history entry {i}: `{at}` is not an ISO 8601 time") from None
        if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
            raise HistoryError(f"history entry {i}: `at` must be a timezone-aware time")
        if out and at < out[-1].at:
            raise HistoryError(f"history entry {i} is older than the entry before it: give the history oldest first")
        out.append(Entry(raw["state"], at))
    if not out:
        raise HistoryError("the history is empty: it starts with the ticket's creation")
    return out


class _Span:
    """Business time between instants, on a calendar or on the plain clock."""

    def __init__(self, calendar: Calendar | None) -> None:
        self.clock = calendar.clock if calendar is not None else None

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        return self.clock.between(a, b) if self.clock is not None else b - a

    def add(self, a: dt.datetime, d: dt.timedelta) -> dt.datetime:
        return self.clock.add(a, d) if self.clock is not None else a + d


def sla_clock(
    sla: Sla,
    entries: Sequence[Entry],
    now: dt.datetime,
    calendars: Mapping[str, Calendar],
    applies: bool = True,
    share: float = 1.0,
) -> SlaClock:
    """The clock of one SLA over a read history (see :func:`read_history`) at ``now``;
    ``share`` measures against that part of the target (a timer `at: 80%` of the SLA)."""
    cal = calendars.get(sla.calendar) if sla.calendar else None
    kind = sla.kind.value if isinstance(sla.kind, enum.Enum) else str(sla.kind)
    if not applies:
        return _idle(sla, kind, SlaStatus.NOT_APPLICABLE)
    first = 0 if sla.start is None else next((i for i, e in enumerate(entries) if e.state == sla.start), None)
    if first is None:
        return _idle(sla, kind, SlaStatus.NOT_STARTED)
    span = _Span(cal)
    started = entries[first].at
    if sla.target.is_working_days:
        assert cal is not None  # the compiler requires a calendar for working days
        target = cal.clock.between(started, cal.clock.add_working_days(started, sla.target.working_days))
    else:
        target = dt.timedelta(minutes=sla.target.minutes)
    if share != 1.0:
        target = dt.timedelta(seconds=round(target.total_seconds() * share))
    stops = set(sla.stop)
    pauses = set(sla.pause_in)
    elapsed = ZERO
    due: dt.datetime | None = None
    stopped: dt.datetime | None = None
    paused = False
    for i in range(first, len(entries)):
        e = entries[i]
        if i > first and e.state in stops:
            stopped = e.at
            break
        if e.at >= now:
            break
        end = min(entries[i + 1].at if i + 1 < len(entries) else now, now)
        paused = e.state in pauses
        if paused or end <= e.at:
            continue
        piece = span.between(e.at, end)
        if due is None and elapsed + piece > target:
            due = span.add(e.at, target - elapsed)
        elapsed += piece
    if stopped is None and entries[first].state in stops and first == 0 and sla.start is None:
        stopped = started  # created straight into a stop state
    over = elapsed - target
    if stopped is not None:
        status = SlaStatus.BREACHED if over > ZERO else SlaStatus.MET
        due = due if over > ZERO else None
    elif over > ZERO:
        status = SlaStatus.BREACHED
    elif paused:
        status = SlaStatus.PAUSED
    else:
        status = SlaStatus.RUNNING
        due = span.add(now, target - elapsed) if target > elapsed else now
    return SlaClock(
        name=sla.name,
        kind=kind,
        status=status,
        target=target,
        elapsed=elapsed,
        remaining=max(target - elapsed, ZERO),
        due=due,
        breached_by=max(over, ZERO),
        started=started,
        stopped=stopped,
        calendar=sla.calendar,
    )


def _idle(sla: Sla, kind: str, status: SlaStatus) -> SlaClock:
    return SlaClock(sla.name, kind, status, None, ZERO, ZERO, None, ZERO, calendar=sla.calendar)


def sla_clocks(
    workflow: Workflow,
    calendars: Mapping[str, Calendar],
    attributes: Mapping[str, Any],
    history: Iterable[Any],
    now: dt.datetime,
) -> list[SlaClock]:
    """Every SLA of ``workflow`` for a ticket with ``attributes`` and ``history`` at ``now``,
    plus the time limit of the state it is in (``time in <state>``)."""
    if now.tzinfo is None:
        raise HistoryError("`now` must be a timezone-aware time")
    entries = read_history(history)
    out = [sla_clock(s, entries, now, calendars, s.condition.matches(attributes)) for s in workflow.slas]
    current = entries[-1]
    limit = workflow.states[current.state].sla if current.state in workflow.states else None
    if limit is not None:
        state_sla = Sla(name=f"time in {current.state}", target=limit, start=current.state, stop=("\\0",))
        clock = sla_clock(state_sla, [current], now, calendars)
        out.append(clock)
    return out
