"""The canonical JSON (RFC 8785) a decision-log record is written in, quickly where it can be.

The ``rfc8785`` package is the canonical form.  A ``fire`` must stay within
microseconds, though, and the pure-Python serialiser takes tens of them; so values
that hold only strings, booleans, null, safe integers and string keys without
characters beyond the Basic Multilingual Plane — where the standard library's
compact, key-sorted, non-ASCII-escaping encoder writes byte for byte what RFC 8785
writes (a property test holds them to that) — take the standard encoder, and every
other value (floats, huge integers, unusual keys or types) takes ``rfc8785``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import rfc8785

try:  # the C encoder, built once: json.dumps would build a new encoder per call
    from json.encoder import c_make_encoder as _make_c  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - every CPython has it
    _make_c = None

SAFE_INT = 2**53 - 1
_PY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
C_ENCODER: Callable[[Any, int], Any] | None = (
    _make_c(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False)  # type: ignore[attr-defined]
    if _make_c is not None
    else None
)
# a string as the encoder above writes it (the C function when there is one)
_QUOTE: Callable[[str], str] = json.encoder.encode_basestring
BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
# the longest nesting the quick path accepts; deeper values (or cycles) take the slow path
_MAX_DEPTH = 40
# leaves the standard encoder writes as RFC 8785 does, whatever their value
_LEAVES = frozenset((str, bool, type(None)))


def _plain(value: Any, depth: int = 0) -> bool:
    """True when the standard encoder writes ``value`` as RFC 8785 does, characters beyond
    the Basic Multilingual Plane aside (``canonical`` looks for those in the text).

    Leaves are checked in the loops, not by a call each, and by one set look-up for
    the usual ones: this runs on every record.
    """
    tp = type(value)
    if tp is dict:
        if depth > _MAX_DEPTH:
            return False
        for k, v in value.items():
            if type(k) is not str:
                return False
            tv = type(v)
            if tv in _LEAVES:
                continue
            if tv is int:
                if -SAFE_INT <= v <= SAFE_INT:
                    continue
                return False
            if not _plain(v, depth + 1):
                return False
        return True
    if tp is list or tp is tuple:
        if depth > _MAX_DEPTH:
            return False
        for v in value:
            tv = type(v)
            if tv in _LEAVES:
                continue
            if tv is int:
                if -SAFE_INT <= v <= SAFE_INT:
                    continue
                return False
            if not _plain(v, depth + 1):
                return False
        return True
    if tp in _LEAVES:
        return True
    if tp is int:
        return -SAFE_INT <= value <= SAFE_INT
    return False


def _jsonable(value: Any, depth: int = 0) -> Any:
    """The nearest value RFC 8785 accepts: keys and odd scalars as text, sets as lists."""
    if value is None or type(value) is bool:
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        text = str.__str__(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return text
    if isinstance(value, int):
        return int(value) if -SAFE_INT <= value <= SAFE_INT else str(int(value))
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if depth > _MAX_DEPTH:
        return "…"
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = _jsonable(k, depth + 1)
            out[key if isinstance(key, str) else json.dumps(key)] = _jsonable(v, depth + 1)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v, depth + 1) for v in value]
        return sorted(items, key=canonical) if isinstance(value, (set, frozenset)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value), depth + 1)
    text = repr(value)
    return _jsonable(text if len(text) <= 200 else text[:199] + "…")


def canonical(value: Any) -> bytes:
    """The RFC 8785 serialisation of ``value`` (anything not JSON is logged as its nearest JSON)."""
    try:
        if _plain(value):
            text = "".join(C_ENCODER(value, 0)) if C_ENCODER is not None else _PY_ENCODER.encode(value)
            # keys sort by UTF-16 code units in RFC 8785, by code points here: the same within the BMP
            if text.isascii() or not BEYOND_BMP.search(text):
                return text.encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError, TypeError):
        pass  # lone surrogates, cycles: the slow path below says what they become
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, RecursionError, TypeError, ValueError):
        return rfc8785.dumps(_jsonable(value))


def quick_input(ticket: Any, event: Any, actor: Any, target: Any) -> bytes | None:
    """``canonical({"actor": …, "event": …, "target": …, "ticket": …})`` for the usual
    ``fire`` (None: take ``canonical``).

    The usual ``fire``: an event and a target that are strings (or no target), and an
    actor and a ticket the standard encoder writes as RFC 8785 does.  The outer object
    is written here in its canonical key order, so that the encoder neither sorts it
    nor walks the two strings; every step saved is saved on every record.
    """
    if (
        C_ENCODER is None
        or type(event) is not str
        or (target is not None and type(target) is not str)
        or not _plain(actor)
        or not _plain(ticket)
    ):
        return None
    try:
        who, what = "".join(C_ENCODER(actor, 0)), "".join(C_ENCODER(ticket, 0))
        to = "null" if target is None else _QUOTE(target)
        text = f'{{"actor":{who},"event":{_QUOTE(event)},"target":{to},"ticket":{what}}}'
        if text.isascii():
            return text.encode("ascii")
        if BEYOND_BMP.search(text):
            return None
        return text.encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError, TypeError):
        return None  # lone surrogates, cycles: canonical says what they become
