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

from collections.abc import Mapping
from typing import Any, cast

from .decision import Decision
from .front import (
    NO_ACTOR,
    TIMER_WITH_ACTOR,
    denial,
    final_state,
    not_assignee,
    not_from_state,
    not_owner,
    unknown_event,
)
from .reasons import Reason
from .table import Option, WorkflowTable


def quick_decide(
    tables: Mapping[str, WorkflowTable], rules_hash: str, ticket: dict[str, Any], event: Any, actor: Any, target: Any
) -> Decision | None:
    try:
        wid = ticket["workflow"]
        tab = tables[wid]
        attrs = ticket["attributes"]
        fast = tab.fast.get(len(attrs))
        if fast is None or "owners" in ticket or type(ticket.get("version", 0)) is not int:
            return None
        k = fast.classify(attrs)
        state = ticket["state"]
        owner = ticket["owner"]
        if k < 0:
            return None
        # the usual request first: a row for (state, owner), the event in it, the owner acting
        rows = tab.quick.get((state, owner))
        row = rows[k] if rows is not None else None
        d = row.get(event) if row is not None else None
        if d is not None and target is None:
            if event in tab.timers:
                if actor is None:
                    return d
            elif type(actor) is dict:
                roles = actor.get("roles")
                ident = actor.get("id")
                assignee = ticket.get("assignee")
                if (
                    owner in roles  # type: ignore[operator]
                    and (type(roles) is list or type(roles) is tuple)
                    and type(ident) is str
                    and (assignee is None or assignee == ident)
                ):
                    return d
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
        if state in tab.idx.finals:
            return denial(Reason.FINAL_STATE, final_state(state), event, wid, state, rules_hash)
        if event not in tab.leaving[state]:
            return denial(Reason.NOT_FROM_STATE, not_from_state(event, state), event, wid, state, rules_hash)
        if row is None or type(owner) is not str:
            return None  # no owner, an unknown one, or one that may not hold it here
        if event in tab.timers:
            if actor is not None:
                return denial(Reason.TIMER_EVENT, TIMER_WITH_ACTOR, event, wid, state, rules_hash)
        else:
            if actor is None:
                return denial(Reason.INVALID_ACTOR, NO_ACTOR, event, wid, state, rules_hash)
            if type(actor) is not dict:
                return None
            roles = actor.get("roles", ())
            ident = actor.get("id")
            if (type(roles) is not list and type(roles) is not tuple) or (ident is not None and type(ident) is not str):
                return None
            if owner not in roles:
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
