"""RE502 never-handles: a role a policy keeps off tickets can own or act on one."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.policies import Scoped, Witness
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Policy, PolicyKind
from ._policy_common import Described, handle_grant, monitor_findings, move_location
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A role a `never-handles` policy keeps off tickets can own or act on one",
    finds=(
        "A ticket history in the flow simulation in which a role listed by a `never-handles` policy is "
        "assigned the ticket, takes it over through a transfer, an escalation or a timer, or fires a move "
        "on it. `related` names the grant, transition or timer that lets it."
    ),
    why=(
        "Some roles must stay out of ticket handling to stay independent: a quality inspector who scores "
        "tickets (质检) cannot score their own. `handles_tickets: false` stops handle grants; the policy "
        "also catches the escalation target or timer that hands such a role a ticket anyway."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: qa-never-handles\n"
        "    name: {en: Quality inspection stays independent, zh: 质检不参与工单处理}\n"
        "    kind: never-handles\n    roles: [qa_inspector]\n```"
    ),
    fix="Remove the grant, escalation target or timer that gives the role the ticket, or drop the role from the policy.",
)


def _describe(policy: Policy, sc: Scoped, w: Witness) -> Described:
    if not w.path:
        role = w.start.owner
        return Described(
            what=f"`{role}` is assigned the ticket at `{w.start.state}`",
            help=f"remove the `handle` grant that lets `{role}` own these tickets",
            state=w.start.state,
            role=role,
            related=handle_grant(sc.index, role, w.start.state, sc.run.k),
        )
    a, m, b = w.path[-1]
    if m.firer in policy.roles:
        return Described(
            what=f"`{m.firer}` fires `{m.event}` at `{a.state}`",
            help=f"remove the grant or transition that lets `{m.firer}` act on tickets",
            state=a.state,
            role=m.firer,
            related=move_location(m),
            key=m.firer,
        )
    if m.new_owner is None:  # a fresh assignment chose it
        help = f"remove the `handle` grant that lets `{b.owner}` own tickets at `{b.state}`, or route `{m.event}` elsewhere"
    else:
        help = f"let `{m.event}` hand the ticket to another role than `{b.owner}`"
    return Described(
        what=f"`{b.owner}` holds the ticket at `{b.state}` after `{m.event}`",
        help=help,
        state=b.state,
        role=b.owner,
        related=move_location(m) + handle_grant(sc.index, b.owner, b.state, sc.run.k),
        key=b.owner,
    )


@rule("RE502", "never-handles", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from monitor_findings(an, check, PolicyKind.NEVER_HANDLES, _describe)
