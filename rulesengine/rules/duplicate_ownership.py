"""RE202 duplicate-ownership: two or more roles own the same step of a `single` workflow."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import EventKind
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Kind
from ._common import Collector, classes_note, creation, rank, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Several roles are eligible to own the same step, and no `assign` order settles it",
    finds=(
        "An assignment (on creation, or when the ticket moves to a state its owner does not cover) "
        "where two or more roles' `handle` grants cover the ticket, in a workflow with "
        "`ownership: single`, and the workflow's `assign` order does not list every one of them."
    ),
    why=(
        "Duplicate handling (重复处理): several agents pick up the same ticket and effort is wasted, "
        'against the "one ticket, one owner" rule (一单到底).'
    ),
    example=(
        "```yaml\n# roles/vip_service.yaml handles tier: vip in `complaint`\n"
        "# roles/frontline_agent.yaml handles every tier in `complaint`\n```"
    ),
    fix=(
        "Narrow one grant's `when` so the scopes no longer overlap, or list the roles in the "
        "workflow's `assign:` order to make the overlap deliberate, or use `ownership: shared`."
    ),
)


@rule("RE202", "duplicate-ownership", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        for group in wrun.groups:
            run = wrun.run_of(group.smallest)
            for ev in run.events:
                if ev.kind is not EventKind.DUPLICATE:
                    continue
                key = (wid, ev.state, ev.candidates)

                def build(n: int, ev=ev, run=run, idx=idx, wid=wid) -> Diagnostic:
                    grants = [g for r in ev.candidates for g in idx.covering(Kind.HANDLE, r, ev.state, ev.cls(run.k))]
                    locs = [g.location for g in grants if g.location is not None]
                    roles = ", ".join(f"`{r}`" for r in ev.candidates)
                    return check.finding(
                        f"duplicate ownership in `{wid}` at `{ev.state}`: {roles} may all own the ticket"
                        + classes_note(n),
                        location=locs[1]
                        if len(locs) > 1
                        else (locs[0] if locs else idx.workflow.states[ev.state].location),
                        help="narrow one of the grants, or list these roles in the workflow's `assign` order",
                        workflow=wid,
                        state=ev.state,
                        role=ev.candidates[0],
                        ticket=ticket(idx, ev.cls(run.k)),  # the ticket as it is there (after a `set:`)
                        trace=trace(idx, run, ev.at, ev.move, None) or creation(idx.initial(run.k)),
                        related=tuple(locs),
                    )

                col.offer_group(key, group, rank(idx, run, ev.at), build)
    yield from col.results()
