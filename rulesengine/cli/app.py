"""The ``rulesengine`` command line: a thin shell over the library.

Each command parses its arguments, calls the library, prints and exits with the
contract's code: 0 clean, 1 findings at or above ``--fail-on``, 2 invalid
configuration, unreadable input or usage error; :mod:`.cli_runtime` adds 3 for an
internal error and 130 for Ctrl-C, whatever happens inside.
"""

from __future__ import annotations

import enum
import gc
import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

from . import runtime as cli_runtime

cli_runtime.guard_startup()  # Ctrl-C while the imports below run still exits 130

import typer  # noqa: E402

app = typer.Typer(
    name="rulesengine",
    help="Responsibility and workflow rules for customer-service centres: validate, check, simulate, explain, draw.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"rulesengine {__version__}\n")
        raise typer.Exit(0)


_DEBUG = {"on": False}


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of an internal error (also: RULESENGINE_DEBUG=1)."),
    ] = False,
) -> None:
    """Responsibility and workflow rules for customer-service centres."""
    _DEBUG["on"] = debug


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2


class TextJson(str, enum.Enum):
    text = "text"
    json = "json"


DirArg = Annotated[
    Path,
    typer.Argument(help="Rules directory (holds roles/ and workflows/).", show_default=True),
]


def _console(stderr: bool = False) -> object:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _print_lines(lines: list[tuple[str, str | None]], stderr: bool = False) -> None:
    from rich.text import Text

    con = _console(stderr)
    for text, style in lines:
        con.print(Text(text, style=style or ""))  # type: ignore[attr-defined]


def _fail(message: str, help: str | None = None) -> NoReturn:
    lines: list[tuple[str, str | None]] = [(f"error: {message}", "bold red")]
    if help:
        lines.append((f"  help: {help}", "green"))
    _print_lines(lines, stderr=True)
    raise typer.Exit(EXIT_INVALID)


def _write_output(text: str, output: Path | None) -> None:
    """Write a report; a regular file is replaced atomically, never half-written."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        if output.is_dir():
            _fail(f"`{output}` is a directory", "give a file name for the report")
        if output.exists() and not output.is_file():
            # a device or pipe (e.g. /dev/stdout, /dev/null): write straight through
            with output.open("w", encoding="utf-8") as fh:
                fh.write(text)
            return
        tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        _fail(f"cannot write `{output}`: {exc.strerror or exc}")


@app.command()
def validate(
    directory: DirArg = Path("."),
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")] = None,
) -> None:
    """Load, schema-check and compile a rules directory; print every error with its location."""
    from ..compile.compiler import load_rules
    from ..diagnostics import has_errors, summary
    from ..reports.text import json_text, text_lines
    from ..text import plural

    result = load_rules(directory)
    diags = result.diagnostics
    if format is TextJson.json:
        extra = {"valid": result.ok, "stage": result.stage}
        _write_output(json_text(diags, extra), output)
    else:
        lines = text_lines(diags, directory)
        counts = summary(diags)
        if result.ok and result.ruleset is not None:
            rs = result.ruleset
            lines.append(
                (
                    f"valid: {len(rs.roles)} roles, {len(rs.workflows)} workflows, "
                    f"{len(rs.attributes)} attributes, {len(rs.calendars)} calendars"
                    + (f" ({plural(counts['warning'], 'warning')})" if counts["warning"] else ""),
                    "bold green",
                )
            )
        else:
            lines.append(
                (
                    f"invalid: {plural(counts['error'], 'error')}"
                    + (f", {plural(counts['warning'], 'warning')}" if counts["warning"] else "")
                    + f" (stopped at stage `{result.stage}`)",
                    "bold red",
                )
            )
        if output is not None:
            _write_output("\n".join(t for t, _ in lines) + "\n", output)
        else:
            _print_lines(lines)
    raise typer.Exit(EXIT_INVALID if has_errors(diags) or not result.ok else EXIT_OK)


@app.command()
def schema(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the schemas to.")] = Path(
        "schemas"
    ),
) -> None:
    """Write the JSON Schemas of the rules format, for editors' autocompletion and checks."""
    from ..source.schema_defs import all_schemas, schema_filename

    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot create `{output}`: {exc.strerror or exc}")
    written = []
    for kind, sch in all_schemas().items():
        path = output / schema_filename(kind)
        _write_output(json.dumps(sch, indent=2, ensure_ascii=False) + "\n", path)
        written.append(path)
    _print_lines([(f"wrote {p}", None) for p in written])


class Lang(str, enum.Enum):
    en = "en"
    zh = "zh"


class ReportFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
    html = "html"


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Report format.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")]
FailOnOpt = Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")]
SelectOpt = Annotated[
    list[str] | None, typer.Option("--select", help="Run only these rules (codes or names; repeatable).")
]
IgnoreOpt = Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules (codes or names).")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Fix a ticket attribute, e.g. --set tier=vip (repeatable).")
]
WorkflowOpt = Annotated[list[str] | None, typer.Option("--workflow", "-w", help="Only this workflow (repeatable).")]
DepthOpt = Annotated[
    int, typer.Option("--max-escalation-depth", min=1, help="Longest escalation chain allowed (rule RE206).")
]


def _load_or_exit(directory: Path, fmt: str = "text", output: Path | None = None):  # type: ignore[no-untyped-def]
    """Compile the rules directory; on errors print them (in ``fmt``) and exit 2."""
    from ..compile.compiler import load_rules
    from ..reports.text import json_text, text_lines

    result = load_rules(directory)
    if result.ok:
        return result
    if fmt == "json":
        _write_output(json_text(result.diagnostics, {"valid": False, "stage": result.stage}), output)
    elif fmt == "html":
        from ..reports.html import render_html_validation

        _write_output(render_html_validation(result.diagnostics, str(directory)), output)
    elif fmt in ("sarif", "junit", "markdown"):
        _write_output(_render(fmt, result.diagnostics, [], directory, "rulesengine validate"), output)
    else:
        lines = text_lines(result.diagnostics, directory)
        lines.append(("invalid rules: fix the errors above first", "bold red"))
        _print_lines(lines, stderr=output is None)
    raise typer.Exit(EXIT_INVALID)


def _render(fmt: str, findings: list, rules: list, root: Path, title: str, extra: dict | None = None) -> str:  # type: ignore[type-arg]
    from .. import __version__
    from ..reports.text import json_text

    if fmt == "json":
        return json_text(findings, extra)
    if fmt == "sarif":
        from ..reports.sarif import render_sarif

        return render_sarif(findings, rules, str(root), __version__)
    if fmt == "junit":
        from ..reports.junit import render_junit

        return render_junit(findings, rules, title)
    from ..reports.markdown import render_markdown

    return render_markdown(findings, rules, title, extra)


def _restrict(ruleset, sets: list[str] | None):  # type: ignore[no-untyped-def]
    from ..model.profiles import ProfileError, parse_assignments, profile_condition

    try:
        profile = parse_assignments(ruleset, sets or [])
    except ProfileError as exc:
        _fail(str(exc), "values come from `ticket.yaml`; write --set attribute=value")
    return profile, (profile_condition(profile, ruleset) if profile else None)


def _workflows(ruleset, wanted: list[str] | None) -> tuple[str, ...] | None:  # type: ignore[no-untyped-def]
    from ..text import did_you_mean

    if not wanted:
        return None
    for w in wanted:
        if w not in ruleset.workflows:
            hint = did_you_mean(w, ruleset.workflows)
            known = ", ".join(f"`{x}`" for x in ruleset.workflows)
            _fail(f"unknown workflow `{w}`", hint or f"known workflows: {known}")
    return tuple(dict.fromkeys(wanted))


def _analyse(directory: Path, progress=None):  # type: ignore[no-untyped-def]
    """Compile (exit 2 on errors) and run every rule; the drawing commands show the findings."""
    from ..analysis.context import Analysis
    from ..reports.text import text_lines
    from ..rules.run import check_ruleset

    result = _load_or_exit(directory)
    rs = result.ruleset
    res = check_ruleset(rs, result.suppressions, analysis=Analysis(rs, progress=progress))
    if not res.ok:
        _print_lines(text_lines(res.invalid, directory), stderr=True)
        raise typer.Exit(EXIT_INVALID)
    assert res.analysis is not None
    return rs, res


@app.command()
def check(
    directory: DirArg = Path("."),
    format: FormatOpt = ReportFormat.text,
    output: OutputOpt = None,
    fail_on: FailOnOpt = FailOn.error,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    max_escalation_depth: DepthOpt = 3,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the HTML report's labels.")] = Lang.en,
) -> None:
    """Validate, then run every rule over the exhaustive flow simulation."""
    from ..analysis.context import Analysis, Options
    from ..diagnostics import sort_diagnostics, summary
    from ..reports.text import text_lines
    from ..rules.run import SelectionError, check_ruleset, fails, select_rules
    from ..text import plural
    from .progress import TerminalProgress, wanted

    try:
        rules = select_rules(select or [], ignore or [])
    except SelectionError as exc:
        _fail(str(exc), "`rulesengine rules` lists the rules")
    result = _load_or_exit(directory, format.value, output)
    rs = result.ruleset
    options = Options(max_escalation_depth=max_escalation_depth)
    with TerminalProgress(wanted(format.value, output)) as progress:
        an = Analysis(rs, options, progress=progress)
        res = check_ruleset(rs, result.suppressions, rules, options, an)
        report = None
        if res.ok and format is ReportFormat.html:
            from ..reports.html import render_html_report

            findings = sort_diagnostics(list(result.diagnostics) + res.findings)
            report = render_html_report(
                res, rs, str(directory), lang=lang.value, findings=findings, fail_on=fail_on.value
            )
    if not res.ok:
        _print_lines(text_lines(res.invalid, directory), stderr=True)
        raise typer.Exit(EXIT_INVALID)
    findings = sort_diagnostics(list(result.diagnostics) + res.findings)
    extra = {
        "rules_run": [r.code for r in rules],
        "suppressed": len(res.suppressed),
    }
    if format is ReportFormat.text:
        lines = text_lines(findings, directory)
        counts = summary(findings)
        verdict = (
            "clean"
            if not findings
            else f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {counts['info']} info"
        )
        style = "bold green" if not fails(findings, fail_on.value) else "bold red"
        lines.append(
            (
                f"{verdict}: {len(rules)} rules over {len(rs.workflows)} workflows and {len(rs.roles)} roles"
                + (f"; {len(res.suppressed)} suppressed" if res.suppressed else ""),
                style,
            )
        )
        if output is not None:
            _write_output("\n".join(t for t, _ in lines) + "\n", output)
        else:
            _print_lines(lines)
    elif report is not None:
        _write_output(report, output)
    else:
        _write_output(_render(format.value, findings, rules, directory, "rulesengine check", extra), output)
    raise typer.Exit(EXIT_FINDINGS if fails(findings, fail_on.value) else EXIT_OK)


@app.command()
def simulate(
    directory: DirArg = Path("."),
    workflow: WorkflowOpt = None,
    set_: SetOpt = None,
    random_walks: Annotated[int, typer.Option("--random", min=0, help="Run N random walks per workflow.")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random walks.")] = 0,
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
    output: OutputOpt = None,
) -> None:
    """Show the exhaustive flow simulation: paths, owners per step, hand-offs, escalation depth."""
    from ..analysis.context import Analysis
    from ..views.simulate import random_walks as walks
    from ..views.simulate import simulate as run_sim
    from .progress import TerminalProgress, wanted

    result = _load_or_exit(directory)
    rs = result.ruleset
    wids = _workflows(rs, workflow)
    _, restrict = _restrict(rs, set_)
    with TerminalProgress(wanted(format.value, output)) as progress:
        an = Analysis(rs, restrict=restrict, workflows=wids, progress=progress)
        doc = walks(an, random_walks, seed) if random_walks else run_sim(an)
    if format is TextJson.json:
        _write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        raise typer.Exit(EXIT_OK)
    from ..reports.simulate_text import random_text, simulation_text

    lines = random_text(doc) if random_walks else simulation_text(doc, rs)
    if output is not None:
        _write_output("\n".join(t for t, _ in lines) + "\n", output)
    else:
        _print_lines(lines)
    raise typer.Exit(EXIT_OK)


@app.command()
def explain(
    directory: DirArg = Path("."),
    workflow: Annotated[str, typer.Option("--workflow", "-w", help="Workflow id.")] = ...,  # type: ignore[assignment]
    state: Annotated[str, typer.Option("--state", "-s", help="State id.")] = ...,  # type: ignore[assignment]
    set_: SetOpt = None,
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
) -> None:
    """Who owns a ticket in a state, who may fire what, and which grant (file:line) decides."""
    from ..analysis.context import Analysis
    from ..text import did_you_mean
    from ..views.explain import explain as run_explain

    result = _load_or_exit(directory)
    rs = result.ruleset
    _workflows(rs, [workflow])
    wf = rs.workflows[workflow]
    if state not in wf.states:
        _fail(
            f"unknown state `{state}` in workflow `{workflow}`",
            did_you_mean(state, wf.states) or "states: " + ", ".join(f"`{s}`" for s in wf.states),
        )
    _profile, restrict = _restrict(rs, set_)
    an = Analysis(rs, restrict=restrict, workflows=(workflow,))
    if an.index.workflow(workflow).class_count == 0:
        _fail(
            f"workflow `{workflow}` does not apply to this ticket",
            f"it applies to: {wf.applies_when.describe()}",
        )
    doc = run_explain(rs, an.runs[workflow], state)
    if format is TextJson.json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        raise typer.Exit(EXIT_OK)
    from ..reports.simulate_text import explain_text

    _print_lines(explain_text(doc, rs))
    raise typer.Exit(EXIT_OK)


class TestFormat(str, enum.Enum):
    text = "text"
    json = "json"
    junit = "junit"


@app.command("test")
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

    result = _load_or_exit(directory)
    rs = result.ruleset
    files, diags = read_scenario_files(directory)
    scenarios, problems = load_scenarios(rs, files)
    problems = diags + problems
    if problems:
        lines = diag_lines(problems, directory)
        lines.append(("invalid scenarios: fix the errors above first", "bold red"))
        _print_lines(lines, stderr=True)
        raise typer.Exit(EXIT_INVALID)
    engine = Engine.from_ruleset(rs, result.suppressions)
    run = run_scenarios(engine, scenarios, keyword)
    if not run.results:
        where = f"matching `{keyword}` " if keyword else ""
        _fail(f"no scenarios {where}in `{directory / 'scenarios'}`", "write one in scenarios/*.yaml (see README)")
    if format is TestFormat.json:
        _write_output(rep.render_json(run), output)
    elif format is TestFormat.junit:
        _write_output(rep.render_junit(run), output)
    elif output is not None:
        _write_output("\n".join(t for t, _ in rep.text_lines(run)) + "\n", output)
    else:
        _print_lines(rep.text_lines(run))
    low = min_coverage is not None and run.coverage.percent < min_coverage
    if low and format is TestFormat.text:
        _print_lines([(f"coverage {run.coverage.percent:.0f}% is below --min-coverage {min_coverage:g}%", "bold red")])
    raise typer.Exit(EXIT_FINDINGS if run.failed or low else EXIT_OK)


@app.command()
def rules(
    code: Annotated[str | None, typer.Argument(help="A rule code or name: print its documentation.")] = None,
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
    write_docs: Annotated[
        Path | None, typer.Option("--write-docs", help="Write one Markdown page per rule into this directory.")
    ] = None,
) -> None:
    """List the built-in rules, or print one rule's page."""
    from ..rules.docs import rule_page
    from ..rules.docs import write_docs as write_pages
    from ..rules.registry import all_rules, find_rule
    from ..text import did_you_mean

    if write_docs is not None:
        try:
            paths = write_pages(write_docs)
        except OSError as exc:
            _fail(f"cannot write `{write_docs}`: {exc.strerror or exc}")
        _print_lines([(f"wrote {len(paths)} pages to {write_docs}", None)])
        raise typer.Exit(EXIT_OK)

    if code is None:
        items = all_rules()
        if format is TextJson.json:
            sys.stdout.write(
                json.dumps(
                    [
                        {"code": r.code, "name": r.name, "severity": r.severity.value, "summary": r.doc.summary}
                        for r in items
                    ],
                    indent=2,
                )
                + "\n"
            )
        else:
            _print_lines([(f"{r.code}  {r.name:<26} {r.severity.value:<8} {r.doc.summary}", None) for r in items])
        raise typer.Exit(EXIT_OK)
    r = find_rule(code)
    if r is None:
        names = [x.name for x in all_rules()] + [x.code for x in all_rules()]
        _fail(f"unknown rule `{code}`", did_you_mean(code, names) or "`rulesengine rules` lists them")
    if format is TextJson.json:
        sys.stdout.write(
            json.dumps({"code": r.code, "name": r.name, "severity": r.severity.value, **r.doc.__dict__}, indent=2)
            + "\n"
        )
    else:
        sys.stdout.write(rule_page(r))
    raise typer.Exit(EXIT_OK)


class RenderFormat(str, enum.Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


@app.command()
def render(
    directory: DirArg = Path("."),
    format: Annotated[
        list[RenderFormat] | None,
        typer.Option("--format", "-f", help="Diagram format (repeatable, e.g. -f svg -f mermaid). Default: svg."),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the diagrams to.")] = Path(
        "diagrams"
    ),
    workflow: WorkflowOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.en,
) -> None:
    """Draw each workflow (owners, permissions, findings overlaid) and the escalation chart."""
    from ..render.output import RenderError, diagrams, render_files, write_all
    from .progress import TerminalProgress, wanted

    with TerminalProgress(wanted(None, output)) as progress:
        rs, res = _analyse(directory, progress)
        wids = _workflows(rs, workflow)
        an = res.analysis
        formats = list(dict.fromkeys(f.value for f in (format or [RenderFormat.svg])))
        try:
            ds = diagrams(an, res.findings, wids, lang.value)
            files: dict[str, bytes] = {}
            for fmt in formats:
                files.update(render_files(ds, fmt, progress))
            written = write_all(files, output)
        except RenderError as exc:
            progress.close()
            _fail(str(exc), exc.help)
    _print_lines([(f"wrote {p}", None) for p in written])
    raise typer.Exit(EXIT_OK)


class MatrixFormat(str, enum.Enum):
    markdown = "markdown"
    csv = "csv"
    html = "html"
    json = "json"


class MatrixBy(str, enum.Enum):
    state = "state"
    category = "category"


@app.command()
def matrix(
    directory: DirArg = Path("."),
    format: Annotated[MatrixFormat, typer.Option("--format", "-f", help="Table format.")] = MatrixFormat.markdown,
    by: Annotated[
        MatrixBy, typer.Option("--by", help="Columns: (workflow, state) cells or categories.")
    ] = MatrixBy.state,
    output: OutputOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.en,
) -> None:
    """The responsibility matrix: who handles (H), coordinates (C), escalates (E) what, with limits."""
    from ..views import matrix as mx
    from .progress import TerminalProgress, wanted

    with TerminalProgress(wanted(format.value, output)) as progress:
        _, res = _analyse(directory, progress)
        try:
            m = mx.build_matrix(res.analysis, res.findings, by=by.value, lang=lang.value)
        except ValueError as exc:
            progress.close()
            _fail(str(exc))
    renderers = {
        MatrixFormat.markdown: mx.render_markdown,
        MatrixFormat.csv: mx.render_csv,
        MatrixFormat.html: mx.render_html,
        MatrixFormat.json: mx.render_json,
    }
    _write_output(renderers[format](m), output)
    raise typer.Exit(EXIT_OK)


# -- rulesengine diff ------------------------------------------------------------------------
class DiffFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="OLD NEW | DIR",
            help="Two rules directories; with --git, one directory DIR (default: .).",
            show_default=False,
        ),
    ] = None,
    git: Annotated[
        str | None, typer.Option("--git", metavar="REV", help="Compare DIR's working tree with git revision REV of it.")
    ] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
    output: OutputOpt = None,
) -> None:
    """Who gained or lost which responsibility between two versions of the rules (exit 1: new errors)."""
    from ..diff import GitError, InvalidSide, diff_dirs, diff_git, diff_json, invalid_json
    from ..reports import diff as dr

    given = list(paths or [])
    if git is not None:
        if len(given) > 1:
            _fail("with --git, give one rules directory", "rulesengine diff [DIR] --git REV")
        try:
            got = diff_git(given[0] if given else Path("."), git)
        except GitError as exc:
            _fail(exc.message, exc.help)
    else:
        if len(given) != 2:
            _fail(
                "give two rules directories: OLD NEW",
                "or compare with a git revision: rulesengine diff [DIR] --git REV",
            )
        got = diff_dirs(given[0], given[1])
    if isinstance(got, list):
        sides: list[InvalidSide] = got
        if format is DiffFormat.json:
            _write_output(json.dumps(invalid_json(sides), indent=2, ensure_ascii=False) + "\n", output)
        elif format is DiffFormat.markdown:
            _write_output(dr.invalid_markdown(sides), output)
        elif output is not None:
            _write_output("\n".join(t for t, _ in dr.invalid_text(sides)) + "\n", output)
        else:
            _print_lines(dr.invalid_text(sides), stderr=True)
        raise typer.Exit(EXIT_INVALID)
    if format is DiffFormat.json:
        _write_output(json.dumps(diff_json(got), indent=2, ensure_ascii=False) + "\n", output)
    elif format is DiffFormat.markdown:
        _write_output(dr.markdown_report(got), output)
    elif output is not None:
        _write_output("\n".join(t for t, _ in dr.text_report(got)) + "\n", output)
    else:
        _print_lines(dr.text_report(got))
    raise typer.Exit(EXIT_FINDINGS if got.new_errors else EXIT_OK)


# -- rulesengine verify-log ------------------------------------------------------------------
@app.command("verify-log")
def verify_log_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE…",
            help="The decision log's files: the rotated ones and the current one, in any order.",
            show_default=False,
        ),
    ],
    head: Annotated[
        str | None,
        typer.Option("--head", metavar="HASH", help="The hash of the log's last record (`DecisionLog.head`)."),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", metavar="FILE", help="The checkpoint the log writes: its count and head."),
    ] = None,
    key_env: Annotated[
        str | None, typer.Option("--key-env", metavar="VAR", help="Environment variable holding the log's key.")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", metavar="FILE", help="File holding the log's key.")
    ] = None,
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
) -> None:
    """Check a decision log: every record there, unchanged, in place (exit 1 says what is wrong, where)."""
    import re

    from ..decisionlog import KeyProblem, LogUnreadable, NeedsKey, read_key, verify_log

    if head is not None and checkpoint is not None:
        _fail("give --head or --checkpoint, not both", "the checkpoint holds the head and the count of records")
    if head is not None and not re.fullmatch(r"[0-9a-f]{64}", head):
        _fail(f"--head `{head}` is not a hash", "give the 64 hex digits `DecisionLog.head` or the checkpoint holds")
    try:
        key = read_key(None, key_env, key_file)
    except KeyProblem as exc:
        _fail(str(exc), "the key is the one the service's DecisionLog was given")
    try:
        result = verify_log(list(files), key=key, head=head, checkpoint=checkpoint)
    except NeedsKey as exc:
        _fail(str(exc), "the log was written with a key: give the same one")
    except LogUnreadable as exc:
        _fail(str(exc), "give the files the decision log wrote (JSON Lines, one record a line)")
    if format is TextJson.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        lines: list[tuple[str, str | None]] = [(f.text(), "red") for f in result.findings]
        lines.append((result.summary(), "bold green" if result.intact else "bold red"))
        _print_lines(lines)
    raise typer.Exit(EXIT_OK if result.intact else EXIT_FINDINGS)


from .audit import audit_command  # noqa: E402

app.command("audit")(audit_command)


def main() -> None:
    """Console-script entry point."""
    # A command is one short batch job that builds a large, long-lived and acyclic
    # model; the cyclic garbage collector would only rescan it again and again (a
    # third of the run time on large organisations).  The process ends right after.
    gc.disable()
    # exit codes 0/1/2, 3 for an internal error, 130 on Ctrl-C: see cli_runtime
    cli_runtime.run(app, lambda: _DEBUG["on"])


if __name__ == "__main__":
    main()
