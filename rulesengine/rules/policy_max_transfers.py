"""RE507 max-transfers: a ticket can be transferred more often than a policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.index import MoveKind
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import PolicyKind
from ._policy_common import monitor_findings
from ._policy_counters import describe_count
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A ticket can go through more `coordinate` transfers than a `max-transfers` policy allows",
    finds=(
        "The shortest ticket history in the flow simulation with one transfer (a `coordinate` move) more "
        "than the policy's `max`, counted over the ticket's whole life. When transfers can go round a cycle "
        "the message says there is no upper bound. `related` names the transfer that exceeds the maximum."
    ),
    why=(
        "Every hand-off costs the customer time and loses context; the seed plans measure transfers per "
        "ticket (from 2.3 down to 1.1). A cap in policy turns that target into something the rules must "
        "make possible for every ticket."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: at-most-one-transfer\n"
        "    name: {en: At most one transfer per ticket, zh: 每单最多转派一次}\n    kind: max-transfers\n"
        "    max: 1\n```"
    ),
    fix="Route the ticket straight to the role that solves it, or drop a transfer from the chain.",
)


@rule("RE507", "max-transfers", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(
        an,
        check,
        PolicyKind.MAX_TRANSFERS,
        describe_count(
            "transfers",
            lambda m: m.kind is MoveKind.COORDINATE,
            "route tickets straight to the role that solves them, or drop a transfer",
        ),
    )
