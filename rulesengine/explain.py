"""Why a ticket in a given state is owned by whom — and why the others may not act.

``rulesengine explain`` answers the process owner's daily question from the same
permission index the analysis and enforcement use: who owns the cell, who may fire
each transition and through which grant (``file:line``), what the timers do, and for
every other role the grant that came nearest and the condition it fails.
"""

from __future__ import annotations

from typing import Any

from .analysis.index import WorkflowIndex
from .diagnostics import Location
from .model import Grant, Kind, Ruleset

MAX_CLASSES = 8


def _loc(loc: Location | None) -> str | None:
    return str(loc) if loc is not None else None


def _miss(g: Grant, wid: str, state: str, ticket: dict[str, Any]) -> tuple[int, str]:
    """How far a grant is from covering the cell: (distance, reason)."""
    if wid not in g.cells:
        names = ", ".join(f"`{w}`" for w in g.cells) or "no workflow"
        return 100, f"its grant covers {names}, not `{wid}`"
    if state not in g.cells[wid]:
        states = ", ".join(f"`{s}`" for s in sorted(g.cells[wid]))
        return 50, f"its grant covers states {states} of `{wid}`, not `{state}`"
    failing = g.condition.failing(ticket)
    if failing:
        return len(failing), "the ticket fails " + " and ".join(f"`{f}`" for f in failing)
    return 0, ""


def explain_class(ruleset: Ruleset, idx: WorkflowIndex, state: str, k: int) -> dict[str, Any]:
    wf = idx.workflow
    ticket = dict(idx.ticket(k))
    st = wf.states[state]
    owners = []
    for role in idx.eligible(state, k):
        g = idx.covering(Kind.HANDLE, role, state, k)[0]
        owners.append({"role": role, "grant": _loc(g.location)})
    asg = idx.assignment(state, k)
    transitions = []
    for t in wf.outgoing(state):
        entry: dict[str, Any] = {"name": t.name, "to": t.target, "by": t.by.value, "location": _loc(t.location)}
        if not idx.transition_enabled(t, k):
            entry["allowed"] = []
            entry["blocked"] = "its condition fails: " + ", ".join(t.condition.failing(ticket))
        else:
            allowed = []
            # only a role that may hold the ticket here (it covers the cell) can fire
            for role in idx.eligible(state, k):
                for g in idx.may_fire(role, t, state, k, None):
                    allowed.append(
                        {
                            "role": role,
                            "grant": _loc(g.location),
                            "targets": list(g.targets) if g.targets else None,
                            "owner": role in asg.owners,
                        }
                    )
            entry["allowed"] = allowed
            if not allowed:
                entry["blocked"] = "no owner holds the needed grant" + (
                    f" (only {', '.join(sorted(t.roles))} may fire it)" if t.roles else ""
                )
        transitions.append(entry)
    timers = []
    for e in wf.escalations:
        if state in e.states:
            dest = e.goto or state
            timers.append(
                {
                    "after": e.delay_text,
                    "to": e.to,
                    "goto": dest,
                    "applies": idx.escalation_enabled(e, k),
                    "target_can_handle": st.final or idx.covers(e.to, dest, k),
                    "location": _loc(e.location),
                }
            )
    slas = []
    for sla in wf.slas:
        if not idx.sla_applies(sla, k):
            continue
        if state in sla.stop:
            status = "stops here"
        elif state in sla.pause_in:
            status = "paused here"
        elif sla.start == state:
            status = "starts here"
        else:
            status = "running"
        slas.append(
            {
                "name": sla.name,
                "kind": sla.kind,
                "target": sla.target.text,
                "calendar": sla.calendar,
                "status": status,
                "location": _loc(sla.location),
            }
        )
    if st.sla is not None:
        slas.append(
            {
                "name": f"time in `{state}`",
                "kind": "state",
                "target": st.sla.text,
                "calendar": None,
                "status": "running",
                "location": _loc(st.location),
            }
        )
    denied = []
    for other in ruleset.roles.values():
        if other.id in idx.eligible(state, k):
            continue
        handles = other.grants_of(Kind.HANDLE)
        if not other.handles_tickets:
            denied.append({"role": other.id, "reason": "declared `handles_tickets: false`", "grant": None})
            continue
        if not handles:
            denied.append({"role": other.id, "reason": "has no handle grant", "grant": None})
            continue
        _dist, reason, nearest = min(((*_miss(g, wf.id, state, ticket), g) for g in handles), key=lambda x: x[0])
        denied.append({"role": other.id, "reason": reason, "grant": _loc(nearest.location)})
    return {
        "ticket": ticket,
        "final": st.final,
        "owners": owners,
        "assignment": {
            "owners": list(asg.owners),
            "settled_by_assign_order": len(asg.candidates) > 1 and asg.settled,
            "duplicate": asg.duplicate,
            "gap": not asg.candidates and not st.final,
        },
        "transitions": transitions,
        "timers": timers,
        "slas": slas,
        "denied": denied,
    }


def explain(ruleset: Ruleset, idx: WorkflowIndex, state: str) -> dict[str, Any]:
    """Explanation of every ticket class of ``idx`` (already narrowed by ``--set``)."""
    classes = list(range(idx.class_count))
    shown = classes[:MAX_CLASSES]
    return {
        "version": 1,
        "workflow": idx.workflow.id,
        "state": state,
        "ticket_classes": len(classes),
        "varying_attributes": [
            a for a in idx.space.attributes if len({str(idx.ticket(k).get(a)) for k in classes}) > 1
        ],
        "classes": [explain_class(ruleset, idx, state, k) for k in shown],
    }
