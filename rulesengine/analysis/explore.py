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

from .index import Move, Outcome, Problem, WorkflowIndex


class Situation(NamedTuple):
    """Where a ticket is (state) and who holds it (owner); a cheap hashable tuple.

    ``k`` is -1 in the class the run is about; a move that writes attributes (``set:``,
    an escalation that marks the ticket escalated) can take the ticket to another class,
    and the situations it reaches there carry that class.
    """

    state: str
    owner: str | None
    k: int = -1


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
    k: int = -1  # the class the ticket is in where it happens (-1: the run's own class)

    def cls(self, run_k: int) -> int:
        """The class of the ticket this event happens to, in a run of class ``run_k``."""
        return self.k if self.k >= 0 else run_k


@dataclass(slots=True)
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


def begin(idx: WorkflowIndex, run: ClassRun) -> deque[Situation]:
    """Create the ticket of ``run``'s class: its first situations (or the creation's
    problem) recorded in the run, and the search queue that starts from them."""
    queue: deque[Situation] = deque()
    if not idx.creatable(run.k):
        return queue  # reached only by a move that wrote its values (an escalated ticket)
    initial = idx.initial(run.k)
    first = idx.arrive(run.k)
    if first.problem is not None:
        run.events.append(Event(EventKind(first.problem.value), initial, None, None, first.candidates))
    # a ticket nobody may own stays, unowned, where it is: its timers still fire
    for owner in _holders(first):
        s = Situation(initial, owner)
        if s not in run.parent:
            run.parent[s] = (None, None)
            run.starts.append(s)
            queue.append(s)
    return queue


def explore_class(idx: WorkflowIndex, k: int) -> ClassRun:
    """Breadth-first exploration of class ``k`` of a workflow, on its own.

    This is the definition of a class's run: the plain search, one move and one landing
    at a time through :meth:`~.index.WorkflowIndex.moves` and
    :meth:`~.index.WorkflowIndex.apply`.  The analysis explores with
    :func:`~.sharing.explore_workflow`, which shares runs between classes; the tests hold
    it to exactly what this function gives for every class.
    """
    run = ClassRun(k)
    finals = idx.terminal
    parent = run.parent
    edges = run.edges
    events = run.events
    queue = begin(idx, run)
    while queue:
        cur = queue.popleft()
        if cur.state in finals:
            continue
        progressed = False
        events_before = len(events)
        ck = cur.k if cur.k >= 0 else k
        for m in idx.moves(cur.state, cur.owner, ck):
            out = idx.apply(m, ck)
            nk = out.k if out.k >= 0 else ck
            tag = -1 if nk == k else nk
            if out.problem is not None:
                events.append(Event(EventKind(out.problem.value), m.target, cur, m, out.candidates, tag))
            for owner in _holders(out):
                nxt = Situation(m.target, owner, tag)
                if nxt == cur:
                    continue
                progressed = True
                edges.append((cur, m, nxt))
                if nxt not in parent:
                    parent[nxt] = (cur, m)
                    queue.append(nxt)
        if not progressed and len(events) == events_before and cur.owner is not None and idx.can_be_stuck(cur.state):
            events.append(Event(EventKind.STUCK, cur.state, cur, None, (), cur.k))
    return run


def _holders(out: Outcome) -> tuple[str | None, ...]:
    """Who holds the ticket where a move (or the creation) leaves it: its owners, or
    nobody when a fresh assignment found no role (the gap is reported; the ticket waits
    there for a timer), never after a hand-over the target could not take (the move is
    refused)."""
    if out.problem is Problem.GAP:
        return (None,)
    return out.owners


def bfs_path(
    run: ClassRun,
    starts: Iterable[Situation],
    goal: Callable[[Situation], bool],
    avoid: Callable[[Situation], bool] = lambda s: False,
) -> list[tuple[Situation, Move, Situation]] | None:
    """The shortest path of explored moves from ``starts`` to a ``goal`` situation,
    never entering an ``avoid`` one, nor an unowned one (a gap is explored for its
    timers only; no ticket the engine lets exist passes through it); None when there is
    none."""
    succ = run.successors()
    parent: dict[Situation, tuple[Situation, Move] | None] = {}
    queue: deque[Situation] = deque()
    for s in starts:
        if s.owner is not None and not avoid(s) and s not in parent:
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
            if nxt not in parent and nxt.owner is not None and not avoid(nxt):
                parent[nxt] = (cur, m)
                queue.append(nxt)
    return None


def _has_exit_timer(idx: WorkflowIndex, state: str) -> bool:
    return any(state in e.states for e in idx.workflow.escalations)


@dataclass(frozen=True, eq=False)
class RunGroup:
    """The ticket classes that share one explored situation graph.

    Rules and summaries look at each distinct graph once and report it for all of its
    classes: ``first`` is the lowest class index, ``smallest`` the class with the
    smallest ticket (fewest attributes, then lowest index) — the example a finding shows.
    """

    run: ClassRun
    classes: tuple[int, ...]
    first: int
    smallest: int

    def __len__(self) -> int:
        return len(self.classes)


@dataclass
class WorkflowRun:
    """Every class's run of one workflow; classes that behave alike share one graph."""

    index: WorkflowIndex
    classes: list[ClassRun]
    groups: list[RunGroup] = field(default_factory=list)

    def __iter__(self) -> Iterator[ClassRun]:
        return iter(self.classes)

    def run_of(self, k: int) -> ClassRun:
        """The run of class ``k`` (its graph is shared with the rest of its group)."""
        return self.classes[k]


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
                steps.append(_step(idx.initial(run.k), "assign", cur.owner, cur.state, cur.owner, None, "assign"))
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
