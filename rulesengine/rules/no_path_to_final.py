"""RE103 no-path-to-final: a state from which no final state can be reached."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from ._common import first_reaching, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A reachable state from which no final state can be reached",
    finds=(
        "A reachable, non-final state that has outgoing transitions, all of which lead into states "
        "that go round in circles without ever reaching a final state. (States that only lead into "
        "a dead end are reported as `dead-end-state` instead.)"
    ),
    why="Tickets entering this part of the workflow can never be closed: the loop has no exit.",
    example="```yaml\ntransitions:\n  - {name: ask, from: waiting, to: clarifying, by: handle}\n  - {name: answer, from: clarifying, to: waiting, by: handle}\n# nothing leaves waiting/clarifying towards `closed`\n```",
    fix="Add a transition from the loop towards a final state.",
)


@rule("RE103", "no-path-to-final", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, st in an.structure.items():
        wf = st.wf
        into_dead_end = st.reach_to(set(st.dead_ends)) if st.dead_ends else set()
        for sid in wf.states:
            if wf.states[sid].final or sid not in st.reachable or sid in st.can_finish:
                continue
            if sid in into_dead_end:
                continue
            hit = first_reaching(an, wid, sid)
            idx = an.index.workflow(wid)
            yield check.finding(
                f"no final state of `{wid}` can be reached from `{sid}`",
                location=wf.states[sid].location,
                help="add a transition that leads from here towards a final state",
                workflow=wid,
                state=sid,
                ticket=ticket(idx, hit[0].k) if hit else None,
                trace=trace(idx, hit[0], hit[1]) if hit else (),
            )
