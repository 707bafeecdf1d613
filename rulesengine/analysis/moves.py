"""What a move is and where it leaves a ticket: the values of the transition function.

:class:`~.index.WorkflowIndex` (the one transition function) answers in these terms;
exploration, ``explain`` and the enforcement engine read them.  Kept apart from the
index so that both stay short; the index re-exports every name here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..diagnostics import Location
from ..model.ruleset import Grant, TimedEscalation, Transition


class MoveKind(str, enum.Enum):
    """How a move is made: by a role through one of its grants, by a timer that escalates,
    or by a timer that only changes the state (``AUTO``: auto-close after days pending)."""

    HANDLE = "handle"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"
    TIMER = "timer"
    AUTO = "auto"  # a timer that only moves the ticket to another state (no new owner)

    @property
    def is_escalation(self) -> bool:
        return self in (MoveKind.ESCALATE, MoveKind.TIMER)


class Problem(str, enum.Enum):
    """What can go wrong when a move lands (the events the ownership rules report)."""

    GAP = "gap"  # a fresh assignment finds no eligible role
    DUPLICATE = "duplicate"  # several eligible roles, not settled, under `single`
    INTO_GAP = "into-gap"  # a named new owner cannot handle the ticket where it lands


@dataclass(frozen=True)
class Move:
    """One way a ticket can move on from a situation.

    A transition is identified by its workflow and index (names may repeat); a timer by
    its escalation.  :attr:`key` is the event id callers name it by.
    """

    kind: MoveKind
    event: str
    source: str
    target: str
    firer: str | None
    new_owner: str | None  # None: the target state needs a fresh assignment
    grant: Grant | None = None
    transition: Transition | None = None
    escalation: TimedEscalation | None = None

    @property
    def key(self) -> str:
        """The event id: the transition's name, or ``timer:N`` for the N-th escalation."""
        if self.escalation is not None:
            return timer_event(self.escalation)
        return self.event

    @property
    def location(self) -> Location | None:
        if self.transition is not None and self.kind is MoveKind.HANDLE:
            return self.transition.location
        if self.escalation is not None:
            return self.escalation.location
        if self.grant is not None:
            return self.grant.location
        return self.transition.location if self.transition is not None else None

    @property
    def is_escalation(self) -> bool:
        return self.kind.is_escalation


def timer_move(e: TimedEscalation, state: str, owner: str | None = None) -> Move:
    """The move a timer makes from ``state``: its role takes the ticket over; a timer
    without a role moves the ticket on, ``owner`` keeping it (None: a fresh assignment)."""
    if e.to is None:
        return Move(MoveKind.AUTO, f"after {e.delay_text}", state, e.goto or state, None, owner, None, None, e)
    return Move(MoveKind.TIMER, f"after {e.delay_text}", state, e.goto or state, None, e.to, None, None, e)


def timer_event(e: TimedEscalation) -> str:
    """The event id of a timed escalation (timers have no names of their own)."""
    return f"timer:{e.index}"


@dataclass(frozen=True)
class Assignment:
    """Who gets a ticket arriving at a state without an owner covering it."""

    candidates: tuple[str, ...]
    owners: tuple[str, ...]  # the role(s) the ticket may end up with
    settled: bool  # one owner chosen (single, or settled by the assign order)
    duplicate: bool  # several candidates under `single` ownership, not settled


@dataclass(frozen=True)
class Outcome:
    """Where a move (or the ticket's creation) leaves the ticket: the one transition function.

    ``owners`` are the owners the ticket may have afterwards (empty when the move lands
    in a gap); ``fresh`` says a fresh assignment chose them; ``problem`` names what the
    ownership rules report about the landing.
    """

    state: str
    owners: tuple[str, ...]
    fresh: bool
    problem: Problem | None = None
    candidates: tuple[str, ...] = ()
    k: int = -1  # the ticket's class afterwards, when the move wrote attributes that change it

    @property
    def lands(self) -> bool:
        """The ticket reaches the state with an owner (or the state is final)."""
        return self.problem not in (Problem.GAP, Problem.INTO_GAP)
