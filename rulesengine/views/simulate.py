"""Summaries of the flow simulation: paths, hand-offs, escalation depth, random walks.

``rulesengine simulate`` shows, per workflow, how tickets actually travel: the shortest
and the longest simple path from creation to a final state, the owners at every step,
how many times the ticket changes hands and how deep escalations go.  Ticket classes
that travel exactly alike (they share one explored graph) are shown once, with every
ticket class that travels that way: a large centre has thousands of classes but far
fewer distinct flows, and each is summarised once.  Random walks give the distribution
of those numbers when every possible move is equally likely — a rough picture of what a
centre's logs would look like.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..analysis.context import Analysis, Step
from ..analysis.cycles import ESCALATIONS, longest_chain
from ..analysis.explore import ClassRun, RunGroup, Situation, bfs_path
from ..analysis.index import Move, MoveKind, WorkflowIndex

LONGEST_BUDGET = 50_000
WALK_LIMIT = 200


@dataclass(frozen=True)
class PathSummary:
    states: tuple[str, ...]
    owners: tuple[str | None, ...]
    events: tuple[str, ...]
    handoffs: int
    transfers: int
    escalations: int
    waits: tuple[int, ...] = ()  # minutes each step is known to take at least (a timer's delay)

    @property
    def steps(self) -> int:
        return len(self.events)

    def slas(self, idx: WorkflowIndex, k: int) -> dict[str, Any]:
        """For each SLA of class ``k``: where on this path its clock starts and stops, the
        steps between, and the minutes timers make them take at least — with whether that
        alone already breaches a clock-time target."""
        out: dict[str, Any] = {}
        for sla in idx.workflow.slas:
            if not idx.sla_applies(sla, k):
                continue
            begin = 0 if sla.start is None else next((i for i, st in enumerate(self.states) if st == sla.start), None)
            if begin is None:
                out[sla.name] = {"starts": False}
                continue
            end = next((i for i in range(begin + 1, len(self.states)) if self.states[i] in sla.stop), None)
            stop = len(self.waits) if end is None else end
            known = sum(w for i, w in enumerate(self.waits[begin:stop], begin) if self.states[i] not in sla.pause_in)
            target = None if sla.target.is_working_days else sla.target.minutes
            out[sla.name] = {
                "starts": True,
                "stops": end is not None,
                "steps": None if end is None else end - begin,
                "known_minutes": known,
                "target": sla.target.text,
                "breached_by_timers": target is not None and known > target,
            }
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "states": list(self.states),
            "owners": list(self.owners),
            "events": list(self.events),
            "handoffs": self.handoffs,
            "transfers": self.transfers,
            "escalations": self.escalations,
            "known_minutes": sum(self.waits),
        }


def _summarise(start: Situation, edges: list[tuple[Situation, Move, Situation]]) -> PathSummary:
    states = [start.state]
    owners = [start.owner]
    events = []
    handoffs = transfers = escalations = 0
    waits = []
    for a, m, b in edges:
        waits.append(_wait(m))
        states.append(b.state)
        owners.append(b.owner)
        events.append(m.event)
        if b.owner != a.owner:
            handoffs += 1
        if m.kind is MoveKind.COORDINATE:
            transfers += 1
        if m.is_escalation:
            escalations += 1
    return PathSummary(tuple(states), tuple(owners), tuple(events), handoffs, transfers, escalations, tuple(waits))


def _wait(m: Move) -> int:
    """The minutes a move is known to take at least: a timer's clock-time delay, else 0."""
    e = m.escalation
    if e is None or e.after is None or e.after.is_working_days:
        return 0
    return e.after.minutes


def shortest_path(idx: WorkflowIndex, run: ClassRun) -> PathSummary | None:
    finals = set(idx.workflow.final_states)
    for start in run.starts:
        path = bfs_path(run, [start], lambda s: s.state in finals)
        if path is not None:
            return _summarise(start, path)
    return None


def longest_path(idx: WorkflowIndex, run: ClassRun) -> tuple[PathSummary | None, bool]:
    """Longest simple path to a final state; the flag says the search hit its budget.

    A depth-first search over every simple path, stopped after :data:`LONGEST_BUDGET`
    steps.  It runs on situation numbers and flat lists rather than the situations
    themselves — the same walk in the same order, several times cheaper per step, which
    matters because a large centre has thousands of flows and some use the whole budget.
    """
    finals = set(idx.workflow.final_states)
    sits = list(run.parent)
    pos = {s: i for i, s in enumerate(sits)}
    succ: list[list[tuple[Move, int]]] = [[] for _ in sits]
    for a, m, b in run.edges:  # in edge order, as run.successors() lists them
        succ[pos[a]].append((m, pos[b]))
    final = [s.state in finals for s in sits]
    best: list[tuple[int, Move, int]] | None = None
    best_start: Situation | None = None

    def summary() -> PathSummary | None:
        if best is None or best_start is None:
            return None
        return _summarise(best_start, [(sits[a], m, sits[b]) for a, m, b in best])

    budget = LONGEST_BUDGET
    for start in run.starts:
        first = pos[start]
        nodes = [first]  # the path: nodes[i] --moves[i]--> nodes[i + 1]
        moves: list[Move] = []
        todo = [iter(succ[first])]
        on_path = [False] * len(sits)
        on_path[first] = True
        while todo:
            budget -= 1
            if budget <= 0:
                return summary(), True
            pair = next(todo[-1], None)
            if pair is None:
                todo.pop()
                on_path[nodes.pop()] = False
                if moves:
                    moves.pop()
                continue
            m, nxt = pair
            if on_path[nxt]:
                continue
            if final[nxt]:
                if best is None or len(moves) + 1 > len(best):
                    best = [*zip(nodes, moves, nodes[1:]), (nodes[-1], m, nxt)]
                    best_start = start
                continue
            moves.append(m)
            on_path[nxt] = True
            nodes.append(nxt)
            todo.append(iter(succ[nxt]))
    return summary(), False


Memo = dict[Any, Any]


def class_report(an: Analysis, wid: str, run: ClassRun, memo: Memo | None = None) -> dict[str, Any]:
    """How the tickets of ``run``'s class travel (and of every class sharing its graph).

    ``memo`` keeps the longest paths found: graphs that differ only in the problems they
    record (not in their moves) have the same longest path, and its search is the
    expensive part.
    """
    idx = an.index.workflow(wid)
    owners: dict[str, list[str]] = {}
    for sit in run.parent:
        if sit.owner is not None:
            owners.setdefault(sit.state, [])
            if sit.owner not in owners[sit.state]:
                owners[sit.state].append(sit.owner)
    short = shortest_path(idx, run)
    if memo is None:
        long_, truncated = longest_path(idx, run)
    else:
        paths = memo.setdefault("longest", {})
        key = (wid, tuple(run.starts), tuple([(a, id(m), b) for a, m, b in run.edges]))
        got = paths.get(key)
        if got is None:
            got = paths[key] = longest_path(idx, run)
        long_, truncated = got
    chain = longest_chain(run, ESCALATIONS, memo.setdefault("chain", {}) if memo is not None else None)
    return {
        "ticket": dict(idx.ticket(run.k)),
        "situations": len(run.parent),
        "owners": {s: sorted(v) for s, v in owners.items()},
        "shortest": short.to_json() if short else None,
        "longest": long_.to_json() if long_ else None,
        "longest_truncated": truncated,
        "max_escalation_depth": len(chain),
        "slas": {
            "shortest": short.slas(idx, run.k) if short else {},
            "longest": long_.slas(idx, run.k) if long_ else {},
        },
        "findings": sorted({e.kind for e in run.events}),
    }


def flow_report(an: Analysis, wid: str, group: RunGroup, memo: Memo | None = None) -> dict[str, Any]:
    """One distinct flow: its summary, the first of its ticket classes as ``ticket`` and
    all of them under ``tickets``."""
    idx = an.index.workflow(wid)
    doc = class_report(an, wid, an.runs[wid].run_of(group.first), memo)
    doc["ticket_classes"] = len(group)
    doc["tickets"] = [dict(idx.ticket(k)) for k in group.classes]
    return doc


def simulate(an: Analysis) -> dict[str, Any]:
    """The JSON document behind ``rulesengine simulate``.

    Per workflow, ``classes`` lists the distinct flows (ticket classes that travel
    exactly alike are one entry, with all their tickets) and ``ticket_classes`` counts
    the ticket classes.
    """
    out: dict[str, Any] = {"version": 2, "workflows": []}
    runs = an.runs
    total = sum(len(w.groups) for w in runs.values())
    done = 0
    memo: Memo = {}
    for wid, wrun in runs.items():
        flows = []
        for group in wrun.groups:
            done += 1
            if not any(wrun.index.creatable(k) for k in group.classes):
                continue  # escalated tickets: their flows are part of the flows that escalate them
            flows.append(flow_report(an, wid, group, memo))
            if done % 100 == 0:
                an.report(Step("simulate", done, total))
        out["workflows"].append(
            {
                "id": wid,
                "name": wrun.index.workflow.name.en,
                "classes": flows,
                "ticket_classes": len(wrun.classes),
            }
        )
    an.report(Step("simulate", total, total))
    return out


def _stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {"min": 0, "mean": 0, "median": 0, "p90": 0, "max": 0}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "min": ordered[0],
        "mean": round(statistics.fmean(ordered), 2),
        "median": statistics.median(ordered),
        "p90": p90,
        "max": ordered[-1],
    }


def random_walks(an: Analysis, n: int, seed: int, workflows: Iterable[str] | None = None) -> dict[str, Any]:
    """``n`` random walks per workflow, every enabled move equally likely."""
    rng = random.Random(seed)
    out: dict[str, Any] = {"version": 1, "walks": n, "seed": seed, "workflows": []}
    for wid in workflows or an.runs:
        wrun = an.runs[wid]
        runs = [r for r in wrun if r.starts]
        steps: list[int] = []
        transfers: list[int] = []
        escalations: list[int] = []
        handoffs: list[int] = []
        ended = {"final": 0, "stuck": 0, "limit": 0}
        finals = set(wrun.index.workflow.final_states)
        succ_cache = {id(g.run.parent): g.run.successors() for g in wrun.groups}
        for _ in range(n if runs else 0):
            run = rng.choice(runs)
            cur = rng.choice(run.starts)
            path: list[tuple[Situation, Move, Situation]] = []
            succ = succ_cache[id(run.parent)]
            while cur.state not in finals and len(path) < WALK_LIMIT:
                options = succ.get(cur, [])
                if not options:
                    break
                m, nxt = rng.choice(options)
                path.append((cur, m, nxt))
                cur = nxt
            summary = _summarise(path[0][0] if path else cur, path)
            steps.append(summary.steps)
            transfers.append(summary.transfers)
            escalations.append(summary.escalations)
            handoffs.append(summary.handoffs)
            if cur.state in finals:
                ended["final"] += 1
            elif len(path) >= WALK_LIMIT:
                ended["limit"] += 1
            else:
                ended["stuck"] += 1
        out["workflows"].append(
            {
                "id": wid,
                "walks": len(steps),
                "ended": ended,
                "steps": _stats(steps),
                "transfers": _stats(transfers),
                "escalations": _stats(escalations),
                "handoffs": _stats(handoffs),
            }
        )
    return out
