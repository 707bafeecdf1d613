"""RE207 no-workflow: tickets that no workflow applies to."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Some tickets match no workflow's `applies_when`, so nobody ever owns them",
    finds=(
        "A combination of ticket attribute values, declared in `ticket.yaml`, that the "
        "`applies_when` of no workflow covers. Such a ticket has no state machine, no owner and "
        "no SLA."
    ),
    why=(
        'This is the intake side of "no clear owner" (责任不明确): a category the centre accepts '
        "but never routes. It usually appears when a value is added to `ticket.yaml` before its workflow."
    ),
    example=(
        "```yaml\n# ticket.yaml\ncategory: {values: [inquiry, refund, complaint]}\n"
        "# workflows/: only `inquiry` and `complaint` flows exist\n```"
    ),
    fix="Add a workflow for those tickets, widen an `applies_when`, or remove the value from `ticket.yaml`.",
)


@rule("RE207", "no-workflow", Severity.ERROR, DOC, category="coverage")
def check(an: Analysis) -> Iterator[Diagnostic]:
    space = an.workflow_space
    if space is None:
        return
    uncovered = [c for c in space.classes if not c.signature]
    if not uncovered:
        return
    first = uncovered[0]
    attrs = an.ruleset.attributes
    # point at the declared value no workflow takes (else at the attribute)
    loc = next(
        (attrs[a].value_locations[v] for a, v in first.ticket.items() if v in attrs[a].value_locations),
        next((attrs[a].location for a in first.ticket if attrs[a].location is not None), None),
    )
    more = f" ({len(uncovered)} kinds of ticket)" if len(uncovered) > 1 else ""
    shown = ", ".join(f"{k}={v}" for k, v in first.ticket.items())
    yield check.finding(
        f"no workflow applies to a ticket with {shown}{more}",
        location=loc,
        help="add a workflow for these tickets, widen an `applies_when`, or drop the value from `ticket.yaml`",
        ticket=dict(first.ticket),
    )
