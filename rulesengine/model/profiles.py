"""Concrete ticket values given on the command line (``--set tier=vip``) or by a caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..numbers import RANGE_HELP, check_value
from ..text import did_you_mean
from .conditions import Condition, Constraint, Interval, ValueSet
from .ruleset import AttrType, Ruleset


class ProfileError(ValueError):
    """A ticket value that does not fit ``ticket.yaml``; the message says why."""


def parse_value(ruleset: Ruleset, attr_id: str, text: Any) -> Any:
    """Convert one value to its attribute's type, checking it against ``ticket.yaml``."""
    attr = ruleset.attributes.get(attr_id)
    if attr is None:
        hint = did_you_mean(attr_id, ruleset.attributes)
        known = ", ".join(f"`{a}`" for a in ruleset.attributes) or "none"
        raise ProfileError(f"unknown attribute `{attr_id}`" + (f"; {hint}" if hint else f" (known: {known})"))
    if attr.type is AttrType.BOOLEAN:
        if isinstance(text, bool):
            return text
        low = str(text).lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise ProfileError(f"`{attr_id}` is true or false, not `{text}`")
    if attr.type.numeric:
        if isinstance(text, bool):
            raise ProfileError(f"`{attr_id}` is a number, not `{text}`")
        try:
            value = float(text)
        except (TypeError, ValueError, OverflowError):
            raise ProfileError(f"`{attr_id}` is a number, not `{text}`") from None
        problem = check_value(value)
        if problem is not None:
            raise ProfileError(f"`{attr_id}` cannot be `{text}`: {problem} ({RANGE_HELP})")
        if attr.type is AttrType.INTEGER and not value.is_integer():
            raise ProfileError(f"`{attr_id}` is a whole number, not `{text}`")
        if attr.minimum is not None and value < attr.minimum:
            raise ProfileError(f"`{attr_id}` must be at least {attr.minimum}, not `{text}`")
        if attr.maximum is not None and value > attr.maximum:
            raise ProfileError(f"`{attr_id}` must be at most {attr.maximum}, not `{text}`")
        return int(value) if value.is_integer() else value
    if text not in attr.values:
        hint = did_you_mean(str(text), attr.values)
        known = ", ".join(f"`{v}`" for v in attr.values)
        raise ProfileError(
            f"unknown value `{text}` of attribute `{attr_id}`" + (f"; {hint}" if hint else f" (known: {known})")
        )
    return text


def parse_assignments(ruleset: Ruleset, items: Iterable[str]) -> dict[str, Any]:
    """Parse ``attr=value`` strings into a profile; raises :class:`ProfileError`."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ProfileError(f"`{item}` is not of the form attribute=value")
        key, _, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if key in out:
            raise ProfileError(f"attribute `{key}` is set twice")
        out[key] = parse_value(ruleset, key, value)
    return out


def profile_condition(profile: Mapping[str, Any], ruleset: Ruleset) -> Condition:
    """The condition that exactly the given values satisfy (other attributes free)."""
    tests: list[tuple[str, Constraint]] = []
    for k, v in profile.items():
        if ruleset.attributes[k].type.numeric:
            tests.append((k, Interval(v, v, True, True)))
        else:
            tests.append((k, ValueSet(frozenset({v}))))
    return Condition.of(tests)
