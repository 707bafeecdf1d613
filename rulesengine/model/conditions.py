"""Conditions on ticket attributes: value sets and numeric intervals.

A condition is a conjunction of per-attribute constraints (and of ``any_of`` groups of
alternative conditions).  Keeping constraints as
plain sets and intervals (instead of opaque predicates) is what lets the analysis cut
the attribute space into finitely many classes and reason about every ticket at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Interval:
    """A numeric interval; bounds may be infinite, each end open or closed."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_closed: bool = False
    hi_closed: bool = False

    def contains(self, x: float) -> bool:
        if x < self.lo or (x == self.lo and not self.lo_closed):
            return False
        if x > self.hi or (x == self.hi and not self.hi_closed):
            return False
        return True

    @property
    def empty(self) -> bool:
        if self.lo > self.hi:
            return True
        if self.lo == self.hi:
            return not (self.lo_closed and self.hi_closed)
        return False

    def intersect(self, other: Interval) -> Interval:
        if self.lo > other.lo or (self.lo == other.lo and not self.lo_closed):
            lo, lo_c = self.lo, self.lo_closed
        else:
            lo, lo_c = other.lo, other.lo_closed
        if self.hi < other.hi or (self.hi == other.hi and not self.hi_closed):
            hi, hi_c = self.hi, self.hi_closed
        else:
            hi, hi_c = other.hi, other.hi_closed
        return Interval(lo, hi, lo_c and not math.isinf(lo), hi_c and not math.isinf(hi))

    def describe(self, attr: str) -> str:
        parts = []
        if not math.isinf(self.lo):
            parts.append(f"{attr} {'>=' if self.lo_closed else '>'} {_num(self.lo)}")
        if not math.isinf(self.hi):
            parts.append(f"{attr} {'<=' if self.hi_closed else '<'} {_num(self.hi)}")
        return " and ".join(parts) or f"any {attr}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class ValueSet:
    """Allowed values of an enum or boolean attribute."""

    values: frozenset[Any]

    def contains(self, x: Any) -> bool:
        return x in self.values

    @property
    def empty(self) -> bool:
        return not self.values

    def intersect(self, other: ValueSet) -> ValueSet:
        return ValueSet(self.values & other.values)

    def describe(self, attr: str) -> str:
        vals = sorted(self.values, key=str)
        if len(vals) == 1:
            return f"{attr} = {_show(vals[0])}"
        return f"{attr} in [{', '.join(_show(v) for v in vals)}]"


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


Constraint = Interval | ValueSet


@dataclass(frozen=True)
class Condition:
    """Conjunction of constraints, one per attribute, kept sorted by attribute id, and of
    ``any_of`` groups: each group is a tuple of alternative conditions, one of which must
    hold (``any_of`` in the YAML).

    A condition without groups is a *box*; the analysis cuts the attribute space by
    boxes, so a condition with groups is handed to it as the boxes of its disjunctive
    normal form (:meth:`boxes`).
    """

    tests: tuple[tuple[str, Constraint], ...] = ()
    any_of: tuple[tuple[Condition, ...], ...] = ()

    @staticmethod
    def of(
        tests: Mapping[str, Constraint] | Iterable[tuple[str, Constraint]],
        any_of: Iterable[tuple[Condition, ...]] = (),
    ) -> Condition:
        items = tests.items() if isinstance(tests, Mapping) else tests
        merged: dict[str, Constraint] = {}
        for attr, c in items:
            if attr in merged:
                prev = merged[attr]
                if isinstance(prev, Interval) and isinstance(c, Interval):
                    merged[attr] = prev.intersect(c)
                elif isinstance(prev, ValueSet) and isinstance(c, ValueSet):
                    merged[attr] = prev.intersect(c)
                else:  # mismatched kinds cannot both hold
                    merged[attr] = ValueSet(frozenset())
            else:
                merged[attr] = c
        return Condition(tuple(sorted(merged.items(), key=lambda kv: kv[0])), tuple(any_of))

    @property
    def always(self) -> bool:
        return not self.tests and not self.any_of

    @property
    def is_box(self) -> bool:
        """No ``any_of``: one constraint per attribute, nothing else."""
        return not self.any_of

    @property
    def never(self) -> bool:
        if any(c.empty for _, c in self.tests):
            return True
        return any(all(alt.never for alt in group) for group in self.any_of)

    def get(self, attr: str) -> Constraint | None:
        """The constraint every ticket meeting the condition meets on ``attr`` (``any_of``
        alternatives aside)."""
        for a, c in self.tests:
            if a == attr:
                return c
        return None

    @property
    def attributes(self) -> tuple[str, ...]:
        own = [a for a, _ in self.tests]
        for group in self.any_of:
            for alt in group:
                own.extend(alt.attributes)
        return tuple(dict.fromkeys(own))

    def matches(self, profile: Mapping[str, Any]) -> bool:
        """True when every constraint holds; a missing attribute never matches."""
        for attr, c in self.tests:
            if attr not in profile:
                return False
            if not c.contains(profile[attr]):
                return False
        for group in self.any_of:
            if not any(alt.matches(profile) for alt in group):
                return False
        return True

    def failing(self, profile: Mapping[str, Any]) -> list[str]:
        """Human-readable constraints that ``profile`` does not meet."""
        out = []
        for attr, c in self.tests:
            if attr not in profile or not c.contains(profile[attr]):
                out.append(c.describe(attr))
        for group in self.any_of:
            if not any(alt.matches(profile) for alt in group):
                out.append(_describe_group(group))
        return out

    def conjoin(self, other: Condition) -> Condition:
        return Condition.of(list(self.tests) + list(other.tests), self.any_of + other.any_of)

    def given(self, values: Mapping[str, Any]) -> Condition:
        """The condition on the other attributes once ``values`` are written on a ticket:
        the constraints on those attributes are decided (dropped when they hold, the
        whole condition never holds when one fails).  The analysis partitions by these
        too, so that a transition writing ``values`` takes every ticket of a class to the
        same class."""
        if not any(a in values for a in self.attributes):
            return self
        never = Condition.of([("", ValueSet(frozenset()))])
        tests = []
        for a, c in self.tests:
            if a in values:
                if not c.contains(values[a]):
                    return never
            else:
                tests.append((a, c))
        groups = []
        for group in self.any_of:
            alts = [alt.given(values) for alt in group]
            if any(alt.always for alt in alts):
                continue
            alts = [alt for alt in alts if not alt.never]
            if not alts:
                return never
            groups.append(tuple(alts))
        return Condition.of(tests, groups)

    def boxes(self) -> tuple[Condition, ...]:
        """The condition as a disjunction of boxes (its disjunctive normal form); a box is
        itself, a condition that can never hold has none."""
        if not self.any_of:
            return () if self.never else (self,)
        out: list[Condition] = [Condition(self.tests)]
        for group in self.any_of:
            alts = [b for alt in group for b in alt.boxes()]
            out = [base.conjoin(b) for base in out for b in alts]
            out = [b for b in out if not b.never]
        return tuple(dict.fromkeys(out))

    def describe(self) -> str:
        if self.always:
            return "any ticket"
        parts = [c.describe(a) for a, c in self.tests] + [_describe_group(g) for g in self.any_of]
        return " and ".join(parts)


def _describe_group(group: tuple[Condition, ...]) -> str:
    alts = [alt.describe() for alt in group]
    return "(" + " or ".join(f"({a})" if " and " in a else a for a in alts) + ")"
