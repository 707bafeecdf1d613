"""The audit split over several processes gives exactly the result of one process:
the same violations in the same order, the same rejected rows, counts, KPIs, targets
and QA sample, byte for byte in the JSON report."""

from __future__ import annotations

from pathlib import Path

import pytest

import rulesengine
from benchmarks.auditlog import PLANTS, generate
from rulesengine.audit import Version, Versions, audit, parse_since
from rulesengine.audit.parallel import MIN_BYTES, jobs_for
from rulesengine.audit.report import render_json
from rulesengine.audit.sample import Sampler
from rulesengine.audit.targets import load_targets

ROOT = Path(__file__).resolve().parent.parent

# rows no ticket owns (shard 0 reports them) and rows of a ticket rejected by the reader
BAD_ROWS = (
    "T900001,verify,not-a-time,f-1,frontline_agent,,,,,\n"
    "T900002,verify,2026-03-02T10:01:00+08:00,f-1\n"
    ",verify,2026-03-02T10:01:00+08:00,f-1,frontline_agent,,,,,\n"
    "T900003,,2026-03-02T10:01:00+08:00,f-1,frontline_agent,,,,,\n"
    "T900004,create,2026-03-02T10:00:00+08:00,,,refund,golden,chat,P3,10\n"
    "T900004,verify,2026-03-02T10:01:00+08:00,f-1,frontline_agent,,,,,\n"
)


@pytest.fixture(scope="module")
def engine() -> rulesengine.Engine:
    return rulesengine.load(ROOT)


@pytest.fixture(scope="module")
def log_path(tmp_path_factory: pytest.TempPathFactory, engine: rulesengine.Engine) -> Path:
    log = generate(500, seed=11, rates=dict.fromkeys(PLANTS, 0.04), engine=engine)
    path = tmp_path_factory.mktemp("parallel") / "log.csv"
    log.write_csv(path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(BAD_ROWS)
    return path


def _report(path: Path, versions: Versions, jobs: int, **kw) -> str:  # type: ignore[no-untyped-def]
    sampler = Sampler(0.3, seed=7, with_violations=True)
    res = audit(path, versions, jobs=jobs, targets=load_targets(str(ROOT)), sampler=sampler, **kw)
    return render_json(res)


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_audit_is_the_serial_audit(log_path: Path, engine: rulesengine.Engine, jobs: int) -> None:
    versions = Versions([Version(".", engine)])
    serial = _report(log_path, versions, 1)
    assert '"violations": [\n    {' in serial and '"rejected": [\n    {' in serial and '"sample": [' in serial
    assert _report(log_path, versions, jobs) == serial


def test_parallel_audit_with_spilling_and_rules_versions(log_path: Path, engine: rulesengine.Engine) -> None:
    versions = Versions([Version(".", engine), Version("later", engine, parse_since("2026-03-03", None))])
    serial = _report(log_path, versions, 1, budget=200)
    assert _report(log_path, versions, 2, budget=200) == serial


def test_parallel_audit_of_json_lines(tmp_path: Path, engine: rulesengine.Engine) -> None:
    log = generate(200, seed=3, rates=dict.fromkeys(PLANTS, 0.05), engine=engine)
    log.write_jsonl(tmp_path / "log.jsonl")
    versions = Versions([Version(".", engine)])
    assert _report(tmp_path / "log.jsonl", versions, 2) == _report(tmp_path / "log.jsonl", versions, 1)


def test_an_unreadable_log_is_the_same_error_in_parallel(tmp_path: Path, engine: rulesengine.Engine) -> None:
    p = tmp_path / "log.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    versions = Versions([Version(".", engine)])
    one, two = audit(p, versions, jobs=1), audit(p, versions, jobs=2)
    assert one.error is not None and two.error is not None
    assert (two.error.line, two.error.message) == (one.error.line, one.error.message)


def test_small_and_grouped_logs_stay_in_one_process(log_path: Path) -> None:
    assert log_path.stat().st_size < MIN_BYTES
    assert jobs_for(None, log_path, "csv", False) == 1
    assert jobs_for(None, log_path, "csv", True) == 1
    assert jobs_for(3, log_path, "csv", False) == 3
