"""What the replay of one ticket yields, and the small values it is built from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model.policies import StepKind
from ..model.slaclock import Entry
from .events import Event
from .kinds import Kind, Rejected, Violation
from .kpis import TicketFacts, facts_of
from .sla import sla_violations
from .versions import Version

if TYPE_CHECKING:
    from ..model.ruleset import Sla


class Here(NamedTuple):
    """Where a violation happened: the event, and the ticket's workflow and state then."""

    event: Event
    workflow: str
    state: str


@dataclass
class Outcome:
    """What one ticket's replay found: its violations, its rejected rows, the rows it
    audited, and — for a ticket still open — what the end of the log must look at."""

    violations: list[Violation] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    audited: int = 0
    pending: Pending | None = None
    facts: TicketFacts | None = None  # what the KPIs read of this ticket
    ticket: str = ""  # the ticket's id in the log


@dataclass
class Pending:
    """A ticket open at its last event: its SLAs are judged at the end of the log."""

    version: Version
    ticket: dict[str, Any]
    entries: list[Entry]
    lines: list[int]
    base: dict[str, Any]

    def judge(self, end: Any) -> list[Violation]:
        return sla_violations(self.version, self.ticket, self.entries, self.lines, end, True, self.base)


def _initial(events: list[Event]) -> dict[str, str]:
    """Each attribute's first value on the ticket's events (rows share their attribute tuples)."""
    attrs: dict[str, str] = {}
    seen: tuple[tuple[str, str], ...] | None = None
    for ev in events:
        if ev.attrs is not seen:
            seen = ev.attrs
            for a, v in seen:
                attrs.setdefault(a, v)
    return attrs


class _Step(NamedTuple):
    """A policy step as :class:`~rulesengine.model.policies.Step` has it, built cheaply."""

    state: str
    event: str
    to: str
    kind: StepKind
    role: str | None = None
    person: str | None = None
    owner: str | None = None


def ticket_facts(
    version: Version,
    ticket: dict[str, Any],
    entries: list[Entry],
    steps: list[_Step],
    events: list[Event],
    out: Outcome,
    closed: bool,
    slas: Sequence[Sla],
) -> TicketFacts:
    """What the KPIs read of a replayed ticket (SLA attainment only once it is closed);
    ``slas``: those whose condition the ticket's attributes meet."""
    wid = ticket["workflow"]
    met = breached = 0
    if closed:
        seen = {e.state for e in entries}
        applied = [s for s in slas if s.start is None or s.start in seen]
        late = {v.reason for v in out.violations if v.kind is Kind.SLA_BREACH}
        breached = sum(1 for s in applied if s.name in late)
        met = len(applied) - breached
    rating = next((e.rating for e in reversed(events) if e.rating), "")
    return facts_of(
        ticket["attributes"],
        entries[0].at,
        [(st.kind.value, st.role, st.person, st.to) for st in steps[1:]],
        entries,  # (state, at) pairs
        version.finals(wid),
        version.pauses(wid),
        ticket.get("owner"),
        (met, breached),
        rating,
    )
