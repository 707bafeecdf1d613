"""``test``: the scenario tests of ``scenarios/*.yaml`` run through the engine."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    EXIT_OK,
    DirArg,
    OutputOpt,
    fail,
    load_or_exit,
    print_lines,
    write_output,
)


class TestFormat(str, enum.Enum):
    text = "text"
    json = "json"
    junit = "junit"


def test_(
    directory: DirArg = Path("."),
    format: Annotated[TestFormat, typer.Option("--format", "-f", help="Output format.")] = TestFormat.text,
    output: OutputOpt = None,
    keyword: Annotated[
        str | None, typer.Option("-k", help="Only scenarios whose file or name contains this text.")
    ] = None,
    min_coverage: Annotated[
        float | None,
        typer.Option("--min-coverage", min=0, max=100, help="Exit 1 when coverage is below this percentage."),
    ] = None,
) -> None:
    """Run the scenario tests in `scenarios/*.yaml`; ends with `N passed, N failed`.

    Exit codes: 0 all passed, 1 a scenario failed or coverage is below --min-coverage,
    2 no scenarios, invalid scenario files or invalid rules.
    """
    from ..engine import Engine
    from ..reports import scenarios as rep
    from ..reports.text import text_lines as diag_lines
    from ..scenarios import load_scenarios, read_scenario_files, run_scenarios

    result = load_or_exit(directory)
    rs = result.ruleset
    files, diags = read_scenario_files(directory)
    scenarios, problems = load_scenarios(rs, files)
    problems = diags + problems
    if problems:
        lines = diag_lines(problems, directory)
        lines.append(("invalid scenarios: fix the errors above first", "bold red"))
        print_lines(lines, stderr=True)
        raise typer.Exit(EXIT_INVALID)
    engine = Engine.from_ruleset(rs, result.suppressions)
    run = run_scenarios(engine, scenarios, keyword)
    if not run.results:
        where = f"matching `{keyword}` " if keyword else ""
        fail(f"no scenarios {where}in `{directory / 'scenarios'}`", "write one in scenarios/*.yaml (see README)")
    if format is TestFormat.json:
        write_output(rep.render_json(run), output)
    elif format is TestFormat.junit:
        write_output(rep.render_junit(run), output)
    elif output is not None:
        write_output("\n".join(t for t, _ in rep.text_lines(run)) + "\n", output)
    else:
        print_lines(rep.text_lines(run))
    low = min_coverage is not None and run.coverage.percent < min_coverage
    if low and format is TestFormat.text:
        print_lines([(f"coverage {run.coverage.percent:.0f}% is below --min-coverage {min_coverage:g}%", "bold red")])
    raise typer.Exit(EXIT_FINDINGS if run.failed or low else EXIT_OK)
