"""Verifying a decision log: is every record there, unchanged and in its place?

Two passes.  The first runs over every record once and only checks: the record's
sequence number follows the one before, and its ``chain.prev`` is the hash of the
record before.  It reads the chain fields from the front of the line (the canonical
form puts them there) and hashes the line's bytes, which *are* the record's
canonical form when the writer wrote them — a line whose bytes do not give the
expected hash is canonicalised (``rfc8785``) before it is called changed, so a
re-formatted but unchanged record still verifies.  That keeps an intact log at a few
microseconds per record.  Only when something breaks does the second pass read the
records' chain fields into memory and work out what happened, walking the chain back
from its end by hash: a record whose hash nobody carries but whose number fits was
edited, a number nobody holds was deleted, a record off the chain was inserted, a
chain record out of file order was moved.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import Alg, Linker, canonical
from .report import Finding, Problem, Verification

PREFIX = re.compile(
    rb'\{"at":"([^"\\]*)","call":"(?:fire|decide)","chain":\{"alg":"([a-z0-9-]+)"(?:,"key":"([0-9a-f]+)")?,'
    rb'"prev":(?:null|"([0-9a-f]{64})")(,"prev_file":"(?:[^"\\]|\\.)*")?,"seq":([1-9][0-9]{0,17})\},"decision":\{'
)
RULES_KEY = b'"rules_hash":"'
_CHUNK = 1 << 22


class LogUnreadable(Exception):
    """A file that cannot be read, or a line that is not a decision-log record."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class NeedsKey(LogUnreadable):
    """The log is keyed and no key was given."""


@dataclass(slots=True)
class Rec:
    """What the second pass keeps of a record."""

    idx: int
    file: int
    line: int
    seq: int
    prev: str | None
    hash: str
    prev_file: str | None
    at: str
    rules: str
    alg: str
    key: str | None


def _lines(path: Path) -> Iterator[tuple[list[bytes], bool]]:
    """The file's lines in batches; the flag marks a last line that lacks its newline."""
    try:
        with path.open("rb") as fh:
            rest = b""
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                yield lines, False
            if rest:
                yield [rest], True
    except OSError as exc:
        raise LogUnreadable(path, None, f"cannot read: {exc.strerror or exc}") from exc


def _parse(line: bytes, path: Path, lineno: int) -> Any:
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise LogUnreadable(path, lineno, f"not JSON: {exc}") from exc


def _canonical_link(line: bytes, path: Path, lineno: int, link: Linker) -> str:
    """The link of a line's canonical form (for a line whose bytes did not give the expected one)."""
    return link(canonical(_parse(line, path, lineno)))


def _full(line: bytes, path: Path, lineno: int, link: Linker) -> tuple[Rec, bool]:
    """A record parsed in full (the slow path); the flag says the bytes were not canonical."""
    rec = _parse(line, path, lineno)
    chain = rec.get("chain") if isinstance(rec, dict) else None
    dec = rec.get("decision") if isinstance(rec, dict) else None
    seq = chain.get("seq") if isinstance(chain, dict) else None
    prev = chain.get("prev") if isinstance(chain, dict) else None
    if not isinstance(chain, dict) or type(seq) is not int or seq < 1 or not isinstance(dec, dict):
        raise LogUnreadable(path, lineno, "not a decision-log record: it needs `chain.seq` and `decision`")
    if prev is not None and not (isinstance(prev, str) and re.fullmatch(r"[0-9a-f]{64}", prev)):
        raise LogUnreadable(path, lineno, "not a decision-log record: `chain.prev` is not a hash")
    canon = canonical(rec)
    out = Rec(
        0,
        0,
        lineno,
        seq,
        prev,
        link(canon),
        chain.get("prev_file") if isinstance(chain.get("prev_file"), str) else None,
        str(rec.get("at")),
        str(dec.get("rules_hash")),
        str(chain.get("alg")),
        chain.get("key") if isinstance(chain.get("key"), str) else None,
    )
    return out, canon != line


def _quick(m: re.Match[bytes], line: bytes, lineno: int, link: Any) -> Rec:
    """A record from its front (the fast path); the rules hash is found after the chain."""
    at, alg, key, prev, pfile, seq = m.groups()
    i = line.find(RULES_KEY, m.end())
    rules = line[i + 14 : line.find(b'"', i + 14)] if i >= 0 else b"?"
    pf = json.loads(pfile[13:]) if pfile else None
    return Rec(
        0,
        0,
        lineno,
        int(seq),
        prev.decode() if prev else None,
        link(line),
        pf,
        at.decode(),
        rules.decode("utf-8", "replace"),
        alg.decode(),
        key.decode() if key else None,
    )


@dataclass
class Anchor:
    """What the end of the chain must be: a hash, and with a checkpoint also the count."""

    hash: str | None = None
    count: int | None = None
    source: str = ""


def read_checkpoint(path: str | os.PathLike[str]) -> Anchor:
    """The head a checkpoint file holds (written by ``DecisionLog``)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LogUnreadable(path, None, f"cannot read the checkpoint: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise LogUnreadable(path, None, f"the checkpoint is not JSON: {exc}") from exc
    count, head = (doc.get("count"), doc.get("head")) if isinstance(doc, dict) else (None, None)
    if type(count) is not int or count < 0 or not (head is None or isinstance(head, str)):
        raise LogUnreadable(path, None, "not a checkpoint: it needs `count` and `head`")
    return Anchor(head, count, f"the checkpoint `{path}`")


@dataclass
class _Scan:
    """The first pass's tally."""

    records: int = 0
    first: Rec | None = None
    last: Rec | None = None
    rules: dict[str, int] = field(default_factory=dict)
    noncanonical: int = 0


def _order(files: list[Path]) -> list[Path]:
    """The files in chain order: by the number of their first record (a shell glob's order is not)."""
    keyed = []
    for pos, p in enumerate(files):
        first = next((lines[0] for lines, _ in _lines(p) if lines), None)
        seq = 1 << 62
        if first is not None:
            m = PREFIX.match(first)
            seq = int(m.group(6)) if m else _full(first, p, 1, Linker(None))[0].seq
        keyed.append((seq, pos, p))
    return [p for _, _, p in sorted(keyed)]


def _first_pass(files: list[Path], link: Linker, anchor: Anchor) -> _Scan | None:
    """Check every link and number; None as soon as one breaks (the second pass says why)."""
    quick = link.fast()
    match = PREFIX.match
    rules: dict[bytes, int] = {}
    alg = link.alg.value.encode()
    kid = link.key_id.encode() if link.key_id else None
    want_head = anchor.hash.encode() if anchor.hash else None
    head_at = anchor.count if anchor.count is not None else -1
    last: bytes | None = None  # the link the next record must carry
    want = 0  # the number the next record must have
    n = reformatted = 0
    seen_head = False
    first_line = prev_line = b""
    r_pfile: Any
    where: tuple[Path, int, int] = (files[0], 0, 0) if files else (Path("."), 0, 0)
    for fi, path in enumerate(files):
        lineno = 0
        for lines, unterminated in _lines(path):
            for line in lines:
                lineno += 1
                m = None if unterminated else match(line)
                if m is None:
                    try:
                        rec, odd = _full(line, path, lineno, link)
                    except LogUnreadable:
                        if unterminated:
                            return None  # a torn last line: the second pass reports it
                        raise
                    reformatted += odd
                    r_alg, r_key = rec.alg.encode(), rec.key.encode() if rec.key else None
                    r_prev, r_pfile, seq = (rec.prev.encode() if rec.prev else None), rec.prev_file, rec.seq
                    h = rec.hash.encode()
                    rh = rec.rules.encode()
                else:
                    _, r_alg, r_key, r_prev, r_pfile, s = m.groups()
                    seq = int(s)
                    h = quick(line).encode()
                    i = line.find(RULES_KEY, m.end()) + 14
                    rh = line[i : line.find(b'"', i)]
                if r_alg != alg or r_key != kid:
                    if kid is None and r_alg == Alg.HMAC_SHA256.value.encode():
                        raise NeedsKey(path, lineno, "the log is keyed (hmac-sha256): give --key-env or --key-file")
                    return None
                if n == 0:
                    if (r_prev is not None and r_pfile is None) or (r_prev is None and seq != 1):
                        return None  # neither the start of the log nor the start of a rotated file
                    last, want, first_line = r_prev, seq, line
                if r_prev != last or seq != want:
                    # the record before may be re-formatted but unchanged: its canonical form decides
                    if (
                        seq != want
                        or r_prev is None
                        or _canonical_link(prev_line, where[0], where[2], link).encode() != r_prev
                    ):
                        return None
                    reformatted += 1
                n += 1
                rules[rh] = rules.get(rh, 0) + 1
                if want_head is not None and h == want_head:
                    seen_head = True
                elif seq == head_at:
                    return None  # the record the checkpoint names has another hash
                last, want, prev_line = h, seq + 1, line
                where = (path, fi, lineno)
    scan = _Scan(records=n, rules={k.decode("utf-8", "replace"): v for k, v in rules.items()}, noncanonical=reformatted)
    if n:
        # the first and the last record in full: the summary's fields, and the last record
        # is vouched for by nothing but the head, so its canonical form is what counts
        path, fi, lineno = where
        scan.first = _full(first_line, files[0], 1, link)[0]
        scan.last, odd = _full(prev_line, path, lineno, link)
        if odd and want_head is not None and scan.last.hash.encode() == want_head:
            seen_head = True
    if (anchor.count is not None and want - 1 < anchor.count) or (want_head is not None and not seen_head):
        return None
    return scan


def verify_log(
    files: Iterable[str | os.PathLike[str]],
    *,
    key: bytes | None = None,
    head: str | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
) -> Verification:
    """Verify the files of one decision log (any order); ``head`` or ``checkpoint`` anchor its end.

    Raises :class:`LogUnreadable` for a file that cannot be read or a line that is not
    a record (and :class:`NeedsKey` for a keyed log without its key).
    """
    link = Linker(key)
    anchor = read_checkpoint(checkpoint) if checkpoint is not None else Anchor(head, None, "the head given")
    paths = _order([Path(f) for f in files])
    scan = _first_pass(paths, link, anchor)
    names = [str(p) for p in paths]
    if scan is not None:
        return _summary(names, scan, anchor, link, [])
    from .diagnose import diagnose

    recs, torn, noncanonical = _read_all(paths, link)
    findings, starts_after = diagnose(recs, names, anchor, link, torn)
    scan = _Scan(records=len(recs), noncanonical=noncanonical)
    if recs:
        scan.first, scan.last = min(recs, key=lambda r: r.seq), max(recs, key=lambda r: r.seq)
    for r in recs:
        scan.rules[r.rules] = scan.rules.get(r.rules, 0) + 1
    out = _summary(names, scan, anchor, link, findings)
    out.starts_after = starts_after
    return out


def _read_all(paths: list[Path], link: Linker) -> tuple[list[Rec], tuple[int, int] | None, int]:
    """Every record's chain fields, in file order (the second pass)."""
    recs: list[Rec] = []
    torn = None
    odd = 0
    quick = link.fast()
    prev_line = b""
    prev_at = (Path("."), 0)
    for fi, path in enumerate(paths):
        lineno = 0
        for lines, unterminated in _lines(path):
            for line in lines:
                lineno += 1
                m = None if unterminated else PREFIX.match(line)
                if m is not None:
                    rec = _quick(m, line, lineno, quick)
                else:
                    try:
                        rec, bad = _full(line, path, lineno, link)
                    except LogUnreadable:
                        if unterminated:
                            torn = (fi, lineno)
                            break
                        raise
                    odd += bad
                rec.idx, rec.file = len(recs), fi
                if recs and rec.prev is not None and rec.prev != recs[-1].hash:
                    again = _canonical_link(prev_line, *prev_at, link)
                    if again == rec.prev:  # re-formatted, not changed
                        recs[-1].hash = again
                        odd += 1
                recs.append(rec)
                prev_line, prev_at = line, (path, lineno)
    if recs:  # the last record: nothing vouches for its bytes, its canonical form counts
        recs[-1].hash = _canonical_link(prev_line, *prev_at, link)
    return recs, torn, odd


def _summary(names: list[str], scan: _Scan, anchor: Anchor, link: Linker, findings: list[Finding]) -> Verification:
    first, last = scan.first, scan.last
    return Verification(
        files=names,
        records=scan.records,
        first_seq=first.seq if first else None,
        last_seq=last.seq if last else None,
        first_at=first.at if first else None,
        last_at=last.at if last else None,
        rules=dict(scan.rules),
        alg=link.alg.value,
        key_id=link.key_id,
        head=anchor.hash,
        head_count=anchor.count,
        head_source=anchor.source if (anchor.hash or anchor.count is not None) else None,
        starts_after=first.prev_file if first and first.prev is not None else None,
        noncanonical=scan.noncanonical,
        findings=sorted(findings, key=lambda f: (names.index(f.file) if f.file in names else 0, f.line)),
    )


__all__ = ["Anchor", "Finding", "LogUnreadable", "NeedsKey", "Problem", "Rec", "read_checkpoint", "verify_log"]
