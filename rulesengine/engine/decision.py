"""What ``decide`` answers: an immutable :class:`Decision`, and the exceptions around it.

Decisions are plain immutable values with no reference back to the engine, so that a
service may keep them, log them (:meth:`Decision.to_json`) and share them between
threads.  Identical decisions are built once at load and shared; a decision is a
named tuple because a denial built on the spot must cost well under a microsecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..diagnostics import Diagnostic
from ..model.ruleset import Grant, Kind, Transition
from .reasons import Reason


@dataclass(frozen=True, slots=True)
class GrantRef:
    """A grant that decided (or came nearest), with where it is written."""

    role: str
    kind: Kind
    index: int
    location: str | None
    condition: str

    @staticmethod
    def of(g: Grant) -> GrantRef:
        return GrantRef(g.role, g.kind, g.index, str(g.location) if g.location else None, g.condition.describe())

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "kind": self.kind.value,
            "index": self.index,
            "location": self.location,
            "condition": self.condition,
        }


@dataclass(frozen=True, slots=True)
class TransitionRef:
    """A transition (by workflow and index: names may repeat) or a timer (``timer:N``)."""

    workflow: str
    index: int
    name: str
    location: str | None
    timer: bool = False

    @staticmethod
    def of(workflow: str, t: Transition) -> TransitionRef:
        return TransitionRef(workflow, t.index, t.name, str(t.location) if t.location else None)

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "index": self.index,
            "name": self.name,
            "location": self.location,
            "timer": self.timer,
        }


class Decision(NamedTuple):
    """Whether an actor may fire an event on a ticket, why, and what follows.

    ``owner_after`` is the role(s) holding the ticket afterwards; ``fresh_assignment``
    says the workflow's assignment chose them (the service then picks a person).  A
    denial names the ``nearest`` grant and the conditions it ``failed``, as ``explain``
    does.  ``rules_hash`` identifies the rules that decided; ``sets`` are the attribute
    values an allowed move writes (``fire`` writes them on the ticket it returns).
    """

    allowed: bool
    reason: Reason
    message: str
    event: str | None = None
    workflow: str | None = None
    state: str | None = None
    next_state: str | None = None
    owner_after: tuple[str, ...] = ()
    fresh_assignment: bool = False
    target: str | None = None
    grants: tuple[GrantRef, ...] = ()
    transition: TransitionRef | None = None
    nearest: GrantRef | None = None
    failed: tuple[str, ...] = ()
    rules_hash: str = ""
    sets: tuple[tuple[str, Any], ...] = ()  # attribute values the move writes on the ticket

    def to_json(self) -> dict[str, Any]:
        out = {
            "allowed": self.allowed,
            "reason": self.reason.value,
            "message": self.message,
            "event": self.event,
            "workflow": self.workflow,
            "state": self.state,
            "next_state": self.next_state,
            "owner_after": list(self.owner_after),
            "fresh_assignment": self.fresh_assignment,
            "target": self.target,
            "grants": [g.to_json() for g in self.grants],
            "transition": self.transition.to_json() if self.transition else None,
            "nearest": self.nearest.to_json() if self.nearest else None,
            "failed": list(self.failed),
            "rules_hash": self.rules_hash,
        }
        if self.sets:
            out["sets"] = dict(self.sets)
        return out


class RulesInvalid(Exception):
    """The rules directory does not compile (or, when asked, ``check`` finds errors).

    ``diagnostics`` are the located errors, as ``rulesengine validate`` prints them; no
    half-built engine exists.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic], what: str = "invalid rules") -> None:
        self.diagnostics = list(diagnostics)
        first = next((d for d in self.diagnostics), None)
        detail = f": {first.location}: {first.message}" if first is not None else ""
        more = f" (and {len(self.diagnostics) - 1} more)" if len(self.diagnostics) > 1 else ""
        super().__init__(f"{what}{detail}{more}")


class TransitionDenied(Exception):
    """``fire`` was refused; ``decision`` says why."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.reason.value}: {decision.message}")
