"""Fuzz at length and count what breaks, rather than stop at the first failure.

    .venv/bin/python -m tests.fuzz.run --cases 20000 --jobs 2
    sh scripts/fuzz.sh 20000              # the same

Each case is a mutated bundled centre (:mod:`tests.fuzz.mutator`) run in-process
through the library (:func:`~tests.fuzz.harness.run_library`); every ``--cli-every``-th
case also runs two commands through the in-process command line and every
``--process-every``-th one a command in a real process.  Workers generate cases with
Hypothesis (generation only, no shrinking) from their own seeds, in chunks, until
``--cases`` cases or ``--minutes`` minutes.

``--replay .fuzz-crashes/<id>`` runs a saved case again, with the same choices.

The summary gives the number of cases, how many compiled to a valid ruleset, the
crashes (exceptions and broken promises of the exit-code and location contract) and
the distinct tracebacks, each with the first case that showed it written to
``.fuzz-crashes/<signature>/`` (the rules files, ``MUTATIONS.txt`` and
``TRACEBACK.txt``).  Exit status: 0 when nothing broke, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from tests.fuzz.harness import CRASHES, ContractViolation, run_cli, run_library, run_subprocess, save_case
from tests.fuzz.mutator import ROOT, Case, cases

CASE_TIMEOUT = 120  # seconds; a case slower than that is reported as a hang


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"a case took more than {CASE_TIMEOUT} s")


def signature(exc: BaseException) -> str:
    """What tells two failures apart: the broken promise, or the exception and where it came from."""
    if isinstance(exc, ContractViolation):
        return f"contract: {exc.kind}"
    if isinstance(exc, Hang):
        return "hang: " + str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/rulesengine/" in f.filename] or frames
    if not ours:
        return type(exc).__name__
    last = ours[-1]
    path = Path(last.filename)
    name = path.relative_to(ROOT).as_posix() if ROOT in path.parents else path.name
    return f"{type(exc).__name__} at {name}:{last.lineno} in {last.name}"


def _slug(sig: str) -> str:
    return hashlib.sha1(sig.encode("utf-8")).hexdigest()[:10]


def _worker(job: tuple[int, int, float, int, int, int, int]) -> dict[str, Any]:
    index, quota, deadline, base_seed, cli_every, process_every, max_mutations = job
    signal.signal(signal.SIGALRM, _alarm)
    stats: dict[str, Any] = {"cases": 0, "valid": 0, "cli": 0, "process": 0, "crashes": 0, "found": {}}
    tmp_root = Path(tempfile.mkdtemp(prefix=f"rulesengine-fuzz-{index}-"))

    def record(exc: BaseException, case: Case, where: str) -> None:
        sig = signature(exc)
        stats["crashes"] += 1
        seen = stats["found"].setdefault(sig, {"count": 0, "where": where, "dir": None, "traceback": None})
        seen["count"] += 1
        if seen["dir"] is None:
            tb = "".join(traceback.format_exception(exc))
            target = save_case(case, _slug(sig))
            (target / "TRACEBACK.txt").write_text(f"{where}\n{tb}", encoding="utf-8")
            seen["dir"] = str(target.relative_to(ROOT))
            seen["traceback"] = tb[-1500:]

    def one(case: Case) -> None:
        if stats["cases"] >= quota or time.time() > deadline:
            return
        stats["cases"] += 1
        n = stats["cases"]
        signal.alarm(CASE_TIMEOUT)
        try:
            try:
                stats["valid"] += run_library(case).valid
            except Exception as exc:
                record(exc, case, "library")
            if cli_every and n % cli_every == 0:
                stats["cli"] += 1
                try:
                    run_cli(case, tmp_root / str(n), count=2)
                except Exception as exc:
                    record(exc, case, "cli")
                shutil.rmtree(tmp_root / str(n), ignore_errors=True)
            if process_every and n % process_every == 0:
                stats["process"] += 1
                try:
                    run_subprocess(case, tmp_root / f"p{n}", count=1)
                except Exception as exc:
                    record(exc, case, "process")
                shutil.rmtree(tmp_root / f"p{n}", ignore_errors=True)
        except Hang as exc:
            record(exc, case, "hang")
        finally:
            signal.alarm(0)

    chunk = 0
    while stats["cases"] < quota and time.time() < deadline:
        size = min(500, quota - stats["cases"])
        test = settings(
            max_examples=size,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )(given(cases(max_mutations=max_mutations))(one))
        hypothesis_seed(base_seed * 1_000_003 + index * 10_007 + chunk)(test)()
        chunk += 1
    shutil.rmtree(tmp_root, ignore_errors=True)
    return stats


def replay(directory: Path) -> int:
    """Run a saved case again (library, in-process CLI, a real process); print what breaks."""
    files: dict[str, str | bytes] = {}
    for p in sorted(directory.rglob("*")):
        if p.is_file() and p.suffix in (".yaml", ".yml"):
            files[p.relative_to(directory).as_posix()] = p.read_bytes()
    notes = (directory / "MUTATIONS.txt").read_text(encoding="utf-8").splitlines()
    seed = int(notes[-1].split(":")[1]) if notes and notes[-1].startswith("seed:") else 0
    case = Case(files, [n for n in notes if not n.startswith("seed:")], seed)
    broken = 0
    with tempfile.TemporaryDirectory(prefix="rulesengine-replay-") as tmp:
        for name, run in (
            ("library", lambda: run_library(case)),
            ("cli", lambda: run_cli(case, Path(tmp) / "cli", count=2)),
            ("process", lambda: run_subprocess(case, Path(tmp) / "process", count=1)),
        ):
            try:
                print(f"{name}: {run()}")
            except Exception as exc:
                broken += 1
                print(f"{name}: {signature(exc)}")
                traceback.print_exception(exc)
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases to run in all (default 10000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    ap.add_argument("--minutes", type=float, default=0, help="stop after this many minutes (0: no limit)")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100_000, help="base seed (default: the clock)")
    ap.add_argument("--cli-every", type=int, default=4, help="every Nth case also runs the in-process CLI")
    ap.add_argument("--process-every", type=int, default=100, help="every Nth case also runs a real process")
    ap.add_argument("--max-mutations", type=int, default=4, help="data mutations per case, at most (default 4)")
    ap.add_argument("--replay", type=Path, metavar="DIR", help="run the case saved in DIR again and stop")
    a = ap.parse_args(argv)
    if a.replay is not None:
        return replay(a.replay)
    jobs = max(1, min(a.jobs, a.cases))
    deadline = time.time() + a.minutes * 60 if a.minutes else float("inf")
    quotas = [a.cases // jobs + (1 if i < a.cases % jobs else 0) for i in range(jobs)]
    work = [(i, q, deadline, a.seed, a.cli_every, a.process_every, a.max_mutations) for i, q in enumerate(quotas)]
    print(f"fuzzing: {a.cases} cases, {jobs} jobs, seed {a.seed}", flush=True)
    start = time.time()
    CRASHES.mkdir(exist_ok=True)
    if jobs == 1:
        results = [_worker(work[0])]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_worker, work)
    took = time.time() - start
    total = {k: sum(r[k] for r in results) for k in ("cases", "valid", "cli", "process", "crashes")}
    found: dict[str, dict[str, Any]] = {}
    for r in results:
        for sig, info in r["found"].items():
            if sig in found:
                found[sig]["count"] += info["count"]
            else:
                found[sig] = dict(info)
    n = total["cases"]
    print(
        f"cases: {n} in {took:.0f} s ({n / took if took else 0:.1f}/s); valid rulesets: {total['valid']}"
        f" ({100 * total['valid'] / n if n else 0:.0f}%); in-process CLI runs: {total['cli']};"
        f" real processes: {total['process']}"
    )
    print(f"crashes: {total['crashes']}, distinct tracebacks: {len(found)}")
    for sig, info in sorted(found.items(), key=lambda kv: -kv[1]["count"]):
        print(f"  {info['count']:>6}  {sig}  [{info['where']}]  → {info['dir']}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
