"""RE201 ownership-gap: a reachable step where no role may own or move the ticket."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import EventKind
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, creation, rank, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A reachable step has no eligible owner, or nobody can move the ticket on",
    finds=(
        "A ticket reaches a state where it must be assigned but no role's `handle` grant covers it, "
        "or a situation where its owner holds it but nobody — owner, transfer, escalation or timer — "
        "can move it on, and the state is not final."
    ),
    why=(
        'This is the "no clear owner" failure (责任不明确): the customer gets no definite answer '
        "and the ticket waits until someone complains."
    ),
    example=(
        "```yaml\n# roles/frontline_agent.yaml\nhandle:\n  - workflows: [after_sales]\n"
        "    limits: {amount: 200}\n# no role handles refunds above 200 at `approve_refund`\n```"
    ),
    fix=(
        "Give some role a `handle` grant covering the state for those tickets (widen a `when` or "
        "a limit), or add a transition, escalation or timed escalation that moves the ticket on."
    ),
)


@rule("RE201", "ownership-gap", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        wf = idx.workflow
        can_finish = an.structure[wid].can_finish
        for group in wrun.groups:
            run = wrun.run_of(group.smallest)
            for ev in run.events:
                if ev.kind not in (EventKind.GAP, EventKind.STUCK):
                    continue
                if ev.kind is EventKind.STUCK and ev.state not in can_finish:
                    continue  # the state is trapped anyway: no-path-to-final reports it
                st = wf.states[ev.state]
                if ev.kind is EventKind.GAP:
                    how = "no role may own the ticket" + (" on creation" if ev.at is None else "")
                    key: tuple[object, ...] = (wid, ev.state, "gap")
                else:
                    how = f"`{ev.at.owner if ev.at else '?'}` holds the ticket but nobody can move it on"
                    key = (wid, ev.state, "stuck", ev.at.owner if ev.at else None)

                def build(n: int, ev=ev, run=run, how=how, st=st, idx=idx, wid=wid) -> Diagnostic:
                    return check.finding(
                        f"ownership gap in `{wid}` at `{ev.state}`: {how}{classes_note(n)}",
                        location=st.location,
                        help=(
                            "give a role a `handle` grant covering this state for this ticket"
                            if ev.kind is EventKind.GAP
                            else "let the owner fire a transition here, or add an escalation or timer"
                        ),
                        workflow=wid,
                        state=ev.state,
                        role=ev.at.owner if ev.kind is EventKind.STUCK and ev.at else None,
                        ticket=ticket(idx, ev.cls(run.k)),  # the ticket as it is there (after a `set:`)
                        trace=trace(idx, run, ev.at, ev.move, None) or creation(idx.initial(run.k)),
                    )

                col.offer_group(key, group, rank(idx, run, ev.at), build)
    yield from col.results()
