"""Cycles and chains among one kind of move (escalations, transfers) in a class's graph."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import networkx as nx

from .explore import ClassRun, Situation
from .index import Move


def subgraph(run: ClassRun, kinds: Iterable[str]) -> nx.MultiDiGraph:
    kinds = set(kinds)
    g = nx.MultiDiGraph()
    for a, m, b in run.edges:
        if m.kind in kinds:
            g.add_edge(a, b, move=m)
    return g


def first_cycles(run: ClassRun, kinds: Iterable[str]) -> list[list[tuple[Situation, Move, Situation]]]:
    """One cycle per strongly connected component of the ``kinds`` edges, as edge lists.

    The cycle starts at the component's situation nearest to creation, so the trace to
    it plus the cycle reads naturally.
    """
    g = subgraph(run, kinds)
    if g.number_of_edges() == 0:
        return []
    order = {s: i for i, s in enumerate(run.parent)}
    out = []
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2 and not any(g.has_edge(s, s) for s in comp):
            continue
        start = min(comp, key=lambda s: order.get(s, 0))
        sub = g.subgraph(comp)
        cyc = nx.find_cycle(sub, source=start)
        steps = []
        for a, b, key in cyc:
            steps.append((a, sub.edges[a, b, key]["move"], b))
        out.append(steps)
    return out


def longest_chain(run: ClassRun, kinds: Iterable[str]) -> list[tuple[Situation, Move, Situation]]:
    """The longest path of consecutive ``kinds`` moves (empty when they form a cycle)."""
    g = subgraph(run, kinds)
    if g.number_of_edges() == 0 or not nx.is_directed_acyclic_graph(g):
        return []
    path = nx.dag_longest_path(g)
    steps = []
    for a, b in itertools.pairwise(path):
        data = g.get_edge_data(a, b)
        steps.append((a, data[min(data)]["move"], b))
    return steps
