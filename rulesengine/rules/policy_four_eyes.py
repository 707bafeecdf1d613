"""RE503 four-eyes: the rules make one person fire both steps a policy wants split."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.policies import Scoped, Witness
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Policy, PolicyKind
from ._policy_common import Described, monitor_findings, move_location
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="The same person fires both steps of a `four-eyes` policy (`first`, then `then`)",
    finds=(
        "A ticket history in the flow simulation in which one role fires the policy's `first` transition "
        "and later its `then` transition while it owns the ticket throughout. The engine keeps the assigned "
        "person while the same role owns the ticket (一单到底), so the rules themselves make the person who "
        "submitted also approve. A history in which the ticket changes hands in between is not reported: "
        "who gets it next is a staffing matter that a log audit checks on real people."
    ),
    why=(
        "The four-eyes principle (双人复核) is the standard control over money and exceptions: a refund "
        "submitted by one person is approved by another. An approval limit that lets the submitter approve "
        "their own request defeats it."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: refund-four-eyes\n"
        "    name: {en: Refunds approved by a second person, zh: 退款双人复核}\n    kind: four-eyes\n"
        "    workflows: [after_sales]\n    first: submit\n    then: approve\n```"
    ),
    fix=(
        "Make `then` change hands: restrict it to another role (`roles:` on the transition), or narrow the "
        "submitter's handle grant at the approval state so that a fresh assignment picks someone else."
    ),
)


def _describe(policy: Policy, sc: Scoped, w: Witness) -> Described:
    a, m, _b = w.path[-1]
    first = next(mv for _x, mv, _y in reversed(w.path[:-1]) if mv.event == policy.first)
    return Described(
        what=(
            f"`{m.firer}` fires `{policy.first}` and then `{policy.then}` at `{a.state}` "
            f"without the ticket changing hands, so one person does both"
        ),
        help=f"let `{policy.then}` go to another role than the one that fired `{policy.first}`",
        state=a.state,
        role=m.firer,
        related=move_location(m) + move_location(first),
        key=m.firer,
    )


@rule("RE503", "four-eyes", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(an, check, PolicyKind.FOUR_EYES, _describe)
