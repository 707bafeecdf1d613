"""What one decision-log record holds, and the bytes its chain hash is taken over.

A record is one line of JSON Lines in the canonical form of RFC 8785 (JSON
Canonicalization Scheme), so that anyone can recompute its hash from the parsed
record with any JCS implementation.  The top-level keys sort as ``at``, ``call``,
``chain``, ``decision``, ``input`` on purpose: the chain fields then come first and
``verify-log`` reads them from the start of the line without parsing the rest.

The canonical form itself — quick for the usual values — is :mod:`.canon`.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .canon import SAFE_INT, canonical, quick_input


class Call(str, enum.Enum):
    """Which engine call a record comes from."""

    FIRE = "fire"
    DECIDE = "decide"


class Alg(str, enum.Enum):
    """How a record's hash is taken: plain SHA-256, or HMAC-SHA256 with the log's key."""

    SHA256 = "sha256"
    HMAC_SHA256 = "hmac-sha256"


class MaskStyle(str, enum.Enum):
    """What a masked personal field becomes in the log."""

    HASH = "hash"  # "hmac:<32 hex>": a keyed hash, the same person gives the same value
    REDACT = "redact"  # "***"


class KeyProblem(ValueError):
    """A key that cannot be read (missing variable or file, empty key)."""


INPUT_ROOTS = ("ticket", "actor", "event", "target")


# -- keys and links ------------------------------------------------------------------------
def read_key(key: bytes | str | None = None, env: str | None = None, file: str | Path | None = None) -> bytes | None:
    """The log's key from the value itself, an environment variable or a file (None: unkeyed).

    A file's bytes are the key, less one trailing newline, so that ``echo "$KEY" > file``
    and a file of random bytes both work.
    """
    given = [x for x in (key, env, file) if x is not None]
    if len(given) > 1:
        raise KeyProblem("give the key one way: as a value, an environment variable or a file")
    if env is not None:
        text = os.environ.get(env)
        if text is None:
            raise KeyProblem(f"the environment variable `{env}` holding the key is not set")
        key = text
    elif file is not None:
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise KeyProblem(f"cannot read the key file `{file}`: {exc.strerror or exc}") from exc
        key = raw[:-1] if raw.endswith(b"\n") else raw
    if key is None:
        return None
    out = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not out:
        raise KeyProblem("the key is empty")
    return out


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key: tells a wrong key from a rewritten chain."""
    return hashlib.sha256(b"rulesengine decision-log key id\0" + key).hexdigest()[:8]


# HMAC's inner and outer pads (RFC 2104), applied to a key block with bytes.translate
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class Mac:
    """HMAC-SHA256 with one key, as RFC 2104 defines it, from two SHA-256 states that
    have already absorbed the padded key.

    Copying the two states costs a third of what copying an ``hmac`` object costs (its
    ``copy`` is Python), and every record of a keyed log, every masked field and every
    record ``verify-log`` checks pays it.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(block.translate(_IPAD))
        self._outer = hashlib.sha256(block.translate(_OPAD))

    def hexdigest(self, data: bytes | memoryview) -> str:
        inner = self._inner.copy()
        inner.update(data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


class Linker:
    """Computes the hash that links a record to the next one (hex), keyed or not."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.alg = Alg.HMAC_SHA256 if key else Alg.SHA256
        self.key_id = key_id(key) if key else None
        self.mac = Mac(key) if key else None
        # the record's chain object up to its link: the same in every record of the log
        self.chain = b'"chain":{"alg":"%s"%s,"prev":' % (
            self.alg.value.encode(),
            b',"key":"%s"' % self.key_id.encode() if self.key_id else b"",
        )

    def __call__(self, data: bytes | memoryview) -> str:
        if self.mac is None:
            return hashlib.sha256(data).hexdigest()
        return self.mac.hexdigest(data)

    def fast(self) -> Callable[[bytes], str]:
        """The fastest callable for this link (verification calls it once per record)."""
        if self.mac is None:
            sha = hashlib.sha256
            return lambda data: sha(data).hexdigest()
        return self.mac.hexdigest


# -- masking personal fields ---------------------------------------------------------------
class Masker:
    """Replaces personal fields, named by dotted paths (``actor.id``, ``ticket.attributes.phone``,
    ``*`` for any key or list item), before a record is written."""

    def __init__(self, paths: Sequence[str], style: MaskStyle, key: bytes | None) -> None:
        parsed: list[tuple[str, ...]] = []
        for p in paths:
            parts = tuple(str(p).split("."))
            if not p or any(not s for s in parts) or parts[0] not in INPUT_ROOTS:
                roots = ", ".join(f"`{r}`" for r in INPUT_ROOTS)
                raise ValueError(f"mask path `{p}` must start with {roots} and name keys separated by dots")
            parsed.append(parts)
        if style is MaskStyle.HASH and not key:
            raise ValueError("masking with a keyed hash needs a key: give key/key_env/key_file or mask_key")
        self.paths = tuple(parsed)
        self.style = style
        self._mac = Mac(key) if key else None

    def replace(self, value: Any) -> Any:
        if value is None:
            return None
        if self.style is MaskStyle.REDACT or self._mac is None:
            return "***"
        data = value.encode("utf-8", "backslashreplace") if isinstance(value, str) else canonical(value)
        return "hmac:" + self._mac.hexdigest(data)[:32]

    def apply(self, doc: dict[str, Any]) -> dict[str, Any]:
        for path in self.paths:
            doc = _mask_at(doc, path, self.replace)
        return doc


def _mask_at(node: Any, path: tuple[str, ...], replace: Callable[[Any], Any]) -> Any:
    """``node`` with the value at ``path`` replaced; copies what it changes, never the input."""
    if not path:
        return replace(node)
    head, rest = path[0], path[1:]
    if isinstance(node, Mapping):
        if head == "*":
            return {k: _mask_at(v, rest, replace) for k, v in node.items()}
        if head not in node:
            return node
        out = dict(node)
        out[head] = _mask_at(node[head], rest, replace)
        return out
    if isinstance(node, (list, tuple)) and head == "*":
        return [_mask_at(v, rest, replace) for v in node]
    return node


# -- the record ----------------------------------------------------------------------------
def _as_json_input(value: Any) -> Any:
    """Typed tickets and actors (dataclasses) as the mappings a service would store."""
    if value is None or type(value) is dict or isinstance(value, (str, int, float, list)):
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


_DECISIONS: dict[int, tuple[Any, bytes]] = {}  # id(decision) -> (decision, canonical text less "}")


def _decision_text(decision: Any) -> bytes:
    """The canonical ``decision`` object of a record without its closing brace.

    The engine builds its decisions once at load and shares them, so their text is kept
    (by identity, the decision held so that its id stays its own); denials built on the
    spot only pass through a bounded cache.
    """
    hit = _DECISIONS.get(id(decision))
    if hit is not None and hit[0] is decision:
        return hit[1]
    text = canonical(
        {
            "allowed": decision.allowed,
            "grants": [g.location for g in decision.grants],
            "next_state": decision.next_state,
            "owner_after": list(decision.owner_after),
            "reason": decision.reason.value,
            "rules_hash": decision.rules_hash,
        }
    )[:-1]
    if len(_DECISIONS) >= 4096:
        _DECISIONS.clear()
    _DECISIONS[id(decision)] = (decision, text)
    return text


def record_body(
    ticket: Any, event: Any, actor: Any, target: Any, decision: Any, version: int | None, masker: Masker | None
) -> bytes:
    """The canonical ``"decision":…,"input":…}`` end of a record (the chain fields go in front).

    The keys of ``decision`` sort before ``version`` and ``decision`` before ``input``,
    so the parts are joined in canonical order.
    """
    doc_in = {
        "actor": actor if type(actor) is dict else _as_json_input(actor),
        "event": event,
        "target": target,
        "ticket": ticket if type(ticket) is dict else _as_json_input(ticket),
    }
    if masker is not None:
        doc_in = masker.apply(doc_in)
    if version is None:
        after = b'},"input":'
    elif type(version) is int and -SAFE_INT <= version <= SAFE_INT:
        after = b',"version":%d},"input":' % version  # the ticket's version after the move
    else:
        after = b',"version":' + canonical(version) + b'},"input":'
    return b'"decision":%s%s%s}' % (_decision_text(decision), after, canonical(doc_in))


def fire_body(ticket: Any, event: Any, actor: Any, target: Any, decision: Any, version: Any) -> bytes | None:
    """``record_body`` for the usual ``fire`` in one step (None: take ``record_body``).

    The usual ``fire``: a shared decision seen before, a whole version, and an input
    :func:`.canon.quick_input` writes; every call saved here is saved on every record.
    """
    hit = _DECISIONS.get(id(decision))
    if hit is None or hit[0] is not decision or type(version) is not int or not -SAFE_INT <= version <= SAFE_INT:
        return None
    text = quick_input(ticket, event, actor, target)
    if text is None:
        return None
    return b'"decision":%s,"version":%d},"input":%s}' % (hit[1], version, text)


def chain_prefix(
    at: str, call: bytes, linker: Linker, prev: str | None, seq: int, prev_file: str | None = None
) -> bytes:
    """The fields in front of the body: time, call (``b"fire"``, ``b"decide"``) and chain,
    already in canonical order.

    ``at`` must be JSON-safe as it is (the writer makes it with ``isoformat``).
    """
    before = b"null" if prev is None else b'"%s"' % prev.encode()
    pfile = b"" if prev_file is None else b',"prev_file":' + canonical(prev_file)
    return b'{"at":"%s","call":"%s",%s%s%s,"seq":%d},' % (at.encode(), call, linker.chain, before, pfile, seq)
