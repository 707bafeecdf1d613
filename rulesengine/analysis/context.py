"""The shared state of one analysis run, handed to every rule.

Building the permission index and exploring every workflow is the expensive part; the
rules only read the results.  Everything is computed lazily and once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..model.conditions import Condition
from ..model.ruleset import Ruleset
from .explore import WorkflowRun
from .index import PermissionIndex
from .partition import WorkflowSpace, build_space
from .sharing import explore_workflow
from .structure import Structure


@dataclass(frozen=True)
class Options:
    """Tunable limits of the analysis."""

    max_escalation_depth: int = 3
    # share runs between ticket classes that behave alike; off, every class is searched
    # on its own (slow: the reference the tests hold the shared exploration to)
    share_runs: bool = True


@dataclass(frozen=True)
class Step:
    """How far a long computation has got, for a progress display.

    ``stage`` names what is being done (``index``, ``explore``, ``rules``, ``matrix``,
    ``simulate``, ``diagrams``), ``done`` of ``total`` its units; while exploring, the
    units are ticket classes and ``workflows`` / ``of_workflows`` count whole workflows.
    """

    stage: str
    done: int
    total: int
    workflows: int = 0
    of_workflows: int = 0


ProgressFn = Callable[[Step], None]


@dataclass
class Analysis:
    ruleset: Ruleset
    options: Options = field(default_factory=Options)
    restrict: Condition | None = None
    workflows: tuple[str, ...] | None = None
    # told how the exploration and what follows it advance; the library never prints
    progress: ProgressFn | None = None

    def report(self, step: Step) -> None:
        """Pass ``step`` to the progress callback, if there is one."""
        if self.progress is not None:
            self.progress(step)

    @cached_property
    def index(self) -> PermissionIndex:
        return PermissionIndex(self.ruleset, self.restrict)

    @cached_property
    def runs(self) -> dict[str, WorkflowRun]:
        wids = self.workflows if self.workflows is not None else tuple(self.ruleset.workflows)
        indexes = []
        for i, wid in enumerate(wids):
            indexes.append(self.index.workflow(wid))
            self.report(Step("index", i + 1, len(wids)))
        total = sum(idx.class_count for idx in indexes)
        done = 0
        out: dict[str, WorkflowRun] = {}
        for i, (wid, idx) in enumerate(zip(wids, indexes, strict=True)):

            def tick(n: int, base: int = done, i: int = i) -> None:
                self.report(Step("explore", base + n, total, i, len(wids)))

            out[wid] = explore_workflow(idx, tick if self.progress else None, self.options.share_runs)
            done += idx.class_count
            self.report(Step("explore", done, total, i + 1, len(wids)))
        return out

    @cached_property
    def workflow_space(self) -> WorkflowSpace | None:
        """Tickets partitioned by which workflows' ``applies_when`` they satisfy."""
        wfs = list(self.ruleset.workflows.values())
        if not wfs:
            return None
        anywhere = dataclasses.replace(wfs[0], id="*", applies_when=Condition())
        return build_space(self.ruleset, anywhere, [w.applies_when for w in wfs], self.restrict)

    @cached_property
    def structure(self) -> dict[str, Structure]:
        return {wid: Structure(wf) for wid, wf in self.ruleset.workflows.items()}
