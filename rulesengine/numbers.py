"""Numbers in rules files: finite and within ±10^15, checked on their source text.

Every number a rules file holds (grant limits, condition bounds, attribute minimum and
maximum, headcounts, the parts of a duration) is a count of people, money or time.
Values beyond ±10^15 are typing mistakes, and they break the analysis in quiet ways:
integers that large no longer convert to floats exactly (or at all: ``10**400``), and
``.nan`` compares false with everything, so ``minimum: 0`` would let it through.
Numbers are therefore checked here, on the text the author wrote, before anything
converts them: an integer with thousands of digits is refused by its length, never
handed to :func:`int`.
"""

from __future__ import annotations

import math

MAX_MAGNITUDE = 10**15
"""Largest magnitude of any number in a rules file (10^15 < 2^53: exact as a float)."""

RANGE_HELP = "numbers in rules files are finite and between -10^15 and 10^15 (1,000,000,000,000,000)"

# Without leading zeros, 60 digits in any base from 2 up are far beyond 10^15.
_MAX_DIGITS = 60


class NumberError(Exception):
    """A number that is well formed but not allowed; ``str()`` is the message."""


def shorten(text: str, keep: int = 24) -> str:
    """Source text for a message: long runs are cut, with their length."""
    if len(text) <= keep:
        return text
    return f"{text[:keep]}… ({len(text)} characters)"


def out_of_range(raw: str) -> NumberError:
    return NumberError(f"`{shorten(raw)}` is out of range")


def _check(value: float | int, raw: str) -> None:
    if abs(value) > MAX_MAGNITUDE:
        raise out_of_range(raw)


def read_int(raw: str) -> int:
    """A YAML 1.1 integer (``12``, ``-3``, ``1_000``, ``0x1F``, ``0o17``, ``017``, ``0b101``).

    Raises ``ValueError`` when the text is not an integer and :class:`NumberError`
    when it is one beyond the range.
    """
    v = raw.replace("_", "")
    sign = -1 if v.startswith("-") else 1
    if v[:1] in "+-":
        v = v[1:]
    base = 10
    if v[:2] in ("0b", "0x", "0o"):
        base = {"0b": 2, "0x": 16, "0o": 8}[v[:2]]
        v = v[2:]
    elif v.startswith("0") and len(v) > 1:
        base = 8
    digits = v.lstrip("0")
    if not digits:
        if not v:
            raise ValueError(raw)
        return 0
    if len(digits) > _MAX_DIGITS:
        if not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError(raw)
        raise out_of_range(raw)
    value = sign * int(digits, base)
    _check(value, raw)
    return value


_NON_FINITE = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def read_float(raw: str) -> float:
    """A YAML 1.1 float (``1.5``, ``-2e3``, ``1_000.5``), finite and within range.

    Raises ``ValueError`` when the text is not a float and :class:`NumberError` for
    ``.inf``, ``.nan`` and numbers beyond the range.
    """
    v = raw.replace("_", "").lower()
    if v in _NON_FINITE:
        raise NumberError(f"`{raw}` is not a finite number")
    value = float(v)
    if not math.isfinite(value):
        raise out_of_range(raw)
    _check(value, raw)
    return value


def check_value(value: float) -> str | None:
    """Why a number given on the command line is not allowed, or None."""
    if not math.isfinite(value):
        return "it is not a finite number"
    if abs(value) > MAX_MAGNITUDE:
        return "it is out of range"
    return None
