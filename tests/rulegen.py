"""Hypothesis strategies that generate small, valid rules directories as YAML text."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

CATS = ["refund", "inquiry", "complaint", "tech"]
TIERS = ["new", "vip", "enterprise"]
THRESHOLDS = [100, 200, 500]

TICKET = {
    "attributes": {
        "category": {"values": CATS},
        "tier": {"values": TIERS},
        "amount": {"type": "number", "minimum": 0},
        "urgent": {"type": "boolean"},
    }
}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    cond: dict[str, Any] = {}
    if draw(st.booleans()):
        cond["category"] = draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        vals = draw(st.lists(st.sampled_from(TIERS), min_size=1, max_size=2, unique=True))
        cond["tier"] = {"not": vals} if draw(st.booleans()) else vals
    if draw(st.integers(0, 3)) == 0:
        cond["urgent"] = draw(st.booleans())
    if draw(st.integers(0, 2)) == 0:
        op = draw(st.sampled_from(["gt", "gte", "lt", "lte"]))
        cond["amount"] = {op: draw(st.sampled_from(THRESHOLDS))}
    return cond


@st.composite
def rules_dirs(draw: st.DrawFn, wide: bool = False) -> dict[str, str]:
    """{path: yaml text} of a valid rules directory with one workflow.

    ``wide`` widens it for the engine's differential tests: grants on final states,
    ``goto`` timers, ``roles:`` restrictions, several timers and a second workflow
    ``w2`` for the tickets ``w`` does not take.
    """
    n_states = draw(st.integers(2, 4))
    states = [f"s{i}" for i in range(n_states)]
    n_roles = draw(st.integers(1, 4))
    roles = [f"r{i}" for i in range(n_roles)]
    wf_states: dict[str, Any] = {s: {} for s in states}
    wf_states["done"] = {"final": True}
    if draw(st.booleans()):
        wf_states[draw(st.sampled_from(states[1:] or states))]["required"] = True
    transitions = []
    for i, s in enumerate(states):
        nxt = states[i + 1] if i + 1 < n_states else "done"
        transitions.append({"name": f"go{i}", "from": s, "to": nxt, "by": "handle"})
    for j in range(draw(st.integers(0, 4))):
        t: dict[str, Any] = {
            "name": f"x{j}",
            "from": draw(st.sampled_from(states)),
            "to": draw(st.sampled_from([*states, "done"])),
            "by": draw(st.sampled_from(["handle", "coordinate", "escalate"])),
        }
        if draw(st.integers(0, 3)) == 0:
            t["when"] = draw(conditions())
        if wide and draw(st.integers(0, 3)) == 0:
            t["roles"] = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True))
        transitions.append(t)
    wf: dict[str, Any] = {
        "id": "w",
        "name": {"en": "W", "zh": "流程"},
        "initial": states[0],
        "states": wf_states,
        "transitions": transitions,
    }
    if draw(st.booleans()):
        wf["applies_when"] = {"category": draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=3, unique=True))}
    if draw(st.integers(0, 3)) == 0:
        wf["assign"] = draw(st.permutations(roles))
    if draw(st.integers(0, 3)) == 0:
        wf["ownership"] = "shared"
    if draw(st.booleans()):
        wf["escalations"] = [{"in": draw(st.sampled_from(states)), "after": "5m", "to": draw(st.sampled_from(roles))}]
    wids = ["w"]
    if wide:
        for _ in range(draw(st.integers(0, 2))):
            e: dict[str, Any] = {"in": draw(st.sampled_from(states)), "after": "1h", "to": draw(st.sampled_from(roles))}
            if draw(st.booleans()):
                e["goto"] = draw(st.sampled_from([*states, "done"]))
            if draw(st.integers(0, 3)) == 0:
                e["when"] = draw(conditions())
            wf.setdefault("escalations", []).append(e)
        if draw(st.booleans()):
            taken = draw(st.lists(st.sampled_from(CATS), min_size=1, max_size=3, unique=True))
            wf["applies_when"] = {"category": taken}
            w2 = {**wf, "id": "w2", "name": {"en": "W2"}, "applies_when": {"category": {"not": taken}}}
            w2.pop("assign", None)
            wids.append("w2")
    files = {"ticket.yaml": yaml.safe_dump(TICKET), "workflows/w.yaml": yaml.safe_dump(wf, allow_unicode=True)}
    if "w2" in wids:
        files["workflows/w2.yaml"] = yaml.safe_dump(w2, allow_unicode=True)
    for r in roles:
        role: dict[str, Any] = {"id": r, "name": {"en": r.upper(), "zh": "角色" + r}}
        handle = []
        for _ in range(draw(st.integers(0, 3))):
            g: dict[str, Any] = {"workflows": draw(st.sampled_from([["w"], wids])) if wide else ["w"]}
            if draw(st.booleans()):
                pool = [*states, "done"] if wide else states
                g["states"] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=n_states, unique=True))
            cond = draw(conditions())
            if cond:
                g["when"] = cond
            if draw(st.integers(0, 2)) == 0:
                g["limits"] = {"amount": draw(st.sampled_from(THRESHOLDS))}
            handle.append(g)
        if handle:
            role["handle"] = handle
        others = [x for x in roles if x != r]
        if others and draw(st.booleans()):
            role["coordinate"] = [{"with": draw(st.lists(st.sampled_from(others), min_size=1, unique=True))}]
            if wide and draw(st.booleans()):
                role["coordinate"][0]["limits"] = {"amount": draw(st.sampled_from(THRESHOLDS))}
        if others and draw(st.booleans()):
            role["escalate"] = [{"to": draw(st.sampled_from(others))}]
            if wide and draw(st.booleans()):
                role["escalate"][0]["states"] = draw(st.lists(st.sampled_from(states), min_size=1, unique=True))
        files[f"roles/{r}.yaml"] = yaml.safe_dump(role, allow_unicode=True)
    return files


def concrete_tickets() -> list[dict[str, Any]]:
    """Every ticket that could behave differently under the generated conditions."""
    amounts = [0, 50, 100, 150, 200, 300, 500, 600, 100.5]
    return [
        {"category": c, "tier": t, "amount": a, "urgent": u}
        for c in CATS
        for t in TIERS
        for a in amounts
        for u in (False, True)
    ]


@st.composite
def shared_rules_dirs(draw: st.DrawFn) -> dict[str, str]:
    """{path: yaml text} of a valid rules directory with two workflows that share roles.

    Roles hold grants in both workflows (no ``workflows:`` key) or in one, with
    conditions, amount limits, transfers and escalations; both workflows have timers.
    The shape of a centre whose desks serve several sites, kept small.
    """
    n_roles = draw(st.integers(2, 5))
    roles = [f"r{i}" for i in range(n_roles)]
    wids = ["w", "v"]
    files = {"ticket.yaml": yaml.safe_dump(TICKET)}
    states_of: dict[str, list[str]] = {}
    for wid in wids:
        n_states = draw(st.integers(2, 4))
        states = [f"{wid}{i}" for i in range(n_states)]
        states_of[wid] = states
        wf_states: dict[str, Any] = {s: {} for s in states}
        wf_states["done"] = {"final": True}
        if draw(st.booleans()):
            wf_states[draw(st.sampled_from(states[1:] or states))]["required"] = True
        transitions = []
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
            if draw(st.integers(0, 2)) == 0:
                t["when"] = draw(conditions())
            transitions.append(t)
        timers = []
        for _ in range(draw(st.integers(1, 3))):
            e: dict[str, Any] = {"in": draw(st.sampled_from(states)), "after": "5m", "to": draw(st.sampled_from(roles))}
            if draw(st.booleans()):
                e["goto"] = draw(st.sampled_from([*states, "done"]))
            if draw(st.booleans()):
                e["when"] = draw(conditions())
            timers.append(e)
        wf: dict[str, Any] = {
            "id": wid,
            "name": {"en": wid.upper(), "zh": "流程" + wid},
            "initial": states[0],
            "states": wf_states,
            "transitions": transitions,
            "escalations": timers,
            # the two workflows split the tickets between them
            "applies_when": {"urgent": wid == "w"},
        }
        if draw(st.booleans()):
            wf["assign"] = draw(st.permutations(roles))
        if draw(st.integers(0, 3)) == 0:
            wf["ownership"] = "shared"
        files[f"workflows/{wid}.yaml"] = yaml.safe_dump(wf, allow_unicode=True)
    for r in roles:
        role: dict[str, Any] = {"id": r, "name": {"en": r.upper(), "zh": "角色" + r}}
        handle = []
        for _ in range(draw(st.integers(1, 4))):
            g: dict[str, Any] = {}
            scope = draw(st.sampled_from(["both", *wids]))
            if scope != "both":
                g["workflows"] = [scope]
                if draw(st.booleans()):
                    g["states"] = draw(st.lists(st.sampled_from(states_of[scope]), min_size=1, unique=True))
            cond = draw(conditions())
            cond.pop("urgent", None)  # the workflows already split on it
            if cond:
                g["when"] = cond
            if draw(st.integers(0, 2)) == 0:
                g["limits"] = {"amount": draw(st.sampled_from(THRESHOLDS))}
            handle.append(g)
        role["handle"] = handle
        others = [x for x in roles if x != r]
        if draw(st.booleans()):
            role["coordinate"] = [{"with": draw(st.lists(st.sampled_from(others), min_size=1, unique=True))}]
        if draw(st.booleans()):
            esc: dict[str, Any] = {"to": draw(st.sampled_from(others))}
            cond = draw(conditions())
            cond.pop("urgent", None)
            if cond:
                esc["when"] = cond
            role["escalate"] = [esc]
        files[f"roles/{r}.yaml"] = yaml.safe_dump(role, allow_unicode=True)
    return files
