"""The decision log's canonical form and hashes: the quick serialisers write what RFC 8785 writes.

Each quick serialiser the machine has (orjson when installed, the standard library's
C encoder always) is held to ``rfc8785`` on arbitrary JSON, on strings with every kind
of character a key or value may hold, and on the input object of the usual ``fire``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.decisionlog import canon, canonical
from rulesengine.decisionlog.records import Mac

Encoder = tuple[Callable[[Any], bool], Callable[[Any], bytes]]
ENCODERS: list[Encoder] = [canon.STANDARD] + ([canon.ORJSON] if canon.ORJSON is not None else [])

# characters where encoders differ: escapes, controls, the BMP's top, beyond it, lone surrogates
ODD = st.sampled_from(
    ["a", "é", '"', "\\", "/", "\x00", "\x1f", "\x7f", "\u2028", "\ue000", "\uffff", "\U0001f600", "\ud800"]
)
TEXT = st.text(max_size=6) | st.text(ODD, max_size=4)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)
PLAINISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@contextmanager
def encoder(pair: Encoder) -> Iterator[None]:
    saved = canon.plain, canon.dump_plain
    canon.plain, canon.dump_plain = pair
    try:
        yield
    finally:
        canon.plain, canon.dump_plain = saved


def rfc8785_or_none(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except ValueError:  # rfc8785's errors, and UnicodeEncodeError for lone surrogates in keys
        return None  # canonical writes its nearest JSON (lone surrogates escaped, huge integers as text)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_quick_encoders_write_what_rfc8785_writes(value: Any) -> None:
    for pair in ENCODERS:
        with encoder(pair):
            assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(PLAINISH)
def test_odd_keys_strings_and_huge_integers_are_canonical(value: Any) -> None:
    want = rfc8785_or_none(value)
    for pair in ENCODERS:
        with encoder(pair):
            got = canonical(value)
            assert got == (want if want is not None else rfc8785.dumps(canon._jsonable(value)))


@settings(max_examples=300, deadline=None)
@given(PLAINISH, PLAINISH, TEXT, st.none() | TEXT)
def test_the_usual_input_is_written_as_canonical_writes_it(ticket: Any, actor: Any, event: str, target: Any) -> None:
    doc = {"actor": actor, "event": event, "target": target, "ticket": ticket}
    for pair in ENCODERS:
        with encoder(pair):
            got = canon.quick_input(ticket, event, actor, target)
            assert got is None or got == rfc8785.dumps(doc)
            assert got is not None or rfc8785_or_none(doc) is None or canonical(doc) == rfc8785.dumps(doc)


@pytest.mark.parametrize("value", [{1: "a"}, {"a": 1.5}, {"a": 2**53}, {"a": {"b": [1e16]}}, [{"x": object()}]])
def test_what_is_not_plain_is_refused_by_every_quick_encoder(value: Any) -> None:
    for check, dump in ENCODERS:
        try:
            quick = dump(value) if check(value) else None
        except (TypeError, ValueError):
            quick = None
        assert quick is None


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=200), st.binary(max_size=3000))
def test_the_prepared_hmac_is_hmac_sha256(key: bytes, data: bytes) -> None:
    assert Mac(key).hexdigest(data) == hmac.new(key, data, hashlib.sha256).hexdigest()
