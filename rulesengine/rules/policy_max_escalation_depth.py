"""RE508 max-escalation-depth: a ticket can be escalated more often than a policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import PolicyKind
from ._policy_common import monitor_findings
from ._policy_counters import describe_count
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A ticket can be escalated more times than a `max-escalation-depth` policy allows",
    finds=(
        "The shortest ticket history in the flow simulation with one escalation more than the policy's "
        "`max` — `escalate` transitions and timed escalations, counted over the ticket's whole life, "
        "consecutive or not (RE206 `escalation-depth` looks at unbroken chains only). `related` names the "
        "escalation that exceeds the maximum."
    ),
    why=(
        "Each escalation takes a more senior person's time and tells the customer the first answer was not "
        'enough; a policy such as "at most two escalations per complaint" keeps the hierarchy for the '
        "cases that need it."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: complaint-escalations\n"
        "    name: {en: At most two escalations per complaint, zh: 投诉最多升级两次}\n"
        "    kind: max-escalation-depth\n    workflows: [complaint]\n    max: 2\n```"
    ),
    fix="Give a lower role the authority to finish the ticket, or raise straight to the role that decides.",
)


@rule("RE508", "max-escalation-depth", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(
        an,
        check,
        PolicyKind.MAX_ESCALATION_DEPTH,
        describe_count(
            "escalations",
            lambda m: m.is_escalation,
            "give a lower role the authority, or raise straight to the role that decides",
        ),
    )
