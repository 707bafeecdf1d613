"""From a ticket's attribute values to its profile class, in a few dictionary look-ups.

The analysis partitions each workflow's tickets into classes by the set of conditions
they satisfy (:mod:`rulesengine.analysis.partition`).  At run time a ticket must be put
in its class fast: for every attribute the rules read we precompute, per value (enum,
boolean) or per elementary interval between thresholds (numbers), the bit mask of the
conditions the value does not rule out.  A ticket's signature is the AND of its
attributes' masks; one more bit tracks the workflow's ``applies_when``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any

from ..analysis.index import WorkflowIndex
from ..model.conditions import Constraint, Interval
from ..model.profiles import ProfileError, parse_value
from ..model.ruleset import Attribute, AttrType, Ruleset


class Miss(Exception):
    """A value that cannot be classified; ``kind`` is the deny reason's value."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _NumberMasks:
    """Masks of a number attribute, constant on the pieces between its thresholds."""

    def __init__(self, constraints: list[tuple[int, Constraint]], full: int) -> None:
        points = sorted(
            {p for _, c in constraints if isinstance(c, Interval) for p in (c.lo, c.hi) if not math.isinf(p)}
        )
        self.points = points
        reps: list[float] = []
        lo = -math.inf
        for p in points:
            reps.append(p - 1 if math.isinf(lo) else (lo + p) / 2)
            reps.append(p)
            lo = p
        reps.append(0.0 if not points else lo + 1)
        self.masks = [_mask(constraints, r, full) for r in reps]

    def get(self, x: float) -> int:
        i = bisect.bisect_left(self.points, x)
        if i < len(self.points) and self.points[i] == x:
            return self.masks[2 * i + 1]
        return self.masks[2 * i]


def _mask(constraints: list[tuple[int, Constraint]], value: Any, full: int) -> int:
    m = full
    for ci, c in constraints:
        if not c.contains(value):
            m &= ~(1 << ci)
    return m


class Classifier:
    """Puts a ticket's attribute values in a class of one workflow."""

    def __init__(self, ruleset: Ruleset, idx: WorkflowIndex) -> None:
        self.ruleset = ruleset
        space = idx.space
        # the masks are over the boxes the space was cut by (the conditions themselves
        # unless some have `any_of` alternatives); a class is found by its box signature
        atoms = space.atoms or space.conditions
        n = len(atoms)
        self.applies_bit = 1 << n
        # `applies_when` with alternatives is tested on the values (its boxes are atoms)
        self.applies_test = None if space.applies_when.is_box else space.applies_when
        never = {ci for ci, c in enumerate(atoms) if c.never}
        full = ((1 << (n + 1)) - 1) & ~sum(1 << ci for ci in never)
        self.full = full
        per_attr: dict[str, list[tuple[int, Constraint]]] = {}
        for ci, cond in enumerate(atoms):
            for a, c in cond.tests:
                per_attr.setdefault(a, []).append((ci, c))
        for a, c in space.applies_when.tests:
            per_attr.setdefault(a, []).append((n, c))
        self.read = tuple(a for a in ruleset.attributes if a in per_attr)  # the attributes the rules read
        self.enum_masks: dict[str, dict[Any, int]] = {}
        self.number_masks: dict[str, _NumberMasks] = {}
        self.attrs: dict[str, Attribute] = dict(ruleset.attributes)
        for a in self.read:
            attr = ruleset.attributes[a]
            if attr.type.numeric:
                self.number_masks[a] = _NumberMasks(per_attr[a], full)
            else:
                values = (False, True) if attr.type is AttrType.BOOLEAN else attr.values
                self.enum_masks[a] = {v: _mask(per_attr[a], v, full) for v in values}
        # the fast path: every attribute of the ruleset, (value -> mask, the value's type)
        self.read_set = frozenset(self.read)
        self.fast_enum: dict[str, tuple[dict[Any, int], type]] = {}
        self.fast_number: dict[str, tuple[_NumberMasks | None, Attribute]] = {}
        for a, attr in ruleset.attributes.items():
            if attr.type.numeric:
                self.fast_number[a] = (self.number_masks.get(a), attr)
            elif attr.type is AttrType.BOOLEAN:
                self.fast_enum[a] = (self.enum_masks.get(a) or {False: full, True: full}, bool)
            elif all(type(v) is str for v in attr.values):
                self.fast_enum[a] = (self.enum_masks.get(a) or dict.fromkeys(attr.values, full), str)
        self.by_mask: dict[int, int] = {}
        for cls in space.classes:
            self.by_mask[(cls.bits if cls.abits < 0 else cls.abits) | self.applies_bit] = cls.index

    def value(self, attr_id: str, raw: Any) -> Any:
        """The attribute's value as the rules compare it (``"1500"`` → 1500), or :class:`Miss`."""
        attr = self.attrs.get(attr_id) if isinstance(attr_id, str) else None
        if attr is None:
            raise Miss("unknown-attribute", f"unknown attribute `{attr_id}`")
        t = type(raw)
        if attr.type is AttrType.ENUM and t is str and raw in attr.values:
            return raw
        if attr.type.numeric and (t is int or t is float) and _in_range(attr, raw):
            return raw
        if attr.type is AttrType.BOOLEAN and t is bool:
            return raw
        if isinstance(raw, (Mapping, list, tuple, set, bytes)) or raw is None:
            raise Miss("invalid-value", f"`{attr_id}` cannot be `{_short(raw)}`")
        try:
            return parse_value(self.ruleset, attr_id, raw)
        except ProfileError as exc:
            raise Miss("invalid-value", str(exc)) from None

    def fast(self, attributes: dict[str, Any]) -> int | None:
        """The class of plainly typed, valid values; None sends the caller to :meth:`classify`."""
        m = self.full
        seen = 0
        read = self.read_set
        try:
            for key, v in attributes.items():
                got = self.fast_enum.get(key)
                if got is not None:
                    if type(v) is not got[1]:
                        return None
                    mask = got[0].get(v)
                    if mask is None:
                        return None
                    m &= mask
                else:
                    num = self.fast_number.get(key)
                    if num is None or (type(v) is not int and type(v) is not float) or not _in_range(num[1], v):
                        return None
                    if num[0] is not None:
                        m &= num[0].get(v)
                if key in read:
                    seen += 1
        except TypeError:  # an unhashable value
            return None
        if seen != len(read) or not m & self.applies_bit or self.applies_test is not None:
            return None
        return self.by_mask.get(m)

    def classify(self, attributes: Mapping[str, Any]) -> tuple[int | None, dict[str, Any]]:
        """(class index or None when ``applies_when`` fails, the parsed values)."""
        values: dict[str, Any] = {}
        for key, raw in attributes.items():
            values[key] = self.value(key, raw)
        m = self.full
        for a in self.read:
            if a not in values:
                raise Miss("missing-attribute", f"the rules read attribute `{a}`, which the ticket does not carry")
            v = values[a]
            if a in self.enum_masks:
                m &= self.enum_masks[a][v]
            else:
                m &= self.number_masks[a].get(v)
        if not m & self.applies_bit or (self.applies_test is not None and not self.applies_test.matches(values)):
            return None, values
        k = self.by_mask.get(m)
        if k is None:  # a value outside every class (cannot happen for values in the domain)
            raise Miss("invalid-value", "the ticket's values fall outside every ticket class of the workflow")
        return k, values


def _in_range(attr: Attribute, x: float) -> bool:
    if x != x or x in (math.inf, -math.inf):
        return False
    if attr.minimum is not None and x < attr.minimum:
        return False
    if attr.maximum is not None and x > attr.maximum:
        return False
    return attr.type is not AttrType.INTEGER or type(x) is int or float(x).is_integer()


def _short(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."
