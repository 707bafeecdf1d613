"""Business time over a calendar: exact, DST-correct, and fast enough to call per request.

A calendar says when a centre works: weekly opening hours in a time zone, holidays,
and make-up working days (调休).  Every SLA and timer with a calendar counts only
that time.  Business time is *real* elapsed time inside opening hours: an opening of
02:00–04:00 on the night clocks spring forward is one hour, not two.

The arithmetic never steps minute by minute.  For each year a calendar is asked
about, the opening intervals of every local day are converted once to UTC seconds
and summed into a cumulative table; the business time up to an instant is then the
table entry of its local day plus what of that day's intervals lies before it, and
adding a duration is a binary search in the same table.  Years are built on first
use under a lock and never change afterwards, so a clock may be shared by threads.

``Nwd`` (working days) is due at the same point of the N-th next working day: as many
working hours into that day as the start was into its own — counted from the next
opening when the start lies outside opening hours — or at that day's close when the
day is shorter.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

UTC = dt.UTC
_EPOCH = dt.date(1970, 1, 1).toordinal()
MAX_YEARS_AHEAD = 20  # a due date further out than this means the calendar (almost) never opens


class NeverOpen(ValueError):
    """The calendar has no opening time in the years searched."""


@dataclass(frozen=True)
class _Year:
    year: int
    first: int  # proleptic ordinal of 1 January
    days: tuple[tuple[tuple[int, int], ...], ...]  # per day: opening intervals as UTC seconds
    cum: tuple[int, ...]  # business seconds before each day (len = days + 1)
    starts: tuple[int, ...]  # UTC second at which each local day begins (len = days + 1)

    @property
    def total(self) -> int:
        return self.cum[-1]


class OpeningHours(Protocol):
    """What the arithmetic reads of a calendar (:class:`~rulesengine.model.ruleset.Calendar`
    builds its clock from here, so this module does not import the model back)."""

    @property
    def id(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def workdays(self) -> frozenset[dt.date]: ...
    def intervals_on(self, day: dt.date) -> tuple[tuple[int, int], ...]: ...


class BusinessClock:
    """Business-time arithmetic over one :class:`~rulesengine.model.ruleset.Calendar`."""

    def __init__(self, calendar: OpeningHours, extra_holidays: Callable[[int], frozenset[dt.date]] | None = None) -> None:
        self.calendar = calendar
        self.zone = zoneinfo.ZoneInfo(calendar.timezone)
        self._extra = extra_holidays
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    # -- the tables ------------------------------------------------------------------
    def _year(self, year: int) -> _Year:
        got = self._years.get(year)
        if got is None:
            with self._lock:
                got = self._years.get(year)
                if got is None:
                    got = self._build(year)
                    self._years[year] = got
        return got

    def _build(self, year: int) -> _Year:
        cal = self.calendar
        extra = self._extra(year) if self._extra is not None else frozenset()
        first = dt.date(year, 1, 1)
        n = (dt.date(year + 1, 1, 1) - first).days
        days: list[tuple[tuple[int, int], ...]] = []
        cum = [0]
        begin = self._first_at_or_after(first)
        starts = [begin]
        for i in range(n):
            day = first + dt.timedelta(days=i)
            end = self._first_at_or_after(day + dt.timedelta(days=1))
            spans = () if day in extra and day not in cal.workdays else cal.intervals_on(day)
            out = self._pieces(day, begin, end, spans) if spans else ()
            days.append(out)
            cum.append(cum[-1] + sum(e - s for s, e in out))
            starts.append(end)
            begin = end
        return _Year(year, first.toordinal(), tuple(days), tuple(cum), tuple(starts))

    def _offset(self, u: int) -> int:
        off = dt.datetime.fromtimestamp(u, self.zone).utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    def _first_at_or_after(self, day: dt.date) -> int:
        """The first UTC second whose local wall time is ``day`` 00:00 or later (midnight may
        fall in a spring-forward gap)."""
        wall = dt.datetime(day.year, day.month, day.day)
        u = int(wall.replace(tzinfo=self.zone).timestamp())
        if dt.datetime.fromtimestamp(u, self.zone).replace(tzinfo=None) == wall:
            return u
        lo, hi = int(wall.replace(tzinfo=self.zone, fold=1).timestamp()), u  # the change lies between
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if dt.datetime.fromtimestamp(mid, self.zone).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi

    def _pieces(
        self, day: dt.date, begin: int, end: int, spans: tuple[tuple[int, int], ...]
    ) -> tuple[tuple[int, int], ...]:
        """The UTC seconds of ``[begin, end)`` (one local day) whose wall time lies in the
        opening ``spans`` — split where the UTC offset changes, so a repeated hour counts
        twice and a skipped one not at all."""
        segments = [(begin, end)]
        o_begin = self._offset(begin)
        if o_begin != self._offset(end - 1):  # a clock change today: find the second it happens
            lo, hi = begin, end - 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if self._offset(mid) == o_begin:
                    lo = mid
                else:
                    hi = mid
            segments = [(begin, hi), (hi, end)]
        midnight = int(dt.datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        out: list[tuple[int, int]] = []
        for u0, u1 in segments:
            off = self._offset(u0)
            for start, stop in spans:  # wall minutes of the day, read at this segment's offset
                lo = max(u0, midnight + start * 60 - off)
                hi = min(u1, midnight + stop * 60 - off)
                if hi > lo:
                    out.append((lo, hi))
        out.sort()
        return tuple(out)

    def _locate(self, t: dt.datetime) -> tuple[_Year, int, int]:
        """(year table, day index, UTC seconds) of an aware instant — found by a binary search
        in the year's day starts, so no time-zone conversion is needed."""
        if t.tzinfo is None:
            raise ValueError("business time needs timezone-aware instants")
        ts = int(t.timestamp())
        year = self._year_of(ts)
        return year, bisect.bisect_right(year.starts, ts) - 1, ts

    def _year_of(self, ts: int) -> _Year:
        year = self._year(dt.date.fromordinal(ts // 86400 + _EPOCH).year)
        if ts < year.starts[0]:
            return self._year(year.year - 1)
        if ts >= year.starts[-1]:
            return self._year(year.year + 1)
        return year

    def _before(self, year: _Year, i: int, ts: int) -> int:
        """Business seconds of ``year`` before UTC second ``ts`` on its day ``i``."""
        got = year.cum[i]
        for s, e in year.days[i]:
            if ts >= e:
                got += e - s
            else:
                if ts > s:
                    got += ts - s
                break
        return got

    # -- questions ------------------------------------------------------------------
    def is_open(self, t: dt.datetime) -> bool:
        year, i, ts = self._locate(t)
        return any(s <= ts < e for s, e in year.days[i])

    def between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """The business time from ``a`` to ``b`` (negative when ``b`` is earlier)."""
        if b < a:
            return -self.between(b, a)
        ya, ia, ta = self._locate(a)
        yb, ib, tb = self._locate(b)
        if ya is yb:
            return dt.timedelta(seconds=self._before(yb, ib, tb) - self._before(ya, ia, ta))
        total = ya.total - self._before(ya, ia, ta) + self._before(yb, ib, tb)
        for y in range(ya.year + 1, yb.year):
            total += self._year(y).total
        return dt.timedelta(seconds=total)

    def marks(self, times: list[dt.datetime]) -> list[int]:
        """Business seconds of each instant on one running count (oldest first is fastest):
        the business time between two of them is the difference of their marks."""
        for t in times:
            if t.tzinfo is None:
                raise ValueError("business time needs timezone-aware instants")
        return self.marks_at([int(t.timestamp()) for t in times])

    def marks_at(self, stamps: list[int]) -> list[int]:
        """:meth:`marks` of UTC seconds."""
        out: list[int] = []
        year: _Year | None = None
        base = 0  # business seconds from the first instant's year start to `year`'s start
        bisect_right = bisect.bisect_right
        for ts in stamps:
            if year is None or not year.starts[0] <= ts < year.starts[-1]:
                found = self._year_of(ts)
                if year is not None:
                    while year.year < found.year:
                        base += year.total
                        year = self._year(year.year + 1)
                    while year.year > found.year:
                        year = self._year(year.year - 1)
                        base -= year.total
                year = found
            i = bisect_right(year.starts, ts) - 1
            got = year.cum[i]
            for s, e in year.days[i]:
                if ts >= e:
                    got += e - s
                else:
                    if ts > s:
                        got += ts - s
                    break
            out.append(base + got)
        return out

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The earliest instant by which ``duration`` of business time has passed since ``start``."""
        seconds = int(duration.total_seconds())
        if seconds <= 0:
            if seconds < 0:
                raise ValueError("add a positive duration")
            return start
        year, i, ts = self._locate(start)
        target = self._before(year, i, ts) + seconds
        y = year.year
        for _ in range(MAX_YEARS_AHEAD + 1):
            if target <= year.total:
                return self._at(year, target, start.tzinfo)
            target -= year.total
            y += 1
            year = self._year(y)
        raise NeverOpen(f"calendar `{self.calendar.id}` has no opening time for {MAX_YEARS_AHEAD} years")

    def _at(self, year: _Year, target: int, tz: dt.tzinfo | None) -> dt.datetime:
        """The instant of ``year`` at which its business seconds reach ``target`` (> 0)."""
        i = bisect.bisect_left(year.cum, target) - 1
        rem = target - year.cum[i]
        for s, e in year.days[i]:
            if rem <= e - s:
                return dt.datetime.fromtimestamp(s + rem, UTC).astimezone(tz)
            rem -= e - s
        raise AssertionError("cumulative table out of step")  # pragma: no cover

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """``t`` itself when open, else the next opening instant."""
        year, i, ts = self._locate(t)
        y = year.year
        for _ in range(MAX_YEARS_AHEAD + 1):
            for day in range(i, len(year.days)):
                for s, e in year.days[day]:
                    if ts < e:
                        return t if s <= ts else dt.datetime.fromtimestamp(s, UTC).astimezone(t.tzinfo)
            y += 1
            year, i = self._year(y), 0
        raise NeverOpen(f"calendar `{self.calendar.id}` has no opening time for {MAX_YEARS_AHEAD} years")

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        """Due after ``n`` working days (``Nwd``): the same point of the n-th next working day."""
        if n <= 0:
            return start
        opened = self.next_open(start)
        year, i, ts = self._locate(opened)
        into = self._before(year, i, ts) - year.cum[i]
        y = year.year
        left = n
        for _ in range(MAX_YEARS_AHEAD + 1):
            for day in range(i + 1, len(year.days)):
                length = year.cum[day + 1] - year.cum[day]
                if length:
                    left -= 1
                    if left == 0:
                        if into <= 0:  # the start was at an opening: due at this day's opening
                            return dt.datetime.fromtimestamp(year.days[day][0][0], UTC).astimezone(start.tzinfo)
                        return self._at(year, year.cum[day] + min(into, length), start.tzinfo)
            y += 1
            year, i = self._year(y), -1
        raise NeverOpen(f"calendar `{self.calendar.id}` has no working day for {MAX_YEARS_AHEAD} years")


def public_holidays(code: str) -> Callable[[int], frozenset[dt.date]]:
    """The public holidays of a country (``CN``, ``US-CA``) by year, from the `holidays` package."""
    import holidays

    country, _, subdiv = code.partition("-")

    def of(year: int) -> frozenset[dt.date]:
        return frozenset(holidays.country_holidays(country, subdiv=subdiv or None, years=year))

    return of
