"""RE208 overlapping-workflows: tickets that two workflows apply to."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Some tickets match the `applies_when` of two or more workflows",
    finds="A combination of ticket attribute values that the `applies_when` of several workflows cover at once.",
    why=(
        "A ticket must follow one state machine. When two apply, which states, owners and SLAs "
        "hold depends on who opened it — the enforcement of one workflow cannot be audited against the other."
    ),
    example=(
        "```yaml\n# workflows/complaint.yaml\napplies_when: {category: complaint}\n"
        "# workflows/vip_care.yaml\napplies_when: {tier: vip}     # a VIP complaint matches both\n```"
    ),
    fix="Make the `applies_when` conditions exclusive, e.g. `tier: {not: [vip]}` on one of them.",
)


@rule("RE208", "overlapping-workflows", Severity.WARNING, DOC, category="coverage")
def check(an: Analysis) -> Iterator[Diagnostic]:
    space = an.workflow_space
    if space is None:
        return
    wids = list(an.ruleset.workflows)
    seen: set[frozenset[int]] = set()
    for c in space.classes:
        if len(c.signature) < 2:
            continue
        pair = frozenset(sorted(c.signature)[:2])
        if pair in seen:
            continue
        seen.add(pair)
        # blame the broader workflow (fewer attributes in `applies_when`): narrowing it is the usual fix
        first, second = sorted(
            (wids[i] for i in pair), key=lambda w: (len(an.ruleset.workflows[w].applies_when.tests), w)
        )
        shown = ", ".join(f"{k}={v}" for k, v in c.ticket.items())
        yield check.finding(
            f"workflows `{first}` and `{second}` both apply to a ticket with {shown}",
            location=an.ruleset.workflows[first].location,
            help=f"make their `applies_when` conditions exclusive, e.g. narrow `{first}`",
            workflow=first,
            ticket=dict(c.ticket),
        )
