"""The canonical JSON (RFC 8785) a decision-log record is written in, quickly where it can be.

The ``rfc8785`` package is the canonical form.  A ``fire`` must stay within
microseconds, though, and the pure-Python serialiser takes tens of them; so values
that hold only strings, booleans, null, safe integers and string keys without
characters beyond the Basic Multilingual Plane take a compiled serialiser, and every
other value (floats, huge integers, unusual keys or types) takes ``rfc8785``.  For
those plain values, ``orjson`` (compact, keys sorted by code point, UTF-8 unescaped,
the same short escapes for control characters) and the standard library's C encoder
(compact, key-sorted, non-ASCII-escaping) both write byte for byte what RFC 8785
writes — keys sort by UTF-16 code units there, by code points here: the same within
the BMP — and property tests hold each of them to that.  ``orjson`` takes a tenth of
the standard encoder's time, and the usual record's input is most of what a record
costs; without it the standard encoder does the work.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import rfc8785

try:  # the C encoder, built once: json.dumps would build a new encoder per call
    from json.encoder import c_make_encoder as _make_c  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - every CPython has it
    _make_c = None
try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; without it the standard encoder writes
    orjson = None  # type: ignore[assignment]

SAFE_INT = 2**53 - 1
_PY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_C_ENCODER: Callable[[Any, int], Any] | None = (
    _make_c(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False)  # type: ignore[attr-defined]
    if _make_c is not None
    else None
)
# a character beyond the Basic Multilingual Plane in UTF-8: the lead byte of a four-byte sequence
_BEYOND_BMP_UTF8 = re.compile(b"[\xf0-\xf4]")
# the longest nesting the quick path accepts; deeper values (or cycles) take the slow path
_MAX_DEPTH = 40
# leaves the standard encoder writes as RFC 8785 does, whatever their value
_LEAVES = frozenset((str, bool, type(None)))
# leaves orjson, as set up below, writes as RFC 8785 does or refuses (integers beyond 2**53)
_ORJSON_LEAVES = frozenset((str, int, bool, type(None)))


def _plain(value: Any, depth: int = 0) -> bool:
    """True when the standard library's encoder writes ``value`` as RFC 8785 does,
    characters beyond the Basic Multilingual Plane aside (``canonical`` looks for those).

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


def _simple(value: Any, depth: int = 0) -> bool:
    """``_plain`` for orjson: only the types are checked, because orjson itself refuses
    the rest of what is not plain (keys that are not exactly ``str``, integers beyond
    2**53, subclasses).  A third of ``_plain``'s time, on every record."""
    tp = type(value)
    if tp is dict:
        value = value.values()
    elif tp is not list and tp is not tuple:
        return tp in _ORJSON_LEAVES
    if depth > _MAX_DEPTH:
        return False
    for v in value:
        if type(v) in _ORJSON_LEAVES:
            continue
        if not _simple(v, depth + 1):
            return False
    return True


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


def _std_dump(value: Any) -> bytes:
    """A plain value in UTF-8 by the standard library's encoder."""
    text = "".join(_C_ENCODER(value, 0)) if _C_ENCODER is not None else _PY_ENCODER.encode(value)
    return text.encode("utf-8")


# How a plain value is told and written: whether it is plain, and its UTF-8 as RFC 8785
# writes it unless it holds characters beyond the BMP (the writer raises TypeError,
# ValueError or UnicodeEncodeError for what it will not write, such as lone surrogates).
STANDARD: tuple[Callable[[Any], bool], Callable[[Any], bytes]] = (_plain, _std_dump)
ORJSON: tuple[Callable[[Any], bool], Callable[[Any], bytes]] | None = None
if orjson is not None:
    # subclasses, dataclasses and times are never plain: refused here too, not written as orjson would
    _OPTIONS = (
        orjson.OPT_SORT_KEYS
        | orjson.OPT_STRICT_INTEGER
        | orjson.OPT_PASSTHROUGH_SUBCLASS
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
    )
    ORJSON = (_simple, functools.partial(orjson.dumps, option=_OPTIONS))
plain, dump_plain = ORJSON or STANDARD


def canonical(value: Any) -> bytes:
    """The RFC 8785 serialisation of ``value`` (anything not JSON is logged as its nearest JSON)."""
    try:
        if plain(value):
            out = dump_plain(value)
            if out.isascii() or not _BEYOND_BMP_UTF8.search(out):
                return out
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
    actor and a ticket that are plain; the outer object's own checks are made here in
    line, and every step saved is saved on every record.
    """
    if (
        type(event) is not str
        or (target is not None and type(target) is not str)
        or not plain(actor)
        or not plain(ticket)
    ):
        return None
    try:
        out = dump_plain({"actor": actor, "event": event, "target": target, "ticket": ticket})
    except (UnicodeEncodeError, RecursionError, ValueError, TypeError):
        return None  # lone surrogates, cycles: canonical says what they become
    if out.isascii() or not _BEYOND_BMP_UTF8.search(out):
        return out
    return None
