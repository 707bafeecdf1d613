"""Rule documentation pages, generated from the registry into ``docs/rules/``."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import VALIDATION_KINDS
from .registry import Rule, all_rules


def rule_page(r: Rule) -> str:
    """The Markdown page of one rule: what it finds, why, an example, the fix."""
    return (
        f"# {r.code} {r.name}\n\n"
        f"**Default severity:** {r.severity.value} · **Category:** {r.category}\n\n"
        f"{r.doc.summary}.\n\n"
        f"## What it finds\n\n{r.doc.finds}\n\n"
        f"## Why it matters\n\n{r.doc.why}\n\n"
        f"## Example\n\n{r.doc.example}\n\n"
        f"## How to fix\n\n{r.doc.fix}\n\n"
        f"Select or ignore it with `--select {r.name}` / `--ignore {r.code}`, or accept one finding "
        f"in `suppressions.yaml` with `rule: {r.name}` and a `reason`.\n"
    )


def index_page() -> str:
    lines = [
        "# Rules",
        "",
        "Analysis rules run by `rulesengine check`. Codes are stable; names are aliases.",
        "",
        "| code | name | severity | finds |",
        "|---|---|---|---|",
    ]
    for r in all_rules():
        lines.append(f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity.value} | {r.doc.summary} |")
    lines += [
        "",
        "## Validation diagnostics",
        "",
        "Reported by `rulesengine validate` (and by every command before it runs); always exit 2.",
        "",
        "| code | name | severity |",
        "|---|---|---|",
    ]
    for k in sorted(VALIDATION_KINDS, key=lambda k: k.code):
        lines.append(f"| {k.code} | `{k.name}` | {k.severity.value} |")
    return "\n".join(lines) + "\n"


def write_docs(out: Path) -> list[Path]:
    """Write one page per rule plus an index; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for r in all_rules():
        p = out / f"{r.code}.md"
        p.write_text(rule_page(r), encoding="utf-8")
        written.append(p)
    idx = out / "README.md"
    idx.write_text(index_page(), encoding="utf-8")
    written.append(idx)
    return written
