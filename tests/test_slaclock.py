"""SLA clocks from histories, against a minute-stepping oracle; due timers; named edge cases."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulesengine
from rulesengine.compile.compiler import compile_files
from rulesengine.model.ruleset import Duration, Sla, SlaKind
from rulesengine.model.slaclock import HistoryError, SlaStatus, read_history, sla_clock
from tests.test_businesstime import SH, calendars, sh

STATES = ["new", "working", "waiting", "done"]


def oracle_elapsed(sla: Sla, history: list[dict[str, Any]], now: dt.datetime, cal: Any) -> tuple[int, bool]:
    """(counted minutes, stopped) by stepping minute by minute through the history."""
    entries = read_history(history)
    start = 0 if sla.start is None else next((i for i, e in enumerate(entries) if e.state == sla.start), None)
    assert start is not None
    zone = zoneinfo.ZoneInfo(cal.timezone) if cal is not None else None
    minutes = 0
    for i in range(start, len(entries)):
        if i > start and entries[i].state in sla.stop:
            return minutes, True
        end = min(entries[i + 1].at if i + 1 < len(entries) else now, now)
        if entries[i].state in sla.pause_in:
            continue
        t = entries[i].at
        while t < end:
            if zone is None:
                minutes += 1
            else:
                wall = t.astimezone(zone)
                m = wall.hour * 60 + wall.minute
                minutes += any(s <= m < e for s, e in cal.intervals_on(wall.date()))
            t += dt.timedelta(minutes=1)
    return minutes, False


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dt.datetime]:
    t = dt.datetime(2018, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=draw(st.integers(0, 300 * 1440)))
    out = [{"state": "new", "at": t}]
    for _ in range(draw(st.integers(0, 6))):
        t += dt.timedelta(minutes=draw(st.integers(0, 4 * 1440)))
        out.append({"state": draw(st.sampled_from(STATES)), "at": t.isoformat() if draw(st.booleans()) else t})
    now = t + dt.timedelta(minutes=draw(st.integers(0, 3 * 1440)))
    return out, now


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.one_of(st.none(), calendars()), st.integers(1, 3000), st.sampled_from([None, "working"]))
def test_elapsed_and_status_agree_with_the_oracle(hn: Any, cal: Any, target: int, start: str | None) -> None:
    history, now = hn
    if start is not None and not any(h["state"] == start for h in history):
        start = None
    sla = Sla("s", Duration(f"{target}m", minutes=target), SlaKind.RESOLUTION, start, ("done",), ("waiting",), "c" if cal else None)
    clock = sla_clock(sla, read_history(history), now, {"c": cal} if cal else {})
    minutes, stopped = oracle_elapsed(sla, history, now, cal)
    assert clock.elapsed == dt.timedelta(minutes=minutes)
    over = minutes > target
    if stopped:
        assert clock.status is (SlaStatus.BREACHED if over else SlaStatus.MET)
    elif over:
        assert clock.status is SlaStatus.BREACHED
    else:
        assert clock.status in (SlaStatus.RUNNING, SlaStatus.PAUSED)
    assert clock.breached_by == dt.timedelta(minutes=max(0, minutes - target))
    assert clock.remaining == dt.timedelta(minutes=max(0, target - minutes))
    if over:  # it fell due when the elapsed time reached the target
        assert clock.due is not None and clock.due <= now
    elif clock.status is SlaStatus.RUNNING:
        assert clock.due is not None and clock.due >= now


RESOLUTION_WD = Sla("resolution", Duration("1wd", working_days=1), SlaKind.RESOLUTION, None, ("done",), ("waiting",), "service_hours")


def clock_of(sla: Sla, history: list[dict[str, Any]], now: str) -> Any:
    return sla_clock(sla, read_history(history), sh(now), {"service_hours": SH})


def test_created_outside_hours_counts_from_the_opening() -> None:
    c = clock_of(RESOLUTION_WD, [{"state": "new", "at": sh("2026-12-01 20:00")}], "2026-12-02 11:00")
    assert c.elapsed == dt.timedelta(hours=2) and c.status is SlaStatus.RUNNING
    assert c.target == dt.timedelta(hours=9) and c.due == sh("2026-12-02 18:00")


def test_a_pause_spanning_a_holiday() -> None:
    history = [
        {"state": "new", "at": sh("2026-09-30 16:00")},
        {"state": "waiting", "at": sh("2026-09-30 17:00")},
        {"state": "working", "at": sh("2026-10-05 10:00")},
    ]
    c = clock_of(RESOLUTION_WD, history, "2026-10-05 12:00")
    assert c.elapsed == dt.timedelta(hours=3)


def test_the_first_stop_counts_when_a_stop_state_is_reached_twice() -> None:
    history = [
        {"state": "new", "at": sh("2026-12-01 09:00")},
        {"state": "done", "at": sh("2026-12-01 11:00")},
        {"state": "working", "at": sh("2026-12-01 12:00")},
        {"state": "done", "at": sh("2026-12-02 18:00")},
    ]
    c = clock_of(RESOLUTION_WD, history, "2026-12-03 09:00")
    assert c.status is SlaStatus.MET and c.elapsed == dt.timedelta(hours=2) and c.stopped == sh("2026-12-01 11:00")


def test_breached_by_in_business_time() -> None:
    history = [{"state": "new", "at": sh("2026-12-01 09:00")}, {"state": "done", "at": sh("2026-12-02 09:17")}]
    c = clock_of(RESOLUTION_WD, history, "2026-12-03 09:00")
    assert c.status is SlaStatus.BREACHED and c.breached_by == dt.timedelta(minutes=17)
    assert c.due == sh("2026-12-01 18:00")


def test_bad_histories_are_errors() -> None:
    with pytest.raises(HistoryError, match="empty"):
        read_history([])
    with pytest.raises(HistoryError, match="timezone-aware"):
        read_history([{"state": "new", "at": "2026-12-01T09:00:00"}])
    with pytest.raises(HistoryError, match="oldest first"):
        read_history([{"state": "a", "at": sh("2026-12-02 09:00")}, {"state": "b", "at": sh("2026-12-01 09:00")}])


def test_a_calendar_with_no_working_hours_is_a_compile_error() -> None:
    from tests.conftest import ROOT

    def errors(calendar: str) -> list[str]:
        files = {p.relative_to(ROOT).as_posix(): p.read_text() for p in ROOT.glob("*/*.yaml") if p.parts[-2] in ("roles", "workflows")}
        files["ticket.yaml"] = (ROOT / "ticket.yaml").read_text().replace("calendars:\n", "calendars:\n" + calendar, 1)
        result = compile_files(files)
        assert not result.ok
        return [f"{d.location}: {d.message}" for d in result.diagnostics]

    got = errors("  closed:\n    timezone: UTC\n    hours: {}\n")
    assert any("hours must not be empty" in m and "ticket.yaml:" in m for m in got), got
    got = errors("  odd:\n    timezone: UTC\n    hours: {mon: '09:00-17:00'}\n    holidays_from: XX\n")
    assert any("no public holidays are known for `XX`" in m for m in got), got


def test_engine_sla_and_due_for_an_email_complaint() -> None:
    engine = rulesengine.load(".")
    ticket = engine.create({"category": "complaint", "tier": "active", "channel": "email", "priority": "P3"})
    history = [{"state": "received", "at": "2026-12-01T17:00:00+08:00"}]
    now = sh("2026-12-02 10:00")
    clocks = {c.name: c for c in engine.sla(ticket, history, now)}
    assert clocks["first_response_live"].status is SlaStatus.NOT_APPLICABLE
    email = clocks["first_response_email"]
    assert email.status is SlaStatus.RUNNING and email.elapsed == dt.timedelta(hours=2)
    assert email.due == sh("2026-12-02 17:00")
    report = engine.due(ticket, history, now)
    timer = next(i for i in report.items if i.kind.value == "timer")
    # 80% of the first-response working day (9 h): 7 h 12 min of business time after 17:00
    assert timer.due == sh("2026-12-02 15:12") and not timer.overdue
    assert timer.decision is not None and timer.decision.next_state == "supervisor_intervention"
    assert report.next == sh("2026-12-02 15:12") and report.to_fire == ()
    later = engine.due(ticket, history, sh("2026-12-02 16:00"))
    assert [i.name for i in later.to_fire] == ["timer:1"]
    new, _ = engine.fire(ticket, "timer:1", None)
    assert new["owner"] == "supervisor"


def test_a_live_ticket_is_due_three_minutes_after_creation() -> None:
    engine = rulesengine.load(".")
    ticket = engine.create({"category": "complaint", "tier": "active", "channel": "chat", "priority": "P3"})
    t0 = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    report = engine.due(ticket, [{"state": "received", "at": t0}], t0 + dt.timedelta(minutes=1))
    assert report.next == t0 + dt.timedelta(minutes=3)
    assert {i.name for i in report.items} >= {"timer:0", "first_response_live"}


def test_explain_says_when_a_clock_has_stopped_or_not_started() -> None:
    from rulesengine.analysis.context import Analysis
    from rulesengine.views.explain import explain

    wf = """id: work
name: {en: Work}
initial: new
states:
  new: {}
  working: {}
  after: {}
  done: {final: true}
transitions:
  - {name: start, from: new, to: working, by: handle}
  - {name: next, from: working, to: after, by: handle}
  - {name: finish, from: after, to: done, by: handle}
sla:
  first_response: {target: 1h, stop: working}
  fix: {target: 1d, start: working, stop: done}
"""
    files = {"ticket.yaml": "attributes:\n  category: {values: [task]}\n", "workflows/work.yaml": wf}
    files["roles/a.yaml"] = "id: a\nname: {en: A}\nhandle:\n  - {}\n"
    rs = compile_files(files).ruleset
    assert rs is not None
    runs = Analysis(rs).runs["work"]

    def status(state: str) -> dict[str, str]:
        return {x["name"]: x["status"] for x in explain(rs, runs, state)["classes"][0]["slas"]}

    assert status("new") == {"first_response": "running", "fix": "not started yet"}
    assert status("working") == {"first_response": "stops here", "fix": "starts here"}
    assert status("after") == {"first_response": "stopped before here", "fix": "running"}


def test_simulate_reports_sla_path_lengths_where_timers_make_them_known() -> None:
    from rulesengine.analysis.context import Analysis
    from rulesengine.views.simulate import simulate

    wf = """id: work
name: {en: Work}
initial: new
states:
  new: {}
  answered: {}
  done: {final: true}
transitions:
  - {name: finish, from: answered, to: done, by: handle}
escalations:
  - {in: new, after: 5m, to: lead, goto: answered}
sla:
  first_response: {target: 3m, stop: answered}
  resolution: {target: 1h, stop: done}
"""
    files = {"ticket.yaml": "attributes:\n  category: {values: [task]}\n", "workflows/work.yaml": wf}
    files["roles/agent.yaml"] = "id: agent\nname: {en: Agent}\nhandle:\n  - states: [new]\n"
    files["roles/lead.yaml"] = "id: lead\nname: {en: Lead}\nhandle:\n  - states: [answered]\n"
    rs = compile_files(files).ruleset
    assert rs is not None
    (flow,) = simulate(Analysis(rs))["workflows"][0]["classes"]
    slas = flow["slas"]["shortest"]
    assert slas["first_response"] == {
        "starts": True,
        "stops": True,
        "steps": 1,
        "known_minutes": 5,
        "target": "3m",
        "breached_by_timers": True,
    }
    assert slas["resolution"]["known_minutes"] == 5 and not slas["resolution"]["breached_by_timers"]
    assert flow["shortest"]["known_minutes"] == 5
