"""The common refinement of one workflow's tickets under two versions of the rules.

Each version cuts a workflow's tickets into classes by the conditions it mentions
(:mod:`rulesengine.analysis.partition`).  To compare the versions ticket by ticket we
cut by the conditions of *both*: two tickets in the same refined class fall in the same
class of the old version and in the same class of the new one, so one representative
per refined class answers every question for all of its tickets.  Where the versions
declare an attribute differently (a value added to an enum, a new minimum) the
declared domains are conditions too, so a class never mixes tickets that exist in one
version only with tickets that exist in both.

A set of refined classes is described to a reader by a condition over the same
conditions (:meth:`Refinement.describe`): as few "this condition holds / does not hold"
terms as separate the set from every other ticket the workflow takes, simplified to
per-attribute constraints where they allow (``amount > 200 and amount <= 500``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..analysis.index import WorkflowIndex
from ..analysis.partition import WorkflowSpace, build_space
from ..model.conditions import Condition, Constraint, Interval, ValueSet
from ..model.ruleset import Attribute, AttrType, Ruleset


@dataclass(frozen=True)
class Placement:
    """Where a refined class falls in one version: its ticket there and that version's class.

    ``k`` is None when that version's workflow does not take these tickets (its
    ``applies_when`` fails, a value is not declared there, or the workflow is absent).
    """

    ticket: Mapping[str, Any]
    k: int | None


@dataclass(frozen=True)
class RefinedClass:
    index: int
    signature: frozenset[int]
    ticket: Mapping[str, Any]
    old: Placement
    new: Placement


@dataclass(frozen=True)
class Refinement:
    """The refined classes of one workflow: tickets either version's workflow takes."""

    workflow: str
    conditions: tuple[Condition, ...]
    attributes: Mapping[str, Attribute]
    classes: tuple[RefinedClass, ...]
    space: WorkflowSpace
    by_space_class: Mapping[int, int]

    def class_of(self, ticket: Mapping[str, Any]) -> int | None:
        """The refined class of a concrete ticket, or None when neither version takes it."""
        k = self.space.class_of(ticket)
        return None if k is None else self.by_space_class.get(k)

    @cached_property
    def _relevant(self) -> tuple[int, ...]:
        """Conditions that some classes satisfy and others do not: the only useful terms."""
        if not self.classes:
            return ()
        every = frozenset.intersection(*(c.signature for c in self.classes))
        some = frozenset.union(*(c.signature for c in self.classes))
        return tuple(sorted(some - every))

    def describe(self, subset: Iterable[int]) -> str:
        """A condition that exactly the tickets of ``subset`` satisfy, among this workflow's."""
        return self.formula(subset).describe()

    def formula(self, subset: Iterable[int]) -> Formula:
        """The tickets of ``subset`` as few terms over the rules' conditions as separate them.

        Greedy: start from one class's full signature (which only it satisfies) and drop
        every term whose absence lets in no class outside ``subset``; repeat for the
        classes not yet covered.  Exact, though not always the shortest possible.
        """
        chosen = set(subset)
        if not chosen:
            return Formula(())
        if len(chosen) >= len(self.classes):
            return Formula((Cube(Condition()),))
        relevant = self._relevant
        outside = [c.signature for c in self.classes if c.index not in chosen]
        left = [c.index for c in self.classes if c.index in chosen]
        found: list[tuple[frozenset[int], list[tuple[int, bool]]]] = []
        while left:
            seed = self.classes[left[0]].signature
            lits = [(i, i in seed) for i in relevant]
            viol = []
            for sig in outside:
                v = 0
                for j, (i, want) in enumerate(lits):
                    if (i in sig) != want:
                        v |= 1 << j
                viol.append(v)
            # drop the terms we can: negative ones and wide conditions first, as they read worst
            order = sorted(range(len(lits)), key=lambda j: (lits[j][1], -len(self.conditions[lits[j][0]].tests)))
            kept = set(range(len(lits)))
            for j in order:
                bit = 1 << j
                if any(v == bit for v in viol):
                    continue
                kept.discard(j)
                viol = [v & ~bit for v in viol]
            terms = [lits[j] for j in sorted(kept)]
            covers = frozenset(x for x in chosen if all((i in self.classes[x].signature) == w for i, w in terms))
            left = [x for x in left if x not in covers]
            found.append((covers, terms))
        # a later, wider cube may cover an earlier one: keep only cubes something needs
        needed = list(found)
        for item in sorted(found, key=lambda f: len(f[0])):
            others = [f for f in needed if f is not item]
            if others and item[0] <= frozenset().union(*(f[0] for f in others)):
                needed = others
        return Formula(tuple(self._cube(terms) for _, terms in needed))

    def _cube(self, terms: list[tuple[int, bool]]) -> Cube:
        """Terms → per-attribute constraints where the negations allow it."""
        tests: dict[str, Constraint] = dict(
            Condition.of([t for i, want in terms if want for t in self.conditions[i].tests]).tests
        )
        anyof: list[tuple[str, tuple[Constraint, ...]]] = []
        nots: list[Condition] = []
        for i, want in terms:
            if want:
                continue
            rest: list[tuple[str, Constraint]] = []
            moot = False
            for a, c in self.conditions[i].tests:
                p = tests.get(a)
                if p is not None and _subset(p, c):
                    continue  # implied by the positive terms
                if p is not None and _disjoint(p, c):
                    moot = True  # the condition cannot hold anyway
                    break
                rest.append((a, c))
            if moot or not rest:
                continue
            if len(rest) == 1:
                a, c = rest[0]
                comp = _complement(c, self.attributes.get(a))
                if len(comp) == 1:
                    p = tests.get(a)
                    merged = _intersect(p, comp[0]) if p is not None else comp[0]
                    if merged is not None:
                        tests[a] = merged
                        continue
                if comp:
                    anyof.append((a, tuple(comp)))
                    continue
            nots.append(Condition(tuple(rest)))
        # a constraint every declared value meets says nothing: leave it out
        kept = {a: c for a, c in tests.items() if not _whole(c, self.attributes.get(a))}
        return Cube(Condition.of(kept), tuple(anyof), tuple(nots))


@dataclass(frozen=True)
class Cube:
    """Tickets meeting ``tests``, one constraint of each ``anyof`` entry, and none of ``nots``."""

    tests: Condition
    anyof: tuple[tuple[str, tuple[Constraint, ...]], ...] = ()
    nots: tuple[Condition, ...] = ()

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        return (
            self.tests.matches(ticket)
            and all(a in ticket and any(c.contains(ticket[a]) for c in cs) for a, cs in self.anyof)
            and not any(n.matches(ticket) for n in self.nots)
        )

    def describe(self) -> str:
        parts = [self.tests.describe()] if not self.tests.always else []
        parts += ["(" + " or ".join(c.describe(a) for c in cs) + ")" for a, cs in self.anyof]
        parts += [f"not ({n.describe()})" for n in self.nots]
        return " and ".join(parts) or "any ticket"


@dataclass(frozen=True)
class Formula:
    """A union of cubes: how a set of tickets is shown (exact among the workflow's tickets)."""

    cubes: tuple[Cube, ...]

    def matches(self, ticket: Mapping[str, Any]) -> bool:
        return any(c.matches(ticket) for c in self.cubes)

    def describe(self) -> str:
        if not self.cubes:
            return "no ticket"
        if len(self.cubes) == 1:
            return self.cubes[0].describe()
        return " or ".join(f"({c.describe()})" for c in self.cubes)


def _whole(c: Constraint, attr: Attribute | None) -> bool:
    """``c`` holds for every value the attribute may take."""
    if attr is None:
        return False
    if isinstance(c, ValueSet):
        domain = (False, True) if attr.type is AttrType.BOOLEAN else attr.values
        return all(v in c.values for v in domain)
    dom = _domain(attr)
    return isinstance(dom, Interval) and _subset(dom, c)


def _subset(p: Constraint, c: Constraint) -> bool:
    if isinstance(p, ValueSet) and isinstance(c, ValueSet):
        return p.values <= c.values
    if isinstance(p, Interval) and isinstance(c, Interval):
        lo_ok = c.lo < p.lo or (c.lo == p.lo and (c.lo_closed or not p.lo_closed))
        hi_ok = c.hi > p.hi or (c.hi == p.hi and (c.hi_closed or not p.hi_closed))
        return lo_ok and hi_ok
    return False


def _disjoint(p: Constraint, c: Constraint) -> bool:
    if isinstance(p, ValueSet) and isinstance(c, ValueSet):
        return not (p.values & c.values)
    if isinstance(p, Interval) and isinstance(c, Interval):
        return p.intersect(c).empty
    return False


def _intersect(p: Constraint, c: Constraint) -> Constraint | None:
    if isinstance(p, ValueSet) and isinstance(c, ValueSet):
        return p.intersect(c)
    if isinstance(p, Interval) and isinstance(c, Interval):
        return p.intersect(c)
    return None


def _complement(c: Constraint, attr: Attribute | None) -> list[Constraint]:
    """The constraints that together hold exactly where ``c`` does not (within the domain)."""
    if isinstance(c, ValueSet):
        if attr is None:
            return []
        domain = (False, True) if attr.type is AttrType.BOOLEAN else attr.values
        return [ValueSet(frozenset(v for v in domain if v not in c.values))]
    out: list[Constraint] = []
    if not math.isinf(c.lo):
        out.append(Interval(-math.inf, c.lo, False, not c.lo_closed))
    if not math.isinf(c.hi):
        out.append(Interval(c.hi, math.inf, not c.hi_closed, False))
    return out


# -- building --------------------------------------------------------------------------------
def merged_attributes(old: Ruleset | None, new: Ruleset | None) -> dict[str, Attribute]:
    """Every attribute of either version, with a domain holding both versions' values."""
    out: dict[str, Attribute] = {}
    ids = sorted(set(old.attributes if old else ()) | set(new.attributes if new else ()))
    for a in ids:
        o = old.attributes.get(a) if old else None
        n = new.attributes.get(a) if new else None
        if o is None or n is None or o.type is not n.type:
            got = n or o
            assert got is not None
            out[a] = got
            continue
        values = tuple(n.values) + tuple(v for v in o.values if v not in n.values)
        lo = None if o.minimum is None or n.minimum is None else min(o.minimum, n.minimum)
        hi = None if o.maximum is None or n.maximum is None else max(o.maximum, n.maximum)
        out[a] = dataclasses.replace(n, values=values, minimum=lo, maximum=hi)
    return out


def _domain(attr: Attribute) -> Constraint | None:
    if attr.type is AttrType.ENUM:
        return ValueSet(frozenset(attr.values))
    if attr.type.numeric:
        return Interval(
            -math.inf if attr.minimum is None else attr.minimum,
            math.inf if attr.maximum is None else attr.maximum,
            attr.minimum is not None,
            attr.maximum is not None,
        )
    return None


def valid_value(attr: Attribute, value: Any) -> bool:
    """The value is one this version's ``ticket.yaml`` declares for the attribute."""
    if attr.type is AttrType.BOOLEAN:
        return isinstance(value, bool)
    if attr.type is AttrType.ENUM:
        return value in attr.values
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if attr.type is AttrType.INTEGER and not float(value).is_integer():
        return False
    return (attr.minimum is None or value >= attr.minimum) and (attr.maximum is None or value <= attr.maximum)


def _hull(a: Condition, b: Condition) -> Condition:
    """A condition holding wherever ``a`` or ``b`` holds (per attribute both constrain)."""
    tests: list[tuple[str, Constraint]] = []
    for attr, ca in a.tests:
        cb = b.get(attr)
        if isinstance(ca, ValueSet) and isinstance(cb, ValueSet):
            tests.append((attr, ValueSet(ca.values | cb.values)))
        elif isinstance(ca, Interval) and isinstance(cb, Interval):
            lo, lo_c = min((ca.lo, not ca.lo_closed), (cb.lo, not cb.lo_closed))
            hi, hi_c = max((ca.hi, ca.hi_closed), (cb.hi, cb.hi_closed))
            tests.append((attr, Interval(lo, hi, not lo_c, hi_c)))
    return Condition.of(tests)


def _place(rs: Ruleset | None, idx: WorkflowIndex | None, ticket: Mapping[str, Any]) -> Placement:
    if rs is None or idx is None:
        return Placement({}, None)
    mine = {a: v for a, v in ticket.items() if a in rs.attributes}
    if not all(valid_value(rs.attributes[a], v) for a, v in mine.items()):
        return Placement(mine, None)
    return Placement(mine, idx.space.class_of(mine))


def refine(
    wid: str,
    old: Ruleset | None,
    new: Ruleset | None,
    old_idx: WorkflowIndex | None,
    new_idx: WorkflowIndex | None,
) -> Refinement:
    """Cut the tickets of workflow ``wid`` by both versions' conditions (either may lack it)."""
    indexes = [i for i in (old_idx, new_idx) if i is not None]
    assert indexes, "the workflow must exist in one of the versions"
    conds: dict[Condition, None] = {}
    for idx in indexes:
        conds.update(dict.fromkeys(idx.space.conditions))
        conds[idx.workflow.applies_when] = None
    attrs = merged_attributes(old, new)
    used = sorted({a for c in conds for a in c.attributes})
    for a in used:
        sides = [rs.attributes.get(a) for rs in (old, new) if rs is not None]
        domains = {_domain(x) if x is not None else None for x in sides}
        if len(domains) > 1:
            for dom in domains:
                if dom is not None:
                    conds[Condition.of({a: dom})] = None
    scope = indexes[0].workflow.applies_when
    if len(indexes) == 2:
        scope = _hull(scope, indexes[1].workflow.applies_when)
    some = new if new is not None else old
    assert some is not None
    base_rs = dataclasses.replace(some, attributes=attrs)
    base_wf = dataclasses.replace(indexes[-1].workflow, applies_when=scope)
    space = build_space(base_rs, base_wf, list(conds))
    classes: list[RefinedClass] = []
    by_space: dict[int, int] = {}
    for pc in space.classes:
        o = _place(old, old_idx, pc.ticket)
        n = _place(new, new_idx, pc.ticket)
        if o.k is None and n.k is None:
            continue
        by_space[pc.index] = len(classes)
        classes.append(RefinedClass(len(classes), pc.signature, pc.ticket, o, n))
    return Refinement(wid, space.conditions, attrs, tuple(classes), space, by_space)
