"""Workflow and escalation diagrams as Graphviz DOT and Mermaid text.

Both formats are plain text built without the Graphviz binary; SVG, PNG and PDF are
produced from the DOT by ``dot`` (see :mod:`rulesengine.render.output`).  Every label
can be English or Chinese; the font is named explicitly (Noto Sans CJK SC, installed by
setup) so that Chinese renders as glyphs rather than boxes.

What a workflow diagram shows:

* states filled with the colour of the role(s) that own them in the flow simulation,
  with a legend; initial state marked by an arrow from a dot, final states with a double
  border, required states with a bold border and a star;
* every transition labelled with its event, the permission kind that fires it and the
  roles that do; timed escalations as dashed edges labelled with their delay;
* the check's findings overlaid: an ownership gap in red, a duplicate owner in orange,
  an unreachable state greyed out, a state that traps tickets with a dotted red border.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import graphviz

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic
from ..model.ruleset import Kind, Name, Ruleset
from .facts import WorkflowFacts, workflow_facts

FONT = "Noto Sans CJK SC"
PALETTE = (
    "#cfe2f3", "#d9ead3", "#fff2cc", "#ead1dc", "#d0e0e3", "#fce5cd",
    "#d9d2e9", "#e6f4ea", "#fde2e4", "#e2f0cb", "#f4e1c1", "#dbe4ff",
)  # fmt: skip
GAP_FILL, GAP_LINE = "#f4cccc", "#cc0000"
DUP_FILL, DUP_LINE = "#fce5cd", "#e69138"
GREY_FILL, GREY_LINE = "#eeeeee", "#999999"
KIND_MARK = {"handle": "H", "coordinate": "C", "escalate": "E"}


def role_colours(rs: Ruleset) -> dict[str, str]:
    """A stable colour per role (by sorted id), shared by every diagram."""
    return {rid: PALETTE[i % len(PALETTE)] for i, rid in enumerate(sorted(rs.roles))}


def _name(n: Name | None, fallback: str, lang: str) -> str:
    return n.get(lang) if n is not None else fallback


def _role_name(rs: Ruleset, rid: str, lang: str) -> str:
    role = rs.roles.get(rid)
    return role.name.get(lang) if role else rid


def _transition_label(rs: Ruleset, facts: WorkflowFacts, t_index: int, event: str, kind: str, lang: str) -> str:
    firers = facts.firers.get(t_index, {})
    mark = KIND_MARK[kind]
    if not firers:
        return f"{event}\n[{mark}] nobody"
    parts = []
    for role in sorted(firers):
        owners = sorted(o for o in firers[role] if o and o != role)
        who = _role_name(rs, role, lang)
        if kind != "handle" and owners:
            who += " → " + ", ".join(_role_name(rs, o, lang) for o in owners)
        parts.append(who)
    return f"{event}\n[{mark}] " + "\n".join(parts)


def workflow_graph(an: Analysis, wid: str, findings: Iterable[Diagnostic] = (), lang: str = "en") -> graphviz.Digraph:
    """The Graphviz graph of one workflow with owners and findings overlaid."""
    rs = an.ruleset
    wf = rs.workflows[wid]
    facts = workflow_facts(an, wid, findings)
    colours = role_colours(rs)
    g = graphviz.Digraph(
        name=wid,
        graph_attr={
            "rankdir": "LR",
            "fontname": FONT,
            "label": f"{_name(wf.name, wid, lang)} ({wid})",
            "labelloc": "t",
            "fontsize": "16",
            "nodesep": "0.4",
            "ranksep": "0.6",
        },
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled"},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )
    g.node("__start__", label="", shape="point", width="0.15", style="filled", fillcolor="black")
    g.edge("__start__", wf.initial)
    used_roles: set[str] = set()
    for sid, st in wf.states.items():
        owners = sorted(facts.owners.get(sid, ()))
        used_roles.update(owners)
        status = facts.state_status(sid)
        title = _name(st.name, sid, lang)
        lines = [title if title == sid else f"{title}\n({sid})"]
        if st.required:
            lines[0] = "★ " + lines[0]
        if owners and not st.final:
            lines.append(", ".join(_role_name(rs, o, lang) for o in owners))
        if status == "gap":
            lines.append("!! no owner for some tickets" if lang == "en" else "!! 部分工单无人负责")
        elif status == "duplicate":
            lines.append("!! several owners for some tickets" if lang == "en" else "!! 部分工单多人负责")
        elif status == "unreachable":
            lines.append("unreachable" if lang == "en" else "不可达")
        elif status == "trap":
            lines.append("!! cannot finish" if lang == "en" else "!! 无法结束")
        attrs: dict[str, str] = {"label": "\n".join(lines)}
        style = ["rounded", "filled"]
        if st.final:
            attrs["peripheries"] = "2"
            attrs["fillcolor"] = "#ffffff"
        elif status == "gap":
            attrs.update(fillcolor=GAP_FILL, color=GAP_LINE, penwidth="2.5")
        elif status == "duplicate":
            attrs.update(fillcolor=DUP_FILL, color=DUP_LINE, penwidth="2.5")
        elif status == "unreachable":
            attrs.update(fillcolor=GREY_FILL, color=GREY_LINE, fontcolor="#777777")
            style.append("dashed")
        elif len(owners) == 1:
            attrs["fillcolor"] = colours[owners[0]]
        elif owners:
            share = 1.0 / len(owners)
            attrs["fillcolor"] = ":".join(f"{colours[o]};{share:.3f}" for o in owners)
            style = ["rounded", "striped"]
        else:
            attrs["fillcolor"] = "#ffffff"
        if status == "trap":
            attrs.update(color=GAP_LINE, penwidth="2")
            style.append("dotted")
        if status == "skippable":
            attrs.update(color=GAP_LINE)
        if st.required:
            attrs["penwidth"] = attrs.get("penwidth", "2.2")
        attrs["style"] = ",".join(style)
        g.node(sid, **attrs)
    for t in wf.transitions:
        label = _transition_label(rs, facts, t.index, t.name, t.by.value, lang)
        edge_attrs = {"label": label}
        if t.by is Kind.COORDINATE:
            edge_attrs.update(color="#3d85c6", fontcolor="#3d85c6", style="dashed")
        elif t.by is Kind.ESCALATE:
            edge_attrs.update(color="#a61c00", fontcolor="#a61c00", style="bold")
        if t.index not in facts.firers:
            edge_attrs.update(color="#999999", fontcolor="#999999")
        for s in t.sources:
            g.edge(s, t.target, **edge_attrs)
    for e in wf.escalations:
        label = ("timer " if lang == "en" else "超时 ") + e.delay_text
        if e.to is not None:
            label += f"\n→ {_role_name(rs, e.to, lang)}"
        for s in e.states:
            g.edge(s, e.goto or s, label=label, style="dashed", color="#e69138", fontcolor="#b45f06")
    legend_roles = sorted(used_roles)
    if legend_roles or facts.gaps or facts.duplicates or facts.unreachable:
        with g.subgraph(name="cluster_legend") as lg:
            lg.attr(
                label="Legend" if lang == "en" else "图例",
                fontname=FONT,
                fontsize="11",
                style="rounded",
                color="#bbbbbb",
            )
            rows = []
            for rid in legend_roles:
                rows.append((f"legend_{rid}", _role_name(rs, rid, lang), colours[rid], "#555555"))
            if facts.gaps:
                rows.append(("legend__gap", "ownership gap" if lang == "en" else "无人负责", GAP_FILL, GAP_LINE))
            if facts.duplicates:
                rows.append(("legend__dup", "duplicate owner" if lang == "en" else "多人负责", DUP_FILL, DUP_LINE))
            if facts.unreachable:
                rows.append(("legend__grey", "unreachable" if lang == "en" else "不可达", GREY_FILL, GREY_LINE))
            prev = None
            for nid, text, fill, line in rows:
                lg.node(nid, label=text, fillcolor=fill, color=line, style="rounded,filled", fontsize="9")
                if prev is not None:
                    lg.edge(prev, nid, style="invis")
                prev = nid
    return g


def workflow_dot(an: Analysis, wid: str, findings: Iterable[Diagnostic] = (), lang: str = "en") -> str:
    return workflow_graph(an, wid, findings, lang).source


def roles_graph(an: Analysis, lang: str = "en") -> graphviz.Digraph:
    """The escalation and reporting chart: reports-to, escalate, transfer and timer edges."""
    rs = an.ruleset
    colours = role_colours(rs)
    g = graphviz.Digraph(
        name="roles",
        graph_attr={
            "rankdir": "BT",
            "fontname": FONT,
            "label": "Reporting and escalation" if lang == "en" else "汇报与上报关系",
            "labelloc": "t",
            "fontsize": "16",
        },
        node_attr={"fontname": FONT, "fontsize": "11", "shape": "box", "style": "rounded,filled"},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )
    for rid, role in rs.roles.items():
        label = role.name.get(lang)
        if role.headcount is not None:
            label += f"\n× {role.headcount}"
        if not role.handles_tickets:
            label += "\n(no tickets)" if lang == "en" else "\n(不处理工单)"
        g.node(rid, label=label, fillcolor=colours[rid])
    for rid, role in rs.roles.items():
        if role.reports_to:
            g.edge(rid, role.reports_to, label="reports to" if lang == "en" else "汇报", color="#666666")
    seen: set[tuple[str, str, str]] = set()
    for rid, role in rs.roles.items():
        for gr in role.grants_of(Kind.ESCALATE):
            key = (rid, gr.targets[0], "escalate")
            if key in seen:
                continue
            seen.add(key)
            wfs = ", ".join(sorted(gr.cells))
            g.edge(
                rid,
                gr.targets[0],
                label=("escalate" if lang == "en" else "上报") + f"\n{wfs}",
                color="#a61c00",
                fontcolor="#a61c00",
                style="bold",
            )
        for gr in role.grants_of(Kind.COORDINATE):
            for target in gr.targets:
                key = (rid, target, "coordinate")
                if key in seen:
                    continue
                seen.add(key)
                g.edge(
                    rid,
                    target,
                    label="transfer" if lang == "en" else "转派",
                    color="#3d85c6",
                    fontcolor="#3d85c6",
                    style="dashed",
                )
    for wid, wf in rs.workflows.items():
        facts = workflow_facts(an, wid)
        for e in wf.escalations:
            if e.to is None:
                continue  # a timer that only moves the ticket on involves no other role
            for owner in sorted(facts.timers.get(e.index, ())):
                key = (owner, e.to, f"timer:{wid}:{e.index}")
                if key in seen:
                    continue
                seen.add(key)
                g.edge(
                    owner,
                    e.to,
                    label=("timer " if lang == "en" else "超时 ") + f"{e.delay_text}\n{wid}: {', '.join(e.states)}",
                    color="#e69138",
                    fontcolor="#b45f06",
                    style="dashed",
                )
    return g


def roles_dot(an: Analysis, lang: str = "en") -> str:
    return roles_graph(an, lang).source


# -- Mermaid ---------------------------------------------------------------------------
def _mm(text: str) -> str:
    """Mermaid label text: no colons, quotes or line breaks that would end the label."""
    return text.replace(":", " -").replace('"', "'").replace("\n", " ").replace(";", ",").replace("#", "")


def workflow_mermaid(an: Analysis, wid: str, findings: Iterable[Diagnostic] = (), lang: str = "en") -> str:
    rs = an.ruleset
    wf = rs.workflows[wid]
    facts = workflow_facts(an, wid, findings)
    colours = role_colours(rs)
    lines = [
        "---",
        f"title: {_mm(_name(wf.name, wid, lang))} ({wid})",
        "---",
        "stateDiagram-v2",
        "    direction LR",
        f"    [*] --> {wf.initial}",
    ]
    for sid, st in wf.states.items():
        title = _name(st.name, sid, lang)
        owners = sorted(facts.owners.get(sid, ()))
        label = ("★ " if st.required else "") + title
        if owners and not st.final:
            label += " [" + ", ".join(_role_name(rs, o, lang) for o in owners) + "]"
        status = facts.state_status(sid)
        if status:
            label += f" !! {status}"
        lines.append(f"    {sid} : {_mm(label)}")
    for t in wf.transitions:
        firers = facts.firers.get(t.index, {})
        who = ", ".join(_role_name(rs, r, lang) for r in sorted(firers)) or "nobody"
        for s in t.sources:
            lines.append(f"    {s} --> {t.target} : {_mm(f'{t.name} [{KIND_MARK[t.by.value]}] {who}')}")
    for e in wf.escalations:
        whom = f" to {_role_name(rs, e.to, lang)}" if e.to is not None else ""
        for s in e.states:
            lines.append(f"    {s} --> {e.goto or s} : {_mm(f'timer {e.delay_text}{whom}')}")
    for sid in wf.final_states:
        lines.append(f"    {sid} --> [*]")
    classes = {
        "gap": f"fill:{GAP_FILL},stroke:{GAP_LINE},stroke-width:3px",
        "duplicate": f"fill:{DUP_FILL},stroke:{DUP_LINE},stroke-width:3px",
        "unreachable": f"fill:{GREY_FILL},stroke:{GREY_LINE},color:#777777,stroke-dasharray:4",
        "trap": f"stroke:{GAP_LINE},stroke-width:2px,stroke-dasharray:2",
        "skippable": f"stroke:{GAP_LINE},stroke-width:2px",
    }
    used: dict[str, list[str]] = {}
    for sid, st in wf.states.items():
        status = facts.state_status(sid)
        if status:
            used.setdefault(status, []).append(sid)
            continue
        owners = sorted(facts.owners.get(sid, ()))
        if len(owners) == 1 and not st.final:
            used.setdefault(f"role_{owners[0]}", []).append(sid)
            classes[f"role_{owners[0]}"] = f"fill:{colours[owners[0]]}"
    for cls in sorted(used):
        lines.append(f"    classDef {cls} {classes[cls]}")
        lines.append(f"    class {','.join(used[cls])} {cls}")
    return "\n".join(lines) + "\n"


def roles_mermaid(an: Analysis, lang: str = "en") -> str:
    rs = an.ruleset
    lines = ["flowchart BT"]
    for rid, role in rs.roles.items():
        lines.append(f'    {rid}["{_mm(role.name.get(lang))}"]')
    for rid, role in rs.roles.items():
        if role.reports_to:
            lines.append(f"    {rid} -->|{'reports to' if lang == 'en' else '汇报'}| {role.reports_to}")
    seen: set[tuple[str, str, str]] = set()
    for rid, role in rs.roles.items():
        for gr in role.grants_of(Kind.ESCALATE):
            if (rid, gr.targets[0], "e") not in seen:
                seen.add((rid, gr.targets[0], "e"))
                lines.append(f"    {rid} ==>|{'escalate' if lang == 'en' else '上报'}| {gr.targets[0]}")
        for gr in role.grants_of(Kind.COORDINATE):
            for target in gr.targets:
                if (rid, target, "c") not in seen:
                    seen.add((rid, target, "c"))
                    lines.append(f"    {rid} -.->|{'transfer' if lang == 'en' else '转派'}| {target}")
    for wid, wf in rs.workflows.items():
        facts = workflow_facts(an, wid)
        for e in wf.escalations:
            if e.to is None:
                continue
            for owner in sorted(facts.timers.get(e.index, ())):
                key = (owner, e.to, f"t{wid}{e.index}")
                if key not in seen:
                    seen.add(key)
                    lines.append(f"    {owner} -.->|{_mm(f'timer {e.delay_text} {wid}')}| {e.to}")
    return "\n".join(lines) + "\n"


def source_digest(text: str) -> str:
    """A short fingerprint of a diagram's source, stamped into rendered files."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
