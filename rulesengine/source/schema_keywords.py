"""Two JSON Schema keywords checked the way the schema means them, at a bounded cost.

``pattern``
    The schemas are written for editors, whose regular expressions follow ECMA-262:
    there ``$`` matches only at the very end of the text.  In Python's :mod:`re` it
    also matches before a final newline, so ``^[a-z]+$`` accepts ``"parked\\n"``, and
    the newline would travel into ids, hours and durations.  Here an unescaped ``$``
    is read as ``\\Z``, which keeps the shipped schemas valid for editors.

``uniqueItems``
    jsonschema compares items pairwise once a list mixes types (one number among
    20,000 dates takes close to a minute).  Here each item is reduced to a hashable
    key with JSON's equality (``1 == 1.0``, ``true != 1``), in one pass, and the
    error points at the repeated item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

_DOLLAR = re.compile(r"(?<!\\)((?:\\\\)*)\$")


@cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ECMA-262 end anchors: ``$`` matches only at the very end."""
    return re.compile(_DOLLAR.sub(r"\1\\Z", pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compile_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _key(item: Any) -> Any:
    """A hashable stand-in for a JSON value; equal keys for equal JSON values."""
    if isinstance(item, bool):
        return ("b", item)
    if isinstance(item, (int, float)):
        return ("n", item)
    if isinstance(item, str):
        return ("s", item)
    if isinstance(item, list):
        return ("l", tuple(_key(x) for x in item))
    if isinstance(item, dict):
        return ("d", frozenset((k, _key(v)) for k, v in item.items()))
    return ("z", None)


def _unique_items(validator: Any, unique: bool, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: dict[Any, int] = {}
    for i, item in enumerate(instance):
        first = seen.setdefault(_key(item), i)
        if first != i:
            yield ValidationError(
                f"item {i} repeats item {first}",
                instance=item,
                path=[i],
                validator_value=first,
            )
            return


def validator_class() -> Any:
    """Draft 2020-12 with the two keywords above."""
    return jsonschema.validators.extend(
        jsonschema.Draft202012Validator, {"pattern": _pattern, "uniqueItems": _unique_items}
    )
