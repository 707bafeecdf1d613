"""Readers for CSV and JSON Lines logs, and telling the formats apart.

Every data row becomes exactly one :class:`~.events.Event` or one
:class:`~.kinds.Rejected` with its line number, so that rows read = rows audited +
rows rejected always holds.  Problems with the whole file (empty, not a log, a
required column missing) raise :class:`~.kinds.LogError` before any row is read.

CSV is read with the standard ``csv`` module, which streams, keeps line numbers and
adds no dependency.  Measured on a million-row generated log (``benchmarks/bench_audit.py``):
``csv.reader`` yields its rows in ~0.7 s of CPU, while pyarrow and polars take ~1.1 s
and ~0.8 s to parse it and hand its columns over as the Python values the replay needs.
The whole audit costs ~15 s: the replay, not the parser, bounds it, and a columnar
reader would add a large dependency for no gain.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from .events import REQUIRED, Event, Field, FieldMap, TimeError, parse_time
from .kinds import LogError, Rejected

csv.field_size_limit(1 << 24)

Row = Event | Rejected
# (i, n): the i-th of n processes auditing one log, each reading the rows of its tickets
Shard = tuple[int, int]


def owner(ticket: str | None, n: int) -> int:
    """The shard (of ``n``) that audits a row: the one of its ticket, shard 0 for a row
    with no ticket.  ``hash`` is salted per interpreter, so the processes of one audit
    must be forked from one parent (they then share the salt); it is ~10x cheaper than
    a digest of the id on every row of every process."""
    return 0 if ticket is None else hash(ticket) % n


class Format:
    CSV = "csv"
    JSONL = "jsonl"
    XES = "xes"


def detect(path: Path) -> str:
    """The format of a log from its name, else from its first bytes."""
    name = path.name.lower()
    if name.endswith((".xes", ".xes.xml")):
        return Format.XES
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return Format.JSONL
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise LogError(str(path), 0, f"cannot read the log: {exc.strerror or exc}") from None
    if not head.strip():
        raise LogError(str(path), 0, "the log is empty", "give a CSV, JSON Lines or XES export with a header row")
    if b"\x00" in head:
        raise LogError(str(path), 0, "the log is not text (it holds NUL bytes)", "give a CSV, JSON Lines or XES file")
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"<":
        return Format.XES
    if first == b"{":
        return Format.JSONL
    if name.endswith((".csv", ".tsv", ".txt")) or b"," in head.split(b"\n", 1)[0] or b"\t" in head:
        return Format.CSV
    raise LogError(str(path), 1, "the log is not CSV, JSON Lines or XES", "give a CSV file with a header row")


def _text(path: Path) -> Any:
    try:
        return path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LogError(str(path), 0, f"cannot read the log: {exc.strerror or exc}") from None


def read_csv(
    path: Path, fm: FieldMap, attributes: Collection[str], tz: dt.tzinfo | None, shard: Shard | None = None
) -> Iterator[Row]:
    """The rows of a CSV export with a header row (comma, or tab for ``.tsv``); with a
    ``shard``, only the rows it owns (:func:`owner`), the others skipped as soon as
    their ticket is known, before their time and attributes are read."""
    fh = _text(path)
    with fh:
        try:
            sample = fh.read(65536)
        except UnicodeDecodeError:
            raise LogError(str(path), 1, "the log is not UTF-8 text", "export the log as UTF-8") from None
        fh.seek(0)
        delimiter = "\t" if path.name.lower().endswith(".tsv") or ("\t" in sample and "," not in sample) else ","
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise LogError(str(path), 1, f"the header cannot be read: {exc}") from None
        if header is None or not any(h.strip() for h in header):
            raise LogError(str(path), 0, "the log is empty", "give a CSV export with a header row")
        header = [h.strip() for h in header]
        cols = fm.resolve(header)
        missing = [f for f in REQUIRED if f not in cols]
        if missing:
            f = missing[0]
            raise LogError(
                str(path),
                1,
                f"no column for `{f.value}` (tried {_tried(fm, f)}); the header has {', '.join(header)}",
                f"name the column with --map COLUMN={f.value}",
            )
        at = {f: header.index(c) for f, c in cols.items()}
        i_ticket, i_act, i_time, i_res, i_role = (at[f] for f in REQUIRED)
        i_target = at.get(Field.TARGET, -1)
        i_state = at.get(Field.STATE, -1)
        i_rating = at.get(Field.SATISFACTION, -1)
        attr_at = [(i, a) for i, h in enumerate(header) if (a := fm.attribute_of(h, attributes)) is not None]
        attr_idx = tuple(i for i, _ in attr_at)
        attr_names = tuple(a for _, a in attr_at)
        width = len(header)
        intern = sys.intern
        renames = fm.activities
        seen_attrs: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
        times: dict[str, dt.datetime] = {}
        line = 1
        mine, shards = shard if shard is not None else (0, 1)
        first = mine == 0  # the shard that reports the rows no ticket owns
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                if first:
                    yield Rejected(start, f"not a CSV record: {exc}")
                continue
            line = start
            if not row:
                continue
            if len(row) != width:
                if len(row) == 1 and not row[0].strip():
                    continue
                if first:
                    yield Rejected(line, f"has {len(row)} fields, the header has {width}")
                continue
            ticket = row[i_ticket]
            if not ticket:
                if first:
                    yield Rejected(line, f"no ticket in column `{cols[Field.TICKET]}`")
                continue
            if shards > 1 and hash(ticket) % shards != mine:
                continue
            activity = row[i_act]
            if not activity:
                yield Rejected(line, f"no activity in column `{cols[Field.ACTIVITY]}`", ticket)
                continue
            stamp = row[i_time]
            t = times.get(stamp)
            if t is None:
                try:
                    t = parse_time(stamp, tz)
                except TimeError as exc:
                    yield Rejected(line, f"column `{cols[Field.TIME]}`: {exc}", ticket)
                    continue
                if len(times) > 65536:
                    times.clear()
                times[stamp] = t
            vals = tuple([row[i] for i in attr_idx])
            attrs = seen_attrs.get(vals)
            if attrs is None:
                attrs = tuple((n, intern(v)) for n, v in zip(attr_names, vals) if v != "")
                if len(seen_attrs) < 100000:
                    seen_attrs[vals] = attrs
            yield Event(
                intern(ticket),  # one string per ticket, not per buffered row
                line,
                t,
                intern(renames.get(activity, activity)),
                intern(row[i_res]),
                intern(row[i_role]),
                row[i_target] if i_target >= 0 else "",
                row[i_state] if i_state >= 0 else "",
                attrs,
                row[i_rating] if i_rating >= 0 else "",
            )


def _tried(fm: FieldMap, f: Field) -> str:
    from .events import DEFAULT_COLUMNS

    names = [fm.columns[f]] if f in fm.columns else list(DEFAULT_COLUMNS[f])
    return ", ".join(f"`{n}`" for n in names)


def event_from(
    values: Mapping[str, Any],
    line: int,
    fm: FieldMap,
    attributes: Collection[str],
    tz: dt.tzinfo | None,
) -> Row:
    """An event from one record of named values (a JSON object, an XES event)."""
    cols = fm.resolve(values)
    for f in (Field.TICKET, Field.ACTIVITY, Field.TIME):
        if f not in cols or values[cols[f]] in (None, ""):
            ticket = values.get(cols[Field.TICKET]) if Field.TICKET in cols else None
            return Rejected(line, f"no `{f.value}` (tried {_tried(fm, f)})", None if ticket is None else str(ticket))
    ticket = str(values[cols[Field.TICKET]])
    stamp = values[cols[Field.TIME]]
    if not isinstance(stamp, str):
        return Rejected(line, f"`{cols[Field.TIME]}` must be an ISO 8601 text, not {json.dumps(stamp)}", ticket)
    try:
        t = parse_time(stamp, tz)
    except TimeError as exc:
        return Rejected(line, f"`{cols[Field.TIME]}`: {exc}", ticket)

    def text(f: Field) -> str:
        v = values.get(cols[f]) if f in cols else None
        return "" if v is None else str(v)

    attrs = []
    for k, v in values.items():
        a = fm.attribute_of(k, attributes)
        if a is not None and v not in (None, ""):
            attrs.append((a, v if isinstance(v, str) else json.dumps(v)))
    activity = text(Field.ACTIVITY)
    return Event(
        ticket,
        line,
        t,
        sys.intern(fm.activities.get(activity, activity)),
        sys.intern(text(Field.RESOURCE)),
        sys.intern(text(Field.ROLE)),
        text(Field.TARGET),
        text(Field.STATE),
        tuple(attrs),
        text(Field.SATISFACTION),
    )


def read_jsonl(path: Path, fm: FieldMap, attributes: Collection[str], tz: dt.tzinfo | None) -> Iterator[Row]:
    """The rows of a JSON Lines log: one object per line, keys as CSV columns."""
    fh = _text(path)
    any_row = False
    with fh:
        n = 0
        while True:
            try:
                raw = fh.readline()
            except UnicodeDecodeError:
                raise LogError(str(path), n + 1, "the log is not UTF-8 text", "export the log as UTF-8") from None
            if not raw:
                break
            n += 1
            if not raw.strip():
                continue
            any_row = True
            try:
                obj = json.loads(raw)
            except ValueError as exc:
                yield Rejected(n, f"not a JSON object: {exc.args[0] if exc.args else exc}")
                continue
            if not isinstance(obj, dict):
                yield Rejected(n, "not a JSON object")
                continue
            yield event_from(obj, n, fm, attributes, tz)
    if not any_row:
        raise LogError(str(path), 0, "the log is empty", "give one JSON object per line")
