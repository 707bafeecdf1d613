"""The audit of one log: read, gather per ticket, replay, judge what is open at the end.

:func:`audit` returns an :class:`AuditResult` — violations, rejected rows and the
counts that reconcile (rows read = rows audited + rows rejected) — or, when the log
cannot be audited at all, the :class:`~.kinds.LogError` saying where and why.  It
prints nothing: the command line renders the result.
"""

from __future__ import annotations

import datetime as dt
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
from .readers import Format, Row, detect, read_csv, read_jsonl
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
    path: Path, fm: FieldMap, attributes: Iterable[str], tz: dt.tzinfo | None, fmt: str | None = None
) -> tuple[str, Iterator[Row]]:
    """The log's format and its rows (events and rejected rows) in file order."""
    fmt = fmt or detect(path)
    attrs = frozenset(attributes)
    reader = {Format.CSV: read_csv, Format.JSONL: read_jsonl, Format.XES: read_xes}[fmt]
    return fmt, reader(path, fm, attrs, tz)


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
) -> AuditResult:
    """Audit the log at ``path`` against the rules ``versions``.

    ``grouped`` (None: only for XES) replays a ticket as soon as its rows end; see
    :mod:`.group` for the memory each strategy needs.  ``targets`` (from
    :func:`~.targets.load_targets`) are judged against the KPIs; a ``sampler`` picks the
    QA sample (it keeps every ticket's id: memory grows with the tickets, ~100 bytes each).  ``progress`` is called with the
    number of rows read every 65,536 rows.
    """
    p = Path(path)
    res = AuditResult(str(path))
    res.targets = list(targets or [])
    res.versions = [
        {"rules": v.label, "since": v.since.isoformat() if v.since else None, "rules_hash": v.engine.rules_hash}
        for v in versions.all
    ]
    fm = fields or FieldMap()
    pending: list[Pending] = []
    end: dt.datetime | None = None

    def take(out: Outcome) -> None:
        res.tickets += 1
        res.violations.extend(out.violations)
        res.rejected.extend(out.rejected)
        res.audited += out.audited
        if out.facts is not None:
            res.kpis.add(out.facts)
            if sampler is not None:
                sampler.add(out.ticket, out.facts.category, out.facts.channel)
        if out.pending is not None:
            pending.append(out.pending)

    try:
        fmt, rows = read_rows(p, fm, versions.attributes, tz)
        grouper = Grouper(str(path), grouped if grouped is not None else fmt == Format.XES, budget)
        for row in rows:
            res.read += 1
            if progress is not None and not res.read & 0xFFFF:
                progress(res.read)
            if type(row) is not Event:
                assert isinstance(row, Rejected)
                res.rejected.append(row)
                continue
            if end is None or row.time > end:
                end = row.time
            done = grouper.add(row)
            if done:
                take(replay(done, versions, str(path)))
        for evs in grouper.finish():
            take(replay(evs, versions, str(path)))
        res.spilled = grouper.spilled
    except LogError as exc:
        return AuditResult(str(path), error=exc)
    res.end = end
    for op in pending:
        assert end is not None
        res.violations.extend(op.judge(end))
    res.open_tickets = len(pending)
    if sampler is not None:
        sampler.flag({v.ticket for v in res.violations})
        res.sample = sampler.pick()
    res.violations.sort(key=lambda v: (v.line, v.kind.code, v.ticket))
    res.rejected.sort(key=lambda r: r.line)
    return res
