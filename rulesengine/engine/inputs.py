"""The front door: tickets and actors as services store them, checked before anything.

Every entry point takes plain mappings — what a service keeps in its database — or the
typed :class:`Ticket` and :class:`Actor` below.  Anything that does not fit becomes a
denial with its own reason, never an exception and never an allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ticket:
    """A ticket: its workflow (None: derived from ``applies_when``), state, owning role,
    the person it is assigned to, attribute values and version."""

    state: str
    owner: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    workflow: str | None = None
    assignee: str | None = None
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state, "owner": self.owner, "attributes": dict(self.attributes)}
        if self.workflow is not None:
            out["workflow"] = self.workflow
        if self.assignee is not None:
            out["assignee"] = self.assignee
        out["version"] = self.version
        return out


@dataclass(frozen=True)
class Actor:
    """A person acting: an id and the roles they hold (a person may hold several)."""

    id: str
    roles: tuple[str, ...] = ()


def as_mapping(ticket: Any) -> Mapping[str, Any] | None:
    """The ticket as a mapping, or None when it is neither a mapping nor a :class:`Ticket`."""
    if isinstance(ticket, Mapping):
        return ticket
    if isinstance(ticket, Ticket):
        return ticket.to_dict()
    return None


def actor_parts(actor: Any) -> tuple[str | None, Sequence[Any]] | None:
    """(id, roles) of an actor mapping or :class:`Actor`; None when it is neither."""
    if isinstance(actor, Mapping):
        ident, roles = actor.get("id"), actor.get("roles", ())
    elif isinstance(actor, Actor):
        ident, roles = actor.id, actor.roles
    else:
        return None
    if ident is not None and not isinstance(ident, (str, int)):
        return None
    if isinstance(roles, str):
        roles = (roles,)
    if not isinstance(roles, (list, tuple, set, frozenset)):
        return None
    # entries that are not role ids cannot match a role: they are left out, never an error
    return (None if ident is None else str(ident)), tuple(r for r in roles if isinstance(r, str))
