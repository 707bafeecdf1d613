"""RE104 final-state-has-exit: a transition leaves a final state without being declared a reopening."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A transition leaves a state marked final without the state declaring it a reopening",
    finds=(
        "A final state with transitions out of it that its `reopen:` list does not name. Reported once "
        "per state, naming every such transition."
    ),
    why=(
        "A final state means the ticket's life is over; SLA clocks and reports treat it so. Real ticket "
        "systems let a closed ticket be reopened, and the rules can say so (`reopen: [reopen]` on the "
        "state) — but an exit nobody declared is usually a `from: [...]` list that names the wrong state."
    ),
    example=(
        "```yaml\nstates:\n  closed: {final: true}\ntransitions:\n"
        "  - {name: reopen, from: closed, to: investigating, by: handle}\n```"
    ),
    fix=(
        "Declare the reopening on the final state (`closed: {final: true, reopen: [reopen]}`), or make "
        "the state non-final, or remove the transition."
    ),
)


@rule("RE104", "final-state-has-exit", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, wf in an.ruleset.workflows.items():
        for sid, st in wf.states.items():
            if not st.final:
                continue
            leaving = [t for t in wf.transitions if sid in t.sources and t.name not in st.reopen]
            if not leaving:
                continue
            names = list(dict.fromkeys(t.name for t in leaving))
            shown = ", ".join(f"`{n}`" for n in names)
            plural = "s" if len(names) > 1 else ""
            yield check.finding(
                f"transition{plural} {shown} of `{wid}` leave{'' if plural else 's'} the final state `{sid}`",
                location=leaving[0].location,
                help=f"declare the reopening with `reopen: [{', '.join(names)}]` on `{sid}`, or make it non-final",
                workflow=wid,
                state=sid,
            )
