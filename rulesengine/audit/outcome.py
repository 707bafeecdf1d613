"""What the replay of one ticket yields, and the small values it is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..model.policies import StepKind
from ..model.slaclock import Entry
from .events import Event
from .kinds import Rejected, Violation
from .kpis import TicketFacts
from .sla import sla_violations
from .versions import Version


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
