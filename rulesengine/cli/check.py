"""``validate`` and ``check``: the rules compiled, then every analysis rule run over them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    EXIT_FINDINGS,
    EXIT_INVALID,
    EXIT_OK,
    DepthOpt,
    DirArg,
    FailOn,
    FailOnOpt,
    FormatOpt,
    IgnoreOpt,
    Lang,
    OutputOpt,
    ReportFormat,
    SelectOpt,
    TextJson,
    fail,
    load_or_exit,
    print_lines,
    render_report,
    write_output,
)


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
        write_output(json_text(diags, extra), output)
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
            write_output("\n".join(t for t, _ in lines) + "\n", output)
        else:
            print_lines(lines)
    raise typer.Exit(EXIT_INVALID if has_errors(diags) or not result.ok else EXIT_OK)


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
        fail(str(exc), "`rulesengine rules` lists the rules")
    result = load_or_exit(directory, format.value, output)
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
        print_lines(text_lines(res.invalid, directory), stderr=True)
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
            write_output("\n".join(t for t, _ in lines) + "\n", output)
        else:
            print_lines(lines)
    elif report is not None:
        write_output(report, output)
    else:
        write_output(render_report(format.value, findings, rules, directory, "rulesengine check", extra), output)
    raise typer.Exit(EXIT_FINDINGS if fails(findings, fail_on.value) else EXIT_OK)
