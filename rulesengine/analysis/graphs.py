"""The three graph searches the cycle rules need, on plain dicts.

The cycle rules used to build a networkx graph for every explored run; on a large centre
that is tens of thousands of small graphs, most of the rules' time, and — since networkx
graphs refer to themselves and the command line runs without the cyclic collector —
memory that is never given back.  These functions answer on the adjacency lists the
rules already have.  They follow networkx's algorithms step for step (the order in which
neighbours are tried included), so every finding names the same cycle as before; the
tests compare them with networkx on generated graphs.

An adjacency is ``{node: [(label, successor), ...]}``, every node a key, in insertion
order; parallel edges keep their order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any, TypeVar

N = TypeVar("N", bound=Hashable)
Adjacency = dict[Any, list[tuple[Any, Any]]]


def strongly_connected(adj: Adjacency) -> list[set[Any]]:
    """The strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on_stack: set[Any] = set()
    stack: list[Any] = []
    out: list[set[Any]] = []
    for root in adj:
        if root in index:
            continue
        work: list[tuple[Any, Iterator[tuple[Any, Any]]]] = [(root, iter(adj[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for _, nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(adj[nxt])))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = set()
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp.add(x)
                    if x == node:
                        break
                out.append(comp)
    return out


def _multi_edges(adj: Adjacency, comp: set[Any], node: Any) -> list[tuple[Any, Any, int, Any]]:
    """``node``'s edges inside ``comp`` as a multigraph lists them: by successor in the
    order each was first met, parallel edges numbered 0, 1, … in their order."""
    by_succ: dict[Any, list[Any]] = {}
    for label, nxt in adj[node]:
        if nxt in comp:
            by_succ.setdefault(nxt, []).append(label)
    return [(node, nxt, key, label) for nxt, labels in by_succ.items() for key, label in enumerate(labels)]


def _edge_dfs(adj: Adjacency, comp: set[Any], start: Any) -> Iterator[tuple[Any, Any, int, Any]]:
    """networkx's ``edge_dfs`` from one node: every edge once, in the order of a
    depth-first walk that resumes each node's edge list where it left off."""
    iters: dict[Any, Iterator[tuple[Any, Any, int, Any]]] = {}
    stack = [start]
    while stack:
        node = stack[-1]
        if node not in iters:
            iters[node] = iter(_multi_edges(adj, comp, node))
        edge = next(iters[node], None)
        if edge is None:
            stack.pop()
        else:
            stack.append(edge[1])
            yield edge


def find_cycle(adj: Adjacency, comp: set[Any], start: Any) -> list[tuple[Any, Any, Any]]:
    """The cycle networkx's ``find_cycle`` finds from ``start`` in the multigraph of
    ``adj`` restricted to ``comp``, as (tail, label, head) edges; [] when there is none."""
    edges: list[tuple[Any, Any, int, Any]] = []
    active = {start}
    previous = None
    for edge in _edge_dfs(adj, comp, start):
        tail, head = edge[0], edge[1]
        if previous is not None and tail != previous:
            while True:  # backtrack to the edge whose head is this tail
                if not edges:
                    active = {tail}
                    break
                active.remove(edges.pop()[1])
                if edges and edges[-1][1] == tail:
                    break
        edges.append(edge)
        if head in active:
            # drop the lead-in: the cycle starts at ``head`` (as networkx: else the last edge)
            i = next((i for i, e in enumerate(edges) if e[0] == head), len(edges) - 1)
            return [(t, label, h) for t, h, _, label in edges[i:]]
        active.add(head)
        previous = head
    return []


def shortest_path(adj: Adjacency, comp: set[Any], source: Any, target: Any) -> list[Any] | None:
    """The path networkx's ``shortest_path`` gives from ``source`` to ``target`` in the
    simple graph of ``adj`` restricted to ``comp`` (breadth-first from both ends)."""
    if source == target:
        return [source]
    succ_of: dict[Any, list[Any]] = {}
    pred_of: dict[Any, list[Any]] = {}
    for node, outs in adj.items():  # the simple graph, in the order its edges were added
        for _, nxt in outs:
            if node in comp and nxt in comp:
                if nxt not in succ_of.setdefault(node, []):
                    succ_of[node].append(nxt)
                    pred_of.setdefault(nxt, []).append(node)
    pred: dict[Any, Any] = {source: None}
    succ: dict[Any, Any] = {target: None}
    forward, reverse = [source], [target]
    meet = None
    while forward and reverse and meet is None:
        if len(forward) <= len(reverse):
            level, forward = forward, []
            for v in level:
                for w in succ_of.get(v, ()):
                    if w not in pred:
                        forward.append(w)
                        pred[w] = v
                    if w in succ:
                        meet = w
                        break
                if meet is not None:
                    break
        else:
            level, reverse = reverse, []
            for v in level:
                for w in pred_of.get(v, ()):
                    if w not in succ:
                        succ[w] = v
                        reverse.append(w)
                    if w in pred:
                        meet = w
                        break
                if meet is not None:
                    break
    if meet is None:
        return None
    path: list[Any] = []
    w = meet
    while w is not None:
        path.append(w)
        w = pred[w]
    path.reverse()
    w = succ[path[-1]]
    while w is not None:
        path.append(w)
        w = succ[w]
    return path


def first_in(order: dict[Any, Any], nodes: Sequence[Any] | set[Any]) -> Any:
    """The node of ``nodes`` that comes first in ``order``."""
    return min(nodes, key=order.__getitem__)
