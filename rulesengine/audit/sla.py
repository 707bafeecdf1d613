"""SLA breaches of one replayed ticket, measured by the engine's own clocks.

Every clock comes from :mod:`rulesengine.model.slaclock` (through ``Engine.sla`` for the
time a ticket spent in a state with its own limit), so business hours, holidays,
working days, pause and stop states mean here what they mean in ``explain`` and in
the engine.  Most clocks of a healthy ticket stop far inside their target; those are
not computed: business time never runs faster than the wall clock, and no working day
is shorter than the calendar's shortest opening day, so a clock whose wall-clock span
is within that bound cannot be breached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..model.slaclock import Entry, SlaStatus, sla_clock
from .kinds import Kind, Violation

if TYPE_CHECKING:
    from ..model.ruleset import Sla
    from .versions import Version


def _human(d: dt.timedelta) -> str:
    secs = int(d.total_seconds())
    days, rest = divmod(secs, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if h:
        parts.append(f"{h}h")
    if m:
        parts.append(f"{m}m")
    if s and not days:
        parts.append(f"{s}s")
    return "".join(parts) or "0s"


def _bound(version: Version, sla: Sla) -> dt.timedelta:
    """The least business time the target can be (the skip bound)."""
    if sla.target.is_working_days:
        day = version.shortest_day.get(sla.calendar or "", 0)
        return dt.timedelta(minutes=sla.target.working_days * day)
    return dt.timedelta(minutes=sla.target.minutes)


def _span(sla: Sla, entries: Sequence[Entry], now: dt.datetime) -> tuple[int, int | None] | None:
    """(start index, stop index or None) of the clock, None when it never started."""
    if sla.start is None:
        first = 0
    else:
        first = next((i for i, e in enumerate(entries) if e.state == sla.start), -1)
        if first < 0:
            return None
    stop = next((i for i in range(first + 1, len(entries)) if entries[i].state in sla.stop), None)
    return first, stop


def sla_violations(
    version: Version,
    ticket: dict[str, Any],
    entries: list[Entry],
    lines: list[int],
    now: dt.datetime,
    open_at_end: bool,
    base: dict[str, Any],
    slas: Sequence[Sla] | None = None,
) -> list[Violation]:
    """The breached SLAs of a ticket whose history is ``entries`` (``lines``: the log line
    of each entry) at ``now``: the ticket's last event when it is closed, the end of the
    log when it is still open (``slas``: those whose condition the ticket meets, when
    known).  An open ticket beyond any of its targets is one
    ``never-closed`` violation naming them; a clock that stopped late is a ``sla-breach``
    at the line where it stopped."""
    wf = version.workflow(ticket["workflow"])
    attrs = ticket["attributes"]
    out: list[Violation] = []
    overdue: list[str] = []
    for sla in slas if slas is not None else [s for s in wf.slas if s.condition.matches(attrs)]:
        span = _span(sla, entries, now)
        if span is None:
            continue
        first, stop = span
        end = entries[stop].at if stop is not None else now
        if end - entries[first].at <= _bound(version, sla):
            continue
        clock = sla_clock(sla, entries, now, version.engine.ruleset.calendars)
        if clock.status is not SlaStatus.BREACHED:
            continue
        target = clock.target or dt.timedelta()
        cal = f" on `{sla.calendar}`" if sla.calendar else ""
        if clock.stopped is None and open_at_end:
            overdue.append(f"`{sla.name}` {_human(clock.elapsed)} of {_human(target)}{cal}")
            continue
        at = stop if stop is not None else len(entries) - 1
        how = f"stopped at `{entries[stop].state}`" if stop is not None else "never stopped before the ticket closed"
        out.append(
            Violation(
                Kind.SLA_BREACH,
                message=f"SLA `{sla.name}` breached by {_human(clock.breached_by)}: {_human(clock.elapsed)} "
                f"of business time against a target of {_human(target)}{cal}; it {how}",
                reason=sla.name,
                line=lines[at],
                time=entries[at].at.isoformat(),
                state=entries[at].state,
                evidence=str(sla.location) if sla.location else None,
                extra={"breached_by_seconds": clock.breached_by.total_seconds(), "sla": sla.name},
                **base,
            )
        )
    # the time limits of the states the ticket passed through, and of the one it is in
    limits = version.state_limits[wf.id]
    last = len(entries) - 1
    for i, e in enumerate(entries):
        limit = limits.get(e.state)
        if limit is None:
            continue
        current = i == last
        left = now if current else entries[i + 1].at
        if current and not open_at_end:
            continue
        if left - e.at <= dt.timedelta(minutes=limit):
            continue
        st = wf.states[e.state]
        hist = [{"state": x.state, "at": x.at} for x in entries[: i + 1]]
        clock = version.engine.sla(ticket, hist, left)[-1]
        if clock.status is not SlaStatus.BREACHED:
            continue
        if current:
            overdue.append(f"{clock.name} {_human(clock.elapsed)} of {_human(clock.target or dt.timedelta())}")
            continue
        out.append(
            Violation(
                Kind.SLA_BREACH,
                message=f"{clock.name} lasted {_human(clock.elapsed)}, over its limit of "
                f"{_human(clock.target or dt.timedelta())} by {_human(clock.breached_by)}",
                reason=f"state:{e.state}",
                line=lines[i + 1],
                time=entries[i + 1].at.isoformat(),
                state=e.state,
                evidence=str(st.location) if st.location else None,
                extra={"breached_by_seconds": clock.breached_by.total_seconds(), "sla": clock.name},
                **base,
            )
        )
    if overdue:
        out.append(
            Violation(
                Kind.NEVER_CLOSED,
                message=f"still open at `{entries[-1].state}` when the log ends ({now.isoformat()}), beyond "
                + ", ".join(overdue),
                reason="open",
                line=lines[-1],
                time=entries[-1].at.isoformat(),
                state=entries[-1].state,
                evidence=str(wf.location) if wf.location else None,
                **base,
            )
        )
    return out
