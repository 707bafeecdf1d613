"""Hypothesis strategies for rules directories that use every construct of the format.

Reopening final states, transitions fired by roles that do not own the ticket (a role
that never owns, ``take_over``), timers that only change state, ``any_of``, ``set:``,
several creation states, grants valid after an escalation and grants scoped by a
calendar's hours — small enough for a brute-force reference to walk every ticket.
"""

from __future__ import annotations

import itertools
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.rulegen import CATS, THRESHOLDS, TIERS
from tests.rulegen import conditions as box  # one box: a condition without `any_of`

TICKET = {
    "attributes": {
        "category": {"values": CATS},
        "tier": {"values": TIERS},
        "amount": {"type": "number", "minimum": 0},
        "urgent": {"type": "boolean"},
    },
    "calendars": {"office": {"timezone": "Asia/Shanghai", "hours": {"mon-fri": "09:00-18:00"}}},
}


@st.composite
def condition(draw: st.DrawFn) -> dict[str, Any]:
    """A box, sometimes with an ``any_of`` of two or three alternatives."""
    cond = draw(box())
    if draw(st.integers(0, 2)) == 0:
        cond["any_of"] = draw(st.lists(box(), min_size=2, max_size=3))
    return cond


@st.composite
def construct_dirs(draw: st.DrawFn) -> dict[str, str]:
    """{path: yaml text} of a valid rules directory with one workflow ``w`` and every construct."""
    n_states = draw(st.integers(2, 4))
    states = [f"s{i}" for i in range(n_states)]
    roles = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    actors = [*roles, "cust"]  # `cust` never owns a ticket
    wf_states: dict[str, Any] = {s: {} for s in states}
    wf_states["done"] = {"final": True}
    transitions: list[dict[str, Any]] = []
    for i, s in enumerate(states):
        nxt = states[i + 1] if i + 1 < n_states else "done"
        transitions.append({"name": f"go{i}", "from": s, "to": nxt, "by": "handle"})
    for j in range(draw(st.integers(1, 5))):
        t: dict[str, Any] = {
            "name": f"x{j}",
            "from": draw(st.sampled_from(states)),
            "to": draw(st.sampled_from([*states, "done"])),
            "by": draw(st.sampled_from(["handle", "coordinate", "escalate"])),
        }
        if draw(st.integers(0, 3)) == 0:
            t["when"] = draw(condition())
        if draw(st.integers(0, 2)) == 0:
            t["owner_only"] = False
            if t["by"] != "handle" or draw(st.booleans()):
                t["take_over"] = draw(st.booleans())
            if draw(st.booleans()):
                pool = roles if t.get("take_over") else actors  # a role that never owns takes nothing over
                t["roles"] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
        elif draw(st.integers(0, 3)) == 0:
            t["roles"] = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True))
        if draw(st.integers(0, 2)) == 0:
            key = draw(st.sampled_from(["tier", "urgent", "amount"]))
            value = {
                "tier": st.sampled_from(TIERS),
                "urgent": st.booleans(),
                "amount": st.sampled_from([0, 150, 600]),
            }[key]
            t["set"] = {key: draw(value)}
        transitions.append(t)
    if draw(st.booleans()):
        wf_states["done"]["reopen"] = ["reopen"]
        transitions.append(
            {
                "name": "reopen",
                "from": "done",
                "to": draw(st.sampled_from(states)),
                "by": "handle",
                "owner_only": draw(st.booleans()),
            }
        )
    wf: dict[str, Any] = {
        "id": "w",
        "name": {"en": "W"},
        "initial": states[0],
        "states": wf_states,
        "transitions": transitions,
    }
    if n_states > 1 and draw(st.booleans()):
        wf["initial"] = [{"state": states[1], "when": draw(condition())}, {"state": states[0]}]
    if draw(st.booleans()):
        wf["applies_when"] = {"category": draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=3, unique=True))}
    if draw(st.integers(0, 3)) == 0:
        wf["assign"] = draw(st.permutations(roles))
    if draw(st.integers(0, 3)) == 0:
        wf["ownership"] = "shared"
    timers = []
    for _ in range(draw(st.integers(0, 3))):
        e: dict[str, Any] = {"in": draw(st.sampled_from(states)), "after": "1h"}
        if draw(st.booleans()):
            e["to"] = draw(st.sampled_from(roles))
            if draw(st.booleans()):
                e["goto"] = draw(st.sampled_from([*states, "done"]))
        else:
            e["goto"] = draw(st.sampled_from([*states, "done"]))
        if draw(st.integers(0, 3)) == 0:
            e["when"] = draw(condition())
        timers.append(e)
    if timers:
        wf["escalations"] = timers
    files = {"ticket.yaml": yaml.safe_dump(TICKET), "workflows/w.yaml": yaml.safe_dump(wf, allow_unicode=True)}
    for r in actors:
        role: dict[str, Any] = {"id": r, "name": {"en": r.upper()}}
        if r == "cust":
            role["handles_tickets"] = False
        handle = []
        for _ in range(draw(st.integers(0 if r == "cust" else 1, 3))):
            g: dict[str, Any] = {}
            if draw(st.booleans()):
                pool = [*states, "done"]
                g["states"] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=n_states, unique=True))
            cond = draw(condition())
            if cond:
                g["when"] = cond
            if draw(st.integers(0, 3)) == 0:
                g["limits"] = {"amount": draw(st.sampled_from(THRESHOLDS))}
            extra = draw(st.integers(0, 5))
            if extra == 0:
                g["after_escalation"] = True
            elif extra == 1:
                g["within_hours"] = "office"
            elif extra == 2:
                g["outside_hours"] = "office"
            handle.append(g)
        if handle:
            role["handle"] = handle
        others = [x for x in roles if x != r]
        if draw(st.booleans()):
            grant: dict[str, Any] = {}
            if others and draw(st.booleans()):
                grant["with"] = draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
            role["coordinate"] = [grant]
        if others and r != "cust" and draw(st.booleans()):
            role["escalate"] = [{"to": draw(st.sampled_from(others))}]
        files[f"roles/{r}.yaml"] = yaml.safe_dump(role, allow_unicode=True)
    return files


def construct_tickets(extra: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every ticket that could behave differently under the generated conditions, with the
    engine-kept attributes in ``extra`` (``escalated``, ``in_hours:office``) both ways."""
    amounts = [0, 100, 150, 200, 300, 500, 600]
    out = []
    for c, t, a, u in itertools.product(CATS, TIERS, amounts, (False, True)):
        base = {"category": c, "tier": t, "amount": a, "urgent": u}
        for values in itertools.product((False, True), repeat=len(extra)):
            out.append({**base, **dict(zip(extra, values, strict=True))})
    return out
