"""The shared state of one analysis run, handed to every rule.

Building the permission index and exploring every workflow is the expensive part; the
rules only read the results.  Everything is computed lazily and once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

from ..conditions import Condition
from ..model import Ruleset
from .explore import WorkflowRun, explore_workflow
from .index import PermissionIndex
from .partition import WorkflowSpace, build_space
from .structure import Structure


@dataclass(frozen=True)
class Options:
    """Tunable limits of the analysis."""

    max_escalation_depth: int = 3


@dataclass
class Analysis:
    ruleset: Ruleset
    options: Options = field(default_factory=Options)
    restrict: Condition | None = None
    workflows: tuple[str, ...] | None = None

    @cached_property
    def index(self) -> PermissionIndex:
        return PermissionIndex(self.ruleset, self.restrict)

    @cached_property
    def runs(self) -> dict[str, WorkflowRun]:
        wids = self.workflows if self.workflows is not None else tuple(self.ruleset.workflows)
        return {wid: explore_workflow(self.index.workflow(wid)) for wid in wids}

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
