"""The cycle searches of ``analysis.graphs`` name exactly the cycles networkx names."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.analysis.graphs import find_cycle, shortest_path, strongly_connected

# small directed multigraphs: edges (tail, head) over up to 7 nodes, labelled by position
edges_lists = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=18)


def adjacency(edges: list[tuple[int, int]]) -> dict[int, list[tuple[int, int]]]:
    adj: dict[int, list[tuple[int, int]]] = {}
    for label, (a, b) in enumerate(edges):
        if a == b:
            continue  # explored runs have no self-loops
        adj.setdefault(a, []).append((label, b))
        adj.setdefault(b, [])
    return adj


@settings(max_examples=400, deadline=None)
@given(edges_lists, st.data())
def test_find_cycle_matches_networkx(edges: list[tuple[int, int]], data: st.DataObject) -> None:
    adj = adjacency(edges)
    g = nx.MultiDiGraph()
    for a, outs in adj.items():
        for label, b in outs:
            g.add_edge(a, b, label=label)
    comps = strongly_connected(adj)
    assert sorted(map(sorted, comps)) == sorted(map(sorted, nx.strongly_connected_components(g)))
    for comp in comps:
        if len(comp) < 2:
            continue
        start = data.draw(st.sampled_from(sorted(comp)))
        sub = g.subgraph(comp)
        want = [(a, sub.edges[a, b, k]["label"], b) for a, b, k in nx.find_cycle(sub, source=start)]
        assert find_cycle(adj, comp, start) == want


@settings(max_examples=400, deadline=None)
@given(edges_lists)
def test_shortest_path_matches_networkx(edges: list[tuple[int, int]]) -> None:
    adj = adjacency(edges)
    g = nx.DiGraph()
    for a, outs in adj.items():
        for _, b in outs:
            g.add_edge(a, b)
    for comp in strongly_connected(adj):
        if len(comp) < 2:
            continue
        sub = g.subgraph(comp)
        for a, b in itertools.permutations(sorted(comp), 2):
            assert shortest_path(adj, comp, a, b) == nx.shortest_path(sub, a, b)
