"""RE104 final-state-has-exit: a transition leaves a final state."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A transition leaves a state marked final",
    finds="A transition whose `from` lists a state marked `final: true`.",
    why=(
        "A final state means the ticket's life is over; SLA clocks and reports treat it so. A way "
        "out (reopening) must be modelled as a non-final state, or reports will count the ticket closed twice."
    ),
    example="```yaml\nstates:\n  closed: {final: true}\ntransitions:\n  - {name: reopen, from: closed, to: investigating, by: handle}\n```",
    fix="Make the state non-final (e.g. `resolved`) and add a separate final state, or remove the transition.",
)


@rule("RE104", "final-state-has-exit", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, wf in an.ruleset.workflows.items():
        for t in wf.transitions:
            for s in t.sources:
                if wf.states[s].final:
                    yield check.finding(
                        f"transition `{t.name}` of `{wid}` leaves the final state `{s}`",
                        location=t.location,
                        help=f"make `{s}` non-final and add a final state after it, or remove `{t.name}`",
                        workflow=wid,
                        state=s,
                    )
