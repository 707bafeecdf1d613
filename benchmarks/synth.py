"""Synthetic service organisations for benchmarks: N roles, M workflows, K states.

Each workflow gets its own team: tier agents with amount limits, senior agents above the
limits, experts reached by coordinate transfers, and a team lead who takes timed and
manual escalations.  Attributes have many values and thresholds.  A few workflows carry
planted defects (a tier nobody handles, an overlapping grant) so that the analysis has
real findings to report, as it would on a real centre's first run.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

CATEGORIES = [f"cat{i:02d}" for i in range(20)]
TIERS = ["new", "active", "enterprise", "vip", "returning", "partner"]
CHANNELS = ["phone", "email", "chat", "social", "app"]
PRIORITIES = ["P1", "P2", "P3", "P4"]
REGIONS = [f"r{i:02d}" for i in range(12)]
LIMITS = [200, 500, 1000, 2000, 5000, 10000]


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_org(out: Path, roles: int, workflows: int, states: int, seed: int = 0, defects: bool = True) -> dict[str, int]:
    """Write a rules directory to ``out``; returns counts of what was written."""
    rng = random.Random(seed)
    team = max(6, roles // max(1, workflows))
    _dump(
        out / "ticket.yaml",
        {
            "attributes": {
                "category": {"values": CATEGORIES},
                "tier": {"values": TIERS},
                "channel": {"values": CHANNELS},
                "priority": {"values": PRIORITIES},
                "region": {"values": REGIONS},
                "amount": {"type": "number", "minimum": 0},
            }
        },
    )
    role_docs: dict[str, dict[str, Any]] = {}
    n_roles = 0
    planted = 0
    for w in range(workflows):
        wid = f"wf{w:03d}"
        chain = [f"s{i:02d}" for i in range(states - 1)]
        expert_state = chain[len(chain) // 2]
        st: dict[str, Any] = {s: {} for s in chain}
        st["done"] = {"final": True}
        transitions: list[dict[str, Any]] = []
        for i, s in enumerate(chain):
            nxt = chain[i + 1] if i + 1 < len(chain) else "done"
            transitions.append({"name": f"next_{s}", "from": s, "to": nxt, "by": "handle"})
            if i >= 2 and i % 5 == 0:
                transitions.append({"name": f"rework_{s}", "from": s, "to": chain[i - 2], "by": "handle"})
        transitions.append(
            {"name": "to_expert", "from": chain[len(chain) // 2 - 1], "to": expert_state, "by": "coordinate"}
        )
        transitions.append({"name": "raise", "from": chain[1:-1], "to": chain[-1], "by": "escalate"})
        lead = f"{wid}_lead"
        cat = CATEGORIES[w % len(CATEGORIES)]
        # workflows sharing a category split its tickets by channel and priority band, so
        # that every ticket follows exactly one workflow (as in a real centre)
        group = w // len(CATEGORIES)
        channel = CHANNELS[group % len(CHANNELS)]
        band = PRIORITIES[:2] if (group // len(CHANNELS)) % 2 == 0 else PRIORITIES[2:]
        region_set = rng.sample(REGIONS, 6)
        wf = {
            "id": wid,
            "name": {"en": f"Workflow {w}", "zh": f"流程{w}"},
            "applies_when": {"category": cat, "channel": channel, "priority": band},
            "initial": chain[0],
            "states": st,
            "transitions": transitions,
            "escalations": [{"in": chain[0], "after": "3m", "to": lead, "when": {"priority": band[:1]}}],
            "sla": {"resolution": {"target": "1d", "stop": "done"}},
        }
        members: list[str] = []
        agent_states = [s for s in chain if s not in (expert_state, chain[-1])]
        tier_groups = [TIERS[i : i + 2] for i in range(0, len(TIERS), 2)]
        gap_here = defects and w % 17 == 5
        dup_here = defects and w % 23 == 7
        for g, tiers in enumerate(tier_groups):
            rid = f"{wid}_agent{g}"
            limit = LIMITS[(w + g) % len(LIMITS)]
            when: dict[str, Any] = {"tier": tiers}
            if gap_here and g == 0:
                when = {"tier": tiers[:1]}  # planted: the second tier of this group has no agent
                planted += 1
            role_docs[rid] = {
                "id": rid,
                "name": {"en": f"Agent {g} of {wid}", "zh": f"{wid}客服{g}"},
                "reports_to": lead,
                "handle": [{"workflows": [wid], "states": agent_states, "when": when, "limits": {"amount": limit}}],
                "coordinate": [{"workflows": [wid], "with": [f"{wid}_expert"]}],
                "escalate": [{"workflows": [wid], "to": lead}],
            }
            members.append(rid)
            rid2 = f"{wid}_senior{g}"
            role_docs[rid2] = {
                "id": rid2,
                "name": {"en": f"Senior {g} of {wid}", "zh": f"{wid}高级客服{g}"},
                "reports_to": lead,
                "handle": [
                    {
                        "workflows": [wid],
                        "states": agent_states,
                        "when": {"tier": tiers, "amount": {"gt": limit}, "region": REGIONS},
                    }
                ],
                "escalate": [{"workflows": [wid], "to": lead}],
            }
            members.append(rid2)
        if dup_here:
            # planted: a shadow team handles what agent0 handles, outside the assign order
            rid = f"{wid}_shadow"
            role_docs[rid] = {
                "id": rid,
                "name": {"en": f"Shadow team of {wid}", "zh": f"{wid}影子团队"},
                "reports_to": lead,
                "handle": [{"workflows": [wid], "states": agent_states, "when": {"tier": tier_groups[0]}}],
            }
            planted += 1
        rid = f"{wid}_expert"
        role_docs[rid] = {
            "id": rid,
            "name": {"en": f"Expert of {wid}", "zh": f"{wid}专家"},
            "reports_to": lead,
            "handle": [{"workflows": [wid], "states": [expert_state]}],
        }
        members.append(rid)
        role_docs[lead] = {
            "id": lead,
            "name": {"en": f"Lead of {wid}", "zh": f"{wid}主管"},
            # planted gap: in some workflows the lead does not cover the first state
            "handle": [{"workflows": [wid], "states": chain[1:]} if gap_here else {"workflows": [wid]}],
        }
        members.append(lead)
        wf["assign"] = [m for m in members if m != lead]
        if dup_here:
            members.append(f"{wid}_shadow")
        # fill the team up to its size with specialists per channel and region
        k = 0
        while len(members) < team:
            rid = f"{wid}_spec{k}"
            role_docs[rid] = {
                "id": rid,
                "name": {"en": f"Specialist {k} of {wid}", "zh": f"{wid}专员{k}"},
                "reports_to": lead,
                "handle": [
                    {
                        "workflows": [wid],
                        "states": [chain[-1]],
                        "when": {
                            "region": [region_set[k % 6]],
                            "priority": [band[k % 2]],
                        },
                    }
                ],
            }
            members.append(rid)
            wf["assign"].append(rid)
            k += 1
        wf["assign"].append(lead)
        _dump(out / "workflows" / f"{wid}.yaml", wf)
        n_roles += len(members)
    for rid, doc in role_docs.items():
        _dump(out / "roles" / f"{rid}.yaml", doc)
    return {"roles": n_roles, "workflows": workflows, "states": states, "planted": planted}
