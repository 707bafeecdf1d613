"""Cycles and chains among one kind of move (escalations, transfers) in a class's graph.

Most classes have few such edges and no cycle, so the common path is a plain
topological sort over a dict; networkx is imported only to dissect a graph that does
contain a cycle.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from .explore import ClassRun, Situation
from .index import Move, MoveKind

# the moves that raise a ticket, and every move that hands it to a named role
ESCALATIONS = (MoveKind.ESCALATE, MoveKind.TIMER)
HANDOFFS = (MoveKind.COORDINATE, MoveKind.ESCALATE, MoveKind.TIMER)

Edge = tuple[Situation, Move, Situation]


def _adjacency(run: ClassRun, kinds: frozenset[MoveKind]) -> dict[Situation, list[tuple[Move, Situation]]]:
    adj: dict[Situation, list[tuple[Move, Situation]]] = {}
    for a, m, b in run.edges:
        if m.kind in kinds:
            adj.setdefault(a, []).append((m, b))
            adj.setdefault(b, [])
    return adj


def _topological(adj: dict[Situation, list[tuple[Move, Situation]]]) -> list[Situation] | None:
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


def first_cycles(run: ClassRun, kinds: Iterable[MoveKind]) -> list[list[Edge]]:
    """One cycle per strongly connected component of the ``kinds`` edges, as edge lists.

    The cycle starts at the component's situation nearest to creation, so the trace to
    it plus the cycle reads naturally.
    """
    adj = _adjacency(run, frozenset(kinds))
    if not adj or _topological(adj) is not None:
        return []
    import networkx as nx

    g = nx.MultiDiGraph()
    for a, outs in adj.items():
        for m, b in outs:
            g.add_edge(a, b, move=m)
    order = {s: i for i, s in enumerate(run.parent)}
    out = []
    for comp in sorted(nx.strongly_connected_components(g), key=lambda c: min(order.get(s, 0) for s in c)):
        if len(comp) < 2 and not any(g.has_edge(s, s) for s in comp):
            continue
        start = min(comp, key=lambda s: order.get(s, 0))
        sub = g.subgraph(comp)
        cyc = nx.find_cycle(sub, source=start)
        out.append([(a, sub.edges[a, b, key]["move"], b) for a, b, key in cyc])
    return out


def longest_chain(run: ClassRun, kinds: Iterable[MoveKind]) -> list[Edge]:
    """The longest path of consecutive ``kinds`` moves (empty when they form a cycle)."""
    adj = _adjacency(run, frozenset(kinds))
    if not adj:
        return []
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


def cycles_through(run: ClassRun, kinds: Iterable[MoveKind], through: MoveKind) -> list[list[Edge]]:
    """One cycle per strongly connected component of the ``kinds`` edges that passes
    through an edge of kind ``through`` (e.g. a transfer inside a loop of hand-offs)."""
    adj = _adjacency(run, frozenset(kinds))
    if not any(m.kind is through for outs in adj.values() for m, _ in outs):
        return []
    if _topological(adj) is not None:
        return []
    import networkx as nx

    g = nx.DiGraph()
    for a, outs in adj.items():
        for _, b in outs:
            g.add_edge(a, b)
    order = {s: i for i, s in enumerate(run.parent)}
    out = []
    comps = sorted(nx.strongly_connected_components(g), key=lambda c: min(order.get(s, 0) for s in c))
    for comp in comps:
        if len(comp) < 2:
            continue
        # the first transfer inside the component, nearest to creation
        inside = [(a, m, b) for a in comp for m, b in adj[a] if m.kind is through and b in comp]
        if not inside:
            continue
        a, m, b = min(inside, key=lambda e: (order.get(e[0], 0), order.get(e[2], 0)))
        back = nx.shortest_path(g.subgraph(comp), b, a)
        cycle: list[Edge] = [(a, m, b)]
        for x, y in itertools.pairwise(back):
            mv = next(mm for mm, t in adj[x] if t == y)
            cycle.append((x, mv, y))
        out.append(cycle)
    return out
