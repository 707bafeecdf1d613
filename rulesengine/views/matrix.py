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
the same function the analysis and enforcement use, as one question per cell over the
signatures of all ticket classes at once — never one answer per class.  Where a question
is about a subset of tickets (tickets of one category, tickets within a grant's amount
limit) the tickets of that subset are partitioned by just the conditions of the grants
in question (:func:`~rulesengine.analysis.partition.build_space` with ``restrict``),
which keeps every answer exact rather than reasoning about one representative ticket
per class, and costs a few classes instead of a whole workflow's.  Empty cells are one
shared object per column.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..analysis.context import Analysis, Step
from ..analysis.explore import EventKind
from ..analysis.index import PermissionIndex, WorkflowIndex
from ..analysis.partition import build_space, satisfiable
from ..diagnostics import Diagnostic
from ..model.conditions import Condition, ValueSet
from ..model.ruleset import Grant, Kind, Ruleset
from .matrix_model import (
    BY_VALUES,
    CATEGORY,
    DUP_CODE,
    GAP_CODE,
    KIND_LETTER,
    KINDS,
    Cell,
    Column,
    Mark,
    Matrix,
    Row,
    conditions_of,
    limit_condition,
    limit_hull,
    limit_text,
    make_cell,
    matrix_title,
    targets_of,
)

__all__ = [
    "Cell",
    "Column",
    "Mark",
    "Matrix",
    "Row",
    "build_matrix",
    "category_attribute_error",
]


# -- building ----------------------------------------------------------------------------
NONE, SOME, ALL = 0, 1, 2  # how many ticket classes a role's grants cover in a cell


class _Indexes:
    """Questions about subsets of tickets (a category, a limit), each answered once."""

    def __init__(self, an: Analysis) -> None:
        self.an = an
        self.ruleset = an.ruleset
        self._cache: dict[Condition | None, PermissionIndex] = {None: an.index}
        self._covers: dict[tuple[str, tuple[Condition, ...], Condition | None], tuple[int, ...]] = {}
        self._boxes: dict[Condition, bool] = {}
        self._values: dict[tuple[str, Any], bool] = {}

    def restricted(self, extra: Condition | None) -> Condition | None:
        """The analysis' own restriction narrowed by ``extra``."""
        if extra is None:
            return self.an.restrict
        return extra if self.an.restrict is None else self.an.restrict.conjoin(extra)

    def get(self, extra: Condition | None) -> PermissionIndex:
        """The index over the analysis' tickets that also satisfy ``extra``."""
        if extra is None:
            return self.an.index
        restrict = self.restricted(extra)
        got = self._cache.get(restrict)
        if got is None:
            got = PermissionIndex(self.ruleset, restrict)
            self._cache[restrict] = got
        return got

    def signatures(self, wid: str, conds: tuple[Condition, ...], extra: Condition | None) -> tuple[int, ...]:
        """Which of ``conds`` hold together, for the tickets of ``wid`` that satisfy ``extra``:
        one bit set per class of the partition by just these conditions."""
        restrict = self.restricted(extra)
        key = (wid, conds, restrict)
        got = self._covers.get(key)
        if got is None:
            space = build_space(self.ruleset, self.ruleset.workflows[wid], list(conds), restrict)
            got = self._covers[key] = tuple(c.bits for c in space.classes)
        return got

    def all_covered(self, wid: str, grants: Sequence[Grant], extra: Condition | None) -> bool:
        """Every ticket of ``wid`` that satisfies ``extra`` falls under one of ``grants``."""
        conds = tuple(dict.fromkeys(g.condition for g in grants))
        return all(self.signatures(wid, conds, extra))

    def ever(self, wid: str, grant: Grant, extra: Condition | None) -> bool:
        """Some ticket of ``wid`` that satisfies ``extra`` falls under ``grant``."""
        return self.applies(wid, extra, grant.condition)

    def applies(self, wid: str, extra: Condition | None, also: Condition | None = None) -> bool:
        """Some ticket of ``wid`` satisfies ``extra`` (and ``also``)."""
        box = self.ruleset.workflows[wid].applies_when
        for more in (self.restricted(extra), also):
            if more is not None:
                box = box.conjoin(more)
        got = self._boxes.get(box)
        if got is None:
            got = self._boxes[box] = satisfiable(self.ruleset, box, self._values)
        return got


def _coverage(idx: WorkflowIndex, kind: Kind, role: str, state: str) -> tuple[int, list[Grant]]:
    """Whether ``role`` holds ``kind`` at ``state`` for no, some or all classes of ``idx``,
    and the grants that give it to some class."""
    refs = idx.role_state_grants.get((role, kind, state))
    if not refs:
        return NONE, []  # no grant of this role names the cell
    some = idx.some_bits
    mask = 0
    grants: dict[tuple[str, int], Grant] = {}
    for g, c in refs:
        if some >> c & 1:
            mask |= 1 << c
            grants.setdefault((g.kind.value, g.index), g)
    if not mask:
        return NONE, []
    return (ALL if idx.every_class_meets(mask) else SOME), [grants[key] for key in sorted(grants)]


def _state_mark(ix: _Indexes, idx: WorkflowIndex, state: str, role: str, kind: Kind) -> Mark | None:
    wid = idx.workflow.id
    covered, grants = _coverage(idx, kind, role, state)
    if covered == NONE:
        return None
    letter = KIND_LETTER[kind]
    targets = targets_of(grants) if kind is not Kind.HANDLE else ()
    if covered == ALL:
        return Mark(letter, targets=targets)
    hull = limit_hull(ix.ruleset, grants)
    partial = not ix.all_covered(wid, grants, limit_condition(hull))
    return Mark(letter, limit_text(hull), partial, targets, conditions_of(grants) if partial else ())


def _category_grants(ix: _Indexes, cat_cond: Condition, wid: str, kind: Kind, role: str, state: str) -> list[Grant]:
    """``role``'s grants of ``kind`` at ``state`` that some ticket of the category falls under."""
    refs = ix.an.index.workflow(wid).role_state_grants.get((role, kind, state), ())
    got = {(g.kind.value, g.index): g for g, _ in refs if ix.ever(wid, g, cat_cond)}
    return [got[key] for key in sorted(got)]


def _granted_cells(an: Analysis, wf_ids: Sequence[str]) -> dict[tuple[str, Kind], list[tuple[str, str]]]:
    """Per (role, kind): the non-final (workflow, state) cells some grant of it names, in
    column order — the only cells a category column has to ask about for that role."""
    out: dict[tuple[str, Kind], list[tuple[str, str]]] = {}
    for wid in wf_ids:
        at: dict[str, list[tuple[str, Kind]]] = {}
        for role, kind, state in an.index.workflow(wid).role_state_grants:
            at.setdefault(state, []).append((role, kind))
        for sid, st in an.ruleset.workflows[wid].states.items():
            if not st.final:
                for key in at.get(sid, ()):
                    out.setdefault(key, []).append((wid, sid))
    return out


def _category_mark(
    ix: _Indexes, cat_cond: Condition, cells: Sequence[tuple[str, str]], role: str, kind: Kind
) -> Mark | None:
    """``role``'s ``kind`` over the tickets of one category, across the (workflow, state)
    cells of the category where a grant of the role names the cell."""
    where: list[tuple[str, str]] = []
    grants: dict[tuple[str, str, int], Grant] = {}
    for wid, state in cells:
        got = _category_grants(ix, cat_cond, wid, kind, role, state)
        if got:
            where.append((wid, state))
            for g in got:
                grants.setdefault((g.role, g.kind.value, g.index), g)
    if not where:
        return None
    relevant = [grants[key] for key in sorted(grants)]
    hull = limit_hull(ix.ruleset, relevant)
    limit = limit_condition(hull)
    within = cat_cond if limit is None else cat_cond.conjoin(limit)
    partial = any(
        not ix.all_covered(w, [g for g, _ in ix.an.index.workflow(w).role_state_grants[(role, kind, s)]], within)
        for w, s in where
    )
    conditions: tuple[str, ...] = ()
    if partial:
        by_cond: dict[str, dict[str, list[str]]] = {}
        for wid, state in where:
            for g in _category_grants(ix, cat_cond, wid, kind, role, state):
                by_cond.setdefault(g.condition.describe(), {}).setdefault(wid, [])
                if state not in by_cond[g.condition.describe()][wid]:
                    by_cond[g.condition.describe()][wid].append(state)
        parts = []
        for cond, per_wf in by_cond.items():
            places = "; ".join(w + ": " + ", ".join(ss) for w, ss in per_wf.items())
            parts.append(f"{cond} ({places})")
        conditions = tuple(parts)
    targets = targets_of(relevant) if kind is not Kind.HANDLE else ()
    return Mark(KIND_LETTER[kind], limit_text(hull), partial, targets, conditions)


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
            sigs: set[int] = set()
            wrun = an.runs.get(wid)
            for group in wrun.groups if wrun is not None else ():
                for ev in group.run.events:
                    if ev.kind not in kinds or ev.state != state:
                        continue
                    if ev.kind is EventKind.STUCK and can_finish is not None and state not in can_finish:
                        continue
                    sigs.update(base.bits(k) for k in group.classes)
                    break
            for c in values:
                space = ix.get(Condition.of({CATEGORY: ValueSet(frozenset({c}))})).workflow(wid).space
                if space.conditions == base.space.conditions and any(s in space.by_bits for s in sigs):
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
    empties: list[Cell] = []  # per column: the cell of every role that holds nothing there
    filled: dict[str, dict[int, Cell]] = {}  # role -> {column number: its cell}

    if by == "state":
        flags = _state_flags(found)
        total = sum(1 for wf in rs.workflows.values() for st in wf.states.values() if not st.final)
        for wid in wf_ids:
            wf = rs.workflows[wid]
            idx = analysis.index.workflow(wid)
            acting = {role for role, _ in idx.role_grants}  # the roles with any grant here
            group = wf.name.get(lang)
            for sid, st in wf.states.items():
                if st.final:
                    continue
                cid = f"{wid}/{sid}"
                state_name = st.name.get(lang) if st.name is not None else sid
                columns.append(
                    Column(cid, f"{group} / {state_name}", _flag_tuple(flags.get((wid, sid))), wid, sid, None, group)
                )
                empties.append(Cell(cid))
                for rid in sorted(acting):
                    marks = [m for kind in KINDS if (m := _state_mark(ix, idx, sid, rid, kind)) is not None]
                    if marks:
                        filled.setdefault(rid, {})[len(columns) - 1] = make_cell(cid, marks)
                analysis.report(Step("matrix", len(columns), total))
    else:
        problem = category_attribute_error(rs)
        if problem is not None:
            raise ValueError(problem)
        attr = rs.attributes[CATEGORY]
        values = list(attr.values)
        cflags = _category_flags(ix, found, values)
        granted = _granted_cells(analysis, wf_ids)
        for value in values:
            cid = str(value)
            vname = attr.value_names.get(cid)
            label = vname.get(lang) if vname is not None else cid
            columns.append(Column(cid, label, _flag_tuple(cflags.get(value)), None, None, cid, None))
            cat_cond = Condition.of({CATEGORY: ValueSet(frozenset({value}))})
            applicable = {wid for wid in wf_ids if ix.applies(wid, cat_cond)}
            empties.append(Cell(cid))
            for rid in role_ids:
                marks = [
                    m
                    for kind in KINDS
                    if (mine := [c for c in granted.get((rid, kind), ()) if c[0] in applicable])
                    and (m := _category_mark(ix, cat_cond, mine, rid, kind)) is not None
                ]
                if marks:
                    filled.setdefault(rid, {})[len(columns) - 1] = make_cell(cid, marks)
            analysis.report(Step("matrix", len(columns), len(values)))

    rows = []
    for rid in role_ids:
        role = rs.roles[rid]
        cells = list(empties)
        for i, cell in filled.get(rid, {}).items():
            cells[i] = cell
        rows.append(
            Row(role=rid, name=role.name.get(lang), name_en=role.name.en, name_zh=role.name.zh, cells=tuple(cells))
        )
    title = matrix_title(by, lang)
    return Matrix(by, lang, tuple(columns), tuple(rows), title)
