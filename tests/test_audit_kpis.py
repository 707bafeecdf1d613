"""The audit's KPIs: computed here independently from the log's rows, mergeable across
parts of a log, and judged against the centre's targets (``targets.yaml``)."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulesengine
from benchmarks.auditlog import generate
from rulesengine.audit import LogError, Version, Versions, audit
from rulesengine.audit.kpis import Kpis, satisfaction_of
from rulesengine.audit.targets import load_targets

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine() -> rulesengine.Engine:
    return rulesengine.load(ROOT)


@pytest.fixture(scope="module")
def versions(engine: rulesengine.Engine) -> Versions:
    return Versions([Version(".", engine)])


def _by_ticket(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(r["case:concept:name"], []).append(r)
    return out


def _expected(engine: rulesengine.Engine, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The KPIs of a clean log, from its rows and the workflows' final states alone."""
    first: list[float] = []
    resolution: list[float] = []
    transfers = escalations = fcr = resolved = 0
    coordinate = {t.name for wf in engine.ruleset.workflows.values() for t in wf.transitions if t.by.value == "coordinate"}
    raises = {t.name for wf in engine.ruleset.workflows.values() for t in wf.transitions if t.by.value == "escalate"}
    for evs in _by_ticket(rows).values():
        t0 = dt.datetime.fromisoformat(evs[0]["time:timestamp"])
        people = [e for e in evs[1:] if e["org:resource"]]
        if people:
            first.append((dt.datetime.fromisoformat(people[0]["time:timestamp"]) - t0).total_seconds() / 60)
        acts = [e["concept:name"] for e in evs]
        n_t = sum(a in coordinate for a in acts)
        n_e = sum(a in raises or a.startswith("timer:") for a in acts)
        transfers += n_t
        escalations += n_e
        last = evs[-1]
        if last["concept:name"] in ("close",):
            resolved += 1
            resolution.append((dt.datetime.fromisoformat(last["time:timestamp"]) - t0).total_seconds() / 60)
            fcr += n_t == 0 and n_e == 0 and len({e["org:resource"] for e in people}) <= 1
    return {
        "tickets": len(_by_ticket(rows)),
        "first": first,
        "resolution": resolution,
        "transfers": transfers,
        "escalations": escalations,
        "fcr": fcr,
        "resolved": resolved,
    }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.011 * abs(b) + 0.01  # the sketch's 1% relative accuracy, and rounding


def _rank(xs: list[float], q: float) -> float:
    """The q-quantile as the sketch defines it: the value of rank q·(n−1), rounded down."""
    return sorted(xs)[int(q * (len(xs) - 1))]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000))
def test_kpis_agree_with_an_independent_count(tmp_path: Path, engine, versions, seed: int) -> None:  # type: ignore[no-untyped-def]
    log = generate(120, seed=seed, rates={}, engine=engine)
    path = tmp_path / f"log{seed}.csv"
    log.write_csv(path)
    res = audit(path, versions)
    assert res.violations == []
    k = res.kpis.overall.to_json()
    want = _expected(engine, log.rows)
    assert k["tickets"] == want["tickets"]
    assert k["resolved"] == want["resolved"]
    assert k["transfers_per_ticket"] == round(want["transfers"] / want["tickets"], 3)
    assert k["escalations_per_ticket"] == round(want["escalations"] / want["tickets"], 3)
    if want["resolved"]:
        assert k["first_contact_resolution"] == round(want["fcr"] / want["resolved"], 4)
        assert _close(k["resolution"]["median_minutes"], _rank(want["resolution"], 0.5))
        assert _close(k["resolution"]["p90_minutes"], _rank(want["resolution"], 0.9))
    assert k["first_response"]["count"] == len(want["first"])
    if want["first"]:
        assert _close(k["first_response"]["median_minutes"], _rank(want["first"], 0.5))
        assert _close(k["first_response"]["mean_minutes"], statistics.fmean(want["first"]))


def test_kpis_of_two_halves_merge_into_the_kpis_of_the_whole(tmp_path: Path, engine, versions) -> None:  # type: ignore[no-untyped-def]
    log = generate(200, seed=5, rates={}, engine=engine)
    tickets = list(_by_ticket(log.rows))
    half = set(tickets[: len(tickets) // 2])
    whole, a, b = tmp_path / "whole.csv", tmp_path / "a.csv", tmp_path / "b.csv"
    log.write_csv(whole)
    rows = log.rows
    log.rows = [r for r in rows if r["case:concept:name"] in half]
    log.write_csv(a)
    log.rows = [r for r in rows if r["case:concept:name"] not in half]
    log.write_csv(b)
    merged = Kpis()
    merged.merge(audit(a, versions).kpis)
    merged.merge(audit(b, versions).kpis)
    _same(merged.to_json(), audit(whole, versions).kpis.to_json(), "")


def _same(a: Any, b: Any, path: str) -> None:
    """Equal, except that means printed to two decimals may differ in the last one (the
    sums are added in another order)."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _same(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, float) and isinstance(b, float) and path.endswith("mean_minutes"):
        assert abs(a - b) <= 0.011, (path, a, b)
    else:
        assert a == b, (path, a, b)


def test_ratings_are_read_as_people_write_them() -> None:
    assert satisfaction_of("5") is True and satisfaction_of("3") is False
    assert satisfaction_of("85") is True and satisfaction_of("60") is False
    assert satisfaction_of("满意") is True and satisfaction_of("no") is False
    assert satisfaction_of("") is None and satisfaction_of("n/a") is None


def test_the_bundled_targets_are_judged(tmp_path: Path, engine, versions) -> None:  # type: ignore[no-untyped-def]
    targets = load_targets(ROOT)
    assert {t.kpi.value for t in targets} >= {"first_response", "first_contact_resolution", "satisfaction"}
    log = generate(60, seed=3, rates={}, engine=engine)
    log.write_csv(tmp_path / "log.csv")
    doc = audit(tmp_path / "log.csv", versions, targets=targets).to_json()
    judged = {t["kpi"]: t for t in doc["kpis"]["targets"]}
    fr = judged["first_response"]
    assert fr["scope"] == {"channel": ["phone", "chat", "social"]}
    assert fr["met"] == (fr["value"] <= 3)
    assert judged["satisfaction"]["met"] is None  # the generated log carries no ratings


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("targets: {}\n", "a list under `targets:`"),
        ("targets:\n  - {kpi: speed, max: 3m}\n", "unknown KPI `speed`"),
        ("targets:\n  - {kpi: first_response, max: soon}\n", "`soon` is not a duration"),
        ("targets:\n  - {kpi: satisfaction}\n", "exactly one of `max` and `min`"),
        ("targets:\n  - {kpi: satisfaction, min: 90%, when: {shoe: [x]}}\n", "`when` names one of"),
        ("targets: [\n", "targets.yaml"),
    ],
)
def test_bad_targets_are_located_errors(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "targets.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LogError) as exc:
        load_targets(tmp_path)
    assert needle in str(exc.value) and exc.value.line >= 1


def test_the_qa_sample_is_stratified_and_reproducible(tmp_path: Path, engine, versions) -> None:  # type: ignore[no-untyped-def]
    from rulesengine.audit.sample import Sampler

    log = generate(150, seed=11, rates={"unauthorized-actor": 0.05}, engine=engine)
    log.write_csv(tmp_path / "log.csv")
    first = audit(tmp_path / "log.csv", versions, sampler=Sampler(0.3, seed=7)).sample
    again = audit(tmp_path / "log.csv", versions, sampler=Sampler(0.3, seed=7)).sample
    other = audit(tmp_path / "log.csv", versions, sampler=Sampler(0.3, seed=8)).sample
    assert first is not None and first == again and first != other
    # the same picks from the rows in another order (the pick depends on the ids alone)
    log.rows.reverse()
    log.write_csv(tmp_path / "reversed.csv")
    assert audit(tmp_path / "reversed.csv", versions, sampler=Sampler(0.3, seed=7)).sample == first
    # every stratum gives its share, rounded up
    tickets = _by_ticket(log.rows)
    strata: dict[tuple[str, str], int] = {}
    for evs in tickets.values():
        key = (evs[0]["category"], evs[0]["channel"])
        strata[key] = strata.get(key, 0) + 1
    got: dict[tuple[str, str], int] = {}
    for row in first:
        got[(row["category"], row["channel"])] = got.get((row["category"], row["channel"]), 0) + 1
    assert got == {k: -(-3 * n // 10) for k, n in strata.items()}
    # with violations on top: every ticket with one is in the sample
    res = audit(tmp_path / "log.csv", versions, sampler=Sampler(0.3, seed=7, with_violations=True))
    assert res.sample is not None
    assert {v.ticket for v in res.violations} <= {r["ticket"] for r in res.sample}
