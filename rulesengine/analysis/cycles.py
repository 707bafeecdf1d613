"""Cycles and chains among one kind of move (escalations, transfers) in a class's graph.

Most classes have few such edges and no cycle, so the common path is a plain
topological sort over a dict; a graph that does contain a cycle is dissected with the
searches of :mod:`.graphs`.  Runs that differ elsewhere often share the same escalation or
hand-off edges; a ``memo`` dict passed by the caller answers those from the first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .explore import ClassRun, Situation
from .graphs import find_cycle, first_in, shortest_path, strongly_connected
from .index import Move, MoveKind

# the moves that raise a ticket, and every move that hands it to a named role
ESCALATIONS = (MoveKind.ESCALATE, MoveKind.TIMER)
HANDOFFS = (MoveKind.COORDINATE, MoveKind.ESCALATE, MoveKind.TIMER)

Edge = tuple[Situation, Move, Situation]
Adjacency = dict[Situation, list[tuple[Move, Situation]]]
T = TypeVar("T")
Memo = dict[Any, Any]


def _memoised(
    adj: Adjacency, depth: dict[Situation, int] | None, memo: Memo | None, what: Any, compute: Callable[[], T]
) -> T:
    """``compute()``, remembered under all it reads: the adjacency of the run's edges of
    one kind and, when given, how far from creation their situations are."""
    if memo is None:
        return compute()
    key: tuple[Any, ...] = (what, tuple((a, tuple((id(m), b) for m, b in outs)) for a, outs in adj.items()))
    if depth is not None:
        key += (tuple(depth[a] for a in adj),)
    got = memo.get(key)
    if got is None:
        got = memo[key] = compute()
    return got  # type: ignore[no-any-return]


def _depths(run: ClassRun) -> dict[Situation, int]:
    """How many moves from creation each situation is (parents come before children)."""
    depth: dict[Situation, int] = {}
    for s, (prev, _) in run.parent.items():
        depth[s] = 0 if prev is None else depth[prev] + 1
    return depth


def _nearness(depth: dict[Situation, int]) -> dict[Situation, tuple[int, str, str]]:
    """Situations ranked by distance from creation, then by state and owner name.

    The rank decides where a reported cycle starts.  The order in which the search
    happened to find situations would do as well, but it follows the order transitions
    and grants are written in, and a finding must not change when a file is reordered.
    """
    return {s: (d, s.state, s.owner or "") for s, d in depth.items()}


def _adjacency(run: ClassRun, kinds: frozenset[MoveKind]) -> Adjacency:
    adj: Adjacency = {}
    for a, m, b in run.edges:
        if m.kind in kinds:
            adj.setdefault(a, []).append((m, b))
            adj.setdefault(b, [])
    return adj


def _topological(adj: Adjacency) -> list[Situation] | None:
    """A topological order, or None when the graph has a cycle."""
    indeg = dict.fromkeys(adj, 0)
    for outs in adj.values():
        for _, b in outs:
            indeg[b] += 1
    ready = [s for s, n in indeg.items() if n == 0]
    order: list[Situation] = []
    while ready:
        s = ready.pop()
        order.append(s)
        for _, b in adj[s]:
            indeg[b] -= 1
            if indeg[b] == 0:
                ready.append(b)
    return order if len(order) == len(adj) else None


def first_cycles(run: ClassRun, kinds: Iterable[MoveKind], memo: Memo | None = None) -> list[list[Edge]]:
    """One cycle per strongly connected component of the ``kinds`` edges, as edge lists.

    The cycle starts at the component's situation nearest to creation, so the trace to
    it plus the cycle reads naturally.
    """
    adj = _adjacency(run, frozenset(kinds))
    if not adj or _topological(adj) is not None:
        return []
    depth = _depths(run)
    return _memoised(adj, depth, memo, "first", lambda: _first_cycles(adj, _nearness(depth)))


def _first_cycles(adj: Adjacency, order: dict[Situation, tuple[int, str, str]]) -> list[list[Edge]]:
    out = []
    for comp in sorted(strongly_connected(adj), key=lambda c: min(order[s] for s in c)):
        if len(comp) < 2 and not any(b == s for s in comp for _, b in adj[s]):
            continue
        out.append(find_cycle(adj, comp, first_in(order, comp)))
    return out


def longest_chain(run: ClassRun, kinds: Iterable[MoveKind], memo: Memo | None = None) -> list[Edge]:
    """The longest path of consecutive ``kinds`` moves (empty when they form a cycle)."""
    adj = _adjacency(run, frozenset(kinds))
    if not adj:
        return []
    return _memoised(adj, None, memo, "chain", lambda: _longest_chain(adj))


def _longest_chain(adj: Adjacency) -> list[Edge]:
    order = _topological(adj)
    if order is None:
        return []
    best: dict[Situation, list[Edge]] = {}
    for s in reversed(order):
        chain: list[Edge] = []
        for m, b in adj[s]:
            cand = [(s, m, b), *best[b]]
            if len(cand) > len(chain):
                chain = cand
        best[s] = chain
    return max(best.values(), key=len, default=[])


def cycles_through(
    run: ClassRun, kinds: Iterable[MoveKind], through: MoveKind, memo: Memo | None = None
) -> list[list[Edge]]:
    """One cycle per strongly connected component of the ``kinds`` edges that passes
    through an edge of kind ``through`` (e.g. a transfer inside a loop of hand-offs)."""
    adj = _adjacency(run, frozenset(kinds))
    if not any(m.kind is through for outs in adj.values() for m, _ in outs):
        return []
    if _topological(adj) is not None:
        return []
    depth = _depths(run)
    return _memoised(adj, depth, memo, through, lambda: _cycles_through(adj, _nearness(depth), through))


def _cycles_through(
    adj: Adjacency, order: dict[Situation, tuple[int, str, str]], through: MoveKind
) -> list[list[Edge]]:
    out = []
    comps = sorted(strongly_connected(adj), key=lambda c: min(order[s] for s in c))
    for comp in comps:
        if len(comp) < 2:
            continue
        # the first transfer inside the component, nearest to creation
        inside = [(a, m, b) for a in comp for m, b in adj[a] if m.kind is through and b in comp]
        if not inside:
            continue
        a, m, b = min(inside, key=lambda e: (order[e[0]], order[e[2]]))
        back = shortest_path(adj, comp, b, a)
        assert back is not None  # a and b lie on one strongly connected component
        cycle: list[Edge] = [(a, m, b)]
        for x, y in itertools.pairwise(back):
            mv = next(mm for mm, t in adj[x] if t == y)
            cycle.append((x, mv, y))
        out.append(cycle)
    return out
