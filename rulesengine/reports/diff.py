"""``rulesengine diff`` as text for a terminal and as Markdown for a pull-request comment.

Both lead with what a reviewer must see first — the count of changes and whether the
new rules add errors — then list responsibilities, owners, structure, timing and
findings.  Renderers return strings (or ``(text, style)`` lines); only the CLI prints.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..diff.model import (
    ChangeKind,
    Direction,
    FindingChange,
    InvalidSide,
    ItemChange,
    OwnerChange,
    PermissionChange,
    RulesDiff,
    Subject,
)
from ..text import plural
from .markdown import code_span, table_row
from .text import text_lines

Line = tuple[str, str | None]
LONG = 10  # Markdown tables longer than this are folded into <details>
MAX_CHARS = 60_000  # a pull-request comment holds 65,536 characters; leave room for a header

_SUBJECT = {
    Subject.ATTRIBUTE: "attribute",
    Subject.ROLE: "role",
    Subject.WORKFLOW: "workflow",
    Subject.STATE: "state",
    Subject.TRANSITION: "transition",
    Subject.SLA: "SLA",
    Subject.STATE_SLA: "time limit of state",
    Subject.TIMER: "timed escalation",
    Subject.CALENDAR: "calendar",
}
_SIGN = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~"}
_STYLE = {ChangeKind.ADDED: "green", ChangeKind.REMOVED: "red", ChangeKind.CHANGED: "yellow"}


def ticket_text(ticket: Mapping[str, Any]) -> str:
    def show(v: Any) -> str:
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    return ", ".join(f"{k}={show(v)}" for k, v in ticket.items()) or "any ticket"


def permission_text(p: PermissionChange) -> str:
    """``frontline_agent gained handle at after_sales: approval``."""
    what = p.kind.value + (" → " + ", ".join(p.targets) if p.targets else "")
    return f"{p.role} {p.direction.value} {what} at {p.workflow}: {', '.join(p.states)}"


def owner_text(o: OwnerChange) -> str:
    return f"{o.workflow}: {', '.join(o.states)} — {', '.join(o.before) or 'nobody'} → {', '.join(o.after) or 'nobody'}"


def item_text(c: ItemChange) -> str:
    where = f" in {c.workflow}" if c.workflow and c.subject is not Subject.WORKFLOW else ""
    return f"{_SUBJECT[c.subject]} `{c.id}`{where} {c.change.value}" + (f": {c.detail}" if c.detail else "")


def counts_text(diff: RulesDiff) -> str:
    """The one-line summary both formats give: the count of each kind of change, zeros left out."""
    if diff.empty:
        return "no changes: both versions give the same responsibilities, owners, timing and findings"
    parts = [
        plural(n, what)
        for n, what in (
            (len(diff.permissions), "responsibility change"),
            (len(diff.owners), "owner change"),
            (len(diff.structure), "structural change"),
            (len(diff.timing), "timing change"),
        )
        if n
    ]
    appeared = diff.findings_of(FindingChange.APPEARED)
    gone = diff.findings_of(FindingChange.DISAPPEARED)
    if appeared or gone:
        errors = len(diff.new_errors)
        new = f"{len(appeared)} new" + (f" ({plural(errors, 'error')})" if errors else "")
        parts.append(f"findings: {new}, {len(gone)} gone")
    return " · ".join(parts)


# -- text ------------------------------------------------------------------------------------
def text_report(diff: RulesDiff) -> list[Line]:
    """(text, style) lines for the terminal; the CLI prints them through rich."""
    out: list[Line] = [(f"rulesengine diff: {diff.old_label} → {diff.new_label}", "bold")]
    if diff.permissions:
        out += [("", None), (f"Responsibilities ({len(diff.permissions)})", "bold")]
        for p in diff.permissions:
            gained = p.direction is Direction.GAINED
            out.append((f"  {'+' if gained else '-'} {permission_text(p)}", "green" if gained else "red"))
            out.append((f"      for {p.tickets.condition} (e.g. {ticket_text(p.tickets.ticket)})", None))
            if p.locations:
                by = "by" if gained else "was by"
                out.append((f"      {by} {', '.join(str(x) for x in p.locations)}", "dim"))
    if diff.owners:
        out += [("", None), (f"Owners ({len(diff.owners)})", "bold")]
        for o in diff.owners:
            out.append((f"  ~ {owner_text(o)}", "yellow"))
            out.append((f"      for {o.tickets.condition} (e.g. {ticket_text(o.tickets.ticket)})", None))
    for title, items in (("Workflows, roles and attributes", diff.structure), ("SLAs and timers", diff.timing)):
        if items:
            out += [("", None), (f"{title} ({len(items)})", "bold")]
            for c in items:
                loc = f" ({c.location})" if c.location else ""
                out.append((f"  {_SIGN[c.change]} {item_text(c)}{loc}", _STYLE[c.change]))
    if diff.findings:
        out += [("", None), (f"Findings of check ({len(diff.findings)})", "bold")]
        for f in diff.findings:
            sign = "+" if f.change is FindingChange.APPEARED else "-"
            d = f.finding
            where = f"{d.location}: " if d.location else ""
            style = "red" if f.change is FindingChange.APPEARED else "green"
            out.append((f"  {sign} {where}{d.severity.value}[{d.code}] {d.message}", style))
    out += [("", None), (counts_text(diff), "bold red" if diff.new_errors else "bold green")]
    return out


def invalid_text(sides: list[InvalidSide]) -> list[Line]:
    """Each invalid side's errors, located, saying which side they belong to."""
    out: list[Line] = []
    for s in sides:
        root = Path(s.root) if s.root is not None else None
        out.append((f"the {s.side.value} rules ({s.label}) are invalid (stopped at stage `{s.stage}`):", "bold red"))
        out += text_lines(list(s.diagnostics), root)
    out.append(("cannot compare: fix the errors above first", "bold red"))
    return out


# -- Markdown --------------------------------------------------------------------------------
def _table(head: list[str], rows: list[list[str]], what: str, cap: int | None = None) -> list[str]:
    shown = rows if cap is None else rows[:cap]
    lines = [table_row(head), table_row(["---"] * len(head)), *(table_row(r) for r in shown)]
    if len(shown) < len(rows):
        lines += ["", f"… and {len(rows) - len(shown)} more: `--format text` or `--format json` lists them all."]
    if len(rows) <= LONG:
        return [*lines, ""]
    return [f"<details><summary>{html.escape(what)}</summary>", "", *lines, "", "</details>", ""]


def _loc_md(locs: list[str]) -> str:
    return "<br>".join(code_span(x) for x in locs) or "—"


def _finding_row(d: Diagnostic, sign: str) -> list[str]:
    where = "/".join(x for x in (d.workflow, d.state) if x) or "—"
    return [
        sign,
        d.severity.value,
        f"{d.code} {d.name}",
        code_span(where) if where != "—" else where,
        code_span(d.role) if d.role else "—",
        d.message,
        code_span(str(d.location)) if d.location else "—",
    ]


def markdown_report(diff: RulesDiff) -> str:
    """A pull-request comment: the verdict and counts, then one table per kind of change.

    A comment holds at most 65,536 characters: when the tables would not fit, each is
    cut to its first rows (the summary still counts them all).
    """
    head = [f"## Rules diff: {code_span(diff.old_label)} → {code_span(diff.new_label)}", ""]
    if diff.new_errors:
        head += [f"❌ The new rules add **{plural(len(diff.new_errors), 'error')}**.", ""]
    elif not diff.empty:
        head += ["✅ The new rules add no error.", ""]
    head += [counts_text(diff), ""]
    tables = _tables(diff)
    text = ""
    for cap in (None, 200, 100, 50, 20, 10, 5):
        out = list(head)
        for title, columns, rows, what in tables:
            out += [f"### {title}", "", *_table(columns, rows, what, cap)]
        text = "\n".join(out).rstrip("\n") + "\n"
        if len(text) <= MAX_CHARS:
            break
    return text


def _tables(diff: RulesDiff) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(title, column heads, rows, what the rows are) of each non-empty table."""
    out: list[tuple[str, list[str], list[list[str]], str]] = []
    if diff.permissions:
        rows = [
            [
                "➕ gained" if p.direction is Direction.GAINED else "➖ lost",
                code_span(p.role),
                p.kind.value + (" → " + ", ".join(p.targets) if p.targets else ""),
                code_span(p.workflow),
                ", ".join(p.states),
                p.tickets.condition,
                code_span(ticket_text(p.tickets.ticket)),
                _loc_md([str(x) for x in p.locations]),
            ]
            for p in diff.permissions
        ]
        heads = ["", "role", "permission", "workflow", "states", "tickets", "e.g.", "grant"]
        out.append(("Responsibilities", heads, rows, plural(len(rows), "responsibility change")))
    if diff.owners:
        rows = [
            [
                code_span(o.workflow),
                ", ".join(o.states),
                ", ".join(o.before) or "nobody",
                ", ".join(o.after) or "nobody",
                o.tickets.condition,
                code_span(ticket_text(o.tickets.ticket)),
            ]
            for o in diff.owners
        ]
        heads = ["workflow", "states", "before", "after", "tickets", "e.g."]
        out.append(("Owners", heads, rows, plural(len(rows), "owner change")))
    for title, items in (("Workflows, roles and attributes", diff.structure), ("SLAs and timers", diff.timing)):
        if items:
            rows = [
                [
                    c.change.value,
                    _SUBJECT[c.subject],
                    code_span(c.id),
                    code_span(c.workflow) if c.workflow else "—",
                    c.detail or "—",
                    _loc_md([str(c.location)] if c.location else []),
                ]
                for c in items
            ]
            heads = ["change", "what", "id", "workflow", "detail", "location"]
            out.append((title, heads, rows, plural(len(rows), "change")))
    if diff.findings:
        rows = [
            _finding_row(f.finding, "🆕 new" if f.change is FindingChange.APPEARED else "✅ gone")
            for f in diff.findings
        ]
        heads = ["", "severity", "rule", "workflow/state", "role", "message", "location"]
        out.append(("Findings of `check`", heads, rows, plural(len(rows), "finding")))
    return out


def invalid_markdown(sides: list[InvalidSide]) -> str:
    out = ["## Rules diff: cannot compare", ""]
    for s in sides:
        out += [f"**The {s.side.value} rules ({code_span(s.label)}) are invalid** (stopped at stage `{s.stage}`).", ""]
        rows = [
            [d.severity.value, f"{d.code} {d.name}", code_span(str(d.location)) if d.location else "—", d.message]
            for d in s.diagnostics
        ]
        out += _table(["severity", "rule", "location", "message"], rows, plural(len(rows), "diagnostic"))
    return "\n".join(out).rstrip("\n") + "\n"
