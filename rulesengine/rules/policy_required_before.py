"""RE505 required-before: a ticket reaches a state without the step a policy requires first."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.policies import Scoped, Witness
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Policy, PolicyKind
from ._policy_common import Described, monitor_findings, move_location
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A ticket can reach the policy's `state` without passing its `before` state first",
    finds=(
        "A ticket history in the flow simulation that reaches the policy's `state` (e.g. `closed`) without "
        "having been at its `before` state (e.g. `follow_up`). `related` names the move that leaves the "
        "part of the flow from which `before` can still be reached. Unlike `required: true` on a state, the "
        "policy is the auditor's, lives outside the workflow files and can be scoped by ticket (`when:`)."
    ),
    why=(
        "Closed-loop service (闭环管理) means no ticket is closed before the follow-up call (回访). A "
        "shortcut past it, for some tickets only, is exactly what an audit must find before customers do."
    ),
    example=(
        "```yaml\n# policies/closed_loop.yaml\npolicies:\n  - id: follow-up-before-close\n"
        "    name: {en: Follow-up call before closing, zh: 结案前必须回访}\n    kind: required-before\n"
        "    workflows: [complaint, standard_service]\n    before: follow_up\n    state: closed\n```"
    ),
    fix="Remove or redirect the transition that bypasses `before`, so that every path to `state` passes it.",
)


def _describe(an: Analysis, policy: Policy, sc: Scoped, w: Witness) -> Described:
    assert policy.before is not None and policy.state is not None
    leads = an.structure[sc.wid].reach_to({policy.before}) if policy.before in sc.index.workflow.states else set()
    skip = next((m for a, m, b in w.path if a.state in leads and b.state not in leads), None)
    via = f" via `{skip.event}`" if skip is not None else ""
    return Described(
        what=f"the ticket reaches `{policy.state}`{via} without passing `{policy.before}`",
        help=f"make every path to `{policy.state}` pass `{policy.before}`",
        state=policy.before,
        role=(w.path[-1][1].firer if w.path else w.start.owner),
        related=move_location(skip if skip is not None else w.path[-1][1]) if w.path else (),
    )


@rule("RE505", "required-before", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(an, check, PolicyKind.REQUIRED_BEFORE, lambda p, sc, w: _describe(an, p, sc, w))
