"""The compiled, immutable model of a rules directory.

Everything downstream (analysis, simulation, rendering, enforcement, log audit) reads
these frozen objects and nothing else, so there is exactly one interpretation of the
YAML.  Collections are tuples or read-only mappings; ids are resolved; every element
keeps the :class:`~rulesengine.diagnostics.Location` it came from so findings can point
at the line that decides them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from ..diagnostics import Location
from .conditions import Condition

if TYPE_CHECKING:
    from .businesstime import BusinessClock

K = TypeVar("K")
V = TypeVar("V")


def frozen_map(d: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only copy: compiled collections cannot be changed by their readers."""
    return MappingProxyType(dict(d))


class Kind(str, enum.Enum):
    """The three permission kinds (权限界定)."""

    HANDLE = "handle"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"


class AttrType(str, enum.Enum):
    ENUM = "enum"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"

    @property
    def numeric(self) -> bool:
        return self in (AttrType.NUMBER, AttrType.INTEGER)


@dataclass(frozen=True)
class Name:
    """A bilingual display name."""

    en: str
    zh: str | None = None

    def get(self, lang: str = "en") -> str:
        return (self.zh or self.en) if lang == "zh" else self.en

    def both(self) -> str:
        return f"{self.en} / {self.zh}" if self.zh else self.en


@dataclass(frozen=True)
class Duration:
    """A duration as written: clock minutes, or working days on a calendar."""

    text: str
    minutes: int = 0
    working_days: int = 0

    @property
    def is_working_days(self) -> bool:
        return self.working_days > 0


# the boolean attribute an escalation writes on the ticket (grants with `after_escalation`
# read it); a rules directory may declare it in ticket.yaml, else it is added when read
ESCALATED = "escalated"

HOURS_PREFIX = "in_hours:"


def hours_attribute(calendar: str) -> str:
    """The id of the boolean attribute "the calendar is open now" that grants scoped by
    ``within_hours`` / ``outside_hours`` test; the analysis treats it like any attribute
    and the engine fills it in from the time of the request."""
    return HOURS_PREFIX + calendar


def hours_calendar(attr_id: str) -> str | None:
    """The calendar an ``in_hours:`` attribute reads (None for an ordinary attribute)."""
    return attr_id[len(HOURS_PREFIX) :] if attr_id.startswith(HOURS_PREFIX) else None


@dataclass(frozen=True)
class Attribute:
    id: str
    type: AttrType
    name: Name
    values: tuple[Any, ...] = ()
    value_names: Mapping[str, Name] = field(default_factory=lambda: frozen_map({}))
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    location: Location | None = None
    value_locations: Mapping[Any, Location] = field(default_factory=lambda: frozen_map({}))


@dataclass(frozen=True)
class Calendar:
    """Business hours in a time zone; minutes since midnight per weekday (0 = Monday)."""

    id: str
    timezone: str
    hours: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    name: Name | None = None
    location: Location | None = None
    holidays_from: str | None = None  # public holidays of this country (ISO 3166, e.g. CN) from `holidays`

    @cached_property
    def clock(self) -> BusinessClock:
        """Business-time arithmetic over this calendar (built on first use, then shared)."""
        from .businesstime import BusinessClock, public_holidays

        extra = public_holidays(self.holidays_from) if self.holidays_from else None
        return BusinessClock(self, extra)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return bool(self.hours.get(day.weekday()))

    def intervals_on(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """Opening intervals on a date; an extra working day follows Monday's hours."""
        if day in self.holidays:
            return ()
        if day in self.workdays and not self.hours.get(day.weekday()):
            return self.hours.get(0, ((9 * 60, 18 * 60),))
        return self.hours.get(day.weekday(), ())


@dataclass(frozen=True)
class Grant:
    """One permission grant of a role, with its scope resolved per workflow.

    ``cells`` maps each covered workflow to the states covered there; ``condition`` is
    the grant's ``when`` joined with its ``limits``; ``limits`` alone is kept so that a
    denial can say a limit was exceeded rather than a condition failed.
    """

    kind: Kind
    role: str
    index: int
    cells: Mapping[str, frozenset[str]]
    condition: Condition
    targets: tuple[str, ...] = ()
    location: Location | None = None
    note: str | None = None
    limits: Condition = Condition()
    # valid only once the ticket has been escalated (read from the ticket's situation)
    after_escalation: bool = False

    def covers(self, workflow: str, state: str, profile: Mapping[str, Any]) -> bool:
        states = self.cells.get(workflow)
        return states is not None and state in states and self.condition.matches(profile)

    @property
    def label(self) -> str:
        return f"{self.role}.{self.kind.value}[{self.index}]"


@dataclass(frozen=True)
class Role:
    id: str
    name: Name
    file: str
    description: str | None = None
    reports_to: str | None = None
    headcount: int | None = None
    handles_tickets: bool = True
    grants: tuple[Grant, ...] = ()
    location: Location | None = None

    def grants_of(self, kind: Kind) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.kind is kind)


@dataclass(frozen=True)
class State:
    id: str
    name: Name | None = None
    final: bool = False
    required: bool = False
    sla: Duration | None = None
    pause: bool = False
    description: str | None = None
    location: Location | None = None
    # on a final state: the transitions that may leave it (the ticket's life continues)
    reopen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Transition:
    """A named move between states.

    ``owner_only`` False lets any role holding a ``by`` grant at the source state fire it
    (a QA inspector or the customer closing, a supervisor stepping in); ``take_over``
    makes such a firer the owner afterwards, else the owner keeps the ticket where it can
    hold it and a fresh assignment decides otherwise.  ``sets`` are attribute values the
    move writes on the ticket.
    """

    name: str
    sources: tuple[str, ...]
    target: str
    by: Kind
    condition: Condition = Condition()
    roles: frozenset[str] | None = None
    index: int = 0
    label: Name | None = None
    location: Location | None = None
    owner_only: bool = True
    take_over: bool = False
    sets: Mapping[str, Any] = field(default_factory=lambda: frozen_map({}))


@dataclass(frozen=True)
class TimedEscalation:
    """A timer on states: it hands the ticket to ``to`` (an escalation), or — without
    ``to`` — only moves it to ``goto`` (auto-close after days pending)."""

    states: tuple[str, ...]
    to: str | None
    after: Duration | None = None
    at_percent: int | None = None
    of_sla: str | None = None
    goto: str | None = None
    condition: Condition = Condition()
    index: int = 0
    location: Location | None = None

    @property
    def escalates(self) -> bool:
        """The timer hands the ticket to a role (else it only changes the state)."""
        return self.to is not None

    @property
    def delay_text(self) -> str:
        if self.after is not None:
            return self.after.text
        return f"{self.at_percent}% of {self.of_sla}"


class SlaKind(str, enum.Enum):
    """What an SLA measures (written as `kind:`, else read from its name's prefix)."""

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    OTHER = "other"


@dataclass(frozen=True)
class Sla:
    """A service level: ``target`` of (business) time from ``start`` to the first of ``stop``.

    ``start`` None means the ticket's creation; time in ``pause_in`` states does not count;
    with a ``calendar`` only its opening hours count.
    """

    name: str
    target: Duration
    kind: SlaKind = SlaKind.OTHER
    start: str | None = None
    stop: tuple[str, ...] = ()
    pause_in: tuple[str, ...] = ()
    calendar: str | None = None
    condition: Condition = Condition()
    location: Location | None = None


@dataclass(frozen=True)
class Start:
    """A creation state and the tickets created there (the first matching entry wins)."""

    state: str
    condition: Condition = Condition()
    location: Location | None = None


class Ownership(str, enum.Enum):
    SINGLE = "single"
    SHARED = "shared"


@dataclass(frozen=True)
class Workflow:
    id: str
    name: Name
    file: str
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]
    applies_when: Condition = Condition()
    ownership: Ownership = Ownership.SINGLE
    assign: tuple[str, ...] = ()
    escalations: tuple[TimedEscalation, ...] = ()
    slas: tuple[Sla, ...] = ()
    description: str | None = None
    location: Location | None = None
    # several creation states chosen by condition; empty: every ticket starts at `initial`
    starts: tuple[Start, ...] = ()

    @property
    def initials(self) -> tuple[str, ...]:
        """Every state a ticket can be created in."""
        if not self.starts:
            return (self.initial,)
        return tuple(dict.fromkeys(s.state for s in self.starts))

    def initial_for(self, profile: Mapping[str, Any]) -> str | None:
        """The creation state of a ticket with these values (None: no entry matches)."""
        if not self.starts:
            return self.initial
        for s in self.starts:
            if s.condition.matches(profile):
                return s.state
        return None

    @property
    def final_states(self) -> tuple[str, ...]:
        return tuple(s for s, st in self.states.items() if st.final)

    def outgoing(self, state: str) -> tuple[Transition, ...]:
        """The transitions that may leave ``state`` (from a final state: its ``reopen`` ones)."""
        st = self.states.get(state)
        if st is not None and st.final:
            return tuple(t for t in self.transitions if state in t.sources and t.name in st.reopen)
        return tuple(t for t in self.transitions if state in t.sources)


class PolicyKind(str, enum.Enum):
    """The built-in vocabulary of compliance policies (``policies/*.yaml``)."""

    SEPARATION_OF_DUTIES = "separation-of-duties"
    NEVER_HANDLES = "never-handles"
    FOUR_EYES = "four-eyes"
    OWNERS = "owners"
    REQUIRED_BEFORE = "required-before"
    SLA = "sla"
    MAX_TRANSFERS = "max-transfers"
    MAX_ESCALATION_DEPTH = "max-escalation-depth"


@dataclass(frozen=True)
class Policy:
    """One compliance policy: an auditor's own requirement on the rules.

    ``workflows`` is the resolved scope (the workflows the policy speaks about) and
    ``condition`` the tickets it speaks about; the remaining fields are the parameters
    of its ``kind`` (unused ones stay empty).  Its meaning over one ticket history is
    :mod:`rulesengine.model.policies`.
    """

    id: str
    kind: PolicyKind
    name: Name
    file: str
    workflows: tuple[str, ...]
    condition: Condition = Condition()
    roles: tuple[str, ...] = ()
    first: str | None = None
    then: str | None = None
    states: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    before: str | None = None
    state: str | None = None
    sla: str | None = None
    within: Duration | None = None  # `max` of an `sla` policy
    description: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Ruleset:
    """A compiled rules directory: the one truth every command reads."""

    root: str
    attributes: Mapping[str, Attribute]
    calendars: Mapping[str, Calendar]
    roles: Mapping[str, Role]
    workflows: Mapping[str, Workflow]
    files: tuple[str, ...] = ()
    digest: str = ""  # content hash of the files it was compiled from (sha256:…)
    policies: tuple[Policy, ...] = ()  # compliance policies from `policies/*.yaml`

    def grants(self, kind: Kind | None = None) -> tuple[Grant, ...]:
        out: list[Grant] = []
        for role in self.roles.values():
            out.extend(g for g in role.grants if kind is None or g.kind is kind)
        return tuple(out)
