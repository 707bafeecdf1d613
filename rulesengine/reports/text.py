"""Text and JSON renderings of diagnostics, shared by every command that reports.

Text output names each problem as ``file:line:column: severity[CODE] message`` (the form
editors and terminals turn into links), shows the source line with a caret when the
file can be read, then the help.  Colour comes from rich, which honours ``NO_COLOR``
and plain pipes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Severity, summary
from ..source.loader import MAX_FILE_BYTES
from ..source.positions import LineIndex

REPORT_VERSION = 1

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def json_report(diags: Iterable[Diagnostic], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The versioned JSON report of DESIGN.md."""
    items = list(diags)
    out: dict[str, Any] = {"version": REPORT_VERSION, "summary": summary(items)}
    if extra:
        out.update(extra)
    out["findings"] = [x.to_json() for x in items]
    return out


def json_text(diags: Iterable[Diagnostic], extra: dict[str, Any] | None = None) -> str:
    return json.dumps(json_report(diags, extra), indent=2, ensure_ascii=False) + "\n"


def _source_line(root: Path | None, file: str, line: int, cache: dict[str, LineIndex | None]) -> str | None:
    """Line ``line`` of a rules file, counting lines as editors do (LF, CRLF or CR)."""
    if root is None or line <= 0:
        return None
    if file not in cache:
        cache[file] = None
        path = root / file
        try:
            if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
                cache[file] = LineIndex(path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff"))
        except OSError:
            pass
    index = cache[file]
    return index.line_text(line) if index is not None else None


def step_line(step: dict[str, Any]) -> str:
    """One trace step in words: ``new --start--> working by agent``."""
    event = step.get("event")
    kind = step.get("kind", event)  # reports from before `kind` existed named the step by its event
    if kind == "create":
        return f"ticket created at {step.get('state')}"
    if kind == "assign":
        owner = step.get("owner")
        return f"assigned to {owner} at {step.get('state')}" if owner else f"nobody may own it at {step.get('state')}"
    role = f" by {step['role']}" if step.get("role") else ""
    owner = step.get("owner")
    hand = f", now held by {owner}" if owner and owner != step.get("role") else ""
    return f"{step.get('state')} --{event}--> {step.get('to', '')}{role}{hand}"


def text_lines(diags: Iterable[Diagnostic], root: Path | None = None) -> list[tuple[str, str | None]]:
    """(text, style) pairs; the CLI prints them through rich."""
    out: list[tuple[str, str | None]] = []
    sources: dict[str, LineIndex | None] = {}
    for x in diags:
        where = f"{x.location}: " if x.location else ""
        out.append((f"{where}{x.severity.value}[{x.code}] {x.message}", _STYLE[x.severity]))
        loc = x.location
        if loc is not None and loc.line:
            src = _source_line(root, loc.file, loc.line, sources)
            if src is not None and len(src) <= 300:
                gutter = max(4, len(str(loc.line)))
                out.append((f"  {loc.line:>{gutter}} | {src}", "dim"))
                caret_col = max(loc.column, 1)
                width = 1
                if loc.end_line == loc.line and loc.end_column > loc.column:
                    width = loc.end_column - loc.column
                out.append((f"{' ' * (gutter + 3)}| {' ' * (caret_col - 1)}{'^' * width}", _STYLE[x.severity]))
        for step in x.trace:
            out.append((f"    ↳ {step_line(step)}", "dim"))
        if x.ticket:
            ticket = ", ".join(f"{k}={v}" for k, v in x.ticket.items())
            out.append((f"  ticket: {ticket}", None))
        if x.help:
            out.append((f"  help: {x.help}", "green"))
    return out
