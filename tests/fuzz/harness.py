"""What the fuzz suite runs on a mutated centre, and the contract it holds each run to.

* :func:`run_library` — in-process through the library: compile (diagnostics, never an
  exception), then on a valid ruleset check, every report format, the matrix (by state
  and by category, four formats), the DOT and Mermaid diagrams, the simulation and
  random walks, ``explain`` at some workflow and state, and the scenario tests.
* :func:`run_cli` — the command line in-process (``typer.testing.CliRunner``):
  ``validate``, ``check``, ``matrix``, ``render`` (DOT and Mermaid), ``simulate``,
  ``explain``, ``test`` and ``diff`` against the centre as shipped, with formats and
  options picked at random; every exit code is 0, 1 or 2 (1 only where findings or
  failures mean it), no exception escapes, no output holds a traceback, JSON parses.
* :func:`run_subprocess` — the same on a real process (``python cli.py``), where an
  internal error would be exit 3.

Every error-severity diagnostic must have a location with line ≥ 1 and column ≥ 1 in a
file of the directory (those about the whole directory excepted).  A broken promise is
a :class:`ContractViolation` whose ``kind`` is stable across cases, so that the long
runner (:mod:`tests.fuzz.run`) can count distinct problems.

The Hypothesis profiles live here too: ``fuzz-quick`` for the normal test suite and
``fuzz-long`` when ``RULESENGINE_FUZZ=long`` (``RULESENGINE_FUZZ_EXAMPLES`` examples per
test, 5,000 by default).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from rulesengine import __version__
from rulesengine.diagnostics import Diagnostic, Severity, has_errors, sort_diagnostics
from tests.fuzz.mutator import ROOT, Case, centre_data

# -- profiles --------------------------------------------------------------------------------
_COMMON: dict[str, Any] = {"deadline": None, "suppress_health_check": list(HealthCheck), "print_blob": True}
settings.register_profile("fuzz-quick", max_examples=100, **_COMMON)
settings.register_profile(
    "fuzz-long", max_examples=int(os.environ.get("RULESENGINE_FUZZ_EXAMPLES", "5000")), database=None, **_COMMON
)
MODE = "long" if os.environ.get("RULESENGINE_FUZZ", "").strip().lower() == "long" else "quick"
PROFILE = settings.get_profile(f"fuzz-{MODE}")


def fuzz_settings(share: float = 1.0) -> settings:
    """The active fuzz profile, with ``share`` of its examples (a slow test runs fewer)."""
    return settings(PROFILE, max_examples=max(1, round(PROFILE.max_examples * share)))


CRASHES = ROOT / ".fuzz-crashes"
CLI = str(ROOT / "cli.py")
CENTRE = str(ROOT)  # the bundled centre as shipped: `diff` compares a mutated copy with it
# about the directory as a whole, not a place in one file
DIRECTORY_CODES = frozenset({"RE020", "RE021"})


class ContractViolation(AssertionError):
    """A promise of the library or the command line was broken; ``kind`` names which."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind + (f"\n{detail}" if detail else ""))
        self.kind = kind


def require(ok: bool, kind: str, detail: str = "") -> None:
    if not ok:
        raise ContractViolation(kind, detail)


def save_case(case: Case, name: str) -> Path:
    """Write ``case`` to ``.fuzz-crashes/NAME`` (replacing it) with a note of how it was made."""
    target = CRASHES / name
    shutil.rmtree(target, ignore_errors=True)
    case.write(target)
    (target / "MUTATIONS.txt").write_text("\n".join(case.log) + f"\nseed: {case.seed}\n", encoding="utf-8")
    return target


# -- the located-diagnostics promise -------------------------------------------------------
def assert_located(diags: Sequence[Diagnostic], files: Mapping[str, Any], stage: str) -> None:
    for x in diags:
        if x.severity is not Severity.ERROR or x.code in DIRECTORY_CODES:
            continue
        loc = x.location
        where = f"{x.code} {x.message!r} at {loc}"
        require(loc is not None, f"{stage}: error {x.code} without a location", where)
        assert loc is not None
        require(loc.file in files, f"{stage}: error {x.code} in a file that does not exist", where)
        require(loc.line >= 1 and loc.column >= 1, f"{stage}: error {x.code} without a line", where)


# -- in-process, through the library -------------------------------------------------------
@dataclass
class Outcome:
    """What a run got to: ``valid`` when the rules compiled, and the steps that ran."""

    valid: bool = False
    stage: str = ""
    findings: int = 0
    steps: list[str] = field(default_factory=list)


def _reports(diags: list[Diagnostic], rules: list[Any], title: str, extra: dict[str, Any] | None) -> None:
    from rulesengine.reports.junit import render_junit
    from rulesengine.reports.markdown import render_markdown
    from rulesengine.reports.sarif import render_sarif
    from rulesengine.reports.text import json_text, text_lines

    text_lines(diags, None)
    json.loads(json_text(diags, extra))
    json.loads(render_sarif(diags, rules, ".", __version__))
    render_junit(diags, rules, title)
    render_markdown(diags, rules, title, extra)


def _known_names() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Workflow → states and attribute → values of the bundled centre, for picking."""
    data = centre_data()
    wfs: dict[str, list[str]] = {}
    for path, doc in data.items():
        if path.startswith("workflows/"):
            wfs[doc["id"]] = list(doc["states"])
    attrs = {a: list(spec.get("values", [])) for a, spec in data["ticket.yaml"]["attributes"].items()}
    return wfs, attrs


KNOWN_WORKFLOWS, KNOWN_ATTRIBUTES = _known_names()
ODD_SETS = ("amount=1e400", "amount=-5", "amount=nan", "tier=ghost", "ghost=1", "amount=", "=x", "tier")


def _assignment(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(ODD_SETS)
    attr = rng.choice(sorted(KNOWN_ATTRIBUTES))
    values = KNOWN_ATTRIBUTES[attr] or ["0", "200", "201", "1500", "10000", "1e15"]
    return f"{attr}={rng.choice(values)}"


def run_library(case: Case) -> Outcome:
    """Run the whole pipeline in-process; raises on any broken promise."""
    from rulesengine.analysis.context import Analysis
    from rulesengine.compile.compiler import compile_files
    from rulesengine.model.profiles import ProfileError, parse_assignments, profile_condition
    from rulesengine.render.output import diagrams, render_files
    from rulesengine.reports import matrix as mr
    from rulesengine.reports.html import render_html_report, render_html_validation
    from rulesengine.reports.simulate_text import explain_text, random_text, simulation_text
    from rulesengine.rules.run import check_ruleset
    from rulesengine.views import matrix as mx
    from rulesengine.views.explain import explain
    from rulesengine.views.simulate import random_walks, simulate

    rng = random.Random(case.seed)
    out = Outcome()
    files: Mapping[str, str | bytes] = case.as_bytes() if rng.random() < 0.7 else case.files
    result = compile_files(files)
    out.stage = result.stage
    assert_located(result.diagnostics, files, "compile")
    if not result.ok:
        require(has_errors(result.diagnostics), "compile: no ruleset and no error")
        _reports(result.diagnostics, [], "rulesengine validate", {"valid": False, "stage": result.stage})
        if rng.random() < 0.1:
            render_html_validation(result.diagnostics, ".")
        out.steps.append("invalid")
        return out
    require(not has_errors(result.diagnostics), "compile: a ruleset despite errors")
    out.valid = True
    rs = result.ruleset
    assert rs is not None
    res = check_ruleset(rs, result.suppressions)
    out.steps.append("check")
    if not res.ok:
        assert_located(res.invalid, files, "suppressions")
        return out
    an = res.analysis
    assert an is not None
    findings = sort_diagnostics(list(result.diagnostics) + res.findings)
    out.findings = len(findings)
    assert_located(findings, files, "check")
    _reports(findings, res.rules, "rulesengine check", {"rules_run": [r.code for r in res.rules]})
    if rng.random() < 0.15:
        render_html_report(res, rs, ".", lang=rng.choice(["en", "zh"]), findings=findings, fail_on="error")
        out.steps.append("html")
    out.steps.append("reports")

    lang = rng.choice(["en", "zh"])
    for by in ("state", "category"):
        if by == "category" and mx.category_attribute_error(rs) is not None:
            try:
                mx.build_matrix(an, res.findings, by=by, lang=lang)
            except ValueError:
                continue
            raise ContractViolation("matrix: by category without a category attribute did not say so")
        m = mx.build_matrix(an, res.findings, by=by, lang=lang)
        mr.render_markdown(m)
        mr.render_csv(m)
        json.loads(mr.render_json(m))
        mr.render_html(m)
    out.steps.append("matrix")

    ds = diagrams(an, res.findings, None, lang)
    render_files(ds, "dot")
    render_files(ds, "mermaid")
    out.steps.append("render")

    sim = Analysis(rs)
    simulation_text(simulate(sim), rs)
    random_text(random_walks(sim, rng.randint(1, 5), rng.randint(0, 1000)))
    out.steps.append("simulate")

    wid = rng.choice(sorted(rs.workflows))
    sid = rng.choice(list(rs.workflows[wid].states))
    sets = [_assignment(rng) for _ in range(rng.randint(0, 2))]
    try:
        profile = parse_assignments(rs, sets)
    except ProfileError:
        profile = {}
    restrict = profile_condition(profile, rs) if profile else None
    one = Analysis(rs, restrict=restrict, workflows=(wid,))
    if one.index.workflow(wid).class_count:
        explain_text(explain(rs, one.runs[wid], sid), rs)
        out.steps.append("explain")

    _scenarios(case, rs, result.suppressions, out)
    return out


def _scenarios(case: Case, rs: Any, suppressions: Any, out: Outcome) -> None:
    from rulesengine.engine import Engine
    from rulesengine.reports import scenarios as rep
    from rulesengine.scenarios import load_scenarios, run_scenarios

    files = {k: v for k, v in case.as_bytes().items() if k.startswith("scenarios/")}
    scenarios, problems = load_scenarios(rs, files)
    assert_located(problems, files, "scenarios")
    if problems or not scenarios:
        return
    run = run_scenarios(Engine.from_ruleset(rs, suppressions), scenarios)
    rep.text_lines(run)
    json.loads(rep.render_json(run))
    rep.render_junit(run)
    out.steps.append("test")


# -- the command line ------------------------------------------------------------------------
# exit 1 means findings (check), failed scenarios (test) or new errors (diff); elsewhere it is never right
EXIT_1_ALLOWED = frozenset({"check", "test", "diff"})


def cli_commands(rng: random.Random, directory: Path, out: Path, count: int) -> list[list[str]]:
    """``count`` command lines over ``directory``, with formats and options picked by ``rng``."""
    d = str(directory)
    wid = rng.choice(sorted(KNOWN_WORKFLOWS))
    sid = rng.choice(KNOWN_WORKFLOWS[wid])
    if rng.random() < 0.1:
        wid = rng.choice(["ghost", "", "\u2028"])
    sets = [x for _ in range(rng.randint(0, 2)) for x in ("--set", _assignment(rng))]
    lang = rng.choice(["en", "zh"])
    make = [
        lambda: ["validate", d, *rng.choice([[], ["--format", "json"]])],
        lambda: [
            "check",
            d,
            "--format",
            rng.choice(["text", "json", "sarif", "junit", "markdown", "html"]),
            *rng.choice([[], ["--fail-on", "warning"], ["--fail-on", "never"], ["--output", str(out / "report")]]),
        ],
        lambda: [
            "matrix",
            d,
            "--format",
            rng.choice(["markdown", "csv", "json", "html"]),
            "--by",
            rng.choice(["state", "category"]),
            "--lang",
            lang,
        ],
        lambda: ["render", d, "-f", "dot", "-f", "mermaid", "-o", str(out / "diagrams"), "--lang", lang],
        lambda: [
            "simulate",
            d,
            *rng.choice([[], ["--random", "3", "--seed", "7"]]),
            *rng.choice([[], ["--format", "json"]]),
            *rng.choice([[], ["--workflow", wid]]),
        ],
        lambda: ["explain", d, "-w", wid, "-s", sid, *sets, *rng.choice([[], ["--format", "json"]])],
        lambda: ["test", d, *rng.choice([[], ["--format", "json"], ["--format", "junit"]])],
        lambda: ["diff", *rng.choice([[CENTRE, d], [d, CENTRE]]), *rng.choice([[], ["--format", "json"]])],
    ]
    return [rng.choice(make)() for _ in range(count)]


def _json_output(args: list[str]) -> bool:
    return "--output" not in args and "json" in args


def check_cli_result(args: list[str], code: int, stdout: str, stderr: str, how: str) -> None:
    cmd = args[0]
    shown = " ".join(args)
    both = stdout + stderr
    require(code != 3, f"{how}: `{cmd}` exit 3 (internal error)", f"{shown}\n{stderr[-2000:]}")
    require(code in (0, 1, 2), f"{how}: `{cmd}` exit {code}", f"{shown}\n{both[-2000:]}")
    require(code != 1 or cmd in EXIT_1_ALLOWED, f"{how}: `{cmd}` exit 1", f"{shown}\n{both[-2000:]}")
    require("Traceback" not in both, f"{how}: `{cmd}` printed a traceback", f"{shown}\n{both[-3000:]}")
    if _json_output(args) and stdout.strip():
        try:
            json.loads(stdout)
        except ValueError as exc:
            raise ContractViolation(f"{how}: `{cmd}` printed JSON that does not parse", f"{shown}\n{exc}") from None


def run_cli(case: Case, workdir: Path, count: int = 2) -> list[tuple[list[str], int]]:
    """Write the case under ``workdir`` and run ``count`` commands in-process."""
    from typer.testing import CliRunner

    from rulesengine.cli.app import app

    rules = case.write(workdir / "rules")
    rng = random.Random(case.seed ^ 0x5F5F)
    runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "RULESENGINE_DEBUG": None})
    done = []
    for args in cli_commands(rng, rules, workdir, count):
        result = runner.invoke(app, args)
        exc = result.exception
        if exc is not None and not isinstance(exc, SystemExit):
            raise exc
        check_cli_result(args, result.exit_code, result.stdout, result.stderr, "cli")
        done.append((args, result.exit_code))
    return done


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RULESENGINE_DEBUG", "PYTHONIOENCODING")}
    env.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    return env


def run_subprocess(case: Case, workdir: Path, count: int = 1) -> list[tuple[list[str], int]]:
    """Write the case under ``workdir`` and run ``count`` commands as real processes."""
    rules = case.write(workdir / "rules")
    rng = random.Random(case.seed ^ 0xA5A5)
    done = []
    for args in cli_commands(rng, rules, workdir, count):
        p = subprocess.run(
            [sys.executable, CLI, *args], capture_output=True, timeout=300, env=subprocess_env(), cwd=workdir
        )
        stdout = p.stdout.decode("utf-8", "replace")
        stderr = p.stderr.decode("utf-8", "replace")
        check_cli_result(args, p.returncode, stdout, stderr, "process")
        done.append((args, p.returncode))
    return done
