"""The audit result as text, JSON, Markdown or CSV (the command line writes them)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .kinds import Kind
from .run import AuditResult

CSV_COLUMNS = (
    "code",
    "name",
    "severity",
    "ticket",
    "line",
    "actor",
    "role",
    "time",
    "activity",
    "workflow",
    "state",
    "reason",
    "message",
    "evidence",
)


def _n(x: int, word: str) -> str:
    return f"{x:,} {word}{'' if x == 1 else 's'}"


def summary_line(res: AuditResult) -> str:
    """One line: the rows reconciled, the tickets, the violations by severity."""
    c = res.counts()
    found = (
        "clean" if not res.violations else f"{_n(c['error'], 'error')}, {_n(c['warning'], 'warning')}, {c['info']} info"
    )
    return (
        f"{found}: {res.audited:,} of {_n(res.read, 'row')} audited, {len(res.rejected):,} rejected; "
        f"{_n(res.tickets, 'ticket')} ({res.open_tickets:,} open at the end of the log)"
    )


def text_lines(res: AuditResult) -> list[tuple[str, str | None]]:
    """(text, style) pairs: each violation with its evidence, each rejected row, the summary."""
    style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
    out: list[tuple[str, str | None]] = []
    for v in res.violations:
        who = f"{v.actor} as {v.role}" if v.actor and v.role else v.actor or v.role or "no actor"
        what = f"`{v.activity}` " if v.activity else ""
        out.append(
            (
                f"{res.log}:{v.line}: {v.severity.value}[{v.code}] {v.kind.label}: ticket {v.ticket}: {v.message}",
                style[v.severity.value],
            )
        )
        out.append((f"    {what}by {who} at `{v.state}` ({v.workflow}), {v.time}; reason {v.reason}", "dim"))
        if v.evidence:
            out.append((f"    evidence: {v.evidence}", "dim"))
    for r in res.rejected:
        out.append((f"{res.log}:{r.line}: rejected: {r.reason}", "magenta"))
    out.extend(kpi_lines(res))
    if res.sample is not None:
        why = sum(1 for r in res.sample if r["reason"] == "violation")
        extra = f" (+{why} with a violation)" if why else ""
        out.append((f"QA sample: {len(res.sample) - why:,} tickets{extra}", None))
    out.append((summary_line(res), "bold green" if not res.violations and not res.rejected else "bold"))
    return out


def _fmt(kpi: str, value: float | None, stat: str = "") -> str:
    if value is None:
        return "no data"
    if kpi in ("first_response", "resolution", "handling"):
        return f"{value:,.1f} min"
    if kpi in ("first_contact_resolution", "sla_attainment", "satisfaction"):
        return f"{value:.1%}"
    return f"{value:,.2f}"


def kpi_lines(res: AuditResult) -> list[tuple[str, str | None]]:
    """The overall KPIs, then each target as met or missed."""
    k = res.kpis.overall.to_json()
    if not k["tickets"]:
        return []
    out: list[tuple[str, str | None]] = [("KPIs", "bold")]
    for name in ("first_response", "resolution", "handling"):
        d = k[name]
        if d["count"]:
            out.append(
                (
                    f"  {name.replace('_', ' ')}: median {_fmt(name, d['median_minutes'])}, "
                    f"p90 {_fmt(name, d['p90_minutes'])} ({d['count']:,} tickets)",
                    None,
                )
            )
    for name in (
        "first_contact_resolution",
        "sla_attainment",
        "satisfaction",
        "transfers_per_ticket",
        "escalations_per_ticket",
        "repeated_contacts_per_ticket",
    ):
        out.append((f"  {name.replace('_', ' ')}: {_fmt(name, k[name])}", None))
    for t in res.to_json()["kpis"]["targets"]:
        mark = "met" if t["met"] else "MISSED" if t["met"] is False else "no data"
        out.append(
            (f"  target {t['target']}: {_fmt(t['kpi'], t['value'])} — {mark}", "green" if t["met"] else "yellow")
        )
    return out


def render_sample(sample: list[dict[str, Any]]) -> str:
    """The QA sample as CSV: one ticket a line, its stratum and why it was picked."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["ticket", "category", "channel", "stratum_size", "reason"])
    for row in sample:
        w.writerow([row["ticket"], row["category"], row["channel"], row["stratum_size"], row["reason"]])
    return buf.getvalue()


def render_json(res: AuditResult) -> str:
    return json.dumps(res.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_csv(res: AuditResult) -> str:
    """One row per violation (rejected rows are in the text and JSON reports)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for v in res.violations:
        d = v.to_json()
        w.writerow(["" if d.get(c) is None else d[c] for c in CSV_COLUMNS])
    return buf.getvalue()


def _cell(text: object) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(res: AuditResult) -> str:
    """A summary, the counts per kind, then the violations and rejected rows as tables."""
    lines = [f"# Audit of `{res.log}`", "", f"**{summary_line(res)}**", ""]
    kinds = res.by_kind()
    if kinds:
        lines += ["| code | violation | severity | count |", "|---|---|---|---|"]
        for k in Kind:
            if k in kinds:
                page = f"docs/audit/{k.code}.md"
                lines.append(f"| [{k.code}]({page}) | `{k.label}` | {k.severity.value} | {kinds[k]:,} |")
        lines += ["", "## Violations", ""]
        lines += ["| line | code | ticket | actor | time | what | evidence |", "|---|---|---|---|---|---|---|"]
        for v in res.violations:
            who = f"{v.actor} ({v.role})" if v.actor and v.role else v.actor or v.role or ""
            lines.append(
                f"| {v.line} | {v.code} {v.kind.label} | {_cell(v.ticket)} | {_cell(who)} | {_cell(v.time)} "
                f"| {_cell(v.message)} | {_cell(v.evidence)} |"
            )
        lines.append("")
    if res.kpis.overall.tickets:
        lines += ["## KPIs", "", "| KPI | value |", "|---|---|"]
        lines += [f"| {text.strip()} | |" for text, _ in kpi_lines(res)[1:]]
        lines.append("")
    if res.rejected:
        lines += ["## Rejected rows", "", "| line | ticket | reason |", "|---|---|---|"]
        lines += [f"| {r.line} | {_cell(r.ticket)} | {_cell(r.reason)} |" for r in res.rejected]
        lines.append("")
    return "\n".join(lines)
