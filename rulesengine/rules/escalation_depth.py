"""RE206 escalation-depth: escalation chains longer than the configured limit."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.cycles import ESCALATIONS, Memo, longest_chain
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note, ticket
from ._cycle_common import chain_text, cycle_trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A ticket can be escalated more times in a row than the limit allows (default 3)",
    finds=(
        "A chain of consecutive escalations — `escalate` transitions and timed escalations with no "
        "other step between them — longer than `--max-escalation-depth` (default 3)."
    ),
    why=(
        "Every hop costs the customer waiting time and loses context; a long chain usually means the "
        "first roles lack the authority the tickets need."
    ),
    example="frontline_agent → super_agent → supervisor → director → vice_president (4 hops)",
    fix="Give a lower role the authority (a wider `handle` or a higher limit), or raise straight to the role that decides.",
)


@rule("RE206", "escalation-depth", Severity.WARNING, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    limit = an.options.max_escalation_depth
    col = Collector()
    memo: Memo = {}
    for wid, wrun in an.runs.items():
        idx = wrun.index
        for group in wrun.groups:
            run = wrun.run_of(group.first)
            steps = longest_chain(run, ESCALATIONS, memo)
            if len(steps) <= limit:
                continue
            key = (wid, tuple(b.owner for _, _, b in steps))

            def build(n: int, steps=steps, run=run, idx=idx, wid=wid) -> Diagnostic:
                return check.finding(
                    f"escalation chain of {len(steps)} hops in `{wid}`, above the limit of {limit}: "
                    f"{chain_text(steps)}" + classes_note(n),
                    location=steps[-1][1].location,
                    help="give a lower role the authority, or raise straight to the role that decides",
                    workflow=wid,
                    state=steps[0][0].state,
                    role=steps[0][0].owner,
                    ticket=ticket(idx, run.k),
                    trace=cycle_trace(idx, run, steps),
                )

            col.offer_group(key, group, (run.k, len(steps)), build)
    yield from col.results()
