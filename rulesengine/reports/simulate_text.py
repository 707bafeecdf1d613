"""Plain-text renderings of ``simulate`` and ``explain`` results for the terminal."""

from __future__ import annotations

from typing import Any

from ..model.ruleset import Ruleset

Line = tuple[str, str | None]


def _ticket(t: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in t.items()) or "any ticket"


def _path(p: dict[str, Any] | None) -> str:
    if p is None:
        return "no path to a final state"
    hops = [f"{p['states'][0]} [{p['owners'][0]}]"]
    for ev, st, ow in zip(p["events"], p["states"][1:], p["owners"][1:]):
        hops.append(f"--{ev}--> {st} [{ow}]")
    return (
        f"{p['steps']} steps, {p['handoffs']} hand-offs, {p['transfers']} transfers, "
        f"{p['escalations']} escalations: " + " ".join(hops)
    )


def simulation_text(doc: dict[str, Any], rs: Ruleset) -> list[Line]:
    out: list[Line] = []
    for wf in doc["workflows"]:
        w = rs.workflows[wf["id"]]
        out.append((f"{wf['id']} — {w.name.both()}: {wf['ticket_classes']} ticket classes", "bold"))
        for c in wf["classes"]:
            flag = f"  ! {', '.join(c['findings'])}" if c["findings"] else ""
            n = c.get("ticket_classes", 1)
            more = f" and {n - 1} more kinds of ticket that travel alike" if n > 1 else ""
            out.append((f"  ticket {_ticket(c['ticket'])}{more} ({c['situations']} situations){flag}", "cyan"))
            owners = "; ".join(f"{s}: {', '.join(o)}" for s, o in c["owners"].items())
            out.append((f"    owners   {owners}", None))
            out.append((f"    shortest {_path(c['shortest'])}", None))
            suffix = " (search budget reached)" if c["longest_truncated"] else ""
            out.append((f"    longest  {_path(c['longest'])}{suffix}", None))
            for name, got in c.get("slas", {}).get("shortest", {}).items():
                if got.get("starts") and (got["known_minutes"] or not got["stops"]):
                    where = f"stops after {got['steps']} steps" if got["stops"] else "never stops"
                    late = " — breached by its timers alone" if got["breached_by_timers"] else ""
                    text = f"    SLA {name} ({got['target']}) on the shortest path: {where}, at least {got['known_minutes']} min{late}"
                    out.append((text, "red" if late else None))
            out.append((f"    deepest escalation chain: {c['max_escalation_depth']}", None))
    return out


def random_text(doc: dict[str, Any]) -> list[Line]:
    out: list[Line] = [(f"{doc['walks']} random walks per workflow, seed {doc['seed']}", "bold")]
    for wf in doc["workflows"]:
        e = wf["ended"]
        out.append(
            (
                f"{wf['id']}: {wf['walks']} walks — {e['final']} closed, {e['stuck']} stuck, {e['limit']} cut at the step limit",
                "cyan",
            )
        )
        for key in ("steps", "handoffs", "transfers", "escalations"):
            s = wf[key]
            out.append(
                (
                    f"    {key:<12} min {s['min']}  median {s['median']}  mean {s['mean']}  p90 {s['p90']}  max {s['max']}",
                    None,
                )
            )
    return out


def explain_text(doc: dict[str, Any], rs: Ruleset) -> list[Line]:
    wf = rs.workflows[doc["workflow"]]
    out: list[Line] = [(f"{doc['workflow']} ({wf.name.both()}) at `{doc['state']}`", "bold")]
    if doc["ticket_classes"] > 1:
        varying = ", ".join(doc["varying_attributes"])
        out.append(
            (
                f"{doc['ticket_classes']} kinds of ticket are treated differently here; set {varying} to pin one",
                "yellow",
            )
        )
    for c in doc["classes"]:
        out.append((f"ticket {_ticket(c['ticket'])}", "cyan"))
        if c["final"]:
            out.append(("  the state is final: the ticket's life is over", None))
        elif not c["reached"]:
            out.append(("  no ticket of this kind reaches this state; one that arrived unowned would go to:", "yellow"))
        asg = c["assignment"]
        if asg["gap"]:
            out.append(("  owner: nobody — ownership gap", "bold red"))
        elif asg["duplicate"]:
            out.append((f"  owner: ambiguous — {', '.join(asg['owners'])} are all eligible", "bold red"))
        elif asg["owners"]:
            how = " (chosen by the workflow's assign order)" if asg["settled_by_assign_order"] else ""
            out.append((f"  owner: {', '.join(asg['owners'])}{how}", "green"))
        if asg.get("handed_over"):
            out.append((f"  also held by {', '.join(asg['handed_over'])} after a hand-off", None))
        for o in c["owners"]:
            out.append((f"    {o['role']} may handle, by {o['grant']}", None))
        for t in c["transitions"]:
            if t["allowed"]:
                main = [a for a in t["allowed"] if a.get("owner")] or t["allowed"]
                rest = list(dict.fromkeys(a["role"] for a in t["allowed"] if a not in main))
                who = "; ".join(
                    f"{a['role']}"
                    + (f" → {', '.join(a['targets'])}" if a.get("targets") else "")
                    + f" ({a['grant']})"
                    + ("" if a["lands"] else " — but nobody may own it there")
                    for a in main
                )
                if rest:
                    who += f" — or {', '.join(rest)} when the ticket is raised to them"
                out.append((f"  {t['name']} → {t['to']} [{t['by']}]: {who}", None))
            else:
                out.append((f"  {t['name']} → {t['to']} [{t['by']}]: nobody — {t.get('blocked', '')}", "yellow"))
        for tm in c["timers"]:
            ok = "" if tm["target_can_handle"] else f" — but {tm['to']} cannot handle it there"
            if tm["applies"]:
                out.append((f"  timer after {tm['after']}: to {tm['to']} at {tm['goto']}{ok} ({tm['location']})", None))
        for sla in c.get("slas", []):
            cal = f" on {sla['calendar']}" if sla["calendar"] else ""
            out.append((f"  SLA {sla['name']}: {sla['target']}{cal} — {sla['status']}", None))
        for d in c["denied"]:
            where = f" (nearest grant {d['grant']})" if d["grant"] else ""
            out.append((f"  not {d['role']}: {d['reason']}{where}", "dim"))
    left = doc["ticket_classes"] - len(doc["classes"])
    if left > 0:
        varying = ", ".join(doc["varying_attributes"])
        out.append((f"… {left} more kinds of ticket not shown; pin one with --set ({varying})", "yellow"))
    return out
