"""RE401 sla-target-unreachable: an SLA whose stop state some tickets never reach."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import ClassRun, Situation
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="An SLA's stop state cannot be reached by some tickets it applies to",
    finds=(
        "An SLA under a workflow's `sla:` whose `stop` states (by default the final states) no "
        "reachable situation of the flow simulation reaches, for some ticket the SLA applies to."
    ),
    why="The clock of such an SLA never stops: every such ticket breaches it, and the KPI is meaningless.",
    example="```yaml\nsla:\n  first_response: {target: 3m, stop: acknowledged}\n# but chat tickets go from `new` straight to `solving`\n```",
    fix="Point `stop` at a state every ticket passes, or narrow the SLA's `when` to the tickets that pass it.",
)


def _end(run: ClassRun, finals: frozenset[str]) -> Situation:
    """Where the ticket's life ends without the SLA stopping: the nearest final state, else
    the first situation it cannot leave, else the last one the search found."""
    order = list(run.parent)
    out = {a for a, _, _ in run.edges}
    return next((s for s in order if s.state in finals), next((s for s in order if s not in out), order[-1]))


@rule("RE401", "sla-target-unreachable", Severity.ERROR, DOC, category="sla")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wrun in an.runs.items():
        idx = wrun.index
        wf = idx.workflow
        for sla in wf.slas:
            stops = set(sla.stop)
            for group in wrun.groups:
                # a ticket nobody may own from its creation on is the gap's finding, not this one
                if all(s.owner is None for s in group.run.parent) or any(s.state in stops for s in group.run.parent):
                    continue
                # whether the SLA applies is a property of each class, not of the shared graph
                for run in (wrun.run_of(k) for k in group.classes if idx.sla_applies(sla, k)):

                    def build(n: int, sla=sla, run=run, wid=wid, stops=stops, idx=idx) -> Diagnostic:
                        names = " or ".join(f"`{s}`" for s in sorted(stops))
                        who = ", ".join(f"{a}={v}" for a, v in idx.ticket(run.k).items()) or "any ticket"
                        end = _end(run, idx.finals)
                        return check.finding(
                            f"SLA `{sla.name}` of `{wid}` never stops for some tickets: a ticket with {who} "
                            f"never reaches {names}; it ends at `{end.state}`" + classes_note(n),
                            location=sla.location,
                            help="stop the SLA at a state these tickets pass, or narrow its `when`",
                            workflow=wid,
                            state=end.state,
                            ticket=dict(idx.ticket(run.k)),
                            trace=trace(idx, run, end),
                        )

                    col.offer((wid, sla.name), run.k, (run.k,), build)
    yield from col.results()
