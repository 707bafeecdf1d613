"""Synthetic multi-site contact centres: the shape that real centres grow into.

``synth.py`` gives every workflow its own small team.  Real centres look different:
regional sites, each with L1 voice and L1 digital teams per language group, L2 teams per
problem family, a senior, a supervisor and a manager, plus desks that serve every site —
a global VIP desk, a fraud desk, expert pools and language hubs — all acting in the same
few workflows.  Every grant is scoped by region, language, channel, tier and amount, so
one workflow is cut into thousands of ticket classes and the shared roles tie the sites
together.  This is the shape on which the cost of the analysis must grow with the number
of sites, not with its square.

One site has 26 roles of its own and one workflow; eight roles are shared by all sites
(1 site = 34 roles, 16 sites = 424 roles / 16 workflows).  Escalations climb L1 → senior
→ supervisor → manager → director; every site has its own timers.  Some sites carry
planted defects (a team missing from the assign order, a band of amounts nobody may
approve) so that the check has findings to report, as on a real centre's first run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REGIONS = [f"r{i:02d}" for i in range(40)]
LANGUAGES = ["zh", "en", "ja", "ko", "fr", "de", "es", "it", "pt", "ru", "ar", "th", "vi", "id", "ms", "tr"]
VOICE = ["phone", "callback", "ivr"]
DIGITAL = ["chat", "email", "app", "social", "sms", "whatsapp", "web"]
TIERS = ["new", "basic", "standard", "silver", "gold", "platinum", "vip", "enterprise", "partner", "internal"]
PREMIUM = ["platinum", "vip", "enterprise", "partner"]
NOT_PREMIUM = {"not": PREMIUM}
PRIORITIES = ["P1", "P2", "P3", "P4"]
FAMILIES: dict[str, list[str]] = {
    "billing": ["bill_dispute", "double_charge", "invoice", "payment_failed", "subscription"],
    "refund": ["refund_request", "return_refund", "partial_refund", "chargeback"],
    "tech": ["login", "app_crash", "connectivity", "device_setup", "data_loss", "outage"],
    "logistics": ["late_delivery", "lost_parcel", "damaged_item", "wrong_item", "address_change"],
    "account": ["account_update", "privacy_request", "account_closure", "kyc"],
    "fraud": ["suspected_fraud", "account_takeover", "phishing"],
    "general": ["product_info", "store_hours", "feedback"],
}
CATEGORIES = [c for cats in FAMILIES.values() for c in cats]
L2_FAMILIES = ["billing", "refund", "tech", "logistics", "account"]
POOLS = {"billing_experts": ["billing", "refund"], "tech_experts": ["tech"], "logistics_experts": ["logistics"]}
POOL_OF = {f: pool for pool, fams in POOLS.items() for f in fams}
# the three L1 language groups of a site (the hubs take the rest); their order rotates
LANG_GROUPS = [["zh"], ["en", "ar"], ["ja", "ko", "ru", "tr"]]
HUBS = {
    "lang_hub_eu": ("European", "欧洲", ["fr", "de", "es", "it", "pt"]),
    "lang_hub_asia": ("Asian", "亚洲", ["th", "vi", "id", "ms"]),
}
L1_LIMITS = [200, 300, 500]

STATES: dict[str, dict[str, Any]] = {
    "new": {"sla": "30m"},
    "l1_working": {},
    "waiting_customer": {"pause": True},
    "l2_investigating": {},
}
STATES |= {"expert_review": {}, "approval": {"sla": "4h"}, "refunding": {}, "resolved": {}}
STATES |= {"follow_up": {"required": True}, "closed": {"final": True}, "cancelled": {"final": True}}
L1_STATES = ["new", "l1_working", "waiting_customer", "resolved", "follow_up"]
L2 = "l2_investigating"


class _Dumper(yaml.SafeDumper):
    """Writes shared lists out in full, as a person would write the files."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _g(
    w: list[str] | None,
    states: list[str] | None = None,
    when: Any = None,
    limit: int | None = None,
    to: str | None = None,
    to_roles: list[str] | None = None,
) -> dict[str, Any]:
    """One grant: ``w`` the workflows (None: every one), then states, condition, amount
    limit, and the role an escalation goes ``to`` or the roles a transfer goes to."""
    limits = None if limit is None else {"amount": limit}
    g = {"workflows": w, "states": states, "when": when, "limits": limits, "to": to, "with": to_roles}
    return {key: value for key, value in g.items() if value is not None}


def _role(rid: str, en: str, zh: str, reports_to: str | None = None, **grants: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": rid, "name": {"en": en, "zh": zh}}
    if reports_to:
        doc["reports_to"] = reports_to
    doc.update({key: value for key, value in grants.items() if value})
    return doc


def _site_regions(site: int, sites: int) -> list[str]:
    """The regions a site serves: the 40 regions split into ``sites`` contiguous runs."""
    return REGIONS[site * len(REGIONS) // sites : (site + 1) * len(REGIONS) // sites]


def _ticket() -> dict[str, Any]:
    enums = {"region": REGIONS, "language": LANGUAGES, "channel": VOICE + DIGITAL, "tier": TIERS}
    enums |= {"category": CATEGORIES, "priority": PRIORITIES}
    attrs: dict[str, Any] = {a: {"values": vs} for a, vs in enums.items()}
    return {"attributes": {**attrs, "amount": {"type": "number", "minimum": 0}}}


def _shared_roles(site_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The eight desks every site uses; their return transfers name each site's teams."""
    fraud = FAMILIES["fraud"]
    vip = {"tier": ["platinum", "vip"]}
    out = {
        "director": _role("director", "Director", "总监", handle=[_g(None, [L2, "approval", "resolved"])]),
        "global_vip_desk": _role(
            "global_vip_desk",
            "Global VIP desk",
            "全球VIP服务台",
            "director",
            handle=[_g(None, ["l1_working", L2, "resolved", "follow_up"], vip), _g(None, ["approval"], vip, 10000)],
            escalate=[_g(None, ["l1_working", "approval"], to="director")],
        ),
        "fraud_desk": _role(
            "fraud_desk",
            "Fraud desk",
            "反欺诈中心",
            "director",
            handle=[_g(None, [L2, "approval"], {"category": fraud})],
            coordinate=[_g([f"{s}_service"], [L2], to_roles=[f"{s}_l2_account"]) for s in site_ids],
            escalate=[_g(None, ["approval"], to="director")],
        ),
    }
    for rid, (en, zh, langs) in HUBS.items():
        out[rid] = _role(
            rid,
            f"{en} language hub",
            f"{zh}语言中心",
            "director",
            handle=[
                _g(None, L1_STATES, {"language": langs, "tier": NOT_PREMIUM}),
                _g(None, ["approval"], {"language": langs}, 1000),
            ],
        )
    for pool, fams in POOLS.items():
        back = [
            _g([f"{s}_service"], ["expert_review"], {"category": FAMILIES[f]}, to_roles=[f"{s}_l2_{f}"])
            for s in site_ids
            for f in fams
        ]
        word = pool.split("_")[0]
        out[pool] = _role(
            pool,
            f"{word.title()} expert pool",
            f"{word}专家组",
            "director",
            handle=[_g(None, ["expert_review"], {"category": [c for f in fams for c in FAMILIES[f]]})],
            coordinate=back,
        )
    return out


def _site_roles(site: int, sites: int, defects: bool) -> dict[str, dict[str, Any]]:
    """The 26 roles of one site."""
    s = f"s{site:02d}"
    w = [f"{s}_service"]
    groups = [LANG_GROUPS[(site + g) % len(LANG_GROUPS)] for g in range(3)]
    l1_limit = L1_LIMITS[site % len(L1_LIMITS)]
    senior, sup, mgr = f"{s}_l2_senior", f"{s}_supervisor", f"{s}_manager"
    roles: dict[str, dict[str, Any]] = {}

    def add(suffix: str, en: str, zh: str, reports_to: str, **grants: Any) -> None:
        roles[f"{s}_{suffix}"] = _role(f"{s}_{suffix}", f"{en} of site {site}", f"站点{site}{zh}", reports_to, **grants)

    to_l2 = [_g(w, ["l1_working"], {"category": FAMILIES[f]}, to_roles=[f"{s}_l2_{f}"]) for f in L2_FAMILIES]
    for g, langs in enumerate(groups):
        for kind, chans, zh in (("voice", VOICE, "语音"), ("digital", DIGITAL, "在线")):
            scope = {"channel": chans, "language": langs, "tier": NOT_PREMIUM}
            add(
                f"l1_{kind}{g}",
                f"L1 {kind} agent {g}",
                f"一线{zh}客服{g}",
                senior,
                handle=[_g(w, L1_STATES, scope), _g(w, ["approval"], scope, l1_limit)],
                coordinate=to_l2,
                escalate=[_g(w, ["l1_working", "approval"], to=senior)],
            )
    for f in L2_FAMILIES:
        cats = {"category": FAMILIES[f]}
        add(
            f"l2_{f}",
            f"L2 {f} team",
            f"二线{f}组",
            senior,
            handle=[_g(w, [L2, "refunding", "resolved"], cats), _g(w, ["approval"], cats, 1000)],
            coordinate=[_g(w, [L2], to_roles=[POOL_OF[f]])] if f in POOL_OF else [],
            escalate=[_g(w, [L2, "approval"], to=senior)],
        )
    add(
        "l2_senior",
        "L2 senior",
        "二线资深",
        sup,
        handle=[_g(w, ["l1_working", L2, "approval", "refunding"], None, 5000)],
        escalate=[_g(w, ["l1_working", L2, "approval"], to=sup)],
    )
    add(
        "supervisor",
        "Supervisor",
        "主管",
        mgr,
        handle=[_g(w, None, None, 20000)],
        escalate=[_g(w, ["l1_working", L2, "approval"], to=mgr)],
    )
    # planted: at every fifth site the manager's limit leaves a band of amounts to nobody
    mgr_limit = 50000 if not (defects and site % 5 == 3) else 30000
    add(
        "manager",
        "Manager",
        "经理",
        "director",
        handle=[_g(w, ["l1_working", L2, "approval", "resolved"], None, mgr_limit)],
        escalate=[_g(w, [L2, "approval"], to="director")],
    )
    premium = {"tier": ["platinum", "vip"]}
    add(
        "vip_agent",
        "VIP agent",
        "VIP客服",
        sup,
        handle=[_g(w, L1_STATES, premium), _g(w, ["approval"], premium, 2000)],
        coordinate=[_g(w, ["l1_working"], premium, to_roles=["global_vip_desk"])],
        escalate=[_g(w, ["l1_working", "approval"], to=sup)],
    )
    ent = {"tier": ["enterprise", "partner"]}
    add(
        "enterprise_desk",
        "Enterprise desk",
        "大客户组",
        sup,
        handle=[_g(w, [*L1_STATES, L2], ent), _g(w, ["approval"], ent, 5000)],
        escalate=[_g(w, ["l1_working", "approval"], to=sup)],
    )
    add(
        "fraud_triage",
        "Fraud triage",
        "反欺诈初审",
        sup,
        handle=[_g(w, [L2], {"category": FAMILIES["fraud"]}, 10000)],
        coordinate=[_g(w, [L2], to_roles=["fraud_desk"])],
    )
    add("callback", "Call-back team", "回访组", sup, handle=[_g(w, ["follow_up"], {"tier": NOT_PREMIUM})])
    money = {"category": FAMILIES["refund"] + FAMILIES["billing"]}
    add("refund_clerk", "Refund clerk", "退款专员", sup, handle=[_g(w, ["refunding"], money, 10000)])
    add(
        "dispatcher",
        "Dispatcher",
        "派单员",
        sup,
        handle=[_g(w, ["new"], {"channel": ["email", "social"]})],
        coordinate=[_g(w, ["new"], {"language": groups[g]}, to_roles=[f"{s}_l1_digital{g}"]) for g in range(3)],
    )
    add("qa", "QA inspector", "质检", sup)
    roles[f"{s}_qa"]["handles_tickets"] = False
    night = {"priority": ["P1"], "channel": VOICE, "region": _site_regions(site, sites)[:1]}
    add(
        "night_shift",
        "Night shift",
        "夜班",
        sup,
        handle=[_g(w, ["new", "l1_working"], night)],
        escalate=[_g(w, ["l1_working"], to=sup)],
    )
    social = ["new", "l1_working", "waiting_customer", "resolved"]
    add(
        "social_team",
        "Social and e-mail team",
        "社媒邮件组",
        sup,
        handle=[_g(w, social, {"channel": ["email", "social"]})],
    )
    add(
        "backoffice",
        "Back office",
        "后台",
        sup,
        handle=[_g(w, ["waiting_customer", "resolved"], {"channel": ["email", "social"]})],
    )
    add(
        "voice_lead",
        "Voice team lead",
        "语音组长",
        sup,
        handle=[_g(w, ["l1_working", "approval"], {"channel": VOICE}, 1000)],
        escalate=[_g(w, ["l1_working", "approval"], to=sup)],
    )
    add("trainer", "Trainer", "培训师", sup, handle=[_g(w, ["follow_up"], {"channel": VOICE, "tier": NOT_PREMIUM})])
    assert len(roles) == 26, len(roles)
    return roles


def _t(name: str, src: str | list[str], dst: str, by: str, when: Any = None, **extra: Any) -> dict[str, Any]:
    t: dict[str, Any] = {"name": name, "from": src, "to": dst, "by": by}
    if when is not None:
        t["when"] = when
    t.update(extra)
    return t


def _workflow(site: int, sites: int, defects: bool) -> dict[str, Any]:
    """One site's workflow: L1, L2, experts, approval by amount, the call-back, per-site timers."""
    s = f"s{site:02d}"
    order = [f"{s}_night_shift", f"{s}_dispatcher"]
    order += [f"{s}_l1_{k}{g}" for g in range(3) for k in ("voice", "digital")]
    order += [f"{s}_social_team", f"{s}_backoffice", f"{s}_voice_lead", f"{s}_trainer", f"{s}_callback"]
    order += [f"{s}_vip_agent", f"{s}_enterprise_desk", "lang_hub_eu", "lang_hub_asia"]
    order += [f"{s}_l2_{f}" for f in L2_FAMILIES]
    order += [f"{s}_fraud_triage", f"{s}_refund_clerk", f"{s}_l2_senior", "global_vip_desk", "fraud_desk"]
    order += [*POOLS, f"{s}_supervisor", f"{s}_manager", "director"]
    if defects and site % 4 == 1:
        order.remove(f"{s}_social_team")  # planted: social tickets have two owners here
    work = ["l1_working", L2]
    money = {"category": FAMILIES["billing"] + FAMILIES["refund"]}
    return {
        "id": f"{s}_service",
        "name": {"en": f"Service at site {site}", "zh": f"站点{site}服务流程"},
        "applies_when": {"region": _site_regions(site, sites)},
        "ownership": "single",
        "assign": order,
        "initial": "new",
        "states": {k: dict(v) for k, v in STATES.items()},
        "transitions": [
            _t("accept", "new", "l1_working", "handle"),
            _t("dispatch", "new", "l1_working", "coordinate"),
            _t("cancel", "new", "cancelled", "handle", {"channel": DIGITAL}),
            _t("ask_customer", work, "waiting_customer", "handle"),
            _t("customer_replied", "waiting_customer", "l1_working", "handle"),
            _t("to_l2", "l1_working", L2, "coordinate"),
            _t("to_vip_desk", "l1_working", "l1_working", "coordinate"),
            _t("to_expert", L2, "expert_review", "coordinate"),
            _t("expert_done", "expert_review", L2, "coordinate"),
            _t("to_fraud_desk", L2, L2, "coordinate"),
            _t("fraud_cleared", L2, L2, "coordinate", roles=["fraud_desk"]),
            _t("submit", work, "approval", "handle", money),
            _t("approve", "approval", "refunding", "handle"),
            _t("reject", "approval", "resolved", "handle"),
            _t("paid", "refunding", "resolved", "handle"),
            _t("solve", work, "resolved", "handle"),
            _t("call_back", "resolved", "follow_up", "handle"),
            _t("close", "follow_up", "closed", "handle"),
            _t("reopen", "follow_up", "l1_working", "handle"),
            _t("raise_l1", "l1_working", "l1_working", "escalate"),
            _t("raise_l2", L2, L2, "escalate"),
            _t("raise_approval", "approval", "approval", "escalate"),
        ],
        "escalations": [
            {
                "in": "new",
                "after": f"{3 + site % 7}m",
                "to": f"{s}_supervisor",
                "goto": "l1_working",
                "when": {"priority": ["P1"]},
            },
            {"in": "l1_working", "at": "80%", "of": "resolution", "to": f"{s}_l2_senior", "when": {"priority": ["P1"]}},
            {"in": "approval", "after": f"{2 + site % 3}h", "to": f"{s}_manager"},
            {"in": "waiting_customer", "after": "3d", "to": f"{s}_supervisor", "goto": "cancelled"},
        ],
        "sla": {
            "first_response": {
                "kind": "first_response",
                "target": "3m",
                "stop": "l1_working",
                "when": {"channel": VOICE},
            },
            "resolution": {"kind": "resolution", "target": "2d", "stop": "closed", "pause_in": ["waiting_customer"]},
        },
    }


def make_sites(out: Path, sites: int, defects: bool = True) -> dict[str, int]:
    """Write a rules directory of ``sites`` sites to ``out``; returns counts of what was written."""
    _dump(out / "ticket.yaml", _ticket())
    site_ids = [f"s{i:02d}" for i in range(sites)]
    roles = _shared_roles(site_ids)
    for i in range(sites):
        roles.update(_site_roles(i, sites, defects))
        wf = _workflow(i, sites, defects)
        _dump(out / "workflows" / f"{wf['id']}.yaml", wf)
    for rid, doc in roles.items():
        _dump(out / "roles" / f"{rid}.yaml", doc)
    return {"sites": sites, "roles": len(roles), "workflows": sites}
