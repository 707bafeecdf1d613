"""RE204 escalation-cycle: a chain of escalations that comes back on itself."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.cycles import first_cycles
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, ticket
from ._cycle_common import chain_text, cycle_trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Escalations (transitions or timers) lead back to where they started",
    finds=(
        "A cycle of situations (state, owner) linked only by `escalate` transitions and timed "
        "escalations: A raises to B and B — or a timer — hands it back to A."
    ),
    why=(
        "An escalation is meant to reach someone with more authority. A loop means the upgrade path "
        "has no top, and a ticket can be raised forever without a decision."
    ),
    example=(
        "```yaml\n# roles/super_agent.yaml\nescalate:\n  - {to: supervisor}\n"
        "# roles/supervisor.yaml\nescalate:\n  - {to: super_agent}\n```"
    ),
    fix="Make escalations go up the reporting line only; the top role should handle, not escalate.",
)


@rule("RE204", "escalation-cycle", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        for run in wrun:
            for steps in first_cycles(run, ("escalate", "timer")):
                roles = tuple(sorted({b.owner or "" for _, _, b in steps}))
                states = tuple(sorted({b.state for _, _, b in steps}))
                key = (wid, roles, states)

                def build(n: int, steps=steps, run=run, idx=idx, wid=wid) -> Diagnostic:
                    closing = steps[-1][1]
                    return check.finding(
                        f"escalation cycle in `{wid}` at `{steps[0][0].state}`: {chain_text(steps)}" + classes_note(n),
                        location=closing.location,
                        help="escalate only up the reporting line; the last role should handle the ticket",
                        workflow=wid,
                        state=steps[0][0].state,
                        role=steps[0][0].owner,
                        ticket=ticket(idx, run.k),
                        trace=cycle_trace(idx, run, steps),
                    )

                col.offer(key, run.k, (run.k, len(run.path_to(steps[0][0]))), build)
    yield from col.results()
