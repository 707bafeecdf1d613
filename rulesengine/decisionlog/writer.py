"""The decision log a service writes: one chained JSON Lines record per ``fire`` (and ``decide``).

Each record carries the hash of the record before it (``chain.prev``), so an edited,
deleted, inserted or reordered record breaks the chain where it happened; with a key
(HMAC-SHA256) the hashes cannot be recomputed by whoever rewrites the file, so a
rewrite of the whole chain shows too.  A chain cannot tell that its tail was cut off:
the *checkpoint* — the count of records and the hash of the last one, written
atomically every N records and on close to a file the service chooses (best somewhere
the log's writers cannot change) — is what ``verify-log --checkpoint`` compares the
end of the log with.

Writing is serialised by one lock: a record gets its sequence number and its link
under the lock and is written with one ``write`` call and flushed there, so records
of concurrent ``fire`` calls never interleave; the record's body is serialised before
the lock is taken.  Under the lock, the usual record — an open log with a head, no
fsync, no rotation due — takes a short path that formats, hashes and writes it; the
first record of a log or of a file, a rotation, fsync, a closed or failed log take
the general one.  One process writes a log at a time (an advisory lock on
``<log>.lock`` refuses a second one), and a log reopened later continues its chain.

Rotation (by size or by record count) renames the file to ``<stem>.NNNNNN<suffix>``
and starts a new one whose first record names that file and links to its last record.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NamedTuple

from .files import DecisionLogError, chain_end, fsync_dir, log_files, next_archive, write_atomically
from .records import (
    KeyProblem,
    Linker,
    Masker,
    MaskStyle,
    chain_prefix,
    fire_body,
    read_key,
    record_body,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock against a second writer
    fcntl = None  # type: ignore[assignment]


class Head(NamedTuple):
    """The end of a chain: how many records it holds and the hash of the last one."""

    records: int
    hash: str | None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


_NO_END = 1 << 62  # a count no log reaches: no rotation limit, no checkpoint due


_OPEN: weakref.WeakSet[DecisionLog] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for log in list(_OPEN):
        try:
            log.close()
        except (DecisionLogError, OSError):
            pass


class DecisionLog:
    """An append-only, hash-chained JSON Lines log of engine decisions.

    ``key`` / ``key_env`` / ``key_file`` switch on HMAC-SHA256 links; ``mask`` names
    personal fields by path (``actor.id``, ``ticket.attributes.phone``), replaced by a
    keyed hash (``mask_with=MaskStyle.HASH``, the default when a key is given) or
    ``"***"``; ``log_decisions`` records ``decide`` calls too; ``fsync`` forces every
    record to disk; ``checkpoint`` is the file the head is written to every
    ``checkpoint_every`` records and on close; ``rotate_bytes`` / ``rotate_records``
    start a new file when the current one would exceed them.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        key: bytes | str | None = None,
        key_env: str | None = None,
        key_file: str | Path | None = None,
        mask: Sequence[str] = (),
        mask_with: MaskStyle | str | None = None,
        mask_key: bytes | str | None = None,
        log_decisions: bool = False,
        fsync: bool = False,
        checkpoint: str | Path | None = None,
        checkpoint_every: int = 1000,
        rotate_bytes: int | None = None,
        rotate_records: int | None = None,
    ) -> None:
        try:
            secret = read_key(key, key_env, key_file)
            mkey = read_key(mask_key) if mask_key is not None else secret
            style = MaskStyle(mask_with) if mask_with is not None else (MaskStyle.HASH if mkey else MaskStyle.REDACT)
            self._masker = Masker(list(mask), style, mkey) if mask else None
        except KeyProblem as exc:
            raise DecisionLogError(str(exc)) from exc
        if checkpoint_every < 1 or (rotate_bytes is not None and rotate_bytes < 1):
            raise ValueError("checkpoint_every and rotate_bytes must be positive")
        if rotate_records is not None and rotate_records < 1:
            raise ValueError("rotate_records must be positive")
        self.path = Path(path)
        self.log_decisions = log_decisions
        self.fsync = fsync
        self.checkpoint_path = Path(checkpoint) if checkpoint is not None else None
        self.checkpoint_every = checkpoint_every
        self.rotate_bytes = rotate_bytes
        self.rotate_records = rotate_records
        self._linker = Linker(secret)
        self._sha = hashlib.sha256 if secret is None else None  # the unkeyed link, without a call in between
        self._mac = self._linker.fast()  # the keyed link (the unkeyed one takes _sha)
        self._chain = self._linker.chain
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._lockfile: IO[bytes] | None = None
        self._failed: str | None = None
        self._seq = 0
        self._last: bytes | None = None  # the hash of the last record (hex), the next one's chain.prev
        self._fresh = True  # the current file holds no record yet
        # what the current file may still take before it is rotated (without a limit: no end)
        self._room = rotate_bytes if rotate_bytes is not None else _NO_END
        self._left = rotate_records if rotate_records is not None else _NO_END
        self._prev_file: str | None = None  # named by the next record: the file rotation closed
        self._checkpoint_at = _NO_END  # the number of the record after which a checkpoint is due
        self._quick = False  # whether the next record may take the short path (see _append)
        self._open()
        if self.checkpoint_path is not None:
            self._checkpoint_at = self._seq + checkpoint_every
        self._quick = self._may_be_quick()
        _OPEN.add(self)

    # -- opening ---------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lockfile = open(self.path.with_name(self.path.name + ".lock"), "ab")
        except OSError as exc:
            raise DecisionLogError(f"cannot open the decision log `{self.path}`: {exc.strerror or exc}") from exc
        if fcntl is not None:
            try:
                fcntl.flock(self._lockfile.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                self._lockfile.close()
                raise DecisionLogError(f"`{self.path}` is being written by another DecisionLog") from exc
        try:
            self._resume()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            self._room -= os.fstat(self._fd).st_size
        except OSError as exc:
            self._release()
            raise DecisionLogError(f"cannot open the decision log `{self.path}`: {exc.strerror or exc}") from exc
        except DecisionLogError:
            self._release()
            raise

    def _resume(self) -> None:
        """Continue the chain of an existing log: its last record gives the number and the link."""
        end = chain_end(self.path, self._linker)
        if end is not None:
            self._seq, self._last, self._prev_file = end.seq, end.link.encode(), end.prev_file
            self._fresh = end.prev_file is not None
            self._left -= end.held

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lockfile is not None:
            self._lockfile.close()  # closing the descriptor releases the advisory lock
            self._lockfile = None

    # -- writing ---------------------------------------------------------------------------
    def append_fire(self, ticket: Any, event: Any, actor: Any, target: Any, decision: Any, entry: Any) -> int:
        """Record a ``fire`` (``entry`` is its history entry, None when it was denied); its number."""
        if entry is not None:
            at = entry.get("at")
            version = entry.get("version")
        else:
            at = version = None
        # the history entry's time when it is UTC and safe to write as it is (isoformat's shape)
        if not (
            type(at) is str
            and len(at) in (25, 32)
            and at.endswith("+00:00")
            and at.isascii()
            and at.isprintable()
            and '"' not in at
            and "\\" not in at
        ):
            at = _now()
        body = fire_body(ticket, event, actor, target, decision, version) if self._masker is None else None
        if body is None:
            body = record_body(ticket, event, actor, target, decision, version, self._masker)
        return self._append(b"fire", at, body)

    def append_decide(self, ticket: Any, event: Any, actor: Any, target: Any, decision: Any) -> int:
        """Record a ``decide``; its number."""
        return self._append(b"decide", _now(), record_body(ticket, event, actor, target, decision, None, self._masker))

    def _append(self, call: bytes, at: str, body: bytes) -> int:
        """Number, link, write: the short path for the usual record, inline because every
        record pays for each step of it (``_append_any`` when ``_quick`` is off)."""
        with self._lock:
            if not self._quick:
                return self._append_any(call, at, body)
            seq = self._seq + 1
            # the line with its newline in one piece; the link is taken over the line without it
            data = b'{"at":"%s","call":"%s",%s"%s","seq":%d},%s\n' % (
                at.encode(),
                call,
                self._chain,
                self._last,
                seq,
                body,
            )
            size = len(data)
            if size > self._room or self._left <= 0:  # a rotation is due
                return self._append_any(call, at, body)
            sha = self._sha
            link = sha(data[:-1]).hexdigest() if sha is not None else self._mac(data[:-1])
            fd = self._fd
            assert fd is not None  # _quick: the log is open
            try:
                done = os.write(fd, data)
                while done < size:  # a short write (rare): the rest, still under the lock
                    done += os.write(fd, data[done:])
            except OSError as exc:
                raise self._broken(exc) from exc
            self._seq = seq
            self._last = link.encode()
            self._room -= size
            self._left -= 1
            if seq >= self._checkpoint_at:
                self._write_checkpoint()
            return seq

    def _append_any(self, call: bytes, at: str, body: bytes) -> int:
        """Any record, the lock held: the first of a log or of a file, a rotation, fsync,
        and the refusal of a closed or failed log."""
        fd = self._fd
        if fd is None or self._failed is not None:
            raise DecisionLogError(self._failed or f"the decision log `{self.path}` is closed")
        seq = self._seq + 1
        try:
            data = b"%s%s\n" % (chain_prefix(at, call, self._linker, self._head, seq, self._prev_file), body)
            if not self._fresh and (len(data) > self._room or self._left <= 0):
                fd = self._rotate()
                data = b"%s%s\n" % (chain_prefix(at, call, self._linker, self._head, seq, self._prev_file), body)
            link = self._linker(data[:-1])
            done = os.write(fd, data)
            while done < len(data):  # a short write (rare): the rest, still under the lock
                done += os.write(fd, data[done:])
            if self.fsync:
                os.fsync(fd)
        except OSError as exc:
            raise self._broken(exc) from exc
        self._seq, self._last = seq, link.encode()
        self._room -= len(data)
        self._left -= 1
        self._fresh = False
        self._prev_file = None
        if seq >= self._checkpoint_at:
            self._write_checkpoint()
        self._quick = self._may_be_quick()
        return seq

    def _may_be_quick(self) -> bool:
        """Whether the next record may take the short path: an open, sound log whose file
        holds records, a head to link to, no file name to carry and no fsync."""
        return (
            self._fd is not None
            and self._failed is None
            and self._last is not None
            and not self._fresh
            and self._prev_file is None
            and not self.fsync
        )

    def _broken(self, exc: OSError) -> DecisionLogError:
        """A write failed: a record may be half written, so no further record may follow it."""
        self._failed = f"the decision log `{self.path}` failed: {exc.strerror or exc}"
        self._quick = False
        return DecisionLogError(self._failed)

    def _rotate(self) -> int:
        """Close the current file under its archive name; the next record opens a new one."""
        assert self._fd is not None
        target = next_archive(self.path)
        if self.fsync:
            os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        os.rename(self.path, target)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        if self.fsync:
            fsync_dir(self.path.parent)
        self._room = self.rotate_bytes if self.rotate_bytes is not None else _NO_END
        self._left = self.rotate_records if self.rotate_records is not None else _NO_END
        self._fresh = True
        self._prev_file = target.name
        if self.checkpoint_path is not None:
            self._write_checkpoint()
        return self._fd

    @staticmethod
    def files_of(path: str | os.PathLike[str]) -> list[Path]:
        """Every file of the log at ``path`` in chain order: the rotated ones, then the current one."""
        return log_files(path)

    # -- the head --------------------------------------------------------------------------
    @property
    def head(self) -> Head:
        """The count of records and the hash of the last one (what a checkpoint holds)."""
        with self._lock:
            return Head(self._seq, self._head)

    @property
    def _head(self) -> str | None:
        return self._last.decode() if self._last is not None else None

    def checkpoint(self) -> None:
        """Write the head to the checkpoint file now."""
        with self._lock:
            if self.checkpoint_path is not None:
                self._write_checkpoint()

    def _write_checkpoint(self) -> None:
        cp = self.checkpoint_path
        assert cp is not None
        doc = {
            "version": 1,
            "log": self.path.name,
            "count": self._seq,
            "head": self._head,
            "alg": self._linker.alg.value,
            "key": self._linker.key_id,
            "at": _now(),
        }
        try:
            write_atomically(cp, json.dumps(doc, indent=2) + "\n", self.fsync)
        except OSError as exc:
            raise DecisionLogError(f"cannot write the checkpoint `{cp}`: {exc.strerror or exc}") from exc
        self._checkpoint_at = self._seq + self.checkpoint_every

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        """Write the final checkpoint and close the file; later records are refused."""
        with self._lock:
            if self._fd is None:
                return
            self._quick = False
            try:
                if self.checkpoint_path is not None and self._failed is None and self._seq:
                    self._write_checkpoint()
            finally:
                if self.fsync and self._failed is None:
                    os.fsync(self._fd)
                self._release()
        _OPEN.discard(self)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DecisionLog({str(self.path)!r}, records={self._seq})"


def open_log(log: DecisionLog | str | os.PathLike[str]) -> DecisionLog:
    """A :class:`DecisionLog` for ``load(..., decision_log=…)``: the object itself, or one at the path."""
    return log if isinstance(log, DecisionLog) else DecisionLog(log)
