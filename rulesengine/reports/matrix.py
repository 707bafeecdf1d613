"""Renderings of the responsibility matrix: Markdown, CSV, JSON and HTML.

Split from :mod:`rulesengine.views.matrix` (which builds the table and re-exports these), so
that each stays readable.  All renderers are pure functions of a
:class:`~rulesengine.views.matrix.Matrix`.
"""

from __future__ import annotations

import csv
import html
import io
import json
from typing import Any

from ..labels import label as tr
from ..render.diagrams import DUP_FILL, DUP_LINE, GAP_FILL, GAP_LINE
from ..views.matrix_model import Column, Mark, Matrix, Row
from .markdown import escape_cell

MATRIX_VERSION = 1

def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def _status_word(c: Column) -> str:
    if "gap" in c.flags and "duplicate" in c.flags:
        return "GAP+DUP"
    return {"gap": "GAP", "duplicate": "DUP"}.get(c.status, "ok")


def _header_marks(c: Column) -> str:
    return ("" if "gap" not in c.flags else " ⚠gap") + ("" if "duplicate" not in c.flags else " ⚠dup")


def _footnotes(m: Matrix) -> tuple[dict[tuple[str, str], int], list[str]]:
    """Distinct cell notes numbered in reading order, so a printed table stays compact."""
    numbers: dict[str, int] = {}
    where: dict[tuple[str, str], int] = {}
    for row in m.rows:
        for cell in row.cells:
            if cell.notes:
                n = numbers.setdefault(cell.notes, len(numbers) + 1)
                where[(row.role, cell.column)] = n
    return where, list(numbers)


def _role_label(row: Row, lang: str) -> str:
    if lang == "zh" and row.name_zh and row.name_zh != row.name_en:
        return f"{row.name_zh} / {row.name_en}"
    return row.name


def render_markdown(m: Matrix) -> str:
    """A GitHub-flavoured table: one line per role, then the owner check and the notes."""
    lang = _lang(m.lang)
    refs, notes = _footnotes(m)
    head = [tr("role", lang)] + [c.label + _header_marks(c) for c in m.columns]
    lines = [f"# {m.title}", "", tr("legend", lang), ""]
    lines.append("| " + " | ".join(escape_cell(h) for h in head) + " |")
    lines.append("|" + "---|" * len(head))
    for row in m.rows:
        cells = [f"{_role_label(row, lang)} ({row.role})"]
        for cell in row.cells:
            n = refs.get((row.role, cell.column))
            cells.append(cell.text + (f" [{n}]" if n else ""))
        lines.append("| " + " | ".join(escape_cell(c) for c in cells) + " |")
    status = [f"**{tr('owner_check', lang)}**"] + [_status_word(c) for c in m.columns]
    lines.append("| " + " | ".join(escape_cell(s) for s in status) + " |")
    if notes:
        lines += ["", f"{tr('notes', lang)}:", ""]
        lines += [f"{i}. {escape_cell(text)}" for i, text in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


def render_csv(m: Matrix) -> str:
    """``role,<column ids>``, one row per role with the cell texts, then ``_status``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["role"] + [c.id for c in m.columns])
    for row in m.rows:
        w.writerow([row.role] + [cell.text for cell in row.cells])
    w.writerow(["_status"] + [c.status for c in m.columns])
    return buf.getvalue()


def matrix_json(m: Matrix) -> dict[str, Any]:
    """The versioned JSON document of :func:`render_json`, as a dict."""
    return {
        "version": MATRIX_VERSION,
        "by": m.by,
        "lang": m.lang,
        "title": m.title,
        "columns": [
            {
                "id": c.id,
                "label": c.label,
                "workflow": c.workflow,
                "state": c.state,
                "category": c.category,
                "flags": list(c.flags),
                "status": c.status,
            }
            for c in m.columns
        ],
        "rows": [
            {
                "role": r.role,
                "name": r.name,
                "names": {"en": r.name_en, "zh": r.name_zh},
                "cells": [
                    {
                        "column": cell.column,
                        "kinds": list(cell.kinds),
                        "text": cell.text,
                        "notes": cell.notes,
                        "marks": [
                            {
                                "kind": mk.kind,
                                "limit": mk.limit,
                                "partial": mk.partial,
                                "targets": list(mk.targets),
                                "conditions": list(mk.conditions),
                            }
                            for mk in cell.marks
                        ],
                    }
                    for cell in r.cells
                ],
            }
            for r in m.rows
        ],
    }


def render_json(m: Matrix) -> str:
    return json.dumps(matrix_json(m), indent=2, ensure_ascii=False) + "\n"


MATRIX_CSS = f"""
.re-matrix {{ border-collapse: collapse; font-size: 12px; }}
.re-matrix th, .re-matrix td {{ border: 1px solid #c8c8c8; padding: 3px 6px; text-align: center;
  vertical-align: middle; }}
.re-matrix thead th {{ background: #f3f3f3; font-weight: 600; }}
.re-matrix th.role {{ text-align: left; white-space: nowrap; background: #fafafa; }}
.re-matrix th.role small {{ display: block; color: #666; font-weight: normal; }}
.re-matrix td {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; }}
.re-matrix td .mk {{ white-space: nowrap; }}
.re-matrix thead th {{ min-width: 4.5em; }}
.re-matrix .gap {{ background: {GAP_FILL}; }}
.re-matrix thead .gap {{ border-top: 3px solid {GAP_LINE}; }}
.re-matrix .duplicate {{ background: {DUP_FILL}; }}
.re-matrix thead .duplicate {{ border-top: 3px solid {DUP_LINE}; }}
.re-matrix tfoot th, .re-matrix tfoot td {{ font-weight: 600; background: #f3f3f3; }}
.re-matrix tfoot td.gap {{ color: {GAP_LINE}; background: {GAP_FILL}; }}
.re-matrix tfoot td.duplicate {{ color: #b45f06; background: {DUP_FILL}; }}
.re-matrix sup {{ color: #555; }}
.re-matrix-legend {{ font-size: 12px; color: #444; }}
.re-matrix-notes {{ font-size: 12px; color: #333; }}
"""

_INLINE_FILL = {"gap": GAP_FILL, "duplicate": DUP_FILL}


def _flag_attrs(c: Column) -> str:
    """class and inline background, so the colours survive embedding without the CSS."""
    status = c.status
    if status == "ok":
        return ""
    return f' class="{status}" style="background:{_INLINE_FILL[status]}"'


def _mark_html(mk: Mark) -> str:
    """A mark with break opportunities between targets, so long target lists wrap."""
    head = html.escape(mk.kind + mk.limit + ("*" if mk.partial else ""))
    if not mk.targets:
        return head
    return head + "→" + ",<wbr>".join(html.escape(t) for t in mk.targets)


def render_html(m: Matrix, standalone: bool = True) -> str:
    """A styled ``<table>``; ``standalone=False`` gives the fragment to embed in a page.

    Gap columns are red, duplicate columns orange (inline styles, so the fragment keeps
    its colours anywhere); with ``lang="zh"`` role names appear in both languages.
    """
    lang = _lang(m.lang)
    e = html.escape
    refs, notes = _footnotes(m)
    out: list[str] = []
    out.append(f'<div class="re-matrix-wrap" data-by="{e(m.by)}">')
    out.append(f'<p class="re-matrix-legend">{e(tr("legend", lang))}</p>')
    out.append('<table class="re-matrix">')
    out.append("<thead>")
    if m.by == "state":
        # first header row: workflows spanning their states
        out.append("<tr>")
        out.append(f'<th rowspan="2" class="role">{e(tr("role", lang))}</th>')
        groups: list[tuple[str, str, int]] = []
        for c in m.columns:
            if groups and groups[-1][0] == c.workflow:
                wid, label, n = groups[-1]
                groups[-1] = (wid, label, n + 1)
            else:
                groups.append((c.workflow or "", c.group or "", 1))
        for wid, label, n in groups:
            out.append(f'<th colspan="{n}" title="{e(wid)}">{e(label)}</th>')
        out.append("</tr>")
        out.append("<tr>")
        for c in m.columns:
            text = c.label.split(" / ", 1)[1] if c.group and c.label.startswith(c.group + " / ") else c.label
            out.append(f'<th{_flag_attrs(c)} title="{e(c.id)}">{e(text)}{e(_header_marks(c))}</th>')
        out.append("</tr>")
    else:
        out.append("<tr>")
        out.append(f'<th class="role">{e(tr("role", lang))}</th>')
        for c in m.columns:
            out.append(f'<th{_flag_attrs(c)} title="{e(c.id)}">{e(c.label)}{e(_header_marks(c))}</th>')
        out.append("</tr>")
    out.append("</thead>")
    out.append("<tbody>")
    for row in m.rows:
        out.append("<tr>")
        if lang == "zh" and row.name_zh and row.name_zh != row.name_en:
            name = f"{e(row.name_zh)}<small>{e(row.name_en)} · {e(row.role)}</small>"
        else:
            name = f"{e(row.name)}<small>{e(row.role)}</small>"
        out.append(f'<th class="role" scope="row">{name}</th>')
        for c, cell in zip(m.columns, row.cells, strict=True):
            attrs = _flag_attrs(c)
            if not cell.text:
                attrs = attrs.replace('class="', 'class="empty ') if attrs else ' class="empty"'
            title = f' title="{e(cell.notes)}"' if cell.notes else ""
            note_no = refs.get((row.role, cell.column))
            ref = f"<sup>{note_no}</sup>" if note_no else ""
            marks = "<br>".join(f'<span class="mk">{_mark_html(mk)}</span>' for mk in cell.marks) or e(cell.text)
            out.append(f"<td{attrs}{title}>{marks}{ref}</td>")
        out.append("</tr>")
    out.append("</tbody>")
    out.append("<tfoot><tr>")
    out.append(f'<th class="role">{e(tr("owner_check", lang))}</th>')
    for c in m.columns:
        out.append(f"<td{_flag_attrs(c)}>{e(_status_word(c))}</td>")
    out.append("</tr></tfoot>")
    out.append("</table>")
    if notes:
        out.append(f'<ol class="re-matrix-notes" aria-label="{e(tr("notes", lang))}">')
        out.extend(f"<li>{e(text)}</li>" for text in notes)
        out.append("</ol>")
    out.append("</div>")
    fragment = "\n".join(out)
    if not standalone:
        return fragment + "\n"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(m.title)}</title>\n<style>\n"
        'body { font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; margin: 24px; color: #222; }\n'
        "h1 { font-size: 20px; }\n"
        "@media print { body { margin: 0; } .re-matrix { font-size: 9px; } }\n"
        f"{MATRIX_CSS}</style>\n</head>\n<body>\n<h1>{e(m.title)}</h1>\n{fragment}\n</body>\n</html>\n"
    )


def split_by_workflow(m: Matrix) -> list[Matrix]:
    """A matrix by state cut into one table per workflow, each with only the roles that
    hold some right in that workflow.

    A large organisation's full table (a thousand roles by three thousand steps) is
    mostly empty and too big to read or to embed in a page; cut this way, every cell
    that says something is still there.
    """
    where: dict[str | None, list[int]] = {}
    for i, c in enumerate(m.columns):
        where.setdefault(c.workflow, []).append(i)
    wf_of = [c.workflow for c in m.columns]
    acting: dict[str | None, list[Row]] = {}
    for row in m.rows:
        seen: set[str | None] = set()
        for i, cell in enumerate(row.cells):
            if cell.kinds and wf_of[i] not in seen:
                seen.add(wf_of[i])
                acting.setdefault(wf_of[i], []).append(row)
    out = []
    for wid, cols in where.items():
        rows = tuple(
            Row(r.role, r.name, r.name_en, r.name_zh, tuple(r.cells[i] for i in cols)) for r in acting.get(wid, ())
        )
        out.append(Matrix(m.by, m.lang, tuple(m.columns[i] for i in cols), rows, m.title))
    return out
