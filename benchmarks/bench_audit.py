"""Benchmark `rulesengine audit` end to end from a CSV file: events per second, CPU and wall.

Generates (once, cached next to --log) a log of the bundled centre with
`benchmarks/auditlog.py` — simulated agents driving `Engine.fire`, 1% of tickets per
violation kind — then audits it (in as many processes as `audit` picks, or `--jobs`) and
prints, for reading the CSV alone and for the whole audit: wall time, CPU time (this
process and its workers), events per second and peak memory (this process plus each
worker's peak: an upper bound, as forked workers share the loaded rules' pages).

    .venv/bin/python benchmarks/bench_audit.py --events 1000000
    .venv/bin/python benchmarks/bench_audit.py --events 100000 --quick

Targets (issue 15): 1,000,000 events in <= 5 s on this 2-core machine, memory <= 500 MB,
and >= 20x PM4Py token-based replay's events/s on the same log.  PM4Py (AGPL) is never a
dependency: give `--pm4py-python PATH` of an interpreter in a separate environment that
has it, and the same CSV is replayed there against a Petri net discovered from it
(inductive miner), timed the same way; without it that line says it was not measured.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PM4PY = r"""
import sys, time, json
import pandas as pd, pm4py
df = pd.read_csv(sys.argv[1])
df = df[df["concept:name"] != "create"]
df["time:timestamp"] = pd.to_datetime(df["time:timestamp"], utc=True)
log = pm4py.format_dataframe(df, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp")
net, im, fm = pm4py.discover_petri_net_inductive(log)
t0, c0 = time.perf_counter(), time.process_time()
pm4py.conformance_diagnostics_token_based_replay(log, net, im, fm)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "events": len(df)}))
"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the audit's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--log", type=Path, default=Path("/tmp/rulesengine-bench-audit.csv"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="no targets: a smoke run")
    ap.add_argument("--pm4py-python", type=Path, help="an interpreter of a separate environment with pm4py")
    ap.add_argument("--jobs", type=int, help="processes of the audit (default: as `audit` picks)")
    args = ap.parse_args()

    import rulesengine
    from benchmarks.auditlog import PLANTS, generate
    from rulesengine.audit import FieldMap, Version, Versions, audit, read_rows
    from rulesengine.audit.parallel import jobs_for

    log_path = args.log.with_name(f"{args.log.stem}-{args.events}-{args.seed}{args.log.suffix}")
    if not log_path.exists():
        t0 = time.perf_counter()
        tickets = max(1, args.events // 5)
        gen = generate(tickets, seed=args.seed, rates=dict.fromkeys(PLANTS, 0.01))
        gen.write_csv(log_path)
        print(f"generated {len(gen.rows):,} events of {tickets:,} tickets in {time.perf_counter() - t0:.1f} s")
    versions = Versions([Version(str(ROOT), rulesengine.load(ROOT))])

    t0, c0 = time.perf_counter(), _cpu()
    _, rows = read_rows(log_path, FieldMap(), versions.attributes, None)
    n = sum(1 for _ in rows)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    print(f"read CSV:    {n:,} rows  wall {wall:.2f} s  cpu {cpu:.2f} s  {n / wall:,.0f} rows/s")

    jobs = jobs_for(args.jobs, log_path, "csv", False)
    t0, c0 = time.perf_counter(), _cpu()
    res = audit(log_path, versions, jobs=jobs)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    ours = res.read / wall
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if jobs > 1 else 0.0
    peak = _rss_mb() + jobs * kids if jobs > 1 else _rss_mb()
    print(
        f"audit:       {res.read:,} events, {res.tickets:,} tickets, {len(res.violations):,} violations, "
        f"{jobs} process{'es' if jobs > 1 else ''}  wall {wall:.2f} s  cpu {cpu:.2f} s  "
        f"{ours:,.0f} events/s (wall)  {res.read / cpu:,.0f} events/s (cpu)  peak RSS {peak:.0f} MB"
        + (f" ({_rss_mb():.0f} MB + {jobs} workers <= {kids:.0f} MB each)" if jobs > 1 else "")
    )
    ok = True
    if not args.quick:
        per_million = wall * 1_000_000 / max(res.read, 1)
        print(
            f"target: 1,000,000 events <= 5 s: {per_million:.1f} s per million — {'met' if per_million <= 5 else 'MISSED'}"
        )
        print(f"target: memory <= 500 MB: {peak:.0f} MB — {'met' if peak <= 500 else 'MISSED'}")
        ok = per_million <= 5 and peak <= 500
    if args.pm4py_python:
        script = log_path.with_suffix(".pm4py.py")
        script.write_text(PM4PY, encoding="utf-8")
        out = subprocess.run([str(args.pm4py_python), str(script), str(log_path)], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"pm4py: failed: {out.stderr.strip().splitlines()[-1:]}")
        else:
            got = json.loads(out.stdout.strip().splitlines()[-1])
            theirs = got["events"] / got["wall"]
            print(
                f"pm4py token replay: {got['events']:,} events  wall {got['wall']:.2f} s  cpu {got['cpu']:.2f} s  "
                f"{theirs:,.0f} events/s (wall)  {got['events'] / got['cpu']:,.0f} events/s (cpu)"
            )
            print(
                f"ratio: ours {ours / theirs:.1f}x pm4py's events/s (wall, target >= 20x); "
                f"{(res.read / cpu) / (got['events'] / got['cpu']):.1f}x (cpu)"
            )
            ok = ok and ours / theirs >= 20
    else:
        print("pm4py token replay: not measured (give --pm4py-python of an environment that has pm4py)")
    return 0 if ok or args.quick else 1


if __name__ == "__main__":
    sys.exit(main())
