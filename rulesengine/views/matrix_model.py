"""The responsibility matrix's cells: columns, marks and the texts of their limits.

Split from :mod:`rulesengine.views.matrix`, which builds the table from the permission index
and re-exports these; :mod:`rulesengine.reports.matrix` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..labels import label
from ..model.conditions import Condition, Interval
from ..model.ruleset import Grant, Kind, Ruleset

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


def _numeric_attrs(rs: Ruleset) -> set[str]:
    return {a for a, attr in rs.attributes.items() if attr.type.numeric}


def limit_hull(rs: Ruleset, grants: Sequence[Grant]) -> dict[str, Interval]:
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


def limit_text(hull: dict[str, Interval]) -> str:
    if not hull:
        return ""
    if len(hull) == 1:
        return _bounds_text(next(iter(hull.values())))
    return " " + ", ".join(f"{a}{_bounds_text(iv)}" for a, iv in sorted(hull.items()))


def limit_condition(hull: dict[str, Interval]) -> Condition | None:
    return Condition.of(hull) if hull else None


def targets_of(grants: Iterable[Grant]) -> tuple[str, ...]:
    return tuple(sorted({t for g in grants for t in g.targets}))


def conditions_of(grants: Iterable[Grant]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(g.condition.describe() for g in grants))


def make_cell(column: str, marks: list[Mark]) -> Cell:
    notes = "; ".join(f"{m.kind}: {' or '.join(m.conditions)}" for m in marks if m.partial and m.conditions)
    return Cell(
        column=column,
        kinds=tuple(m.kind for m in marks),
        text=" · ".join(m.text for m in marks),
        notes=notes,
        marks=tuple(marks),
    )


def matrix_title(by: str, lang: str) -> str:
    """The title of a matrix laid out ``by`` state or category, in ``lang``."""
    return label("title_state" if by == "state" else "title_category", lang)
