"""Reporting helpers for cycle-shaped findings."""

from __future__ import annotations

from typing import Any

from ..analysis.explore import ClassRun, Situation, _step
from ..analysis.index import Move, WorkflowIndex
from ._common import trace


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
