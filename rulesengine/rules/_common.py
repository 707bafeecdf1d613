"""Helpers shared by the rules: choosing the smallest example of each finding."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from ..analysis.explore import ClassRun, RunGroup, Situation, trace_steps
from ..analysis.index import Move, WorkflowIndex
from ..diagnostics import Diagnostic


class Collector:
    """Keeps, per finding key, the example with the smallest ticket and shortest trace.

    The same defect usually shows in many ticket classes; an auditor wants it once,
    with the simplest ticket that shows it and how many classes are affected.  Classes
    that share one explored graph are offered together (:meth:`offer_group`): the rule
    looks at the graph once, and the count still says how many classes are affected.
    """

    def __init__(self) -> None:
        self._best: dict[Hashable, tuple[tuple[Any, ...], Callable[[int], Diagnostic]]] = {}
        self._classes: dict[Hashable, dict[Hashable, int]] = {}  # key -> {class or group: how many classes}
        self._order: list[Hashable] = []

    def offer(self, key: Hashable, k: int, rank: tuple[Any, ...], build: Callable[[int], Diagnostic]) -> None:
        """One class ``k`` shows the finding ``key``."""
        self._offer(key, (0, k), 1, rank, build)

    def offer_group(
        self, key: Hashable, group: RunGroup, rank: tuple[Any, ...], build: Callable[[int], Diagnostic]
    ) -> None:
        """Every class of ``group`` shows the finding; ``rank`` is that of its best example."""
        self._offer(key, (1, id(group)), len(group), rank, build)

    def _offer(
        self, key: Hashable, who: Hashable, n: int, rank: tuple[Any, ...], build: Callable[[int], Diagnostic]
    ) -> None:
        if key not in self._best:
            self._order.append(key)
            self._classes[key] = {}
        self._classes[key][who] = n
        cur = self._best.get(key)
        if cur is None or rank < cur[0]:
            self._best[key] = (rank, build)

    def results(self) -> Iterator[Diagnostic]:
        for key in self._order:
            _, build = self._best[key]
            yield build(sum(self._classes[key].values()))


def classes_note(n: int) -> str:
    return "" if n <= 1 else f" ({n} ticket classes affected)"


def trace(
    idx: WorkflowIndex, run: ClassRun, at: Situation | None, move: Move | None = None, owner: str | None = None
) -> tuple[dict[str, Any], ...]:
    return tuple(trace_steps(idx, run, at, move, owner))


def creation(initial: str) -> tuple[dict[str, Any], ...]:
    """The trace of a finding at the ticket's creation, before anyone owns it."""
    return ({"state": initial, "event": "create", "role": None, "to": initial, "owner": None, "kind": "create"},)


def ticket(idx: WorkflowIndex, k: int) -> dict[str, Any]:
    return dict(idx.ticket(k))


def rank(idx: WorkflowIndex, run: ClassRun, at: Situation | None) -> tuple[Any, ...]:
    depth = len(run.path_to(at)) if at is not None else 0
    return (len(idx.ticket(run.k)), run.k, depth)


def first_reaching(an: Any, wid: str, state: str) -> tuple[ClassRun, Situation] | None:
    """The smallest class and shortest path that reach ``state`` in workflow ``wid``."""
    best: tuple[ClassRun, Situation] | None = None
    best_rank: tuple[int, int] | None = None
    wrun = an.runs[wid]
    for group in wrun.groups:
        for sit in group.run.parent:
            if sit.state == state:
                r = (group.first, len(group.run.path_to(sit)))
                if best_rank is None or r < best_rank:
                    best, best_rank = (wrun.run_of(group.first), sit), r
                break
    return best
