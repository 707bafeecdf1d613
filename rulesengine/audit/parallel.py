"""The audit of one log by several processes, each replaying a share of its tickets.

A ticket's replay needs only its own events, so the tickets are dealt out by a hash of
their id (:func:`~.readers.owner`): each worker reads the whole file — parsing a CSV
row costs a fraction of replaying it, and a row of another shard is dropped as soon as
its ticket is read — and replays the tickets it owns.  Only what an open ticket's SLAs
need crosses between processes: each worker sends the last time it saw, the parent
sends back the end of the whole log, and each worker judges its open tickets at it.
The parts then merge exactly (counts add, KPI aggregates merge bin by bin, violations
and rejected rows are sorted by line), so the result is the one a single process
gives, whatever the number of workers.

Workers are forked: they inherit the loaded rules without pickling them, and the salt
of ``hash`` that the sharding relies on.  Where ``fork`` is not available the audit
runs in one process.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing as mp
import os
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .events import FieldMap
from .readers import Format
from .run import Part, audit_part
from .sample import Sampler
from .versions import Versions

# below this a log is audited faster by one process than by forking several
MIN_BYTES = 4 << 20
# each worker parses every row: past a few workers the parsing, not the replay, bounds
MAX_JOBS = 4


def jobs_for(jobs: int | None, path: Path, fmt: str, grouped: bool) -> int:
    """How many processes audit the log: ``jobs`` when given (at least 1), else one per
    core up to :data:`MAX_JOBS` for a large CSV or JSON Lines log read in any order;
    a grouped log (XES) is replayed as it streams, in one process, in one ticket's
    memory."""
    if "fork" not in mp.get_all_start_methods():
        return 1
    if jobs is not None:
        return max(1, jobs)
    if grouped or fmt not in (Format.CSV, Format.JSONL):
        return 1
    try:
        if path.stat().st_size < MIN_BYTES:
            return 1
    except OSError:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_JOBS))


def _work(
    conn: Connection,
    shard: tuple[int, int],
    args: tuple[Any, ...],
    sampler: Sampler | None,
    seen: Any,
) -> None:
    """One worker: audit the shard's tickets, learn the log's end, judge the open ones."""
    try:
        gc.freeze()  # the rules loaded before the fork: never collected, their pages never copied
        i, n = shard

        def progress(rows: int) -> None:
            seen.value = rows * n  # the shard's rows, scaled to the whole log

        path, fmt, versions, fm, tz, budget = args
        part = audit_part(path, fmt, versions, fm, tz, False, budget, progress if i == 0 else None, sampler, shard)
        conn.send(("end", part.end, part.error))
        if part.error is None:
            end = conn.recv()
            part.close(end)
            conn.send(("part", part))
    except BaseException:
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def audit_sharded(
    path: Path,
    fmt: str,
    versions: Versions,
    fm: FieldMap,
    tz: dt.tzinfo | None,
    budget: int,
    progress: Callable[[int], None] | None,
    sampler: Sampler | None,
    jobs: int,
) -> Part:
    """The closed, merged :class:`~.run.Part` of ``jobs`` workers sharing the tickets."""
    ctx = mp.get_context("fork")
    seen = ctx.Value("q", 0, lock=False)
    args = (path, fmt, versions, fm, tz, max(1, budget // jobs))
    conns: list[Connection] = []
    procs = []
    for i in range(jobs):
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(
            target=_work,
            args=(theirs, (i, jobs), args, sampler.fresh() if sampler is not None else None, seen),
            daemon=True,
        )
        proc.start()
        theirs.close()
        conns.append(mine)
        procs.append(proc)
    try:
        ends = _gather(conns, "end", progress, seen)
        errors = [e for _, e in ends if e is not None]
        if errors:
            return Part(error=min(errors, key=lambda e: e.line))
        times = [t for t, _ in ends if t is not None]
        end = max(times) if times else None
        for c in conns:
            c.send(end)
        parts = [p for (p,) in _gather(conns, "part", progress, seen)]
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.terminate()
        for c in conns:
            c.close()
    out = Part(sampler=sampler)
    for p in parts:
        out.merge(p)
    out.end = end
    return out


def _gather(
    conns: list[Connection], kind: str, progress: Callable[[int], None] | None, seen: Any
) -> list[tuple[Any, ...]]:
    """One message of ``kind`` from every worker, in worker order; reports progress meanwhile."""
    got: dict[int, tuple[Any, ...]] = {}
    waiting = {id(c): i for i, c in enumerate(conns)}
    last = -1
    while waiting:
        ready = wait([conns[i] for i in waiting.values()], timeout=0.2)
        for c in ready:
            assert isinstance(c, Connection)
            i = waiting.pop(id(c))
            try:
                msg = c.recv()
            except EOFError:
                raise RuntimeError(f"audit worker {i} ended without a result") from None
            if msg[0] == "crash":
                raise RuntimeError(f"audit worker {i} failed:\n{msg[1]}")
            if msg[0] != kind:
                raise RuntimeError(f"audit worker {i} sent {msg[0]!r}, expected {kind!r}")
            got[i] = tuple(msg[1:])
        if progress is not None and seen.value != last:
            last = seen.value
            progress(last)
    return [got[i] for i in range(len(conns))]
