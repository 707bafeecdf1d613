"""RE105 required-step-skippable: a ticket can reach a final state without a required step."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import ClassRun, Situation, _step, bfs_path
from ..analysis.index import Move
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Some ticket can reach a final state without passing a `required: true` state",
    finds=(
        "A path through the flow simulation — real roles firing real transitions — from creation to a "
        "final state that never visits a state marked `required: true`."
    ),
    why=(
        "Required steps encode the closed loop (闭环): a complaint must get its follow-up call (回访) "
        "before it is closed. A bypass means the promise is not enforced."
    ),
    example="```yaml\nstates:\n  follow_up: {required: true}\ntransitions:\n  - {name: close_now, from: resolved, to: closed, by: handle}   # skips follow_up\n```",
    fix="Remove or redirect the transition that bypasses the required state.",
)


def _bypass(run: ClassRun, required: str, finals: set[str]) -> list[tuple[Situation, Move, Situation]] | None:
    return bfs_path(run, run.starts, lambda s: s.state in finals, lambda s: s.state == required)


def _can_reach(run: ClassRun, required: str) -> set[Situation]:
    """The situations of this run from which the ticket can still reach ``required``."""
    back: dict[Situation, list[Situation]] = {}
    for a, _, b in run.edges:
        back.setdefault(b, []).append(a)
    seen = {s for s in run.parent if s.state == required}
    todo = list(seen)
    while todo:
        for a in back.get(todo.pop(), ()):
            if a not in seen:
                seen.add(a)
                todo.append(a)
    return seen


def _blame(path: list[tuple[Situation, Move, Situation]], can_reach: set[Situation]) -> Move | None:
    """The move after which the required state is out of reach for good: the real skip.

    Judged on this ticket's own situations (who holds it matters), not on the workflow's
    drawing, so an unrelated escalation earlier on the path is not blamed.
    """
    skip = None
    for a, m, b in path:
        if a in can_reach and b not in can_reach:
            skip = m
    return skip


@rule("RE105", "required-step-skippable", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        wf = idx.workflow
        finals = set(wf.final_states)
        for required, state in wf.states.items():
            if not state.required:
                continue
            for group in wrun.groups:
                run = wrun.run_of(group.first)
                path = _bypass(run, required, finals)
                if path is None:
                    continue
                skip = _blame(path, _can_reach(run, required))

                def build(
                    n: int, path=path, run=run, required=required, skip=skip, wid=wid, state=state, idx=idx
                ) -> Diagnostic:
                    start = path[0][0] if path else run.starts[0]
                    steps = list(trace(idx, run, start))
                    for a, m, b in path:
                        steps.append(_step(a.state, m.event, m.firer, b.state, b.owner, m))
                    end = path[-1][2].state if path else start.state
                    via = f" via `{skip.event}`" if skip is not None else ""
                    return check.finding(
                        f"required step `{required}` of `{wid}` can be skipped{via}: "
                        f"the ticket reaches `{end}` without it" + classes_note(n),
                        location=skip.location if skip is not None and skip.location else state.location,
                        help=f"make every path to a final state pass `{required}`",
                        workflow=wid,
                        state=required,
                        ticket=ticket(idx, run.k),
                        trace=tuple(steps),
                    )

                col.offer_group((wid, required), group, (run.k, len(path)), build)
    yield from col.results()
