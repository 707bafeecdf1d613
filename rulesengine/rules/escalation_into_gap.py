"""RE203 escalation-into-gap: a raise or transfer to a role that cannot handle the ticket there."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import EventKind
from ..analysis.index import MoveKind
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, rank, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="An escalation, timed escalation or transfer hands the ticket to a role that cannot handle it",
    finds=(
        "A move that makes a named role the owner — an `escalate` transition (the escalate grant's "
        "`to`), a `coordinate` transfer (a role in the grant's `with`) or a timed escalation — where "
        "that role has no `handle` grant covering the ticket in the state it lands in."
    ),
    why=(
        "The permission-upgrade path (权限升级机制) ends with a role that may not act: the ticket is "
        "raised and then stalls, usually at the moment the customer is already waiting longest."
    ),
    example=(
        "```yaml\n# workflows/complaint.yaml\nescalations:\n  - {after: 3m, in: received, to: supervisor}\n"
        "# but supervisor's handle grants do not cover `received` in `complaint`\n```"
    ),
    fix="Extend the target role's `handle` grant to that state and ticket, or raise to a role that has it.",
)


@rule("RE203", "escalation-into-gap", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        for group in wrun.groups:
            run = wrun.run_of(group.smallest)
            for ev in run.events:
                if ev.kind is not EventKind.INTO_GAP or ev.move is None:
                    continue
                m = ev.move
                key = (wid, m.source, m.event, m.new_owner, ev.state)
                what = {MoveKind.TIMER: "timed escalation", MoveKind.ESCALATE: "escalation"}.get(m.kind, "transfer")

                def build(n: int, ev=ev, m=m, run=run, idx=idx, wid=wid, what=what) -> Diagnostic:
                    by = f" by `{m.firer}`" if m.firer else ""
                    return check.finding(
                        f"{what} `{m.event}`{by} in `{wid}` hands the ticket to `{m.new_owner}`, "
                        f"which cannot handle it at `{ev.state}`" + classes_note(n),
                        location=m.location,
                        help=f"give `{m.new_owner}` a `handle` grant covering `{ev.state}` for this ticket, "
                        "or raise to a role that has one",
                        workflow=wid,
                        state=ev.state,
                        role=m.new_owner,
                        ticket=ticket(idx, ev.cls(run.k)),  # the ticket as it is there (after a `set:`)
                        trace=trace(idx, run, ev.at, m, m.new_owner),
                    )

                col.offer_group(key, group, rank(idx, run, ev.at), build)
    yield from col.results()
