"""Exploring every class of a workflow at the cost of its distinct situations.

A large centre cuts one workflow into thousands of ticket classes, yet most of them
travel the same way: what a class's search does at a situation depends only on the few
conditions that decide the moves there.  Three layers of sharing follow from that, each
exact (:func:`~.explore.explore_class` on its own gives the same run for every class):

* **expansions** — what happens at one situation (its edges, the problems it meets) is
  computed once for every class that agrees on the conditions read there;
* **runs** — after a class's search we know every condition it read; a later class that
  agrees on all of them makes the same decisions everywhere and takes the run as it is.
  Runs are filed by the set of conditions they read and, under it, by the class's bits
  on that set, so finding one is a dictionary lookup per distinct set (a few hundred on
  a large centre), not a comparison with every earlier run;
* **groups** — two searches that read different conditions can still build the same
  graph; identical graphs are kept once, and the rules look at each once
  (:class:`~.explore.RunGroup`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .explore import ClassRun, Event, EventKind, RunGroup, Situation, WorkflowRun, _holders, begin
from .index import Move, Outcome, WorkflowIndex

Progress = Callable[[int], None]
Edge = tuple[Situation, Move, Situation]


class _Expansion(NamedTuple):
    """What the search does at one situation: the edges it adds, the problems it records,
    and the conditions that decided them."""

    edges: tuple[Edge, ...]
    links: tuple[tuple[Situation, Move], ...]  # (from, move) of each edge: the parent link it makes
    events: tuple[Event, ...]
    read: int


def _expand(idx: WorkflowIndex, cur: Situation, steps: tuple[tuple[Move, Outcome], ...], read: int) -> _Expansion:
    """One step of :func:`~.explore.explore_class` at ``cur``, from the moves found there."""
    edges: list[Edge] = []
    events: list[Event] = []
    for m, out in steps:
        if out.problem is not None:
            events.append(Event(EventKind(out.problem.value), m.target, cur, m, out.candidates))
        for owner in _holders(out):
            nxt = Situation(m.target, owner)
            if nxt != cur:
                edges.append((cur, m, nxt))
    if not edges and not events and cur.owner is not None and idx.can_be_stuck(cur.state):
        events.append(Event(EventKind.STUCK, cur.state, cur, None))
    return _Expansion(tuple(edges), tuple((a, m) for a, m, _ in edges), tuple(events), read)


class _Explorer:
    """The caches of one workflow's exploration."""

    def __init__(self, idx: WorkflowIndex) -> None:
        self.idx = idx
        self.bits = [c.bits for c in idx.space.classes]
        # per situation: [(conditions read, {class bits on them: (expansion, content no.)})]
        self.tables: dict[Situation, list[tuple[int, dict[int, tuple[_Expansion, int]]]]] = {}
        self.canonical: dict[tuple[object, ...], int] = {}  # expansions by content
        self.graphs: dict[tuple[object, ...], ClassRun] = {}

    def expand(self, cur: Situation, k: int) -> tuple[_Expansion, int]:
        """What the search does at ``cur`` for class ``k`` (when no class that agrees with
        it has been there yet), and a number naming the content: equal content, equal
        number, so that equal graphs get equal fingerprints."""
        steps, read = self.idx.steps_read(cur.state, cur.owner, k)
        exp = _expand(self.idx, cur, steps, read)
        content = (
            cur,
            tuple((id(m), b) for _, m, b in exp.edges),
            tuple((e.kind, e.state, id(e.move), e.candidates) for e in exp.events),
        )
        got = (exp, self.canonical.setdefault(content, len(self.canonical)))
        tables = self.tables.setdefault(cur, [])
        for filed, table in tables:
            if filed == read:
                table[self.bits[k] & read] = got
                break
        else:
            tables.append((read, {self.bits[k] & read: got}))
        return got

    def explore(self, k: int) -> tuple[ClassRun, int]:
        """The run of class ``k`` and the bit set of every condition its search read."""
        idx = self.idx
        finals = idx.terminal
        sig = self.bits[k]
        run = ClassRun(k)
        read = idx.handle_mask(idx.initial(k)) | idx.start_mask
        parent = run.parent
        edges = run.edges
        events = run.events
        queue = begin(idx, run)
        trail: list[int] = []
        tables = self.tables
        while queue:
            cur = queue.popleft()
            if cur.state in finals:
                continue
            got = None
            for filed, table in tables.get(cur, ()):
                got = table.get(sig & filed)
                if got is not None:
                    break
            exp, number = got if got is not None else self.expand(cur, k)
            read |= exp.read
            trail.append(number)
            if exp.events:
                events.extend(exp.events)
            edges.extend(exp.edges)
            for edge, link in zip(exp.edges, exp.links):
                nxt = edge[2]
                if nxt not in parent:
                    parent[nxt] = link
                    queue.append(nxt)
        # the graph is fixed by how the search started and which expansions it met in
        # order; an identical graph found before is kept instead of this copy
        first = idx.arrive(k)  # answered from the index's caches: `begin` asked it already
        fingerprint = (tuple(run.starts), first.problem, first.candidates, tuple(trail))
        return self.graphs.setdefault(fingerprint, run), read


def explore_workflow(idx: WorkflowIndex, progress: Progress | None = None, share: bool = True) -> WorkflowRun:
    """Explore every class of a workflow; classes that behave alike share one run.

    ``progress`` is called every few hundred classes with the number done.  With
    ``share=False`` every class is searched on its own by :func:`~.explore.explore_class`
    — the reference the tests compare against; each class is then its own group.
    """
    from .explore import explore_class

    n = idx.class_count
    runs: list[ClassRun] = []
    members: dict[int, list[int]] = {}  # id of a distinct graph -> its classes
    graphs: dict[int, ClassRun] = {}
    explorer = _Explorer(idx)
    tables: list[tuple[int, dict[int, ClassRun]]] = []  # (bits read, {class bits & bits read: run})
    by_read: dict[int, dict[int, ClassRun]] = {}
    bits = explorer.bits
    step = 250
    for k in range(n):
        sig = bits[k]
        rep: ClassRun | None = None
        if not share or idx.jumps:  # moves that change a ticket's class: each class on its own
            rep = explore_class(idx, k)
        else:
            for read, table in tables:
                rep = table.get(sig & read)
                if rep is not None:
                    break
            if rep is None:
                rep, read = explorer.explore(k)
                filed = by_read.get(read)
                if filed is None:
                    filed = by_read[read] = {}
                    tables.append((read, filed))
                filed[sig & read] = rep
        if rep.k == k:
            runs.append(rep)
        else:
            runs.append(ClassRun(k, rep.starts, rep.parent, rep.edges, rep.events))
        got = members.get(id(rep))
        if got is None:
            members[id(rep)] = [k]
            graphs[id(rep)] = rep
        else:
            got.append(k)
        if progress is not None and (k + 1) % step == 0:
            progress(k + 1)
    if progress is not None:
        progress(n)
    size = [len(c.ticket) for c in idx.space.classes]
    groups = [
        RunGroup(graphs[gid], tuple(ks), ks[0], min(ks, key=lambda k: (size[k], k))) for gid, ks in members.items()
    ]
    groups.sort(key=lambda g: g.first)
    return WorkflowRun(idx, runs, groups)
