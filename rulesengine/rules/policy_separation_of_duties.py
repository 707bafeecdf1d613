"""RE501 separation-of-duties: two roles a policy keeps apart can both act on one ticket."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.policies import Scoped, Witness
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Policy, PolicyKind
from ._policy_common import Described, monitor_findings, move_location
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Two roles a `separation-of-duties` policy keeps apart can both act on one ticket",
    finds=(
        "A ticket history in the flow simulation in which both roles of a `separation-of-duties` policy "
        "fire a move — a transition, a transfer or an escalation — on the same ticket, in either order. "
        "The finding points at the policy and names, in `related`, the transitions or grants through which "
        "the two roles act."
    ),
    why=(
        "Separation of duties is an audit control: the one who requests a refund is not the one who pays "
        "it, the one who handles a complaint is not the one who signs it off. When the rules let both roles "
        "act on one ticket, the control exists only on paper."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: refund-request-vs-payment\n"
        "    name: {en: Requester never pays, zh: 申请与付款分离}\n    kind: separation-of-duties\n"
        "    workflows: [after_sales]\n    roles: [frontline_agent, finance]\n```"
    ),
    fix=(
        "Take one of the two roles off the transitions it fires on these tickets (`roles:` on the transition, "
        "or a narrower grant), or hand the ticket to a third role between their steps."
    ),
)


def _describe(policy: Policy, sc: Scoped, w: Witness) -> Described:
    last = w.path[-1]
    second = last[1].firer
    first_move = next(m for _a, m, _b in w.path if m.firer in policy.roles and m.firer != second)
    return Described(
        what=(
            f"`{first_move.firer}` fires `{first_move.event}` and `{second}` fires `{last[1].event}` on the same ticket"
        ),
        help=f"keep `{second}` off tickets `{first_move.firer}` acted on, or give one of the steps to another role",
        state=last[0].state,
        role=second,
        related=move_location(first_move) + move_location(last[1]),
    )


@rule("RE501", "separation-of-duties", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(an, check, PolicyKind.SEPARATION_OF_DUTIES, _describe)
