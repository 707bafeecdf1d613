"""Exhaustive flow simulation: every reachable situation of every ticket class.

A situation is (state, owner); the profile class is fixed along a ticket's life.  For
each class the exploration runs a breadth-first search from the creation assignment,
so the parent links give the *shortest* event trace to every situation.  Along the way
it records the events the ownership rules are about: assignments with no eligible role,
unsettled duplicate assignments, transfers and escalations whose target cannot handle
the ticket there, and situations where nobody can move the ticket on.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .index import Move, WorkflowIndex


class Situation(NamedTuple):
    """Where a ticket is (state) and who holds it (owner); a cheap hashable tuple."""

    state: str
    owner: str | None


class EventKind(str, enum.Enum):
    """What the search reports: the landing problems of :class:`Problem`, and being stuck."""

    GAP = "gap"
    DUPLICATE = "duplicate"
    INTO_GAP = "into-gap"
    STUCK = "stuck"


@dataclass(frozen=True)
class Event:
    """Something an ownership rule reports, found during the search."""

    kind: EventKind
    state: str
    at: Situation | None  # the situation the move started from (None: creation)
    move: Move | None
    candidates: tuple[str, ...] = ()


@dataclass
class ClassRun:
    """The explored situation graph of one profile class of one workflow."""

    k: int
    starts: list[Situation] = field(default_factory=list)
    parent: dict[Situation, tuple[Situation | None, Move | None]] = field(default_factory=dict)
    edges: list[tuple[Situation, Move, Situation]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def situations(self) -> list[Situation]:
        return list(self.parent)

    def path_to(self, sit: Situation) -> list[tuple[Situation | None, Move | None, Situation]]:
        """The shortest path from creation to ``sit`` as (from, move, to) steps."""
        steps: list[tuple[Situation | None, Move | None, Situation]] = []
        cur: Situation | None = sit
        while cur is not None:
            prev, move = self.parent[cur]
            steps.append((prev, move, cur))
            cur = prev
        steps.reverse()
        return steps

    def successors(self) -> dict[Situation, list[tuple[Move, Situation]]]:
        out: dict[Situation, list[tuple[Move, Situation]]] = {s: [] for s in self.parent}
        for a, m, b in self.edges:
            out[a].append((m, b))
        return out


def explore_class(idx: WorkflowIndex, k: int, consulted: set[int] | None = None) -> ClassRun:
    """Breadth-first exploration of class ``k`` of a workflow.

    ``consulted`` collects the ids of every condition whose truth the search looked at;
    another class that agrees with this one on all of them explores identically.
    """
    run = ClassRun(k)
    wf = idx.workflow
    finals = idx.finals
    assigned_at = {wf.initial}
    covered: set[tuple[str, str]] = set()
    first = idx.arrive(k)
    if first.problem is not None:
        run.events.append(Event(EventKind(first.problem.value), wf.initial, None, None, first.candidates))
    parent = run.parent
    edges = run.edges
    events = run.events
    queue: deque[Situation] = deque()
    for owner in first.owners:
        s = Situation(wf.initial, owner)
        if s not in parent:
            parent[s] = (None, None)
            run.starts.append(s)
            queue.append(s)
    while queue:
        cur = queue.popleft()
        if cur.state in finals:
            continue
        progressed = False
        events_before = len(events)
        for m in idx.moves(cur.state, cur.owner, k):
            out = idx.apply(m, k)
            if out.fresh:
                assigned_at.add(m.target)
            elif m.target not in finals and m.new_owner is not None:
                covered.add((m.new_owner, m.target))
            if out.problem is not None:
                events.append(Event(EventKind(out.problem.value), m.target, cur, m, out.candidates))
            for owner in out.owners:
                nxt = Situation(m.target, owner)
                if nxt == cur:
                    continue
                progressed = True
                edges.append((cur, m, nxt))
                if nxt not in parent:
                    parent[nxt] = (cur, m)
                    queue.append(nxt)
        if not progressed and len(events) == events_before and idx.has_exit(cur.state):
            events.append(Event(EventKind.STUCK, cur.state, cur, None))
    if consulted is not None:
        for st in assigned_at:
            consulted |= idx.handle_conds(st)
        for role, st in covered:
            consulted |= idx.role_handle_conds(role, st)
        for sit in run.parent:
            consulted |= idx.moves_reads(sit.state, sit.owner)
    return run


def bfs_path(
    run: ClassRun,
    starts: Iterable[Situation],
    goal: Callable[[Situation], bool],
    avoid: Callable[[Situation], bool] = lambda s: False,
) -> list[tuple[Situation, Move, Situation]] | None:
    """The shortest path of explored moves from ``starts`` to a ``goal`` situation,
    never entering an ``avoid`` one; None when there is none."""
    succ = run.successors()
    parent: dict[Situation, tuple[Situation, Move] | None] = {}
    queue: deque[Situation] = deque()
    for s in starts:
        if not avoid(s) and s not in parent:
            parent[s] = None
            queue.append(s)
    while queue:
        cur = queue.popleft()
        if goal(cur):
            path: list[tuple[Situation, Move, Situation]] = []
            step = parent[cur]
            while step is not None:
                prev, m = step
                path.append((prev, m, cur))
                cur = prev
                step = parent[cur]
            path.reverse()
            return path
        for m, nxt in succ.get(cur, ()):
            if nxt not in parent and not avoid(nxt):
                parent[nxt] = (cur, m)
                queue.append(nxt)
    return None


def _has_exit_timer(idx: WorkflowIndex, state: str) -> bool:
    return any(state in e.states for e in idx.workflow.escalations)


@dataclass
class WorkflowRun:
    index: WorkflowIndex
    classes: list[ClassRun]

    def __iter__(self) -> Iterator[ClassRun]:
        return iter(self.classes)


def explore_workflow(idx: WorkflowIndex) -> WorkflowRun:
    """Explore every class, reusing the run of an earlier class that behaves the same.

    After exploring a class we know every condition its search consulted; a later class
    whose signature agrees on those conditions makes exactly the same decisions, so its
    situation graph is the same and is shared rather than searched again.
    """
    runs: list[ClassRun] = []
    reps: list[tuple[frozenset[int], frozenset[int], ClassRun]] = []
    for k in range(idx.class_count):
        sig = idx.space.classes[k].signature
        for consulted, projection, rep in reps:
            if sig & consulted == projection:
                runs.append(ClassRun(k, rep.starts, rep.parent, rep.edges, rep.events))
                break
        else:
            seen: set[int] = set()
            run = explore_class(idx, k, seen)
            frozen = frozenset(seen)
            reps.append((frozen, sig & frozen, run))
            runs.append(run)
    return WorkflowRun(idx, runs)


def trace_steps(
    idx: WorkflowIndex,
    run: ClassRun,
    sit: Situation | None,
    last: Move | None = None,
    last_owner: str | None = None,
) -> list[dict[str, Any]]:
    """The JSON trace of DESIGN.md: creation assignment, then every event fired."""
    steps: list[dict[str, Any]] = []
    if sit is not None:
        for prev, move, cur in run.path_to(sit):
            if move is None or prev is None:
                steps.append(_step(idx.workflow.initial, "assign", cur.owner, cur.state, cur.owner, None, "assign"))
            else:
                steps.append(_step(prev.state, move.event, move.firer, cur.state, cur.owner, move))
    if last is not None:
        steps.append(_step(last.source, last.event, last.firer, last.target, last_owner, last))
    return steps


def _step(
    state: str, event: str, role: str | None, to: str, owner: str | None, move: Move | None, kind: str | None = None
) -> dict[str, Any]:
    """One trace step; ``kind`` tells the engine's own steps (``create``, ``assign``) from
    moves (``handle``, ``coordinate``, ``escalate``, ``timer``), whatever a transition is named."""
    step: dict[str, Any] = {"state": state, "event": event, "role": role, "to": to, "owner": owner}
    step["kind"] = kind or (move.kind.value if move is not None else "assign")
    loc = move.location if move is not None else None
    if loc is not None:
        step["location"] = {"file": loc.file, "line": loc.line, "column": loc.column}
    return step
