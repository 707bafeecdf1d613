"""``decide`` for the requests a service sends all day, in a few dictionary look-ups.

A plain ticket mapping with every attribute (or exactly the attributes its workflow
reads), a known state and owner, and a plain actor mapping: the answer is a table
entry built at load, or one of the common denials (unknown event, final state, event
not from this state, a timer with an actor, no actor, not the owner, not the
assignee).  This module makes exactly the checks of the full path, in the same order;
whenever anything is unusual it returns None and the full path decides, so the two
can never give different answers — the differential tests compare them.
"""

from __future__ import annotations

from typing import Any, cast

from .decision import Decision
from .messages import (
    denial,
    not_assignee,
    not_from_state,
    not_owner,
    unknown_event,
)
from .reasons import Reason
from .table import Option, WorkflowTable


def quick_denial(
    tab: WorkflowTable,
    rules_hash: str,
    ticket: dict[str, Any],
    k: int,
    event: Any,
    actor: Any,
    target: Any,
) -> Decision | None:
    """The answer for a placed ticket (class ``k``) that the usual request did not fit:
    the checks of the full path in its order, or None to let the full path decide."""
    wid = tab.workflow.id
    try:
        state = ticket["state"]
        owner = ticket["owner"]
        # then the checks of the full path, in its order
        if type(state) is not str or state not in tab.leaving:
            return None
        if type(event) is not str or event not in tab.events:
            return denial(
                Reason.UNKNOWN_EVENT,
                unknown_event(event, wid),
                event if type(event) is str else None,
                wid,
                state,
                rules_hash,
            )
        if state in tab.idx.finals and event not in tab.leaving[state]:
            return tab.said["final", state, event]
        if event not in tab.leaving[state]:
            return denial(Reason.NOT_FROM_STATE, not_from_state(event, state), event, wid, state, rules_hash)
        rows = tab.quick.get((state, owner)) if type(owner) is str else None
        row = rows[k] if rows is not None else None
        if row is None:
            return None  # no owner, an unknown one, or one that may not hold it here
        if event in tab.timers:
            if actor is not None:
                return tab.said["timer", state, event]
        else:
            if actor is None:
                return tab.said["actor", state, event]
            if type(actor) is not dict:
                return None
            roles = actor.get("roles", ())
            ident = actor.get("id")
            if (type(roles) is not list and type(roles) is not tuple) or (ident is not None and type(ident) is not str):
                return None
            if owner not in roles:
                if event in tab.open_events:
                    return None  # open to roles other than the owner: the full path decides
                return denial(Reason.NOT_OWNER, not_owner(owner), event, wid, state, rules_hash)
            assignee = ticket.get("assignee")
            if assignee is not None and assignee != ident:
                if type(assignee) is not str:
                    return None
                return denial(Reason.NOT_ASSIGNEE, not_assignee(assignee, owner), event, wid, state, rules_hash)
        d = row[event]
        if target is not None:  # a named target picks exactly one option, or the full path decides
            options = tab.rows[(state, owner)][k][event]  # type: ignore[index]
            if type(options) is Decision:
                return options
            picked = [o for o in cast("tuple[Option, ...]", options) if o.target == target]
            d = picked[0].decision if len(picked) == 1 else None
        return d
    except (KeyError, TypeError, IndexError):
        return None
