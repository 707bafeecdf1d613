"""The files of a decision log: rotated archives, the current file's first and last line,
atomic checkpoints, syncing.

Rotation never renames a file twice: the current file becomes ``<stem>.NNNNNN<suffix>``
once, and the next record names that file, so the names records carry stay true.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any, NamedTuple

from .records import Linker, canonical

_TAIL_BLOCK = 1 << 16


class DecisionLogError(Exception):
    """The log cannot be opened or written; the call that wanted a record did not take effect."""


def archive_path(path: Path, index: int) -> Path:
    """Where rotation puts the ``index``-th full file of the log at ``path``."""
    return path.with_name(f"{path.stem}.{index:06d}{path.suffix}")


def archives(path: Path) -> list[Path]:
    """The rotated files of the log at ``path``, oldest first."""
    pat = re.compile(re.escape(path.stem) + r"\.(\d{6})" + re.escape(path.suffix) + "$")
    found = []
    for p in path.parent.glob(f"{path.stem}.*{path.suffix}") if path.parent.is_dir() else ():
        m = pat.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return [p for _, p in sorted(found)]


def next_archive(path: Path) -> Path:
    """Where the next rotation of the log at ``path`` puts its full file: after the last archive."""
    olds = archives(path)
    index = 1
    if olds:
        m = re.search(r"\.(\d{6})" + re.escape(path.suffix) + "$", olds[-1].name)
        index = int(m.group(1)) + 1 if m else len(olds) + 1
    return archive_path(path, index)


def write_atomically(path: Path, text: str, fsync: bool) -> None:
    """``text`` as the whole of ``path`` or not at all: a temporary file renamed over it
    (a reader never sees half a checkpoint).  Raises OSError."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        if fsync:
            fsync_dir(path.parent)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def log_files(path: str | os.PathLike[str]) -> list[Path]:
    """Every file of the log at ``path`` in chain order: the rotated ones, then the current one."""
    p = Path(path)
    return archives(p) + ([p] if p.exists() else [])


def edge_lines(path: Path) -> tuple[bytes | None, bytes | None]:
    """The first and last line of a file (without newline); raises on an incomplete last line."""
    with path.open("rb") as fh:
        first = fh.readline()
        if not first:
            return None, None
        size = fh.seek(0, os.SEEK_END)
        pos, tail = size, b""
        while pos > 0:
            step = min(_TAIL_BLOCK, pos)
            pos -= step
            fh.seek(pos)
            tail = fh.read(step) + tail
            if tail.count(b"\n") >= 2 or pos == 0:
                break
    if not tail.endswith(b"\n"):
        raise DecisionLogError(
            f"`{path}` ends with an incomplete record (a crash while writing?): "
            f"`rulesengine verify-log {path}` shows it; move the file aside to start a new one"
        )
    return first.rstrip(b"\n"), tail[:-1].rsplit(b"\n", 1)[-1]


def chain_of(line: bytes, where: str) -> dict[str, Any]:
    try:
        rec = json.loads(line)
        chain = rec["chain"]
        int(chain["seq"])
        return dict(chain)
    except (ValueError, KeyError, TypeError) as exc:
        raise DecisionLogError(f"{where}: not a decision-log record ({exc})") from exc


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ChainEnd(NamedTuple):
    """Where an existing log's chain ends, for a writer that continues it."""

    seq: int  # the number of the last record
    link: str  # its hash: the next record's chain.prev
    prev_file: str | None  # the archive the next record names, when the current file is empty or missing
    held: int  # the records the current file holds


def chain_end(path: Path, linker: Linker) -> ChainEnd | None:
    """The end of the chain of the log at ``path`` (None: no record yet); raises
    DecisionLogError when its last record was linked with another algorithm or key."""
    current = path if path.exists() and path.stat().st_size > 0 else None
    older = archives(path)
    source = current or (older[-1] if older else None)
    if source is None:
        return None
    first, last = edge_lines(source)
    if last is None or first is None:
        return None
    chain = chain_of(last, f"{source}: last line")
    alg, kid = chain.get("alg"), chain.get("key")
    if alg != linker.alg.value or kid != linker.key_id:
        said = f"{alg}" + (f" with key {kid}" if kid else "")
        want = linker.alg.value + (f" with key {linker.key_id}" if linker.key_id else "")
        raise DecisionLogError(
            f"`{source}` was written with {said}, this log is opened with {want}: "
            "open it with the same key, or start a new log"
        )
    seq = int(chain["seq"])
    link = linker(canonical(json.loads(last)))
    if current is None:
        return ChainEnd(seq, link, source.name, 0)
    return ChainEnd(seq, link, None, seq - int(chain_of(first, f"{source}: line 1")["seq"]) + 1)
