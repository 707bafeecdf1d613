"""Benchmark business-time arithmetic and SLA clocks against `businesstimedelta`.

Prints, measured in one run on the same calendar (Asia/Shanghai, Mon–Fri 09:00–18:00,
China's public holidays), CPU time next to wall time (min / median of repeats; the machine is
shared, so compare CPU times and ratios):

1. the business time between two instants a year apart (`BusinessClock.between` vs
   `Rules.difference`);
2. an instant plus 40 business hours (`BusinessClock.add` vs `datetime + BusinessTimeDelta`);
3. the status of an SLA for a ticket with 20 history entries (pauses included) —
   `slaclock.sla_clock` vs summing `Rules.difference` over the running segments.

    .venv/bin/python benchmarks/bench_time.py            # after pip install -e ".[benchmarks]"

Targets: between a year apart <= 20 us; SLA status with 20 entries <= 50 us; both >= 10x
faster than businesstimedelta.  Exit status 1 when one fails.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
import zoneinfo
from collections.abc import Callable

from rulesengine.model.ruleset import Calendar, Duration, Sla, SlaKind
from rulesengine.model.slaclock import read_history, sla_clock

ZONE = "Asia/Shanghai"


def _holidays() -> list[dt.date]:
    """China's public holidays for the years the benchmark touches, from the `holidays` package."""
    import holidays

    return sorted(holidays.country_holidays("CN", years=range(2025, 2035)))


HOLIDAYS = _holidays()


def timed(fn: Callable[[], object], n: int, repeat: int = 5) -> tuple[float, float, float, float]:
    """(cpu min, cpu median, wall min, wall median) in microseconds per call."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            fn()
        cpu.append((time.process_time() - c0) / n * 1e6)
        wall.append((time.perf_counter() - w0) / n * 1e6)
    return min(cpu), statistics.median(cpu), min(wall), statistics.median(wall)


def main() -> int:
    try:
        import businesstimedelta as btd
        import pytz
    except ImportError:
        print('businesstimedelta is not installed: pip install -e ".[benchmarks]"')
        return 1
    zone = zoneinfo.ZoneInfo(ZONE)
    cal = Calendar("office", ZONE, {d: ((9 * 60, 18 * 60),) for d in range(5)}, frozenset(HOLIDAYS))
    clock = cal.clock
    rules = btd.Rules(
        [
            btd.WorkDayRule(start_time=dt.time(9), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4], tz=pytz.timezone(ZONE)),
            btd.HolidayRule(HOLIDAYS, tz=pytz.timezone(ZONE)),
        ]
    )
    rng = random.Random(7)
    starts = [dt.datetime(2026, 1, 5, 8, tzinfo=zone) + dt.timedelta(minutes=rng.randrange(60 * 24 * 30)) for _ in range(50)]
    pairs = [(a, a + dt.timedelta(days=365, minutes=rng.randrange(600))) for a in starts]
    for a, b in pairs[:10]:  # the two agree before they are timed
        theirs = rules.difference(a, b)
        ours = clock.between(a, b)
        assert ours.total_seconds() == theirs.hours * 3600 + theirs.seconds, (a, b, ours, theirs)
    clock.between(*pairs[0])  # build the year tables once, as a running service has
    it = iter(range(10**9))

    def ours_between() -> None:
        a, b = pairs[next(it) % len(pairs)]
        clock.between(a, b)

    def theirs_between() -> None:
        a, b = pairs[next(it) % len(pairs)]
        rules.difference(a, b)

    forty = dt.timedelta(hours=40)
    delta = btd.BusinessTimeDelta(rules, hours=40)

    def ours_add() -> None:
        clock.add(starts[next(it) % len(starts)], forty)

    def theirs_add() -> None:
        starts[next(it) % len(starts)] + delta

    t = starts[0]
    history = []
    for i in range(20):
        t += dt.timedelta(minutes=rng.randrange(30, 600))
        history.append({"state": ["working", "waiting"][i % 3 == 2], "at": t})
    history[0]["state"] = "new"
    now = t + dt.timedelta(hours=5)
    sla = Sla("resolution", Duration("3wd", working_days=3), SlaKind.RESOLUTION, None, ("done",), ("waiting",), "office")
    entries = read_history(history)
    cals = {"office": cal}

    def ours_sla() -> None:
        sla_clock(sla, read_history(history), now, cals)

    def theirs_sla() -> None:
        total = dt.timedelta()
        for i, e in enumerate(entries):
            if e.state == "waiting":
                continue
            end = entries[i + 1].at if i + 1 < len(entries) else now
            d = rules.difference(e.at, end)
            total += dt.timedelta(hours=d.hours, seconds=d.seconds)
        rules.difference(entries[0].at, entries[0].at + dt.timedelta(days=3))

    rows = [
        ("between, a year apart", ours_between, theirs_between, 20000, 50, 20.0),
        ("add 40 business hours", ours_add, theirs_add, 20000, 300, None),
        ("SLA status, 20 history entries", ours_sla, theirs_sla, 5000, 30, 50.0),
    ]
    print(f"{'us per call':<34}{'ours CPU min':>13}{'median':>9}{'wall min':>10}   {'peer CPU min':>13}{'median':>9}   ratio (CPU)")
    ok = True
    for name, ours, theirs, n_ours, n_theirs, target in rows:
        o = timed(ours, n_ours)
        p = timed(theirs, n_theirs)
        ratio = p[0] / o[0]
        print(f"{name:<34}{o[0]:>13.2f}{o[1]:>9.2f}{o[2]:>10.2f}   {p[0]:>13.1f}{p[1]:>9.1f}   {ratio:>8.1f}x")
        if target is not None:
            good = o[0] <= target and ratio >= 10
            ok &= good
            print(f"  {'PASS' if good else 'FAIL'}  <= {target:g} us and >= 10x businesstimedelta")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
