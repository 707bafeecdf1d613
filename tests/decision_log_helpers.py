"""Making decision logs for the tests, and tampering with them as an attacker would."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import rfc8785

import rulesengine
from rulesengine.decisionlog import DecisionLog

ROOT = Path(__file__).resolve().parent.parent
ATTRS = {"category": "refund", "tier": "active", "channel": "phone", "priority": "P2", "amount": 1500}
AGENT = {"id": "p-17", "roles": ["frontline_agent"]}


def write_log(engine: rulesengine.Engine, log: DecisionLog, n: int) -> None:
    """``n`` records as ``fire`` writes them: allowed moves and, every third, a denied one.

    ``engine`` has no log of its own (building one per test would cost a load): the
    records go through the same call ``fire`` makes.
    """
    ticket = engine.create(ATTRS)
    for i in range(n):
        if i % 3 == 2:
            d = engine.decide(ticket, "approve", AGENT)  # beyond the agent's limit: denied
            log.append_fire(ticket, "approve", AGENT, None, d, None)
        else:
            d = engine.decide(ticket, "verify", AGENT)
            _, entry = engine.fire(ticket, "verify", AGENT)
            log.append_fire(ticket, "verify", AGENT, None, d, entry)


def make_log(engine: rulesengine.Engine, directory: Path, n: int = 60, **options: Any) -> tuple[list[Path], Path]:
    """A closed log of ``n`` records and its checkpoint: (its files, oldest first; the checkpoint)."""
    checkpoint = directory / "head.json"
    log = DecisionLog(directory / "decisions.jsonl", checkpoint=checkpoint, **options)
    write_log(engine, log, n)
    log.close()
    from rulesengine.decisionlog import log_files

    return log_files(directory / "decisions.jsonl"), checkpoint


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def save(path: Path, rows: list[bytes]) -> None:
    path.write_bytes(b"".join(r + b"\n" for r in rows))


def link(line: bytes, key: bytes | None = None) -> str:
    if key:
        return hmac.new(key, line, hashlib.sha256).hexdigest()
    return hashlib.sha256(line).hexdigest()


def edited(line: bytes, path: str = "decision.reason", value: Any = "allowed") -> bytes:
    """The record with one field changed, in canonical form (as a careful attacker writes it)."""
    rec = json.loads(line)
    node = rec
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    node[last] = value if node.get(last) != value else f"{value}!"
    return rfc8785.dumps(rec)


def forged_after(line: bytes, seq: int, key: bytes | None = None) -> bytes:
    """A new record that links to ``line`` (computable without the key only for unkeyed logs)."""
    rec = json.loads(line)
    rec["chain"]["prev"] = link(line, key)
    rec["chain"]["seq"] = seq
    rec["chain"].pop("prev_file", None)
    rec["decision"]["reason"] = "forged"
    return rfc8785.dumps(rec)


def relinked(rows: list[bytes], key: bytes | None = None) -> list[bytes]:
    """Every record's link recomputed (with ``key``, or plain SHA-256 when the attacker has none)."""
    out: list[bytes] = []
    for row in rows:
        rec = json.loads(row)
        rec["chain"]["prev"] = link(out[-1], key) if out else None
        out.append(rfc8785.dumps(rec))
    return out
