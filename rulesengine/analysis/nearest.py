"""The grant that came nearest to letting a role act, and what it fails.

``explain`` and ``decide`` both tell a person who may not act *why*: the nearest grant
(another workflow, other states, or the same cell with a condition the ticket fails)
and the failing constraints.  One function, so the two always say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model.ruleset import Grant, Kind, Transition
from .index import WorkflowIndex


@dataclass(frozen=True)
class Miss:
    """How far ``grant`` is from covering a cell: ``distance`` 0 means it covers it."""

    grant: Grant
    distance: int
    reason: str
    failing: tuple[str, ...] = ()
    limit_only: bool = False  # every failing constraint comes from the grant's `limits`


def miss(g: Grant, wid: str, state: str, ticket: Mapping[str, Any]) -> Miss:
    if wid not in g.cells:
        names = ", ".join(f"`{w}`" for w in g.cells) or "no workflow"
        return Miss(g, 100, f"its grant covers {names}, not `{wid}`")
    if state not in g.cells[wid]:
        states = ", ".join(f"`{s}`" for s in sorted(g.cells[wid]))
        return Miss(g, 50, f"its grant covers states {states} of `{wid}`, not `{state}`")
    failing = tuple(g.condition.failing(ticket))
    if failing:
        bad = {a for a, c in g.condition.tests if a not in ticket or not c.contains(ticket[a])}
        limit_only = bool(g.limits.failing(ticket)) and bad <= set(g.limits.attributes)
        return Miss(g, len(failing), "the ticket fails " + " and ".join(f"`{f}`" for f in failing), failing, limit_only)
    return Miss(g, 0, "")


def nearest(grants: Iterable[Grant], wid: str, state: str, ticket: Mapping[str, Any]) -> Miss | None:
    """The nearest of ``grants`` (the first written wins a tie), or None when there are none."""
    best: Miss | None = None
    for g in grants:
        m = miss(g, wid, state, ticket)
        if best is None or m.distance < best.distance:
            best = m
    return best


def blocked(idx: WorkflowIndex, t: Transition, state: str, k: int, holders: Iterable[str]) -> str:
    """Why none of ``holders`` may fire ``t`` at (state, class k), in the order the
    transition function checks: the state, the transition's `when`, its `roles`, the grant."""
    holders = list(holders)
    st = idx.workflow.states[state]
    if st.final and t.name not in st.reopen:
        return "the state is final and does not declare it a reopening"
    if not idx.transition_enabled(t, k):
        return "its condition fails: " + ", ".join(t.condition.failing(idx.ticket(k)))
    if not holders:
        return "nobody holds the ticket here"
    article = "an" if t.by is Kind.ESCALATE else "a"
    if not t.owner_only:
        listed = f" among {', '.join(sorted(t.roles))}" if t.roles is not None else ""
        return f"no role{listed} holds {article} {t.by.value} grant covering it"
    if t.roles is not None and not set(holders) & t.roles:
        return f"only {', '.join(sorted(t.roles))} may fire it"
    return f"no owner holds {article} {t.by.value} grant covering it"
