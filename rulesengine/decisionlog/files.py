"""The files of a decision log: rotated archives, the current file's first and last line, syncing.

Rotation never renames a file twice: the current file becomes ``<stem>.NNNNNN<suffix>``
once, and the next record names that file, so the names records carry stay true.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

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
