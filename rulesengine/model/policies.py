"""What a compliance policy means for one concrete ticket, independent of the static check.

A policy is judged on a ticket's history: the list of steps it went through, each with
the state it left, the event, the state it reached, who acted (person and role) and
which role held it afterwards.  The history-shaped policies are written as small
*monitors* — a start value, a step function and a hand-over function over hashable
values — so that two very different callers agree by construction:

* a log audit feeds a monitor the real steps of one ticket (:func:`judge`);
* the static check (``rulesengine.analysis.policies``) runs the same monitor over the
  exhaustive exploration, searching (situation × monitor value) breadth first, so the
  first broken step it finds is the shortest ticket history that breaks the policy.

Monitor values stay small (flags, a counter capped just above the policy's limit, the
person who fired a step), which keeps that product search finite.

Two kinds are not about one history: ``owners`` counts the roles that may hold a ticket
at a state (:func:`owners_breach`), and ``sla`` is about the promise the rules make to a
ticket (:func:`sla_breach`, with :func:`meets` comparing durations).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .ruleset import Calendar, Duration, Policy, PolicyKind, Sla

# the person who holds the ticket now, as the static check names it: it never knows
# people, only that the engine keeps the assigned person while the same role owns it
HOLDER = "<holder>"


class StepKind(str, enum.Enum):
    """How a step came about; ``assign`` is the ticket's creation."""

    ASSIGN = "assign"
    HANDLE = "handle"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"
    TIMER = "timer"
    AUTO = "auto"  # a timer that only moves the ticket on

    @property
    def is_escalation(self) -> bool:
        return self in (StepKind.ESCALATE, StepKind.TIMER)


@dataclass(frozen=True)
class Step:
    """One step of a ticket's history.

    ``role`` is the role the actor acted as and ``person`` the actor (both None for a
    timer and for the creation); ``owner`` is the role holding the ticket afterwards.
    """

    state: str
    event: str
    to: str
    kind: StepKind
    role: str | None = None
    person: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Breach:
    """Where a history breaks a policy: the index of the step, and why."""

    policy: str
    step: int
    reason: str


class Monitor(Protocol):
    """The meaning of a history-shaped policy as a step function over small values."""

    def start(self) -> Hashable: ...

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        """The value after ``step``, and the reason when this step breaks the policy."""
        ...

    def handover(self, value: Hashable) -> Hashable:
        """The value once the person holding the ticket is no longer known to hold it."""
        ...


class _Base:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def start(self) -> Hashable:
        return None

    def handover(self, value: Hashable) -> Hashable:
        return value


class SeparationOfDuties(_Base):
    """Both roles acting on one ticket, in any order, breaks the policy."""

    def start(self) -> Hashable:
        return frozenset()

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        acted: frozenset[str] = value  # type: ignore[assignment]
        if step.role in self.policy.roles and step.role not in acted:
            acted = acted | {step.role}
            if len(acted) == len(self.policy.roles):
                a, b = self.policy.roles
                return acted, f"`{a}` and `{b}` both act on one ticket"
        return acted, None


class NeverHandles(_Base):
    """A listed role owning the ticket, or acting on it, breaks the policy."""

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        if step.role in self.policy.roles:
            return value, f"`{step.role}` fires `{step.event}`"
        if step.owner in self.policy.roles:
            return value, f"`{step.owner}` holds the ticket at `{step.to}`"
        return value, None


class FourEyes(_Base):
    """The person who fired ``first`` firing ``then`` later breaks the policy.

    The value is the person who last fired ``first``.  The static check knows no
    people: it calls every actor :data:`HOLDER` and hands over when the owning role
    changes, so it reports exactly the histories in which the rules force the same
    person to fire both (the engine keeps the assignee while the same role owns it).
    """

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        if step.event == self.policy.then and step.person is not None and step.person == value:
            who = "the same person" if step.person == HOLDER else f"`{step.person}`"
            return value, f"{who} fires `{self.policy.first}` and then `{self.policy.then}`"
        if step.event == self.policy.first and step.person is not None:
            return step.person, None
        return value, None

    def handover(self, value: Hashable) -> Hashable:
        return None if value == HOLDER else value


class RequiredBefore(_Base):
    """Reaching ``state`` without having been at ``before`` breaks the policy."""

    def start(self) -> Hashable:
        return False

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        if step.to == self.policy.before:
            return True, None
        if step.to == self.policy.state and not value:
            return value, f"the ticket reaches `{step.to}` without passing `{self.policy.before}`"
        return value, None


class _Counter(_Base):
    """A count of some steps per ticket, capped: one more than ``max`` breaks the policy."""

    what = "steps"

    def counts(self, step: Step) -> bool:
        raise NotImplementedError

    def start(self) -> Hashable:
        return 0

    def step(self, value: Hashable, step: Step) -> tuple[Hashable, str | None]:
        if not self.counts(step):
            return value, None
        n = int(value) + 1  # type: ignore[call-overload]
        limit = self.policy.maximum or 0
        if n > limit:
            return n, f"{n} {self.what} on one ticket, above the maximum of {limit}"
        return n, None


class MaxTransfers(_Counter):
    what = "transfers"

    def counts(self, step: Step) -> bool:
        return step.kind is StepKind.COORDINATE


class MaxEscalationDepth(_Counter):
    what = "escalations"

    def counts(self, step: Step) -> bool:
        return step.kind.is_escalation


MONITORS: Mapping[PolicyKind, type[_Base]] = {
    PolicyKind.SEPARATION_OF_DUTIES: SeparationOfDuties,
    PolicyKind.NEVER_HANDLES: NeverHandles,
    PolicyKind.FOUR_EYES: FourEyes,
    PolicyKind.REQUIRED_BEFORE: RequiredBefore,
    PolicyKind.MAX_TRANSFERS: MaxTransfers,
    PolicyKind.MAX_ESCALATION_DEPTH: MaxEscalationDepth,
}


def monitor(policy: Policy) -> Monitor:
    """The monitor of a history-shaped policy (every kind but ``owners`` and ``sla``)."""
    return MONITORS[policy.kind](policy)  # type: ignore[return-value]


def in_scope(policy: Policy, workflow: str, ticket: Mapping[str, Any]) -> bool:
    """The policy speaks about tickets of this workflow with these attributes."""
    return workflow in policy.workflows and policy.condition.matches(ticket)


def judge(policy: Policy, workflow: str, ticket: Mapping[str, Any], steps: Sequence[Step]) -> Breach | None:
    """The first step of one ticket's history that breaks ``policy``, or None.

    ``steps`` starts with the creation (an ``assign`` step) when the log has it.  For
    ``owners`` the roles that held the ticket at each state of this history are
    counted; ``sla`` policies constrain the rules' promises, not a history, and are
    never broken here.
    """
    if not in_scope(policy, workflow, ticket) or policy.kind is PolicyKind.SLA:
        return None
    if policy.kind is PolicyKind.OWNERS:
        held: dict[str, set[str]] = {}
        for i, st in enumerate(steps):
            if st.owner is None or not owners_counted(policy, st.to, final=False):
                continue
            held.setdefault(st.to, set()).add(st.owner)
            reason = owners_breach(policy, held[st.to], check_min=False)
            if reason is not None:
                return Breach(policy.id, i, f"at `{st.to}`, {reason}")
        return None
    mon = monitor(policy)
    value = mon.start()
    for i, st in enumerate(steps):
        value, reason = mon.step(value, st)
        if reason is not None:
            return Breach(policy.id, i, reason)
    return None


# -- owners ------------------------------------------------------------------------
def owners_counted(policy: Policy, state: str, final: bool) -> bool:
    """The policy counts owners at ``state`` (its ``states``, else every non-final one)."""
    return state in policy.states if policy.states else not final


def owners_breach(policy: Policy, holders: Collection[str], check_min: bool = True) -> str | None:
    """Why ``holders`` — the roles that may hold a ticket at one state — break the policy."""
    n = len(holders)
    names = ", ".join(f"`{h}`" for h in sorted(holders)) or "none"
    if policy.maximum is not None and n > policy.maximum:
        return f"{n} roles may hold the ticket ({names}), above the maximum of {policy.maximum}"
    if check_min and policy.minimum is not None and n < policy.minimum:
        who = "no role may" if n == 0 else f"only {names} may" if n == 1 else f"only {n} roles ({names}) may"
        return f"{who} hold the ticket, below the minimum of {policy.minimum}"
    return None


# -- sla ---------------------------------------------------------------------------
SLA_KINDS = ("first_response", "resolution", "other")


def shortest_working_day(calendars: Iterable[Calendar]) -> int | None:
    """Minutes of the shortest opening day of any calendar (None without calendars)."""
    days = [sum(b - a for a, b in spans) for cal in calendars for spans in cal.hours.values() if spans]
    return min(days) if days else None


def meets(target: Duration, on_calendar: bool, limit: Duration, working_day: int | None) -> bool:
    """An SLA target is guaranteed to end no later than the policy's ``limit``.

    Compared conservatively, because a policy is a promise to customers:

    * clock time against clock time: by minutes, when the SLA runs around the clock;
      a target on a calendar stops outside service hours, so it can outlast any clock
      limit and never meets one;
    * working days against working days: by their count;
    * a clock or business-hours target against ``N wd``: when it is at most N times the
      shortest opening day (``working_day`` minutes) — a working day never passes in
      less time than that, so such a target always ends within N working days.
    """
    if not limit.is_working_days:
        return not target.is_working_days and not on_calendar and target.minutes <= limit.minutes
    if target.is_working_days:
        return target.working_days <= limit.working_days
    return working_day is not None and target.minutes <= limit.working_days * working_day


def sla_matches(policy: Policy, sla: Sla) -> bool:
    """The SLA is of the kind, or has the name, the policy asks for."""
    return sla.kind == policy.sla if policy.sla in SLA_KINDS else sla.name == policy.sla


def sla_breach(policy: Policy, applicable: Sequence[Sla], working_day: int | None) -> str | None:
    """Why a ticket whose applicable SLAs are ``applicable`` breaks an ``sla`` policy."""
    assert policy.within is not None
    wanted = [s for s in applicable if sla_matches(policy, s)]
    if not wanted:
        return f"no `{policy.sla}` SLA applies to the ticket"
    if any(meets(s.target, s.calendar is not None, policy.within, working_day) for s in wanted):
        return None
    shown = ", ".join(f"`{s.name}` ({s.target.text}{' on ' + s.calendar if s.calendar else ''})" for s in wanted)
    return f"its `{policy.sla}` SLA {shown} does not guarantee `{policy.within.text}`"
