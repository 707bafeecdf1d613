"""RE504 owners: more (or fewer) roles may hold a ticket at a step than a policy allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..analysis.context import Analysis
from ..analysis.explore import ClassRun, EventKind, Situation
from ..analysis.policies import scoped
from ..diagnostics import Diagnostic, Location, Severity
from ..model.policies import owners_breach, owners_counted
from ..model.ruleset import PolicyKind
from ._common import Collector, trace
from ._policy_common import Described, handle_grant, move_location, policies_of, policy_finding
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="More (or fewer) roles may hold a ticket at a step than an `owners` policy allows",
    finds=(
        "A reachable state (the policy's `states`, else every non-final state) at which the number of roles "
        "that may hold a ticket of one class — after any path of the flow simulation: assignment, hand-off, "
        "transfer or escalation — is above the policy's `max` or below its `min`. A state reached with "
        "nobody to own it counts as zero. `related` names the handle grants of the roles counted."
    ),
    why=(
        "`max: 1` is the strict reading of one owner per step (一单到底): not only one owner at a time, but "
        "always the same role for the same kind of ticket, so customers and teams know who is responsible. "
        "`min: 2` asks for a stand-in at every step."
    ),
    example=(
        "```yaml\n# policies/controls.yaml\npolicies:\n  - id: one-approver\n"
        "    name: {en: One approving role per refund, zh: 每笔退款唯一审批岗}\n    kind: owners\n"
        "    workflows: [after_sales]\n    states: [approval]\n    max: 1\n```"
    ),
    fix=(
        "Narrow the grants, transfers or escalations that give the ticket to the extra roles (or widen "
        "them, for `min`), or relax the policy for the states where several owners are intended."
    ),
)


def _holders(run: ClassRun) -> tuple[dict[str, list[Situation]], dict[str, Any]]:
    """The situations per state, nearest first, and the landings in a gap per state."""
    by_state: dict[str, list[Situation]] = {}
    for sit in run.parent:  # insertion order is breadth-first: nearest first
        by_state.setdefault(sit.state, []).append(sit)
    gaps = {}
    for ev in run.events:
        if ev.kind in (EventKind.GAP, EventKind.INTO_GAP) and ev.state not in gaps:
            gaps[ev.state] = ev
    return by_state, gaps


@rule("RE504", "owners", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for policy in policies_of(an, PolicyKind.OWNERS):
        for sc in scoped(an, policy):
            idx, run = sc.index, sc.run
            by_state, gaps = _holders(run)
            for state in sorted(set(by_state) | set(gaps), key=list(idx.workflow.states).index):
                if not owners_counted(policy, state, state in idx.finals):
                    continue
                sits = by_state.get(state, [])
                roles: list[str] = list(dict.fromkeys(s.owner for s in sits if s.owner is not None))
                reason = owners_breach(policy, roles)
                if reason is None:
                    continue
                over = policy.maximum is not None and len(roles) > policy.maximum
                if over:
                    assert policy.maximum is not None
                    extra = roles[policy.maximum]
                    at = next(s for s in sits if s.owner == extra)
                    steps = trace(idx, run, at)
                elif sits:
                    extra, steps = None, trace(idx, run, sits[0])
                else:
                    ev = gaps[state]
                    extra, steps = None, trace(idx, run, ev.at, ev.move, None)
                related: tuple[Location, ...] = ()
                for r in roles:
                    related += handle_grant(idx, r, state, run.k)
                if not roles and gaps[state].move is not None:  # the move that lands with nobody to own it
                    related = move_location(gaps[state].move)
                desc = Described(
                    what=f"at `{state}`, {reason}",
                    help=(
                        f"narrow the grants, transfers or escalations so that at most {policy.maximum} "
                        f"{'role' if policy.maximum == 1 else 'roles'} may hold these tickets at `{state}`"
                        if over
                        else f"give at least {policy.minimum} {'role' if policy.minimum == 1 else 'roles'} a "
                        f"`handle` grant covering `{state}` for these tickets"
                    ),
                    state=state,
                    role=extra,
                    related=related,
                )

                def build(n: int, policy=policy, sc=sc, desc=desc, steps=steps) -> Diagnostic:  # type: ignore[no-untyped-def]
                    return policy_finding(check, policy, sc, desc, steps, n)

                col.offer((policy.id, sc.wid, state, over), run.k, (*sc.rank, len(steps)), build)
    yield from col.results()
