"""RE102 dead-end-state: a non-final state with no way out."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from ._common import first_reaching, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A reachable state that is not final and has no outgoing transition",
    finds="A reachable, non-final state that no transition (and no timed escalation with `goto`) leaves.",
    why="Tickets that arrive there can never be closed: they stay open forever and break every SLA.",
    example="```yaml\nstates:\n  waiting_parts: {}   # nothing leaves this state\ntransitions:\n  - {name: order_parts, from: diagnose, to: waiting_parts, by: handle}\n```",
    fix="Add the transition that leaves the state, or mark it `final: true` if tickets really end there.",
)


@rule("RE102", "dead-end-state", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, st in an.structure.items():
        for sid in st.dead_ends:
            if sid not in st.reachable:
                continue
            hit = first_reaching(an, wid, sid)
            idx = an.index.workflow(wid)
            yield check.finding(
                f"state `{sid}` of `{wid}` is a dead end: it is not final and nothing leaves it",
                location=st.wf.states[sid].location,
                help="add a transition out of this state, or mark it `final: true`",
                workflow=wid,
                state=sid,
                ticket=ticket(idx, hit[0].k) if hit else None,
                trace=trace(idx, hit[0], hit[1]) if hit else (),
            )
