"""Why a ticket in a given state is owned by whom — and why the others may not act.

``rulesengine explain`` answers the process owner's daily question from the same
permission index the analysis and enforcement use: who owns the cell, who may fire
each transition and through which grant (``file:line``), what the timers do, and for
every other role the grant that came nearest and the condition it fails.
"""

from __future__ import annotations

from typing import Any

from ..analysis.explore import ClassRun, EventKind, Situation, WorkflowRun
from ..analysis.index import WorkflowIndex, timer_event, timer_move
from ..analysis.nearest import blocked, nearest
from ..diagnostics import Location
from ..model.ruleset import Kind, Ruleset, Sla

MAX_CLASSES = 8


def _loc(loc: Location | None) -> str | None:
    return str(loc) if loc is not None else None


def holders_at(run: ClassRun | None, state: str) -> list[str]:
    """The owners a ticket of the run's class may have at ``state``, in search order."""
    if run is None:
        return []
    return list(dict.fromkeys(sit.owner for sit in run.parent if sit.state == state and sit.owner is not None))


def _sla_status(sla: Sla, state: str, run: ClassRun | None) -> str:
    """What an SLA's clock does at ``state`` for this kind of ticket: it may have stopped
    on every path there, or not have started yet (read off the explored situations)."""
    if state in sla.stop:
        return "stops here"
    if sla.start == state:
        return "starts here"
    if run is not None and any(sit.state == state for sit in run.parent):
        starts = [s for s in run.parent if s.state == sla.start] if sla.start else list(run.starts)
        if not any(sit.state == state for sit in _reach(run, starts, set(sla.stop))):
            after_start = any(sit.state == state for sit in _reach(run, starts, set()))
            return "stopped before here" if after_start else "not started yet"
    return "paused here" if state in sla.pause_in else "running"


def _reach(run: ClassRun, starts: list[Situation], stops: set[str]) -> set[Situation]:
    """Situations reachable from ``starts`` without going on from a stop state."""
    succ = run.successors()
    seen = set(starts)
    todo = list(starts)
    while todo:
        cur = todo.pop()
        if cur.state in stops:
            continue
        for _, nxt in succ.get(cur, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _assigned(run: ClassRun, state: str, owner: str) -> bool:
    got = run.parent.get(Situation(state, owner))
    return got is not None and (got[1] is None or got[1].new_owner is None)


def explain_class(
    ruleset: Ruleset, idx: WorkflowIndex, state: str, k: int, run: ClassRun | None, owner: str | None = None
) -> dict[str, Any]:
    """What happens to a ticket of class ``k`` at ``state``, read off the transition function.

    The holders are the owners the exploration reaches at ``state`` (or ``owner`` when
    the caller names the ticket's owner), so ``explain`` says exactly what ``check``
    proves and ``decide`` enforces.
    """
    wf = idx.workflow
    ticket = dict(idx.ticket(k))
    st = wf.states[state]
    reached = run is not None and any(sit.state == state for sit in run.parent)
    holders = [owner] if owner is not None else holders_at(run, state)
    events = [ev for ev in (run.events if run is not None else ()) if ev.state == state]
    hypothetical = owner is None and not reached and not st.final
    if hypothetical:
        # no ticket of this kind gets here: say who would own one that arrived unowned
        asg = idx.assignment(state, k)
        holders = list(asg.owners)
    eligible = [
        {"role": role, "grant": _loc(idx.covering(Kind.HANDLE, role, state, k)[0].location)}
        for role in idx.eligible(state, k)
    ]
    # holders that a fresh assignment put here (the usual owner) rather than a hand-off
    fresh = set(holders) if hypothetical else {h for h in holders if run is not None and _assigned(run, state, h)}
    transitions = []
    steps = {h: idx.steps(state, h, k) for h in holders}
    for t in (t for t in wf.transitions if state in t.sources):
        entry: dict[str, Any] = {"name": t.name, "to": t.target, "by": t.by.value, "location": _loc(t.location)}
        allowed = []
        for h in holders:
            for m, out in steps[h]:
                if m.transition is not t:
                    continue
                allowed.append(
                    {
                        "role": m.firer or h,
                        "grant": _loc(m.grant.location if m.grant else None),
                        "targets": [m.new_owner] if t.by is not Kind.HANDLE and m.new_owner else None,
                        "owner": h in fresh or not fresh,
                        **({"owned_by": h} if m.firer is not None and m.firer != h else {}),
                        "lands": out.lands,
                        "owners_after": list(out.owners),
                        "problem": out.problem.value if out.problem else None,
                    }
                )
        entry["allowed"] = allowed
        if not allowed:
            entry["blocked"] = blocked(idx, t, state, k, holders)
        transitions.append(entry)
    timers = []
    for e in wf.escalations:
        if state in e.states:
            out = idx.apply(timer_move(e, state), k)
            timers.append(
                {
                    "after": e.delay_text,
                    "event": timer_event(e),
                    "to": e.to,
                    "goto": out.state,
                    "applies": idx.escalation_enabled(e, k) and not st.final,
                    "target_can_handle": out.lands,
                    "location": _loc(e.location),
                }
            )
    slas = []
    for sla in wf.slas:
        if not idx.sla_applies(sla, k):
            continue
        status = _sla_status(sla, state, run)
        slas.append(
            {
                "name": sla.name,
                "kind": sla.kind.value,
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
        if other.id in idx.eligible(state, k) or other.id in holders:
            continue
        handles = other.grants_of(Kind.HANDLE)
        if not other.handles_tickets:
            denied.append({"role": other.id, "reason": "declared `handles_tickets: false`", "grant": None})
            continue
        if not handles:
            denied.append({"role": other.id, "reason": "has no handle grant", "grant": None})
            continue
        near = nearest(handles, wf.id, state, ticket)
        assert near is not None
        denied.append({"role": other.id, "reason": near.reason, "grant": _loc(near.grant.location)})
    return {
        "ticket": ticket,
        "final": st.final,
        "reached": reached,
        "owners": eligible,
        "holders": holders,
        "assignment": {
            "owners": [h for h in holders if h in fresh] or holders,
            "handed_over": [h for h in holders if fresh and h not in fresh],
            "settled_by_assign_order": len(idx.eligible(state, k)) > 1 and idx.assignment(state, k).settled,
            "duplicate": any(ev.kind is EventKind.DUPLICATE for ev in events) or (hypothetical and asg.duplicate),
            "gap": not holders and not st.final,
        },
        "transitions": transitions,
        "timers": timers,
        "slas": slas,
        "denied": denied,
    }


def explain(ruleset: Ruleset, wrun: WorkflowRun, state: str) -> dict[str, Any]:
    """Explanation of every ticket class of an explored workflow (already narrowed by ``--set``)."""
    idx = wrun.index
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
        "classes": [explain_class(ruleset, idx, state, k, wrun.classes[k]) for k in shown],
    }
