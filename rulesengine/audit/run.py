"""The audit of one log: read, gather per ticket, replay, judge what is open at the end.

:func:`audit` returns an :class:`AuditResult` — violations, rejected rows and the
counts that reconcile (rows read = rows audited + rows rejected) — or, when the log
cannot be audited at all, the :class:`~.kinds.LogError` saying where and why.  It
prints nothing: the command line renders the result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Severity
from .events import Event, FieldMap
from .group import DEFAULT_BUDGET, Grouper
from .kinds import Kind, LogError, Rejected, Violation
from .kpis import Kpis
from .outcome import Outcome, Pending
from .readers import Format, Row, Shard, detect, owner, read_csv, read_jsonl
from .replay import replay
from .sample import Sampler
from .targets import Target, judge_targets
from .versions import Versions
from .xes import read_xes

RESULT_VERSION = 1


@dataclass
class AuditResult:
    """What an audit found; ``error`` is set (and nothing else) when the log is unreadable."""

    log: str
    versions: list[dict[str, Any]] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    audited: int = 0
    tickets: int = 0
    open_tickets: int = 0
    end: dt.datetime | None = None
    error: LogError | None = None
    spilled: int = 0
    kpis: Kpis = field(default_factory=Kpis)
    targets: list[Target] = field(default_factory=list)  # the centre's KPI targets (targets.yaml)
    sample: list[dict[str, Any]] | None = None  # the QA sample, when one was asked for

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for v in self.violations:
            out[v.severity.value] += 1
        return out

    def by_kind(self) -> dict[Kind, int]:
        out: dict[Kind, int] = {}
        for v in self.violations:
            out[v.kind] = out.get(v.kind, 0) + 1
        return out

    def fails(self, level: Severity | None) -> bool:
        """A violation at or above ``level`` (None: never)."""
        return level is not None and any(v.severity.rank >= level.rank for v in self.violations)

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            e = self.error
            return {
                "version": RESULT_VERSION,
                "log": self.log,
                "error": {"file": e.file, "line": e.line, "message": e.message, "help": e.help},
            }
        return {
            "version": RESULT_VERSION,
            "log": self.log,
            "rules": self.versions,
            "rows": {"read": self.read, "audited": self.audited, "rejected": len(self.rejected)},
            "tickets": {"total": self.tickets, "open_at_end": self.open_tickets},
            "log_end": self.end.isoformat() if self.end else None,
            "summary": self.counts(),
            "by_kind": {k.code: n for k, n in sorted(self.by_kind().items(), key=lambda x: x[0].code)},
            "violations": [v.to_json() for v in self.violations],
            "rejected": [r.to_json() for r in self.rejected],
            "kpis": {**self.kpis.to_json(), "targets": judge_targets(self.targets, self.kpis)},
            **({"sample": self.sample} if self.sample is not None else {}),
        }


def read_rows(
    path: Path,
    fm: FieldMap,
    attributes: Iterable[str],
    tz: dt.tzinfo | None,
    fmt: str | None = None,
    shard: Shard | None = None,
) -> tuple[str, Iterator[Row]]:
    """The log's format and its rows (events and rejected rows) in file order; with a
    ``shard`` only the rows that shard owns (see :func:`~.readers.owner`)."""
    fmt = fmt or detect(path)
    attrs = frozenset(attributes)
    if fmt == Format.CSV:
        return fmt, read_csv(path, fm, attrs, tz, shard)
    rows = (read_jsonl if fmt == Format.JSONL else read_xes)(path, fm, attrs, tz)
    if shard is not None:
        i, n = shard
        rows = (r for r in rows if owner(r.ticket, n) == i)
    return fmt, rows


@dataclass
class Part:
    """What the audit of a log, or of one shard of its tickets, gathered.  The tickets
    still open at their last event wait in ``pending`` until :meth:`close` is given the
    end of the whole log."""

    violations: list[Violation] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    audited: int = 0
    tickets: int = 0
    open_tickets: int = 0
    spilled: int = 0
    end: dt.datetime | None = None
    kpis: Kpis = field(default_factory=Kpis)
    sampler: Sampler | None = None
    pending: list[Pending] = field(default_factory=list)
    error: LogError | None = None

    def close(self, end: dt.datetime | None) -> None:
        """Judge the open tickets' SLAs at ``end``, the last time of the whole log."""
        for op in self.pending:
            assert end is not None
            self.violations.extend(op.judge(end))
        self.open_tickets += len(self.pending)
        self.pending = []

    def merge(self, other: Part) -> None:
        """Add a closed part of the log (another shard's tickets)."""
        self.violations.extend(other.violations)
        self.rejected.extend(other.rejected)
        self.read += other.read
        self.audited += other.audited
        self.tickets += other.tickets
        self.open_tickets += other.open_tickets
        self.spilled += other.spilled
        if other.end is not None and (self.end is None or other.end > self.end):
            self.end = other.end
        self.kpis.merge(other.kpis)
        if self.sampler is not None and other.sampler is not None:
            self.sampler.merge(other.sampler)


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while a log is audited: the replay makes
    millions of short-lived tuples and dicts that reference counting frees, and each of
    the collector's full passes walks every buffered event (measured: ~11% of a
    million-event audit).  The thresholds are put back afterwards."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 100_000), max(old[1], 50), max(old[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*old)


def audit_part(
    path: Path,
    fmt: str,
    versions: Versions,
    fm: FieldMap,
    tz: dt.tzinfo | None,
    grouped: bool,
    budget: int,
    progress: Callable[[int], None] | None,
    sampler: Sampler | None,
    shard: Shard | None = None,
) -> Part:
    """Read the log (the rows of ``shard`` only, when given) and replay its tickets; the
    open tickets are left pending (their SLAs need the end of the whole log)."""
    part = Part(sampler=sampler)
    log = str(path)

    def take(out: Outcome) -> None:
        part.tickets += 1
        part.violations.extend(out.violations)
        part.rejected.extend(out.rejected)
        part.audited += out.audited
        if out.facts is not None:
            part.kpis.add(out.facts)
            if sampler is not None:
                sampler.add(out.ticket, out.facts.category, out.facts.channel)
        if out.pending is not None:
            part.pending.append(out.pending)

    end: dt.datetime | None = None
    read = 0
    try:
        _, rows = read_rows(path, fm, versions.attributes, tz, fmt, shard)
        grouper = Grouper(log, grouped, budget)
        rejected = part.rejected
        with _few_collections():
            for row in rows:
                read += 1
                if progress is not None and not read & 0xFFFF:
                    progress(read)
                if type(row) is not Event:
                    assert isinstance(row, Rejected)
                    rejected.append(row)
                    continue
                if end is None or row.time > end:
                    end = row.time
                done = grouper.add(row)
                if done:
                    take(replay(done, versions, log))
            for evs in grouper.finish():
                take(replay(evs, versions, log))
        part.spilled = grouper.spilled
    except LogError as exc:
        return Part(error=exc)
    part.read = read
    part.end = end
    return part


def audit(
    path: str | Path,
    versions: Versions,
    fields: FieldMap | None = None,
    tz: dt.tzinfo | None = None,
    grouped: bool | None = None,
    budget: int = DEFAULT_BUDGET,
    progress: Callable[[int], None] | None = None,
    targets: list[Target] | None = None,
    sampler: Sampler | None = None,
    jobs: int | None = None,
) -> AuditResult:
    """Audit the log at ``path`` against the rules ``versions``.

    ``grouped`` (None: only for XES) replays a ticket as soon as its rows end; see
    :mod:`.group` for the memory each strategy needs.  ``targets`` (from
    :func:`~.targets.load_targets`) are judged against the KPIs; a ``sampler`` picks the
    QA sample (it keeps every ticket's id: memory grows with the tickets, ~100 bytes each).
    ``progress`` is called with the number of rows read every 65,536 rows (about that
    number, when the audit runs in several processes).  ``jobs`` is the number of
    processes that share the tickets (None: as many as pay, see :func:`.parallel.jobs_for`);
    the result is the same for any number.
    """
    from .parallel import audit_sharded, jobs_for

    p = Path(path)
    res = AuditResult(str(path))
    res.targets = list(targets or [])
    res.versions = [
        {"rules": v.label, "since": v.since.isoformat() if v.since else None, "rules_hash": v.engine.rules_hash}
        for v in versions.all
    ]
    fm = fields or FieldMap()
    try:
        fmt = detect(p)
    except LogError as exc:
        return AuditResult(str(path), error=exc)
    group = grouped if grouped is not None else fmt == Format.XES
    n = jobs_for(jobs, p, fmt, group)
    if n > 1:
        part = audit_sharded(p, fmt, versions, fm, tz, budget, progress, sampler, n)
    else:
        part = audit_part(p, fmt, versions, fm, tz, group, budget, progress, sampler)
        part.close(part.end)
    if part.error is not None:
        return AuditResult(str(path), error=part.error)
    res.violations, res.rejected, res.kpis = part.violations, part.rejected, part.kpis
    res.read, res.audited, res.tickets, res.spilled = part.read, part.audited, part.tickets, part.spilled
    res.open_tickets, res.end = part.open_tickets, part.end
    if sampler is not None:
        sampler.flag({v.ticket for v in res.violations})
        res.sample = sampler.pick()
    # one order whatever the order the tickets were replayed in (by one process or several)
    res.violations.sort(key=lambda v: (v.line, v.kind.code, v.ticket))
    res.rejected.sort(key=lambda r: (r.line, r.ticket or "", r.reason))
    return res
