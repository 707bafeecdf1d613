"""Reporting helpers for cycle-shaped findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..analysis.cycles import Memo
from ..analysis.explore import ClassRun, Situation, _step
from ..analysis.index import Move, WorkflowIndex
from ..diagnostics import Diagnostic
from ._common import Collector, classes_note, ticket, trace

if TYPE_CHECKING:
    from ..analysis.context import Analysis
    from .registry import Rule

Cycle = list[tuple[Situation, Move, Situation]]


def cycle_trace(
    idx: WorkflowIndex, run: ClassRun, steps: list[tuple[Situation, Move, Situation]]
) -> tuple[dict[str, Any], ...]:
    head = list(trace(idx, run, steps[0][0]))
    for a, m, b in steps:
        head.append(_step(a.state, m.event, m.firer, b.state, b.owner, m))
    return tuple(head)


def chain_text(steps: list[tuple[Situation, Move, Situation]]) -> str:
    parts = [f"`{steps[0][0].owner}`"]
    for _, _m, b in steps:
        parts.append(f"`{b.owner}`")
    return " → ".join(parts)


def cycle_findings(
    an: Analysis,
    rule: Rule,
    find: Callable[[ClassRun, Memo], list[Cycle]],
    what: str,
    help: str,
) -> Iterator[Diagnostic]:
    """One finding per distinct loop (workflow, roles, states), with the smallest ticket."""
    col = Collector()
    memo: Memo = {}
    for wid, wrun in an.runs.items():
        idx = wrun.index
        for group in wrun.groups:
            run = wrun.run_of(group.first)
            for steps in find(run, memo):
                roles = tuple(sorted({b.owner or "" for _, _, b in steps}))
                states = tuple(sorted({b.state for _, _, b in steps}))

                def build(
                    n: int, steps: Cycle = steps, run: ClassRun = run, idx: WorkflowIndex = idx, wid: str = wid
                ) -> Diagnostic:
                    return rule.finding(
                        f"{what} in `{wid}` at `{steps[0][0].state}`: {chain_text(steps)}" + classes_note(n),
                        location=steps[-1][1].location,
                        help=help,
                        workflow=wid,
                        state=steps[0][0].state,
                        role=steps[0][0].owner,
                        ticket=ticket(idx, run.k),
                        trace=cycle_trace(idx, run, steps),
                    )

                col.offer_group((wid, roles, states), group, (run.k, len(run.path_to(steps[0][0]))), build)
    yield from col.results()
