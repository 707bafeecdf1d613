"""Shared reporting of the per-ticket counting policies (RE507 transfers, RE508 escalations)."""

from __future__ import annotations

from collections.abc import Callable

from ..analysis.index import Move
from ..analysis.policies import Scoped, Witness, on_cycle
from ..model.ruleset import Policy
from ._policy_common import Described, move_location


def describe_count(
    what: str, counted: Callable[[Move], bool], help: str
) -> Callable[[Policy, Scoped, Witness], Described]:
    """Describe a witness of ``max`` + 1 counted moves; note when they can go round forever."""

    def describe(policy: Policy, sc: Scoped, w: Witness) -> Described:
        a, m, b = w.path[-1]
        moves = [mv for _x, mv, _y in w.path if counted(mv)]
        edges = [e for e in sc.run.edges if counted(e[1])]
        unbounded = any(on_cycle(sc.run, e) for e in edges)
        bound = "; they can go round a cycle, so there is no upper bound" if unbounded else ""
        chain = ", ".join(f"`{mv.event}`" for mv in moves)
        return Described(
            what=f"one ticket goes through {len(moves)} {what} ({chain}), above the maximum of {policy.maximum}{bound}",
            help=help,
            state=a.state,
            role=m.firer or b.owner,
            related=move_location(m),
        )

    return describe
