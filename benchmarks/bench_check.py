"""Benchmark `rulesengine check` on synthetic organisations of growing size.

Prints, per size, the wall time of a full check (load, schema, compile, exploration,
every rule) in a fresh process, its peak memory, and two ratios measured in the same
run: against a peer (parsing the same YAML files with PyYAML's C loader and nothing
else) and against the previous size (doubling should cost at most 2.3x).  It also times
a cold `rulesengine check` of the bundled centre against a bare Python start-up.

    .venv/bin/python benchmarks/bench_check.py            # 250 .. 2000 roles
    .venv/bin/python benchmarks/bench_check.py --quick    # smaller sizes, for a smoke run

Targets on a 2-core machine: 1,000 roles x 100 workflows x 30 states in <= 5 s; doubling
<= 2.3x; the bundled centre cold in <= 0.6 s; the HTML report of the 1,000-role
organisation <= 10 MB (its time is shown beside that of `check`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synth import make_org  # noqa: E402

CHILD = r"""
import gc, json, resource, sys, time
gc.disable()  # as the command line does
t0 = time.perf_counter()
from rulesengine.compile.compiler import load_rules
from rulesengine.rules.run import run_check
res = load_rules(sys.argv[1])
t1 = time.perf_counter()
check = run_check(res.ruleset)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "analysis": t2 - t1, "total": t2 - t0,
                  "findings": len(check.findings),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PEER = r"""
import sys, time, pathlib, yaml
t0 = time.perf_counter()
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
print(time.perf_counter() - t0)
"""


def _run(code: str, *args: str) -> str:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


def _best(code: str, arg: str, repeat: int) -> dict[str, float]:
    runs = [json.loads(_run(code, arg)) for _ in range(repeat)]
    return min(runs, key=lambda r: r["total"])


def _wall(cmd: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--repeat", type=int, default=2, help="runs per size (the best is kept)")
    args = ap.parse_args()
    sizes = [(125, 12), (250, 25), (500, 50)] if args.quick else [(250, 25), (500, 50), (1000, 100), (2000, 200)]
    states = 30
    print(
        f"{'roles':>6} {'wfs':>5} {'states':>6} {'load s':>7} {'analyse s':>9} {'total s':>8} "
        f"{'peak MB':>8} {'cli s':>6} {'peer s':>7} {'x peer':>7} {'x prev':>7} findings"
    )
    prev = None
    ok = True
    report: tuple[str, bool] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for roles, wfs in sizes:
            d = Path(tmp) / f"org_{roles}"
            make_org(d, roles, wfs, states, seed=1)
            r = _best(CHILD, str(d), args.repeat)
            cli = _wall(
                [str(Path(sys.executable).with_name("rulesengine")), "check", str(d), "-f", "json", "-o", "/dev/null"],
                1,
            )
            peer = min(float(_run(PEER, str(d))) for _ in range(args.repeat))
            growth = r["total"] / prev if prev else float("nan")
            print(
                f"{roles:>6} {wfs:>5} {states:>6} {r['load']:>7.2f} {r['analysis']:>9.2f} {r['total']:>8.2f} "
                f"{r['peak_mb']:>8.0f} {cli:>6.2f} {peer:>7.2f} {r['total'] / peer:>7.1f} {growth:>7.2f} {r['findings']}"
            )
            if prev and growth > 2.3:
                ok = False
                print(f"  !! doubling cost {growth:.2f}x, above the 2.3x target")
            if roles == 1000 and r["total"] > 5.0:
                ok = False
                print(f"  !! {r['total']:.2f} s for 1,000 roles x 100 workflows, above the 5 s target")
            if roles == 1000:
                report = _html_report(d, Path(tmp) / "report.html", cli)
            prev = r["total"]
    exe = str(Path(sys.executable).with_name("rulesengine"))
    cold = _wall([exe, "check", str(ROOT)], 5)
    bare = _wall([sys.executable, "-c", "pass"], 5)
    print(
        f"\ncold `rulesengine check` on the bundled centre: {cold:.3f} s "
        f"(bare python start-up {bare:.3f} s, ratio {cold / bare:.1f}x; target <= 0.6 s)"
    )
    if cold > 0.6:
        ok = False
        print("  !! above the 0.6 s target")
    if report is not None:
        print(report[0])
        ok = ok and report[1]
    return 0 if ok else 1


def _html_report(directory: Path, out: Path, check_s: float) -> tuple[str, bool]:
    """The HTML report of an organisation: its size and time beside those of `check`."""
    exe = str(Path(sys.executable).with_name("rulesengine"))
    wall = _wall([exe, "check", str(directory), "-f", "html", "-o", str(out)], 1)
    mb = out.stat().st_size / 1e6
    line = (
        f"html report of the 1,000-role organisation: {mb:.1f} MB in {wall:.2f} s "
        f"({wall / check_s:.1f}x `check -f json`; target <= 10 MB)"
    )
    if mb > 10:
        line += "\n  !! above the 10 MB target"
    return line, mb <= 10


if __name__ == "__main__":
    sys.exit(main())
