"""The responsibility matrix (岗位职责矩阵): who may handle, coordinate or escalate where.

A centre manager prints this table and pins it up, so it has to answer at a glance the
question the YAML answers only after reading ten files: *at this step (or for this kind
of problem), which roles hold which right, and with what limit?*  Rows are roles, columns
are either the non-final (workflow, state) cells or the values of the ``category``
attribute; each cell lists **H** (handle), **C** (coordinate) and **E** (escalate) with
their limits (``H≤200``), a ``*`` when the right only covers some tickets (the condition
goes into the cell's notes) and the targets of transfers and escalations
(``C→tech_expert``, ``E→supervisor``).  Columns where the check found an ownership gap
(RE201) or a duplicate owner (RE202) are flagged, so the printed table also says where
the organisation is not yet "one ticket, one owner".

Nothing here re-derives permissions: which grant covers which cell for which tickets is
read from the permission index (:class:`~rulesengine.analysis.index.WorkflowIndex`),
the same function the analysis and enforcement use.  Where a question is about a subset
of tickets (tickets of one category, tickets within a grant's amount limit) the index is
built over that subset with ``restrict``, which keeps every answer exact rather than
reasoning about one representative ticket per class.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .analysis.context import Analysis
from .analysis.explore import EventKind
from .analysis.index import PermissionIndex, WorkflowIndex
from .conditions import Condition, Interval, ValueSet
from .diagnostics import Diagnostic
from .model import Grant, Kind, Ruleset
from .render.diagrams import DUP_FILL, DUP_LINE, GAP_FILL, GAP_LINE
from .reports.markdown import escape_cell

MATRIX_VERSION = 1
CATEGORY = "category"
KIND_LETTER = {Kind.HANDLE: "H", Kind.COORDINATE: "C", Kind.ESCALATE: "E"}
KINDS = (Kind.HANDLE, Kind.COORDINATE, Kind.ESCALATE)
GAP_CODE = "RE201"
DUP_CODE = "RE202"
BY_VALUES = ("state", "category")


@dataclass(frozen=True)
class Column:
    """One column: a (workflow, state) cell or a category value, with its check flags."""

    id: str  # "after_sales/approval" or "refund"
    label: str  # display text in the matrix language
    flags: tuple[str, ...] = ()  # "gap", "duplicate"
    workflow: str | None = None
    state: str | None = None
    category: str | None = None
    group: str | None = None  # display name of the workflow (by state), for grouped headers

    @property
    def status(self) -> str:
        """``gap``, ``duplicate`` or ``ok`` (a gap is the worse of the two)."""
        if "gap" in self.flags:
            return "gap"
        if "duplicate" in self.flags:
            return "duplicate"
        return "ok"


@dataclass(frozen=True)
class Mark:
    """One permission kind a role holds in a cell, with its limit and scope."""

    kind: str  # "H" | "C" | "E"
    limit: str = ""  # "≤200", ">200", "" when unlimited
    partial: bool = False  # only some tickets (within the limit) are covered
    targets: tuple[str, ...] = ()  # roles a transfer / escalation hands the ticket to
    conditions: tuple[str, ...] = ()  # the covering grants' conditions, when partial

    @property
    def text(self) -> str:
        out = self.kind + self.limit + ("*" if self.partial else "")
        if self.targets:
            out += "→" + ",".join(self.targets)
        return out


@dataclass(frozen=True)
class Cell:
    column: str
    kinds: tuple[str, ...] = ()  # subset of ("H", "C", "E"), in that order
    text: str = ""  # e.g. "H≤200 · E→supervisor"
    notes: str = ""  # conditions of the starred marks, e.g. "H: tier in [active, new]"
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class Row:
    role: str
    name: str  # display name in the matrix language
    name_en: str
    name_zh: str | None
    cells: tuple[Cell, ...]  # aligned with Matrix.columns


@dataclass(frozen=True)
class Matrix:
    by: str  # "state" | "category"
    lang: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    title: str = ""

    def row(self, role: str) -> Row:
        for r in self.rows:
            if r.role == role:
                return r
        raise KeyError(role)

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(column_id)

    def cell(self, role: str, column_id: str) -> Cell:
        row = self.row(role)
        for c in row.cells:
            if c.column == column_id:
                return c
        raise KeyError(column_id)


# -- building ----------------------------------------------------------------------------
class _Indexes:
    """Permission indexes over subsets of tickets (a category, a limit), built once each."""

    def __init__(self, an: Analysis) -> None:
        self.an = an
        self.ruleset = an.ruleset
        self._cache: dict[Condition | None, PermissionIndex] = {None: an.index}

    def get(self, extra: Condition | None) -> PermissionIndex:
        """The index over the analysis' tickets that also satisfy ``extra``."""
        if extra is None:
            return self.an.index
        restrict = extra if self.an.restrict is None else self.an.restrict.conjoin(extra)
        got = self._cache.get(restrict)
        if got is None:
            got = PermissionIndex(self.ruleset, restrict)
            self._cache[restrict] = got
        return got


def _covered(idx: WorkflowIndex, kind: Kind, role: str, state: str) -> tuple[set[int], list[Grant]]:
    """Classes of ``idx`` where ``role`` holds ``kind`` at ``state``, and the grants that do it."""
    classes: set[int] = set()
    grants: dict[tuple[str, int], Grant] = {}
    if not idx.role_state_grants.get((role, kind, state)):
        return classes, []  # no grant of this role names the cell: skip the classes
    for k in range(idx.class_count):
        got = idx.covering(kind, role, state, k)
        if got:
            classes.add(k)
            for g in got:
                grants.setdefault((g.kind.value, g.index), g)
    return classes, [grants[key] for key in sorted(grants)]


def _all_covered(idx: WorkflowIndex, kind: Kind, role: str, state: str) -> bool:
    return all(idx.covering(kind, role, state, k) for k in range(idx.class_count))


def _numeric_attrs(rs: Ruleset) -> set[str]:
    return {a for a, attr in rs.attributes.items() if attr.type.numeric}


def _limit_hull(rs: Ruleset, grants: Sequence[Grant]) -> dict[str, Interval]:
    """Per numeric attribute that *every* grant bounds: the smallest interval holding them all.

    Bounds that merely repeat the attribute's own ``minimum``/``maximum`` are dropped.
    """
    numeric = _numeric_attrs(rs)
    per_attr: dict[str, list[Interval]] = {}
    for g in grants:
        for attr, c in g.condition.tests:
            if attr in numeric and isinstance(c, Interval):
                per_attr.setdefault(attr, []).append(c)
    out: dict[str, Interval] = {}
    for attr, ivs in per_attr.items():
        if len(ivs) != len(grants):
            continue  # some grant has no bound on it: no limit overall
        lo = min(iv.lo for iv in ivs)
        lo_closed = any(iv.lo == lo and iv.lo_closed for iv in ivs)
        hi = max(iv.hi for iv in ivs)
        hi_closed = any(iv.hi == hi and iv.hi_closed for iv in ivs)
        a = rs.attributes[attr]
        if a.minimum is not None and (lo < a.minimum or (lo == a.minimum and lo_closed)):
            lo, lo_closed = -math.inf, False
        if a.maximum is not None and (hi > a.maximum or (hi == a.maximum and hi_closed)):
            hi, hi_closed = math.inf, False
        if not (math.isinf(lo) and math.isinf(hi)):
            out[attr] = Interval(lo, hi, lo_closed, hi_closed)
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def _bounds_text(iv: Interval) -> str:
    parts = []
    if not math.isinf(iv.lo):
        parts.append(("≥" if iv.lo_closed else ">") + _num(iv.lo))
    if not math.isinf(iv.hi):
        parts.append(("≤" if iv.hi_closed else "<") + _num(iv.hi))
    return ",".join(parts)


def _limit_text(hull: dict[str, Interval]) -> str:
    if not hull:
        return ""
    if len(hull) == 1:
        return _bounds_text(next(iter(hull.values())))
    return " " + ", ".join(f"{a}{_bounds_text(iv)}" for a, iv in sorted(hull.items()))


def _limit_condition(hull: dict[str, Interval]) -> Condition | None:
    return Condition.of(hull) if hull else None


def _targets(grants: Iterable[Grant]) -> tuple[str, ...]:
    return tuple(sorted({t for g in grants for t in g.targets}))


def _conditions(grants: Iterable[Grant]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(g.condition.describe() for g in grants))


def _cell(column: str, marks: list[Mark]) -> Cell:
    notes = "; ".join(f"{m.kind}: {' or '.join(m.conditions)}" for m in marks if m.partial and m.conditions)
    return Cell(
        column=column,
        kinds=tuple(m.kind for m in marks),
        text=" · ".join(m.text for m in marks),
        notes=notes,
        marks=tuple(marks),
    )


def _state_mark(ix: _Indexes, idx: WorkflowIndex, state: str, role: str, kind: Kind) -> Mark | None:
    wid = idx.workflow.id
    classes, grants = _covered(idx, kind, role, state)
    if not classes:
        return None
    letter = KIND_LETTER[kind]
    targets = _targets(grants) if kind is not Kind.HANDLE else ()
    if len(classes) == idx.class_count:
        return Mark(letter, targets=targets)
    hull = _limit_hull(ix.ruleset, grants)
    limited = ix.get(_limit_condition(hull)).workflow(wid)
    partial = not _all_covered(limited, kind, role, state)
    return Mark(letter, _limit_text(hull), partial, targets, _conditions(grants) if partial else ())


def _category_mark(
    ix: _Indexes, cat_cond: Condition, cells: Sequence[tuple[str, str]], role: str, kind: Kind
) -> Mark | None:
    """``role``'s ``kind`` over the tickets of one category, across every (workflow, state)."""
    cat_index = ix.get(cat_cond)
    where: list[tuple[str, str]] = []
    grants: dict[tuple[str, str, int], Grant] = {}
    for wid, state in cells:
        classes, got = _covered(cat_index.workflow(wid), kind, role, state)
        if classes:
            where.append((wid, state))
            for g in got:
                grants.setdefault((g.role, g.kind.value, g.index), g)
    if not where:
        return None
    relevant = [grants[key] for key in sorted(grants)]
    hull = _limit_hull(ix.ruleset, relevant)
    limit = _limit_condition(hull)
    limited = ix.get(cat_cond if limit is None else cat_cond.conjoin(limit))
    partial = any(not _all_covered(limited.workflow(w), kind, role, s) for w, s in where)
    conditions: tuple[str, ...] = ()
    if partial:
        by_cond: dict[str, dict[str, list[str]]] = {}
        for wid, state in where:
            for g in _covered(cat_index.workflow(wid), kind, role, state)[1]:
                by_cond.setdefault(g.condition.describe(), {}).setdefault(wid, [])
                if state not in by_cond[g.condition.describe()][wid]:
                    by_cond[g.condition.describe()][wid].append(state)
        parts = []
        for cond, per_wf in by_cond.items():
            places = "; ".join(w + ": " + ", ".join(ss) for w, ss in per_wf.items())
            parts.append(f"{cond} ({places})")
        conditions = tuple(parts)
    targets = _targets(relevant) if kind is not Kind.HANDLE else ()
    return Mark(KIND_LETTER[kind], _limit_text(hull), partial, targets, conditions)


def _state_flags(findings: Sequence[Diagnostic]) -> dict[tuple[str, str], set[str]]:
    flags: dict[tuple[str, str], set[str]] = {}
    for f in findings:
        if f.workflow is None or f.state is None:
            continue
        if f.code == GAP_CODE:
            flags.setdefault((f.workflow, f.state), set()).add("gap")
        elif f.code == DUP_CODE:
            flags.setdefault((f.workflow, f.state), set()).add("duplicate")
    return flags


def _category_flags(ix: _Indexes, findings: Sequence[Diagnostic], values: Sequence[Any]) -> dict[Any, set[str]]:
    """Categories whose tickets meet a reported gap or duplicate.

    A finding names its smallest ticket only; every other ticket class that meets the
    same event at the same step is found in the flow simulation (``analysis.runs``) and
    mapped to the categories it contains: a class (a signature over the workflow's
    conditions) holds tickets of category ``c`` exactly when the index restricted to ``c``
    has a class with that signature.
    """
    an = ix.an
    out: dict[Any, set[str]] = {}
    for f in findings:
        if f.code not in (GAP_CODE, DUP_CODE) or f.workflow is None or f.state is None:
            continue
        flag = "gap" if f.code == GAP_CODE else "duplicate"
        hit: set[Any] = set()
        if f.ticket and CATEGORY in f.ticket:
            hit.add(f.ticket[CATEGORY])
        wid, state = f.workflow, f.state
        if wid in an.ruleset.workflows:
            base = an.index.workflow(wid)
            kinds = {EventKind.GAP, EventKind.STUCK} if flag == "gap" else {EventKind.DUPLICATE}
            can_finish = an.structure[wid].can_finish if flag == "gap" else None
            sigs = set()
            for run in an.runs.get(wid, ()):
                for ev in run.events:
                    if ev.kind not in kinds or ev.state != state:
                        continue
                    if ev.kind is EventKind.STUCK and can_finish is not None and state not in can_finish:
                        continue
                    sigs.add(base.sig(run.k))
            for c in values:
                space = ix.get(Condition.of({CATEGORY: ValueSet(frozenset({c}))})).workflow(wid).space
                if space.conditions == base.space.conditions and any(s in space.by_signature for s in sigs):
                    hit.add(c)
        for c in hit:
            out.setdefault(c, set()).add(flag)
    return out


def _flag_tuple(flags: set[str] | None) -> tuple[str, ...]:
    return tuple(f for f in ("gap", "duplicate") if flags and f in flags)


def category_attribute_error(rs: Ruleset) -> str | None:
    """Why the ruleset cannot be shown by category, or None when it can."""
    attr = rs.attributes.get(CATEGORY)
    if attr is not None and attr.type.value == "enum":
        return None
    enums = sorted(a for a, x in rs.attributes.items() if x.type.value == "enum")
    known = ", ".join(f"`{a}`" for a in enums) if enums else "none"
    what = "is not an enum attribute" if attr is not None else "is not defined in `ticket.yaml`"
    return f"a matrix by category needs an enum attribute named `category`, which {what}; enum attributes: {known}"


def build_matrix(
    analysis: Analysis, findings: Iterable[Diagnostic] = (), by: str = "state", lang: str = "en"
) -> Matrix:
    """The responsibility matrix of ``analysis.ruleset``, flagged with the check's findings.

    ``by="state"``: one column per non-final state (workflows by id, states in declaration
    order).  ``by="category"``: one column per value of the ``category`` enum attribute;
    raises :class:`ValueError` naming the enum attributes when there is none.
    """
    if by not in BY_VALUES:
        raise ValueError(f"unknown matrix layout `{by}`; use one of: {', '.join(BY_VALUES)}")
    rs = analysis.ruleset
    found = list(findings)
    ix = _Indexes(analysis)
    role_ids = sorted(rs.roles)
    wf_ids = sorted(rs.workflows)
    columns: list[Column] = []
    per_column: list[dict[str, Cell]] = []  # role -> cell

    if by == "state":
        flags = _state_flags(found)
        for wid in wf_ids:
            wf = rs.workflows[wid]
            idx = analysis.index.workflow(wid)
            group = wf.name.get(lang)
            for sid, st in wf.states.items():
                if st.final:
                    continue
                cid = f"{wid}/{sid}"
                state_name = st.name.get(lang) if st.name is not None else sid
                columns.append(
                    Column(cid, f"{group} / {state_name}", _flag_tuple(flags.get((wid, sid))), wid, sid, None, group)
                )
                cells: dict[str, Cell] = {}
                for rid in role_ids:
                    marks = [m for kind in KINDS if (m := _state_mark(ix, idx, sid, rid, kind)) is not None]
                    cells[rid] = _cell(cid, marks)
                per_column.append(cells)
    else:
        problem = category_attribute_error(rs)
        if problem is not None:
            raise ValueError(problem)
        attr = rs.attributes[CATEGORY]
        values = list(attr.values)
        cflags = _category_flags(ix, found, values)
        for value in values:
            cid = str(value)
            vname = attr.value_names.get(cid)
            label = vname.get(lang) if vname is not None else cid
            columns.append(Column(cid, label, _flag_tuple(cflags.get(value)), None, None, cid, None))
            cat_cond = Condition.of({CATEGORY: ValueSet(frozenset({value}))})
            cat_index = ix.get(cat_cond)
            states = [
                (wid, sid)
                for wid in wf_ids
                if cat_index.workflow(wid).class_count
                for sid, st in rs.workflows[wid].states.items()
                if not st.final
            ]
            cells = {}
            for rid in role_ids:
                marks = [m for kind in KINDS if (m := _category_mark(ix, cat_cond, states, rid, kind)) is not None]
                cells[rid] = _cell(cid, marks)
            per_column.append(cells)

    rows = []
    for rid in role_ids:
        role = rs.roles[rid]
        rows.append(
            Row(
                role=rid,
                name=role.name.get(lang),
                name_en=role.name.en,
                name_zh=role.name.zh,
                cells=tuple(col[rid] for col in per_column),
            )
        )
    title = _T["title_state" if by == "state" else "title_category"][_lang(lang)]
    return Matrix(by, lang, tuple(columns), tuple(rows), title)


# -- rendering ---------------------------------------------------------------------------
_T: dict[str, dict[str, str]] = {
    "title_state": {"en": "Responsibility matrix by workflow step", "zh": "岗位职责矩阵（按流程节点）"},
    "title_category": {"en": "Responsibility matrix by problem type", "zh": "岗位职责矩阵（按问题类型）"},
    "role": {"en": "Role", "zh": "岗位"},
    "owner_check": {"en": "owner check", "zh": "责任检查"},
    "legend": {
        "en": (
            "H handle · C coordinate (→ transfer to) · E escalate (→ raise to) · ≤N amount limit · "
            "* only some tickets (see notes) · ⚠gap: some tickets have no owner · ⚠dup: several owners"
        ),
        "zh": (
            "H 处理 · C 协调（→ 转派给） · E 上报（→ 上报给） · ≤N 金额权限 · * 仅部分工单（见注） · "
            "⚠gap 部分工单无人负责 · ⚠dup 多人负责"
        ),
    },
    "notes": {"en": "Notes", "zh": "注"},
}


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
    head = [_T["role"][lang]] + [c.label + _header_marks(c) for c in m.columns]
    lines = [f"# {m.title}", "", _T["legend"][lang], ""]
    lines.append("| " + " | ".join(escape_cell(h) for h in head) + " |")
    lines.append("|" + "---|" * len(head))
    for row in m.rows:
        cells = [f"{_role_label(row, lang)} ({row.role})"]
        for cell in row.cells:
            n = refs.get((row.role, cell.column))
            cells.append(cell.text + (f" [{n}]" if n else ""))
        lines.append("| " + " | ".join(escape_cell(c) for c in cells) + " |")
    status = [f"**{_T['owner_check'][lang]}**"] + [_status_word(c) for c in m.columns]
    lines.append("| " + " | ".join(escape_cell(s) for s in status) + " |")
    if notes:
        lines += ["", f"{_T['notes'][lang]}:", ""]
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
    out.append(f'<p class="re-matrix-legend">{e(_T["legend"][lang])}</p>')
    out.append('<table class="re-matrix">')
    out.append("<thead>")
    if m.by == "state":
        # first header row: workflows spanning their states
        out.append("<tr>")
        out.append(f'<th rowspan="2" class="role">{e(_T["role"][lang])}</th>')
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
        out.append(f'<th class="role">{e(_T["role"][lang])}</th>')
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
    out.append(f'<th class="role">{e(_T["owner_check"][lang])}</th>')
    for c in m.columns:
        out.append(f"<td{_flag_attrs(c)}>{e(_status_word(c))}</td>")
    out.append("</tr></tfoot>")
    out.append("</table>")
    if notes:
        out.append(f'<ol class="re-matrix-notes" aria-label="{e(_T["notes"][lang])}">')
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
