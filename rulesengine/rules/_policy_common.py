"""Reporting helpers shared by the compliance-policy rules (RE501–RE508).

A policy finding carries the same evidence as a built-in one — the smallest ticket,
the shortest trace, the workflow, state and role — and points at the policy entry,
with the grant, transition or SLA that breaks it in ``related``.  One finding is kept
per policy, workflow and distinct defect; the number of ticket classes showing it is
added to the message.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..analysis.explore import ClassRun
from ..analysis.index import Move, WorkflowIndex
from ..analysis.policies import Scoped, Searcher, Witness, scoped
from ..diagnostics import Diagnostic, Location
from ..model.ruleset import Kind, Policy, PolicyKind
from ._common import Collector, classes_note, trace

if TYPE_CHECKING:
    from ..analysis.context import Analysis
    from .registry import Rule


@dataclass(frozen=True)
class Described:
    """What a rule says about one witness: the message tail and where it happened."""

    what: str
    help: str
    state: str | None = None
    role: str | None = None
    related: tuple[Location, ...] = ()
    key: Hashable = ()


def policies_of(an: Analysis, kind: PolicyKind) -> list[Policy]:
    return [p for p in an.ruleset.policies if p.kind is kind]


def witness_trace(idx: WorkflowIndex, run: ClassRun, w: Witness) -> tuple[dict[str, Any], ...]:
    """The creation assignment, then every move of the witness, worded like every trace."""
    steps = list(trace(idx, run, w.start))
    for _a, m, b in w.path:
        steps.extend(trace(idx, run, None, m, b.owner))
    return tuple(steps)


def move_location(m: Move) -> tuple[Location, ...]:
    return (m.location,) if m.location is not None else ()


def handle_grant(idx: WorkflowIndex, role: str | None, state: str, k: int) -> tuple[Location, ...]:
    """The location of the handle grant that lets ``role`` hold the ticket at ``state``."""
    if role is None:
        return ()
    grants = idx.covering(Kind.HANDLE, role, state, k)
    return (grants[0].location,) if grants and grants[0].location is not None else ()


def policy_finding(
    rule: Rule, policy: Policy, sc: Scoped, desc: Described, steps: tuple[dict[str, Any], ...], n: int
) -> Diagnostic:
    return rule.finding(
        f"policy `{policy.id}` is broken in `{sc.wid}`: {desc.what}" + classes_note(n),
        location=policy.location,
        help=desc.help,
        workflow=sc.wid,
        state=desc.state,
        role=desc.role,
        ticket=dict(sc.ticket),
        trace=steps,
        related=tuple(dict.fromkeys(desc.related)),
    )


def monitor_findings(
    an: Analysis,
    rule: Rule,
    kind: PolicyKind,
    describe: Callable[[Policy, Scoped, Witness], Described],
) -> Iterator[Diagnostic]:
    """Findings of a history-shaped policy kind: the shortest breaking history per class."""
    col = Collector()
    for policy in policies_of(an, kind):
        searcher = Searcher(policy)
        for sc in scoped(an, policy):
            w = searcher.witness(sc.index, sc.run)
            if w is None:
                continue
            desc = describe(policy, sc, w)

            def build(
                n: int, policy: Policy = policy, sc: Scoped = sc, w: Witness = w, desc: Described = desc
            ) -> Diagnostic:
                return policy_finding(rule, policy, sc, desc, witness_trace(sc.index, sc.run, w), n)

            col.offer((policy.id, sc.wid, desc.key), sc.run.k, (*sc.rank, len(w.path)), build)
    yield from col.results()
