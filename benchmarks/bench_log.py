"""Benchmark the decision log: what logging adds to `fire`, and how fast `verify-log` reads a log.

Prints, measured in one run (CPU time next to wall time; min / median over repeats,
the variants interleaved within each repeat so that they share the machine's noise):

1. `fire` per call on the bundled centre, on allowed moves of a realistic mix of tickets
   and actors (`bench_decide.build_mix`): without a log, with a log (no fsync), with a
   keyed log masking the actor's id, and with fsync after every record; the overhead
   of each log over no log and the ratio.  `decide` of an engine with a log (not
   recording decisions) against one without: the log must not slow it down.
2. `verify_log` over a log of N records (200,000; `--quick` 50,000) written through the
   same call `fire` makes, unkeyed and keyed, in process, and `rulesengine verify-log`
   as a command (start-up included).

    .venv/bin/python benchmarks/bench_log.py            # full run (about a minute)
    .venv/bin/python benchmarks/bench_log.py --quick    # smoke run

Targets (exit status 1 when one fails), on CPU time, which a shared machine disturbs
less than wall time: logging adds <= 10 us to a `fire` without fsync (the median of
the differences between each repeat's run with a log and the run without one just
before it); `verify_log` reads >= 200,000 records/s (unkeyed and keyed, median).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_decide import build_mix  # noqa: E402

import rulesengine  # noqa: E402
from rulesengine import Engine, Reason  # noqa: E402
from rulesengine.decisionlog import DecisionLog, canon, verify_log  # noqa: E402

KEY = b"benchmark key: 32 random bytes.."
Request = tuple[Any, Any, Any, Any]


def allowed_requests(engine: Engine, size: int) -> list[Request]:
    """Allowed moves of the decide benchmark's mix (tickets walked to every state, their owners)."""
    mix = build_mix(engine, size=size, tickets=max(200, size // 10), seed=7)
    return [e for e, r in zip(mix.entries, mix.reasons) if r is Reason.ALLOWED]


def timed(fn: Callable[..., Any], requests: Sequence[Request], loops: int) -> tuple[float, float]:
    """(CPU us, wall us) per call of ``fn`` over the requests, ``loops`` times, the collector off."""
    gc.collect()
    gc.disable()
    try:
        c0, w0 = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(loops):
            for t, e, a, g in requests:
                fn(t, e, a, g)
        cpu, wall = time.process_time_ns() - c0, time.perf_counter_ns() - w0
    finally:
        gc.enable()
    n = loops * len(requests)
    return cpu / n / 1000, wall / n / 1000


def interleaved(
    variants: dict[str, Callable[..., Any]], requests: Sequence[Request], repeat: int, loops: int
) -> dict[str, tuple[list[float], list[float]]]:
    out: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in variants}
    for _ in range(repeat):
        for name, fn in variants.items():
            cpu, wall = timed(fn, requests, loops)
            out[name][0].append(cpu)
            out[name][1].append(wall)
    return out


def _stats(xs: list[float]) -> tuple[float, float]:
    return min(xs), statistics.median(xs)


def write_records(log: DecisionLog, engine: Engine, requests: Sequence[Request], n: int) -> None:
    """``n`` records through the call ``fire`` makes (the requests cycled)."""
    prepared = []
    for t, e, a, g in requests:
        d = engine.decide(t, e, a, g)
        prepared.append((t, e, a, g, d, engine.fire(t, e, a, g).history))
    for i in range(n):
        t, e, a, g, d, entry = prepared[i % len(prepared)]
        log.append_fire(t, e, a, g, d, entry)


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.ok = True

    def target(self, what: str, value: float, goal: float, unit: str, higher_is_better: bool = False) -> None:
        met = value >= goal if higher_is_better else value <= goal
        self.ok &= met
        sign = ">=" if higher_is_better else "<="
        self.lines.append(f"{'PASS' if met else 'FAIL'}  {what}: {value:,.2f}{unit} (target {sign} {goal:,}{unit})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smoke run: fewer requests, repeats and records")
    ap.add_argument("--records", type=int, default=None, help="records in the log verified (default 200,000)")
    args = ap.parse_args()
    quick = args.quick
    started = time.perf_counter()
    rep = Report()
    engine = rulesengine.load(ROOT)
    requests = allowed_requests(engine, 1500 if quick else 6000)
    repeat, loops = (3, 1) if quick else (9, 2)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; Python {sys.version.split()[0]}")
    # the usual record's input is most of its cost: say which serialiser wrote it
    serialiser = f"orjson {canon.orjson.__version__}" if canon.ORJSON is not None else "the standard library's encoder"
    print(f"canonical JSON of plain values: {serialiser}")

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        # -- 1. fire with and without a log ----------------------------------------------------
        logs = {
            "log": DecisionLog(tmpd / "plain.jsonl", checkpoint=tmpd / "plain.head"),
            "keyed log, actor.id masked": DecisionLog(tmpd / "keyed.jsonl", key=KEY, mask=["actor.id"]),
            "log with fsync": DecisionLog(tmpd / "fsync.jsonl", fsync=True),
        }
        engines = {name: Engine.from_ruleset(engine.ruleset, decision_log=log) for name, log in logs.items()}
        variants: dict[str, Callable[..., Any]] = {"no log": engine.fire}
        variants.update({name: e.fire for name, e in engines.items() if "fsync" not in name})
        print(f"\n== 1. fire per call, {len(requests)} allowed moves x {loops} loops, {repeat} repeats (us)")
        got = interleaved(variants, requests, repeat, loops)
        synced = interleaved({"log with fsync": engines["log with fsync"].fire}, requests[:200], max(2, repeat // 3), 1)
        got.update(synced)
        base_cpu = _stats(got["no log"][0])
        print(f"{'':<30} {'CPU min':>8} {'CPU med':>8} {'wall min':>8} {'wall med':>8} {'+CPU med':>9} {'ratio':>6}")
        for name, (cpu, wall) in got.items():
            c, w = _stats(cpu), _stats(wall)
            extra = "" if name == "no log" else f" {c[1] - base_cpu[1]:>9.2f} {c[1] / base_cpu[1]:>5.2f}x"
            print(f"{name:<30} {c[0]:>8.2f} {c[1]:>8.2f} {w[0]:>8.2f} {w[1]:>8.2f}{extra}")
        # paired: each repeat's logged run against the run without a log right before it
        over = statistics.median(b - a for a, b in zip(got["no log"][0], got["log"][0]))
        over_wall = statistics.median(b - a for a, b in zip(got["no log"][1], got["log"][1]))
        print(f"logging adds {over:.2f} us CPU ({over_wall:.2f} us wall) to a fire, median of paired repeats")
        rep.target("logging adds to a fire, no fsync (CPU, median of paired repeats)", over, 10.0, " us")
        keyed = statistics.median(b - a for a, b in zip(got["no log"][0], got["keyed log, actor.id masked"][0]))
        print(f"a keyed log masking the actor's id adds {keyed:.2f} us CPU")

        plain_decide = engine.decide
        logged_decide = engines["log"].decide
        dec = interleaved({"decide, no log": plain_decide, "decide, engine with a log": logged_decide}, requests, repeat, 3)
        a, b = _stats(dec["decide, no log"][0])[1], _stats(dec["decide, engine with a log"][0])[1]
        print(f"decide per call: {a:.3f} us without a log, {b:.3f} us with one (ratio {b / a:.2f}x; CPU, median)")
        for log in logs.values():
            log.close()

        # -- 2. verification ------------------------------------------------------------------
        n = args.records or (50_000 if quick else 200_000)
        print(f"\n== 2. verify a log of {n:,} records (records/s; in process: min / median of {3 if quick else 5})")
        print(f"{'':<34} {'CPU best':>10} {'CPU med':>10} {'wall best':>10} {'wall med':>10}")
        for name, key in (("unkeyed", None), ("keyed (HMAC-SHA256)", KEY)):
            path, cp = tmpd / f"v-{name[:5]}.jsonl", tmpd / f"v-{name[:5]}.head"
            log = DecisionLog(path, key=key, checkpoint=cp, checkpoint_every=10_000)
            write_records(log, engine, requests, n)
            log.close()
            size = path.stat().st_size
            cpu, wall = [], []
            for _ in range(3 if quick else 5):
                c0, w0 = time.process_time(), time.perf_counter()
                res = verify_log([path], key=key, checkpoint=cp)
                cpu.append(n / (time.process_time() - c0))
                wall.append(n / (time.perf_counter() - w0))
                assert res.intact and res.records == n, res.summary()
            print(
                f"{'verify_log, ' + name:<34} {max(cpu):>10,.0f} {statistics.median(cpu):>10,.0f} "
                f"{max(wall):>10,.0f} {statistics.median(wall):>10,.0f}   ({size / n:.0f} bytes a record)"
            )
            rep.target(f"verify_log, {name} (CPU, median)", statistics.median(cpu), 200_000, "/s", True)
            if key is None:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                w0 = time.perf_counter()
                p = subprocess.run(
                    [sys.executable, str(ROOT / "cli.py"), "verify-log", str(path), "--checkpoint", str(cp)],
                    capture_output=True,
                    text=True,
                )
                wall_s = time.perf_counter() - w0
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu_s = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                assert p.returncode == 0, p.stdout + p.stderr
                print(
                    f"{'rulesengine verify-log (command)':<34} {n / cpu_s:>10,.0f} {'':>10} {n / wall_s:>10,.0f}"
                    f"   ({cpu_s:.2f} s CPU, {wall_s:.2f} s wall, start-up included)"
                )

    print("\n== targets")
    print("\n".join(rep.lines))
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0 if rep.ok else 1


if __name__ == "__main__":
    sys.exit(main())
