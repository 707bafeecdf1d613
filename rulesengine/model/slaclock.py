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
from typing import Any, NamedTuple

from .ruleset import Calendar, Sla, Workflow

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


class Entry(NamedTuple):
    """A state the ticket entered, and when (a named tuple: histories are read per request)."""

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
        if type(raw) is not dict and not isinstance(raw, Mapping):
            raise HistoryError(f"history entry {i} must be a mapping with `state` and `at`")
        state = raw.get("state")
        if type(state) is not str:
            raise HistoryError(f"history entry {i} must be a mapping with `state` and `at`")
        at = raw.get("at")
        if type(at) is str:
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                raise HistoryError(f"history entry {i}: `{at}` is not an ISO 8601 time") from None
        if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
            raise HistoryError(f"history entry {i}: `at` must be a timezone-aware time")
        if out and at < out[-1].at:
            raise HistoryError(f"history entry {i} is older than the entry before it: give the history oldest first")
        out.append(Entry(state, at))
    if not out:
        raise HistoryError("the history is empty: it starts with the ticket's creation")
    return out


class _Span:
    """Business time between instants, on a calendar or on the plain clock."""

    def __init__(self, calendar: Calendar | None) -> None:
        self.clock = calendar.clock if calendar is not None else None

    def marks(self, stamps: list[int]) -> list[int]:
        return self.clock.marks_at(stamps) if self.clock is not None else stamps

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
    last = next((i for i in range(first + 1, len(entries)) if entries[i].state in stops), len(entries))
    now_ts = int(now.timestamp())
    stamps = [min(int(e.at.timestamp()), now_ts) for e in entries[first : last + 1]]
    if last == len(entries):
        stamps.append(now_ts)
    marks = span.marks(stamps)
    left = target.total_seconds()
    done = 0
    for n in range(last - first):
        if stamps[n] >= now_ts:
            break
        paused = entries[first + n].state in pauses
        piece = marks[n + 1] - marks[n]
        if paused or piece <= 0:
            continue
        if due is None and done + piece > left:
            due = span.add(entries[first + n].at, dt.timedelta(seconds=left - done))
        done += piece
    elapsed = dt.timedelta(seconds=done)
    if last < len(entries) and entries[last].at <= now:
        stopped = entries[last].at
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
