"""Gathering each ticket's events, in bounded memory.

A ticket is replayed once all its events are in, in time order.  Two strategies:

* **grouped** (XES, whose traces hold one case each, or ``--grouped`` for an export
  sorted by ticket): a ticket is complete when the next ticket's rows start, so
  memory holds one ticket.  A ticket whose rows turn up again later is a located
  error: the log was not grouped after all.
* **any order** (the default for CSV and JSON Lines, which are usually sorted by
  time): events are kept per ticket until the end of the log.  Past ``budget``
  buffered events, every event is spilled to one of :data:`PARTITIONS` temporary
  files chosen by a hash of its ticket, and the partitions are replayed one after the
  other; memory is then bounded by the budget and a sixteenth of the log, whatever its
  size.  Compact tuples with shared strings keep a buffered event near 200 bytes.
"""

from __future__ import annotations

import pickle
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .events import Event
from .kinds import LogError

PARTITIONS = 16
CHUNK = 8192
DEFAULT_BUDGET = 1_500_000


def _ordered(events: list[Event]) -> list[Event]:
    """A ticket's events by time, ties by file order (already in file order: a stable sort)."""
    if len(events) > 1:
        events.sort(key=lambda e: e.time)
    return events


class Grouper:
    """Feed events in file order with :meth:`add`; complete tickets come out, in time order."""

    def __init__(self, log: str, grouped: bool = False, budget: int = DEFAULT_BUDGET) -> None:
        self.log = log
        self.grouped = grouped
        self.budget = budget
        self.buffers: dict[str, list[Event]] = {}
        self.buffered = 0
        self.current: str | None = None
        self.ended: dict[str, int] = {}
        self.spill_dir: tempfile.TemporaryDirectory[str] | None = None
        self.files: list[IO[bytes]] = []
        self.pending: list[list[Event]] = []
        self.spilled = 0

    # -- feeding ---------------------------------------------------------------------
    def add(self, ev: Event) -> list[Event] | None:
        """Take one event; returns a complete ticket's events when one just ended."""
        if self.grouped:
            done = None
            if ev.ticket != self.current:
                if ev.ticket in self.ended:
                    raise LogError(
                        self.log,
                        ev.line,
                        f"ticket `{ev.ticket}` turns up again after its rows ended at line {self.ended[ev.ticket]}",
                        "the log is not grouped by ticket: audit it without --grouped",
                    )
                if self.current is not None:
                    done = _ordered(self.buffers.pop(self.current))
                    self.ended[self.current] = done[-1].line if done else 0
                self.current = ev.ticket
                self.buffers[ev.ticket] = []
            self.buffers[ev.ticket].append(ev)
            return done
        if self.spill_dir is not None:
            part = zlib.crc32(ev.ticket.encode("utf-8", "surrogatepass")) % PARTITIONS
            pend = self.pending[part]
            pend.append(ev)
            if len(pend) >= CHUNK:
                self._flush(part)
            return None
        buf = self.buffers.get(ev.ticket)
        if buf is None:
            self.buffers[ev.ticket] = [ev]
        else:
            buf.append(ev)
        self.buffered += 1
        if self.buffered > self.budget:
            self._start_spill()
        return None

    def _start_spill(self) -> None:
        self.spill_dir = tempfile.TemporaryDirectory(prefix="rulesengine-audit-")
        base = Path(self.spill_dir.name)
        self.files = [(base / f"part{i:02d}.pickle").open("w+b") for i in range(PARTITIONS)]
        self.pending = [[] for _ in range(PARTITIONS)]
        buffers, self.buffers, self.buffered = self.buffers, {}, 0
        for ticket, evs in buffers.items():
            part = zlib.crc32(ticket.encode("utf-8", "surrogatepass")) % PARTITIONS
            self.pending[part].extend(evs)
            if len(self.pending[part]) >= CHUNK:
                self._flush(part)

    def _flush(self, part: int) -> None:
        pend = self.pending[part]
        if pend:
            pickle.dump(pend, self.files[part], protocol=pickle.HIGHEST_PROTOCOL)
            self.spilled += len(pend)
            self.pending[part] = []

    # -- the end of the log ----------------------------------------------------------
    def finish(self) -> Iterator[list[Event]]:
        """The tickets still held, each complete; the spill files are removed afterwards."""
        if self.spill_dir is None:
            for ticket in list(self.buffers):
                yield _ordered(self.buffers.pop(ticket))
            return
        try:
            for part in range(PARTITIONS):
                self._flush(part)
                fh = self.files[part]
                fh.seek(0)
                tickets: dict[str, list[Event]] = {}
                while True:
                    try:
                        chunk: list[Event] = pickle.load(fh)
                    except EOFError:
                        break
                    for ev in chunk:
                        tickets.setdefault(ev.ticket, []).append(ev)
                fh.close()
                for ticket in list(tickets):
                    evs = tickets.pop(ticket)
                    evs.sort(key=lambda e: e.line)  # file order first: a spilled ticket's rows may interleave
                    yield _ordered(evs)
        finally:
            for fh in self.files:
                fh.close()
            self.spill_dir.cleanup()
            self.spill_dir = None
