"""RE402 sla-applies-to-nothing: an SLA whose `when` no ticket of its workflow satisfies."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="An SLA that applies to no ticket of its workflow",
    finds=(
        "An SLA whose `when` condition, together with the workflow's `applies_when`, no ticket "
        "satisfies — for example an e-mail response target on a workflow that only takes phone calls."
    ),
    why=(
        "The service level is written down and reported as in force, yet no ticket is ever measured "
        "against it: the centre believes a promise is tracked that is not."
    ),
    example=(
        "```yaml\napplies_when: {channel: [phone, chat]}\nsla:\n"
        "  first_response_email: {target: 1wd, calendar: office, when: {channel: email}}\n```"
    ),
    fix="Correct the SLA's `when` (or the workflow's `applies_when`), or remove the SLA.",
)


@rule("RE402", "sla-applies-to-nothing", Severity.WARNING, DOC, category="sla")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid in an.runs:
        idx = an.index.workflow(wid)
        wf = idx.workflow
        for sla in wf.slas:
            if any(idx.sla_applies(sla, k) for k in range(idx.class_count)):
                continue
            scope = wf.applies_when.describe()
            yield check.finding(
                f"SLA `{sla.name}` of `{wid}` applies to no ticket: its `when` ({sla.condition.describe()}) "
                f"never holds for the workflow's tickets ({scope})",
                location=sla.location,
                help="correct the SLA's `when` or the workflow's `applies_when`, or remove the SLA",
                workflow=wid,
            )
