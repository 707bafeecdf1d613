"""Business time against a brute-force oracle that steps minute by minute."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.model.businesstime import BusinessClock, NeverOpen
from rulesengine.model.ruleset import Calendar

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Sao_Paulo", "UTC"]
UTC = dt.UTC
BASE = dt.datetime(2017, 1, 1, tzinfo=UTC)  # Sao Paulo still changed clocks at midnight then


def oracle(cal: Calendar, a: dt.datetime, b: dt.datetime) -> int:
    """Minutes in [a, b) whose local wall time lies in that day's opening hours."""
    zone = zoneinfo.ZoneInfo(cal.timezone)
    total = 0
    t = a
    step = dt.timedelta(minutes=1)
    block_offset: dict[int, dt.timedelta] = {}
    while t < b:
        key = int(t.timestamp()) // 900  # offsets change on quarter hours at most
        off = block_offset.get(key)
        if off is None:
            off = t.astimezone(zone).utcoffset() or dt.timedelta()
            block_offset[key] = off
        wall = (t + off).replace(tzinfo=None)
        minute = wall.hour * 60 + wall.minute
        if any(s <= minute < e for s, e in cal.intervals_on(wall.date())):
            total += 1
        t += step
    return total


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    hours: dict[int, tuple[tuple[int, int], ...]] = {}
    if draw(st.integers(0, 5)) == 0:  # 24/7
        hours = {d: ((0, 1440),) for d in range(7)}
    else:
        for d in draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True)):
            start = draw(st.integers(0, 20)) * 60 + draw(st.sampled_from([0, 30]))
            end = min(1440, start + draw(st.integers(1, 10)) * 60)
            spans = [(start, end)]
            if end < 1380 and draw(st.booleans()):  # a split shift
                s2 = end + draw(st.integers(1, 3)) * 30
                spans.append((s2, min(1440, s2 + draw(st.integers(1, 4)) * 60)))
            hours[d] = tuple(x for x in spans if x[0] < x[1])
    days = st.dates(dt.date(2017, 1, 1), dt.date(2019, 3, 1))
    holidays = frozenset(draw(st.lists(days, max_size=15)))
    workdays = frozenset(draw(st.lists(days, max_size=5))) - holidays
    return Calendar("c", draw(st.sampled_from(ZONES)), hours, holidays, workdays)


def instants(max_days: int) -> st.SearchStrategy[dt.datetime]:
    return st.integers(0, max_days * 1440).map(lambda m: BASE + dt.timedelta(minutes=m))


SHORT = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SHORT
@given(calendars(), instants(760), st.integers(0, 40 * 1440))
def test_between_agrees_with_the_minute_oracle(cal: Calendar, a: dt.datetime, span: int) -> None:
    b = a + dt.timedelta(minutes=span)
    clock = BusinessClock(cal)
    assert clock.between(a, b) == dt.timedelta(minutes=oracle(cal, a, b))
    assert clock.between(b, a) == -clock.between(a, b)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), instants(30), st.integers(600 * 1440, 730 * 1440))
def test_between_over_two_years_agrees_with_the_oracle(cal: Calendar, a: dt.datetime, span: int) -> None:
    b = a + dt.timedelta(minutes=span)
    assert BusinessClock(cal).between(a, b) == dt.timedelta(minutes=oracle(cal, a, b))


@SHORT
@given(calendars(), instants(700), st.integers(1, 200 * 60))
def test_add_is_the_earliest_instant_reaching_the_duration(cal: Calendar, a: dt.datetime, minutes: int) -> None:
    clock = BusinessClock(cal)
    d = dt.timedelta(minutes=minutes)
    try:
        due = clock.add(a, d)
    except NeverOpen:
        assert not any(cal.hours.values()) and not cal.workdays
        return
    assert clock.between(a, due) == d
    assert clock.between(a, due - dt.timedelta(seconds=1)) < d
    assert due.tzinfo is not None


@SHORT
@given(calendars(), instants(700), st.integers(1, 5))
def test_working_days_land_on_the_nth_next_working_day(cal: Calendar, a: dt.datetime, n: int) -> None:
    clock = BusinessClock(cal)
    zone = zoneinfo.ZoneInfo(cal.timezone)
    try:
        due = clock.add_working_days(a, n)
        opened = clock.next_open(a)
    except NeverOpen:
        return
    start_day = opened.astimezone(zone).date()
    # a due at the close of an opening that ends at midnight belongs to the day that closes
    probe = due if clock.is_open(due) else due - dt.timedelta(seconds=1)
    due_day = probe.astimezone(zone).date()
    working = [
        start_day + dt.timedelta(days=i)
        for i in range(1, (due_day - start_day).days + 1)
        if clock.between(*_day_bounds(start_day + dt.timedelta(days=i), zone)) > dt.timedelta()
    ]
    assert len(working) == n and working[-1] == due_day
    assert clock.is_open(due) or clock.between(due - dt.timedelta(minutes=1), due) > dt.timedelta()


def _day_bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    a = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    b = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return a.astimezone(UTC), b.astimezone(UTC)


SH = Calendar(
    "service_hours",
    "Asia/Shanghai",
    {d: ((9 * 60, 18 * 60),) for d in range(5)} | {5: ((10 * 60, 16 * 60),)},
    frozenset({dt.date(2026, 10, 1), dt.date(2026, 10, 2)}),
    frozenset({dt.date(2026, 9, 27)}),
)


def sh(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_named_cases() -> None:
    clock = BusinessClock(SH)
    # created outside hours: the clock starts at the next opening
    assert clock.add(sh("2026-11-30 20:00"), dt.timedelta(hours=1)) == sh("2026-12-01 10:00")
    # a working day's worth ends at the close, not the next morning
    assert clock.add(sh("2026-12-01 09:00"), dt.timedelta(hours=9)) == sh("2026-12-01 18:00")
    # holidays and the make-up Sunday (调休) that follows Monday's hours
    assert clock.between(sh("2026-09-30 17:00"), sh("2026-10-05 09:30")) == dt.timedelta(hours=7, minutes=30)
    assert clock.between(sh("2026-09-27 00:00"), sh("2026-09-28 00:00")) == dt.timedelta(hours=9)
    # one working day: the same point of the next working day (Saturday is shorter)
    assert clock.add_working_days(sh("2026-12-01 15:00"), 1) == sh("2026-12-02 15:00")
    assert clock.add_working_days(sh("2026-12-04 17:00"), 1) == sh("2026-12-05 16:00")
    assert clock.add_working_days(sh("2026-12-05 20:00"), 1) == sh("2026-12-08 09:00")
    # across a year boundary
    assert clock.between(sh("2026-12-31 17:00"), sh("2027-01-04 10:00")) == dt.timedelta(hours=1 + 9 + 6 + 1)


def test_dst_days_count_real_time() -> None:
    berlin = Calendar("b", "Europe/Berlin", {d: ((60, 240),) for d in range(7)})
    clock = BusinessClock(berlin)
    z = zoneinfo.ZoneInfo("Europe/Berlin")
    spring, autumn = dt.datetime(2026, 3, 29, tzinfo=z), dt.datetime(2026, 10, 25, tzinfo=z)
    day = dt.timedelta(days=1)
    assert clock.between(spring, spring + day) == dt.timedelta(hours=2)  # 02:00-03:00 never happens
    assert clock.between(autumn, autumn + day) == dt.timedelta(hours=4)  # 02:00-03:00 happens twice


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BusinessClock(SH).between(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2))


def test_a_calendar_that_never_opens_is_an_error_not_a_hang() -> None:
    closed = Calendar("never", "UTC", {})
    with pytest.raises(NeverOpen):
        BusinessClock(closed).add(BASE, dt.timedelta(minutes=1))


def test_public_holidays_from_the_holidays_package() -> None:
    from rulesengine.model.businesstime import public_holidays

    weekdays = {d: ((9 * 60, 18 * 60),) for d in range(5)}
    cn = Calendar("cn", "Asia/Shanghai", weekdays, holidays_from="CN")
    national_day = sh("2026-10-01 00:00")
    assert cn.clock.between(national_day, national_day + dt.timedelta(days=1)) == dt.timedelta()
    assert dt.date(2026, 10, 1) in public_holidays("CN")(2026)
    # a declared make-up working day (调休) still overrides the public holiday
    swapped = Calendar("cn2", "Asia/Shanghai", weekdays, workdays=frozenset({dt.date(2026, 10, 1)}), holidays_from="CN")
    assert swapped.clock.between(national_day, national_day + dt.timedelta(days=1)) == dt.timedelta(hours=9)
