"""The static check of a policy over the exhaustive exploration.

The exploration gives, per ticket class, every reachable situation (state, owner) and
every move between them.  A history-shaped policy's monitor
(:mod:`rulesengine.model.policies`) is run over that graph: the search visits
(situation, monitor value) pairs breadth first, so the first step the monitor rejects
ends the *shortest* ticket history that breaks the policy.  Monitor values are small,
so the product stays a small multiple of the situation graph.

A policy's ``when`` may cut across the workflow's ticket classes (it can name an
attribute no grant mentions).  :func:`scoped_classes` refines the classes by it, so
every class is either in scope or out, and the witness ticket is a real ticket of the
class that the policy speaks about.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.policies import HOLDER, Monitor, Step, StepKind, monitor
from ..model.ruleset import Policy
from .context import Analysis
from .explore import ClassRun, Situation, WorkflowRun
from .index import Move, WorkflowIndex
from .partition import build_space

Edge = tuple[Situation, Move, Situation]


@dataclass(frozen=True)
class Witness:
    """The shortest history breaking a policy: its creation and the moves after it.

    The last move is the step that breaks the policy; with no moves, the creation
    assignment itself does.
    """

    start: Situation
    path: tuple[Edge, ...]
    reason: str


@dataclass(frozen=True)
class Scoped:
    """One ticket class of a workflow that the policy speaks about."""

    wid: str
    index: WorkflowIndex
    run: ClassRun
    ticket: Mapping[str, Any]

    @property
    def rank(self) -> tuple[Any, ...]:
        """Smaller tickets first, then the class order: the auditor's simplest example."""
        return (len(self.ticket), self.run.k)


def scoped_classes(an: Analysis, wid: str, policy: Policy) -> list[tuple[ClassRun, Mapping[str, Any]]]:
    """The explored classes of ``wid`` with some ticket in the policy's scope, each with
    the smallest such ticket."""
    wrun: WorkflowRun = an.runs[wid]
    idx = wrun.index
    if policy.condition.always:
        return [(run, idx.ticket(run.k)) for run in wrun]
    if policy.condition.never:
        return []
    base = list(idx.space.conditions)
    extra = len(base)
    space = build_space(idx.ruleset, idx.workflow, [*base, policy.condition], an.restrict)
    best: dict[int, Mapping[str, Any]] = {}
    for pc in space.classes:
        if extra not in pc.signature:
            continue
        k = idx.space.by_signature.get(pc.signature - {extra})
        if k is not None and (k not in best or len(pc.ticket) < len(best[k])):
            best[k] = pc.ticket
    return [(wrun.classes[k], best[k]) for k in sorted(best)]


def scoped(an: Analysis, policy: Policy) -> Iterator[Scoped]:
    """Every (workflow, class) the policy speaks about, among the explored workflows."""
    for wid in policy.workflows:
        if wid not in an.runs:
            continue
        idx = an.runs[wid].index
        for run, ticket in scoped_classes(an, wid, policy):
            yield Scoped(wid, idx, run, ticket)


def move_step(a: Situation, m: Move, b: Situation) -> Step:
    """A move of the exploration as a history step; every actor is the ticket's holder."""
    return Step(a.state, m.event, b.state, StepKind(m.kind.value), m.firer, HOLDER if m.firer else None, b.owner)


def creation_step(initial: str, s: Situation) -> Step:
    return Step(initial, "assign", s.state, StepKind.ASSIGN, None, None, s.owner)


class Searcher:
    """Runs one policy's monitor over class graphs, once per distinct graph.

    Classes that behave alike share their situation graph; the search depends only on
    the graph, so its answer is shared too.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.mon: Monitor = monitor(policy)
        self._memo: dict[int, Witness | None] = {}

    def witness(self, idx: WorkflowIndex, run: ClassRun) -> Witness | None:
        key = id(run.edges)
        if key not in self._memo:
            self._memo[key] = self._search(idx, run)
        return self._memo[key]

    def _search(self, idx: WorkflowIndex, run: ClassRun) -> Witness | None:
        mon = self.mon
        Node = tuple[Situation, Hashable]
        parent: dict[Node, tuple[Node, Move] | None] = {}
        queue: deque[Node] = deque()
        # an unowned ticket (a gap: the finding of its own) is explored only for its timers;
        # no ticket the engine lets exist travels through one, so policies look past it
        for s in run.starts:
            if s.owner is None:
                continue
            value, reason = mon.step(mon.start(), creation_step(idx.initial(run.k), s))
            if reason is not None:
                return Witness(s, (), reason)
            node = (s, value)
            if node not in parent:
                parent[node] = None
                queue.append(node)
        succ = run.successors()
        while queue:
            node = queue.popleft()
            sit, value = node
            for m, nxt in succ.get(sit, ()):
                if nxt.owner is None:
                    continue
                after, reason = mon.step(value, move_step(sit, m, nxt))
                if reason is not None:
                    return Witness(*_unwind(parent, node, (sit, m, nxt)), reason)
                if nxt.owner != sit.owner:
                    after = mon.handover(after)
                child = (nxt, after)
                if child not in parent:
                    parent[child] = (node, m)
                    queue.append(child)
        return None


def _unwind(
    parent: Mapping[tuple[Situation, Hashable], tuple[tuple[Situation, Hashable], Move] | None],
    node: tuple[Situation, Hashable],
    last: Edge,
) -> tuple[Situation, tuple[Edge, ...]]:
    path: list[Edge] = [last]
    cur = node
    step = parent[cur]
    while step is not None:
        prev, m = step
        path.append((prev[0], m, cur[0]))
        cur = prev
        step = parent[cur]
    path.reverse()
    return cur[0], tuple(path)


def on_cycle(run: ClassRun, edge: Edge) -> bool:
    """The move of ``edge`` can be made again and again (its source is reachable from its target)."""
    a, _, b = edge
    succ = run.successors()
    seen = {b}
    queue = deque([b])
    while queue:
        cur = queue.popleft()
        if cur == a:
            return True
        for _, nxt in succ.get(cur, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False
