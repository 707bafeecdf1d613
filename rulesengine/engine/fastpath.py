"""The class of a ticket in one dictionary look-up, for the tickets services really send.

A service usually stores every attribute of ``ticket.yaml`` with plain values (or just
the attributes a workflow reads).  For such a ticket the class depends only on the
tuple of its enum and boolean values and, for one number attribute the rules compare,
on the piece between thresholds the number falls in.  For each workflow and each of
those two key sets we tabulate, at load, every valid combination of enum values → the
class per number piece.  A ticket that does not fit the table exactly (another key
set, a value of an unusual type, an invalid value) simply takes the general path of
:class:`~rulesengine.engine.classify.Classifier`, which gives the same answer more
slowly; the table is never the only judge.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from ..model.ruleset import AttrType, Ruleset
from .classify import Classifier

MAX_COMBINATIONS = 20_000  # beyond this the table would cost more memory than it saves time


class FastPath:
    """Classes of the tickets carrying exactly ``keys``, by their enum values."""

    def __init__(self, rs: Ruleset, cl: Classifier, keys: tuple[str, ...]) -> None:
        attrs = [rs.attributes[a] for a in keys]
        self.keys = keys
        enums = [a for a in attrs if not a.type.numeric]
        self.bools = tuple(a.id for a in enums if a.type is AttrType.BOOLEAN)
        self.numbers = tuple(
            (
                a.id,
                -math.inf if a.minimum is None else a.minimum,
                math.inf if a.maximum is None else a.maximum,
                a.type is AttrType.INTEGER,
            )
            for a in attrs
            if a.type.numeric
        )
        compared = [a.id for a in attrs if a.type.numeric and a.id in cl.number_masks]
        self.number = compared[0] if compared else None
        self.points: list[float] = cl.number_masks[self.number].points if self.number else []
        # the table is keyed by the enum values the rules read; the other enum attributes of
        # the key set are only checked for validity, so a workflow's table stays small
        read = [a for a in enums if a.id in cl.enum_masks]
        self.extras = tuple(
            (a.id, frozenset(a.values)) for a in enums if a.id not in cl.enum_masks and a.type is AttrType.ENUM
        )
        names = [a.id for a in read]
        # one enum attribute: its value is the key; several: the tuple of their values
        self.get: Callable[[Mapping[str, Any]], Any] = itemgetter(*names) if names else _nothing
        self.single = len(names) == 1
        only = self.numbers[0] if len(self.numbers) == 1 else None
        self.simple = not self.bools and only is not None and only[0] == self.number and not only[3]
        self.lo, self.hi = (only[1], only[2]) if only is not None else (-math.inf, math.inf)
        domains = [(False, True) if a.type is AttrType.BOOLEAN else a.values for a in read]
        piece_masks = cl.number_masks[self.number].masks if self.number else [cl.full]
        self.table: dict[Any, Any] = {}
        for combo in itertools.product(*domains):
            m = cl.full
            for name, v in zip(names, combo, strict=True):
                masks = cl.enum_masks.get(name)
                if masks is not None:
                    m &= masks[v]
            ks = tuple(_class_of(cl, m & pm) for pm in piece_masks)
            key = combo[0] if self.single else combo
            self.table[key] = ks if self.number else ks[0]
        self.classify: Callable[[Mapping[str, Any]], int] = self._general
        if self.simple:
            self.classify = _simple(self.table, self.get, self.number or "", self.lo, self.hi, self.points, self.extras)

    def _general(self, attrs: Mapping[str, Any]) -> int:
        """The class, or -1 when the general path must decide; may raise KeyError/TypeError."""
        got = self.table[self.get(attrs)]
        for name, valid in self.extras:
            if attrs[name] not in valid:
                return -1
        for b in self.bools:
            if type(attrs[b]) is not bool:
                return -1
        for name, lo, hi, integer in self.numbers:
            v = attrs[name]
            if type(v) is not int and (type(v) is not float or (integer and not v.is_integer())):
                return -1
            if not lo <= v <= hi:
                return -1
        if self.number is None:
            return got  # type: ignore[no-any-return]
        v = attrs[self.number]
        i = bisect.bisect_left(self.points, v)
        return got[2 * i + 1 if i < len(self.points) and self.points[i] == v else 2 * i]  # type: ignore[no-any-return]


def _simple(
    table: dict[Any, Any],
    get: Callable[[Mapping[str, Any]], Any],
    number: str,
    lo: float,
    hi: float,
    points: list[float],
    extras: tuple[tuple[str, frozenset[Any]], ...],
) -> Callable[[Mapping[str, Any]], int]:
    """The usual shape — no booleans, one number the rules compare — as one closure over
    its tables, so that classifying costs a handful of look-ups."""
    n = len(points)
    bisect_left = bisect.bisect_left
    if len(extras) == 1:  # the usual case of all attributes sent: one the workflow does not read
        ((extra, valid),) = extras

        def one_extra(attrs: Mapping[str, Any]) -> int:
            got = table[get(attrs)]
            if attrs[extra] not in valid:
                return -1
            v = attrs[number]
            t = type(v)
            if (t is int or t is float) and lo <= v <= hi:
                i = bisect_left(points, v)
                return got[2 * i + 1 if i < n and points[i] == v else 2 * i]  # type: ignore[no-any-return]
            return -1

        return one_extra

    def classify(attrs: Mapping[str, Any]) -> int:
        got = table[get(attrs)]
        for name, valid in extras:
            if attrs[name] not in valid:
                return -1
        v = attrs[number]
        t = type(v)
        if (t is int or t is float) and lo <= v <= hi:
            i = bisect_left(points, v)
            return got[2 * i + 1 if i < n and points[i] == v else 2 * i]  # type: ignore[no-any-return]
        return -1

    return classify


def _nothing(attrs: Mapping[str, Any]) -> tuple[()]:
    return ()


def _class_of(cl: Classifier, m: int) -> int:
    if not m & cl.applies_bit:
        return -1
    return cl.by_mask.get(m, -1)


def fast_paths(rs: Ruleset, cl: Classifier) -> dict[int, FastPath]:
    """The fast paths of a workflow, by the number of attribute keys they take."""
    everything = tuple(rs.attributes)
    out: dict[int, FastPath] = {}
    if cl.applies_test is not None:
        return out  # `applies_when` with alternatives: the general path tests it
    for keys in (everything, cl.read):
        if not keys or len(keys) in out:
            continue
        attrs = [rs.attributes[a] for a in keys]
        if any(a.type is AttrType.ENUM and not all(type(v) is str for v in a.values) for a in attrs):
            continue
        if sum(1 for a in attrs if a.type.numeric and a.id in cl.number_masks) > 1:
            continue
        size = 1
        for a in attrs:
            if a.id in cl.enum_masks:  # the table holds the enum values the rules read
                size *= 2 if a.type is AttrType.BOOLEAN else len(a.values)
        if size > MAX_COMBINATIONS:
            continue
        out[len(keys)] = FastPath(rs, cl, keys)
    return out
