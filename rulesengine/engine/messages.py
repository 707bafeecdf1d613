"""The words of the engine's common denials, shared by the full path, the quick path and
the tables built at load, so that a denial reads the same whichever path gave it."""

from __future__ import annotations

from typing import Any

from .decision import Decision
from .reasons import Reason


def denial(reason: Reason, message: str, event: Any, wid: str, state: str, rules_hash: str) -> Decision:
    """A denial about a placed ticket, built positionally: the fast path builds these too."""
    return Decision(False, reason, message, event, wid, state, None, (), False, None, (), None, None, (), rules_hash)


def unknown_event(event: Any, wid: str) -> str:
    return f"`{short(event)}` is not an event of `{wid}`"


def final_state(state: str) -> str:
    return f"`{state}` is final: the ticket's life is over"


def not_from_state(event: str, state: str) -> str:
    return f"`{event}` does not leave `{state}`"


TIMER_WITH_ACTOR = "a timed escalation fires by itself: call with actor=None"
NO_ACTOR = "only timers fire without an actor"


def not_owner(owner: str) -> str:
    return f"the ticket is owned by `{owner}`, a role the actor does not hold"


def not_assignee(assignee: Any, owner: str) -> str:
    return f"the ticket is assigned to `{short(assignee)}`: only they act as `{owner}`"


def short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
