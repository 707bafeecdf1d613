"""Markdown output, for pull-request comments and CI job summaries (``$GITHUB_STEP_SUMMARY``).

A reviewer wants the counts first, then one table row per finding to scan, then the
evidence (ticket profile, event trace, advice) folded away in ``<details>`` so a long
report stays readable.  Table cells escape ``|`` and fold newlines, since either would
break the GitHub-flavoured table; user values are put in code spans whose fence no
backtick in the value can close.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, summary
from . import rule_doc_path, step_location_text, step_text

if TYPE_CHECKING:
    from ..rules.registry import Rule


def render_markdown(
    diags: list[Diagnostic],
    rules: list[Rule],
    title: str,
    summary_extra: Mapping[str, Any] | None = None,
) -> str:
    """A Markdown report: title, summary table, findings table and one details block each.

    ``summary_extra`` adds columns to the summary table (e.g. ``{"rules_run": 14}``; a list
    value is shown comma-separated).  ``rules`` are the rules that ran: each finding's
    details quote its rule's one-line summary.
    """
    counts = summary(diags)
    out = [f"# {_one_line(title)}", ""]
    heads = ["errors", "warnings", "info"]
    values: list[Any] = [counts["error"], counts["warning"], counts["info"]]
    for key, value in (summary_extra or {}).items():
        heads.append(str(key).replace("_", " "))
        values.append(value)
    out.append(table_row(heads))
    out.append(table_row(["---:"] * len(heads)))
    out.append(table_row([_value(v) for v in values]))
    out.append("")
    if not diags:
        out.append("No findings.")
        return "\n".join(out) + "\n"

    out.append("## Findings")
    out.append("")
    out.append(table_row(["severity", "rule", "location", "workflow / state", "message"]))
    out.append(table_row(["---"] * 5))
    for d in diags:
        out.append(
            table_row(
                [
                    d.severity.value,
                    f"[{d.code}]({rule_doc_path(d.code)}) {d.name}",
                    code_span(str(d.location)) if d.location else "—",
                    code_span(_where(d)) if _where(d) else "—",
                    d.message,
                ]
            )
        )
    out.append("")
    out.append("## Details")
    out.append("")
    summaries = {r.code: r.doc.summary for r in rules}
    for d in diags:
        out.extend(_details(d, summaries.get(d.code)))
    return "\n".join(out) + "\n"


def _where(d: Diagnostic) -> str:
    if d.workflow is None and d.state is None:
        return d.role or ""
    text = f"{d.workflow or ''}/{d.state or ''}"
    return f"{text} ({d.role})" if d.role else text


def _details(d: Diagnostic, rule_summary: str | None) -> list[str]:
    where = f" — {d.location}" if d.location else ""
    lines = [
        "<details>",
        f"<summary>{html.escape(_one_line(f'{d.severity.value} {d.code} {d.name}{where}'))}</summary>",
        "",
        _text(d.message),
        "",
    ]
    if d.workflow is not None or d.state is not None:
        lines += [f"- workflow / state: {code_span(_where(d))}"]
    elif d.role is not None:
        lines += [f"- role: {code_span(d.role)}"]
    if d.ticket:
        lines += ["- ticket: " + ", ".join(code_span(f"{k}={v}") for k, v in d.ticket.items())]
    for loc in d.related:
        lines += [f"- related: {code_span(str(loc))}"]
    if lines[-1] != "":
        lines.append("")
    if d.trace:
        lines += ["Trace:", ""]
        for i, step in enumerate(d.trace, 1):
            at = step_location_text(step)
            lines.append(f"{i}. {code_span(step_text(step))}" + (f" at {code_span(at)}" if at else ""))
        lines.append("")
    if d.help:
        lines += [f"Help: {_text(d.help)}", ""]
    about = f" — {_one_line(rule_summary)}" if rule_summary else ""
    lines += [f"Rule: [{d.code}]({rule_doc_path(d.code)}) `{d.name}`{about}", "", "</details>", ""]
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.splitlines()) if text else ""


def escape_cell(text: str) -> str:
    """A table cell: HTML and pipes escaped, line breaks folded into spaces (a rule or value
    named `<details>` must not open a block on the code host)."""
    return _text(text).replace("|", "\\|")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _text(text: str) -> str:
    """Prose on one line where no user value can open an HTML tag (``<details>``, ``</table>``);
    a ``<`` that cannot start a tag (``amount <= 200``) stays as written."""
    return _TAG_START.sub("&lt;", _one_line(text))


def table_row(cells: list[str]) -> str:
    return "| " + " | ".join(escape_cell(c) for c in cells) + " |"


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def code_span(text: str) -> str:
    """``text`` as an inline code span that no backtick inside it can close."""
    text = _one_line(text)
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
