"""What every command shares: exit codes, option types, printing, writing a report
atomically, and loading the rules or exiting 2 with their located errors."""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

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


def console(stderr: bool = False) -> object:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_lines(lines: list[tuple[str, str | None]], stderr: bool = False) -> None:
    from rich.text import Text

    con = console(stderr)
    for text, style in lines:
        con.print(Text(text, style=style or ""))  # type: ignore[attr-defined]


def fail(message: str, help: str | None = None) -> NoReturn:
    lines: list[tuple[str, str | None]] = [(f"error: {message}", "bold red")]
    if help:
        lines.append((f"  help: {help}", "green"))
    print_lines(lines, stderr=True)
    raise typer.Exit(EXIT_INVALID)


def write_output(text: str, output: Path | None) -> None:
    """Write a report; a regular file is replaced atomically, never half-written."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        if output.is_dir():
            fail(f"`{output}` is a directory", "give a file name for the report")
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
        fail(f"cannot write `{output}`: {exc.strerror or exc}")


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


def load_or_exit(directory: Path, fmt: str = "text", output: Path | None = None):  # type: ignore[no-untyped-def]
    """Compile the rules directory; on errors print them (in ``fmt``) and exit 2."""
    from ..compile.compiler import load_rules
    from ..reports.text import json_text, text_lines

    result = load_rules(directory)
    if result.ok:
        return result
    if fmt == "json":
        write_output(json_text(result.diagnostics, {"valid": False, "stage": result.stage}), output)
    elif fmt == "html":
        from ..reports.html import render_html_validation

        write_output(render_html_validation(result.diagnostics, str(directory)), output)
    elif fmt in ("sarif", "junit", "markdown"):
        write_output(render_report(fmt, result.diagnostics, [], directory, "rulesengine validate"), output)
    else:
        lines = text_lines(result.diagnostics, directory)
        lines.append(("invalid rules: fix the errors above first", "bold red"))
        print_lines(lines, stderr=output is None)
    raise typer.Exit(EXIT_INVALID)


def render_report(fmt: str, findings: list, rules: list, root: Path, title: str, extra: dict | None = None) -> str:  # type: ignore[type-arg]
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


def ticket_restriction(ruleset, sets: list[str] | None):  # type: ignore[no-untyped-def]
    from ..model.profiles import ProfileError, parse_assignments, profile_condition

    try:
        profile = parse_assignments(ruleset, sets or [])
    except ProfileError as exc:
        fail(str(exc), "values come from `ticket.yaml`; write --set attribute=value")
    return profile, (profile_condition(profile, ruleset) if profile else None)


def known_workflows(ruleset, wanted: list[str] | None) -> tuple[str, ...] | None:  # type: ignore[no-untyped-def]
    from ..text import did_you_mean

    if not wanted:
        return None
    for w in wanted:
        if w not in ruleset.workflows:
            hint = did_you_mean(w, ruleset.workflows)
            known = ", ".join(f"`{x}`" for x in ruleset.workflows)
            fail(f"unknown workflow `{w}`", hint or f"known workflows: {known}")
    return tuple(dict.fromkeys(wanted))


def analyse(directory: Path, progress=None):  # type: ignore[no-untyped-def]
    """Compile (exit 2 on errors) and run every rule; the drawing commands show the findings."""
    from ..analysis.context import Analysis
    from ..reports.text import text_lines
    from ..rules.run import check_ruleset

    result = load_or_exit(directory)
    rs = result.ruleset
    res = check_ruleset(rs, result.suppressions, analysis=Analysis(rs, progress=progress))
    if not res.ok:
        print_lines(text_lines(res.invalid, directory), stderr=True)
        raise typer.Exit(EXIT_INVALID)
    assert res.analysis is not None
    return rs, res
