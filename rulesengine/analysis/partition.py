"""Cut the space of ticket profiles into finitely many classes, per workflow.

Every condition that can matter to a workflow (its grants, transition and escalation
conditions, SLA conditions) is a box over the attributes.  Two tickets that satisfy
exactly the same conditions are indistinguishable to every rule, so the analysis only
needs one representative per *signature* (the set of satisfied conditions).

The classes are found attribute by attribute: each attribute's domain is cut by the
constraints of the conditions still alive (enum values grouped by membership, numbers
cut at every threshold), and the recursion is memoised on (attribute, alive set).
Conditions mentioning only one or two attributes therefore cost little, and the number
of classes is the number of signatures that really occur, not the product of all
attribute values.  The representative of a class is its smallest concrete ticket:
attributes in id order, values in sorted order, numbers at the lowest point.

Signatures are kept as integer bit sets (bit ``i`` set: condition ``i`` holds).  A large
centre has a hundred thousand classes; as ints their signatures take a few dozen bytes
each instead of a hash table, and the questions asked of them millions of times — does
condition ``c`` hold, do two classes agree on the conditions in ``mask`` — are single
integer operations.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..model.conditions import Condition, Constraint, Interval, ValueSet
from ..model.ruleset import Attribute, AttrType, Ruleset, Workflow

# ticket classes of one workflow the analysis takes on (documented; the environment
# variable lowers or raises it for a machine with less or more memory)
MAX_CLASSES = int(os.environ.get("RULESENGINE_MAX_CLASSES", "250000"))


class TooManyClasses(Exception):
    """The rules split one workflow's tickets into more classes than the analysis budget.

    ``diagnostic`` names the workflow and the attributes that multiply, so that a process
    owner can see which conditions to merge; it is raised long before memory runs out.
    """

    def __init__(self, diagnostic: Any) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def bits_of(ids: Iterable[int]) -> int:
    """The integer bit set of condition ids."""
    out = 0
    for i in ids:
        out |= 1 << i
    return out


def ids_of(bits: int) -> frozenset[int]:
    """The condition ids of an integer bit set."""
    out = []
    i = 0
    while bits:
        if bits & 1:
            out.append(i)
        bits >>= 1
        i += 1
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class ProfileClass:
    """A set of tickets that every condition of a workflow treats alike."""

    index: int
    bits: int  # the signature: bit i is set when condition i holds
    ticket: Mapping[str, Any]
    # the signature over the boxes the space was cut by (``WorkflowSpace.atoms``); the
    # same as ``bits`` unless a condition has ``any_of`` alternatives
    abits: int = -1

    @property
    def signature(self) -> frozenset[int]:
        """The ids of the conditions that hold (the bit set as a set)."""
        return ids_of(self.bits)


@dataclass(frozen=True)
class WorkflowSpace:
    """The profile classes of one workflow and the conditions that define them."""

    workflow: str
    attributes: tuple[str, ...]
    conditions: tuple[Condition, ...]
    classes: tuple[ProfileClass, ...]
    by_bits: Mapping[int, int]
    applies_when: Condition
    # the boxes the space is cut by: ``conditions`` themselves when every one is a box,
    # else their disjunctive normal forms (and ``applies_when``'s) — what classifiers read
    atoms: tuple[Condition, ...] = ()

    @cached_property
    def by_signature(self) -> Mapping[frozenset[int], int]:
        """Class index by signature as a set of condition ids."""
        return {ids_of(b): k for b, k in self.by_bits.items()}

    def bits_of(self, profile: Mapping[str, Any]) -> int:
        return bits_of(i for i, c in enumerate(self.conditions) if c.matches(profile))

    def signature_of(self, profile: Mapping[str, Any]) -> frozenset[int]:
        return ids_of(self.bits_of(profile))

    def class_of(self, profile: Mapping[str, Any]) -> int | None:
        """The class of a concrete ticket, or None if the workflow does not apply to it."""
        if not self.applies_when.matches(profile):
            return None
        return self.by_bits.get(self.bits_of(profile))


def _segments(attr: Attribute, dom: Interval, cuts: Sequence[Interval]) -> list[Interval]:
    """Elementary pieces of ``dom`` on which every interval in ``cuts`` is constant."""
    points = sorted({p for iv in cuts for p in (iv.lo, iv.hi) if not math.isinf(p) and dom.contains(p)})
    pieces: list[Interval] = []
    lo, lo_closed = dom.lo, dom.lo_closed
    for p in points:
        pieces.append(Interval(lo, p, lo_closed, False))
        pieces.append(Interval(p, p, True, True))
        lo, lo_closed = p, False
    pieces.append(Interval(lo, dom.hi, lo_closed, dom.hi_closed))
    integer = attr.type is AttrType.INTEGER
    return [pc for pc in pieces if not pc.empty and _pick_number(pc, integer) is not None]


def _pick_number(iv: Interval, integer: bool) -> float | int | None:
    """The smallest 'nice' number in an interval (an integer where one fits)."""
    if iv.lo_closed and not math.isinf(iv.lo):
        cand = iv.lo
        if integer and not float(cand).is_integer():
            cand = math.ceil(cand)
        if iv.contains(cand):
            return int(cand) if float(cand).is_integer() else cand
    if math.isinf(iv.lo):
        if iv.contains(0):
            return 0
        base = math.floor(iv.hi) - 1 if not math.isinf(iv.hi) else 0
        return int(base) if iv.contains(base) else (None if integer else iv.hi - 1)
    cand = math.floor(iv.lo) + 1
    if iv.contains(cand):
        return int(cand)
    if integer:
        return None
    mid = (iv.lo + iv.hi) / 2
    return mid if iv.contains(mid) else None


def _domain(attr: Attribute, applies: Constraint | None) -> list[Any] | Interval:
    if attr.type.numeric:
        dom = Interval(
            -math.inf if attr.minimum is None else attr.minimum,
            math.inf if attr.maximum is None else attr.maximum,
            attr.minimum is not None,
            attr.maximum is not None,
        )
        if isinstance(applies, Interval):
            dom = dom.intersect(applies)
        return dom
    values = sorted(attr.values, key=lambda v: (str(type(v)), str(v)))
    if isinstance(applies, ValueSet):
        values = [v for v in values if v in applies.values]
    return values


def build_space(
    ruleset: Ruleset, workflow: Workflow, conditions: Sequence[Condition], restrict: Condition | None = None
) -> WorkflowSpace:
    """Partition the tickets of ``workflow`` by the given (deduplicated) conditions.

    ``restrict`` narrows the space further (``--set tier=vip``): only tickets that also
    satisfy it are classified, and its attributes appear in every representative.
    """
    applies = workflow.applies_when if restrict is None else workflow.applies_when.conjoin(restrict)
    composite = not applies.is_box or any(not c.is_box for c in conditions)
    atoms: list[Condition] = list(conditions)
    dnf: list[int] = []
    app_mask = 0
    if composite:
        # cut by boxes: each condition holds exactly when one of its DNF boxes does
        atoms, dnf, app_mask = _atoms(conditions, applies)
    attrs = sorted({a for c in atoms for a in c.attributes} | set(applies.attributes))
    attrs = [a for a in attrs if a in ruleset.attributes]
    per_attr: dict[str, list[tuple[int, Constraint]]] = {a: [] for a in attrs}
    for ci, cond in enumerate(atoms):
        for a, c in cond.tests:
            if a in per_attr:
                per_attr[a].append((ci, c))
    domains = {a: _domain(ruleset.attributes[a], applies.get(a)) for a in attrs}
    never = bits_of(ci for ci, c in enumerate(atoms) if c.never)

    memo: dict[tuple[int, int], list[tuple[int, tuple[Any, ...]]]] = {}
    # how one attribute's domain splits depends only on which of its conditions are alive
    mentions = [bits_of(ci for ci, _ in per_attr[a]) for a in attrs]
    cuts: dict[tuple[int, int], list[tuple[Any, int]]] = {}

    def rec(i: int, alive: int) -> list[tuple[int, tuple[Any, ...]]]:
        if i == len(attrs):
            return [(alive, ())]
        key = (i, alive)
        hit = memo.get(key)
        if hit is not None:
            return hit
        a = attrs[i]
        ckey = (i, alive & mentions[i])
        split = cuts.get(ckey)
        if split is None:
            relevant = [(ci, c) for ci, c in per_attr[a] if alive >> ci & 1]
            split = cuts[ckey] = _classes(ruleset.attributes[a], domains[a], relevant)
        results: dict[int, tuple[Any, ...]] = {}
        for rep, dead in split:
            for sig, tail in rec(i + 1, alive & ~dead):
                if sig not in results:
                    results[sig] = (rep, *tail)
            if len(results) > MAX_CLASSES:
                raise TooManyClasses(
                    _budget(
                        workflow, attrs[i:], [len(cuts.get((j, mentions[j]), ())) or 2 for j in range(i, len(attrs))]
                    )
                )
        out = list(results.items())
        memo[key] = out
        return out

    start = ((1 << len(atoms)) - 1) & ~never
    raw = rec(0, start) if all(_nonempty(domains[a]) for a in attrs) else []
    # ``rec`` refers to itself, so it and its memo form a cycle that only the cyclic
    # collector frees — which the command line turns off; let the memo go now
    memo.clear()
    classes: list[ProfileClass] = []
    by_bits: dict[int, int] = {}
    for sig, values in raw:
        bits = sig
        if composite:
            if app_mask and not sig & app_mask:
                continue  # outside every box of `applies_when`
            bits = bits_of(i for i, m in enumerate(dnf) if sig & m)
        elif sig in by_bits:
            continue
        by_bits.setdefault(bits, len(classes))
        classes.append(ProfileClass(len(classes), bits, dict(zip(attrs, values, strict=True)), sig))
    return WorkflowSpace(
        workflow=workflow.id,
        attributes=tuple(attrs),
        conditions=tuple(conditions),
        classes=tuple(classes),
        by_bits=by_bits,
        applies_when=applies,
        atoms=tuple(atoms),
    )


def _atoms(conditions: Sequence[Condition], applies: Condition) -> tuple[list[Condition], list[int], int]:
    """The boxes of every condition's disjunctive normal form, each once; per condition the
    bit set of its boxes; and the bit set of ``applies_when``'s boxes (0: it is a box)."""
    atoms: list[Condition] = []
    ids: dict[Condition, int] = {}

    def aid(box: Condition) -> int:
        got = ids.get(box)
        if got is None:
            got = ids[box] = len(atoms)
            atoms.append(box)
        return got

    dnf = [bits_of(aid(b) for b in c.boxes()) for c in conditions]
    app_mask = 0
    if not applies.is_box:
        # with no box of `applies_when` able to hold, a box that never holds stands in for
        # it, so that every class is left out
        boxes = applies.boxes() or (Condition.of([("", ValueSet(frozenset()))]),)
        app_mask = bits_of(aid(b) for b in boxes)
    return atoms, dnf, app_mask


def satisfiable(ruleset: Ruleset, cond: Condition, memo: dict[tuple[str, Constraint], bool] | None = None) -> bool:
    """Some ticket satisfies ``cond``: exactly when :func:`build_space` restricted to it
    would find a class, without building one.

    A condition is a box, one constraint per attribute, so it holds for some ticket when
    every attribute has a value inside its constraint (a whole number, for integers); a
    condition with ``any_of`` holds when one of its boxes does.  ``memo`` remembers the
    answer per (attribute, constraint) across calls.
    """
    if not cond.is_box:
        return any(satisfiable(ruleset, b, memo) for b in cond.boxes())
    for a, c in cond.tests:
        key = (a, c)
        got = memo.get(key) if memo is not None else None
        if got is None:
            got = _has_value(ruleset, a, c)
            if memo is not None:
                memo[key] = got
        if not got:
            return False
    return True


def _has_value(ruleset: Ruleset, a: str, c: Constraint) -> bool:
    attr = ruleset.attributes.get(a)
    if attr is None:
        return True  # build_space ignores attributes the ruleset does not define
    dom = _domain(attr, c)
    if isinstance(dom, Interval):
        return not dom.empty and bool(_segments(attr, dom, []))
    return bool(dom)


def _nonempty(dom: list[Any] | Interval) -> bool:
    return not dom.empty if isinstance(dom, Interval) else bool(dom)


def _classes(
    attr: Attribute, dom: list[Any] | Interval, relevant: list[tuple[int, Constraint]]
) -> list[tuple[Any, int]]:
    """(representative value, bit set of the conditions it kills) for each class of one attribute."""
    groups: dict[int, Any] = {}
    order: list[int] = []
    if isinstance(dom, Interval):
        cuts = [c for _, c in relevant if isinstance(c, Interval)]
        reps = []
        for piece in _segments(attr, dom, cuts):
            rep = _pick_number(piece, integer=attr.type is AttrType.INTEGER)
            if rep is not None:
                reps.append(rep)
        for rep, dead in zip(reps, _dead_along(reps, relevant), strict=True):
            if dead not in groups:
                groups[dead] = rep
                order.append(dead)
    else:
        for v in dom:
            dead = bits_of(ci for ci, c in relevant if not c.contains(v))
            if dead not in groups:
                groups[dead] = v
                order.append(dead)
    return [(groups[k], k) for k in order]


def _dead_along(reps: list[Any], relevant: list[tuple[int, Constraint]]) -> list[int]:
    """For ascending numbers ``reps``: the bit set of the constraints each one fails.

    Every interval holds on one contiguous run of the sorted numbers, found by binary
    search; a sweep then carries the set of intervals that hold, so thousands of amount
    bands cost a few big-integer operations per number instead of one test per band.
    """
    import bisect

    flips = [0] * (len(reps) + 1)
    intervals = 0
    others: list[tuple[int, Constraint]] = []
    for ci, c in relevant:
        if not isinstance(c, Interval):
            others.append((ci, c))
            continue
        intervals |= 1 << ci
        start = bisect.bisect_left(reps, c.lo) if c.lo_closed else bisect.bisect_right(reps, c.lo)
        stop = bisect.bisect_right(reps, c.hi) if c.hi_closed else bisect.bisect_left(reps, c.hi)
        if start < stop:
            flips[start] ^= 1 << ci
            flips[stop] ^= 1 << ci
    out = []
    holding = 0
    for i, rep in enumerate(reps):
        holding ^= flips[i]
        dead = intervals & ~holding
        for ci, c in others:
            if not c.contains(rep):
                dead |= 1 << ci
        out.append(dead)
    return out


def _budget(workflow: Workflow, attrs: Sequence[str], kinds: Sequence[int]) -> Any:
    from ..diagnostics import DiagnosticKind, Location

    many = sorted(zip(kinds, attrs, strict=True), reverse=True)
    named = ", ".join(f"`{a}` ({n} kinds)" for n, a in many[:8]) + (
        f" and {len(many) - 8} more" if len(many) > 8 else ""
    )
    return DiagnosticKind("RE090", "analysis-budget")(
        f"the rules split the tickets of `{workflow.id}` into more than {MAX_CLASSES:,} classes: "
        f"conditions on {named} combine independently",
        workflow.location or Location(workflow.file),
        help="merge grants that test different attributes, or give roles conditions on fewer attributes; "
        "each independent condition doubles the tickets the analysis must tell apart",
        workflow=workflow.id,
    )
