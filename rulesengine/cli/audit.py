"""``rulesengine audit LOG``: the command line of the log audit.

Parses the options, loads every rules version (exit 2 with their located errors),
calls :func:`rulesengine.audit.audit`, writes the report and exits with the contract's
code: 0 clean, 1 violations at or above ``--fail-on``, 2 a log that cannot be audited
or more rejected rows than ``--max-rejected``.  The library is imported only when the
command runs, so the other commands start as fast as before.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import fail, print_lines, write_output

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID = 0, 1, 2


class AuditFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    csv = "csv"


class AuditFailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _versions(specs: list[str], tz: dt.tzinfo | None):  # type: ignore[no-untyped-def]
    """``DIR`` or ``DIR@DATE`` per --rules: every version loaded, or exit 2 with the errors."""
    from ..audit import Version, VersionError, Versions, parse_since
    from ..engine import RulesInvalid, load
    from ..reports.text import text_lines

    out = []
    for spec in specs or ["."]:
        path, since = spec, None
        head, sep, tail = spec.rpartition("@")
        if sep and head:
            try:
                since = parse_since(tail, tz)
                path = head
            except ValueError:
                if not Path(spec).exists():
                    fail(
                        f"--rules `{spec}`: `{tail}` is not a date",
                        "write DIR@2026-04-01 or DIR@2026-04-01T08:00+08:00",
                    )
        try:
            engine = load(path)
        except RulesInvalid as exc:
            print_lines(text_lines(exc.diagnostics, Path(path)), stderr=True)
            fail(f"the rules in `{path}` are invalid", "`rulesengine validate` shows every error")
        out.append(Version(path, engine, since))
    try:
        return Versions(out)
    except VersionError as exc:
        fail(str(exc))


def _rows_progress(bar, log: Path):  # type: ignore[no-untyped-def]
    """The audit's rows-read callback as steps of the bar; the total is estimated from
    the file's size and the length of its first rows (the count of rows is known only
    at the end)."""
    from ..analysis.context import Step

    try:
        size = log.stat().st_size
        with log.open("rb") as fh:
            head = fh.read(1 << 16)
        total = max(1, size * max(head.count(b"\n") - 1, 1) // max(len(head), 1))
    except OSError:
        total = 1

    def report(rows: int) -> None:
        bar(Step("audit", rows, max(total, rows)))

    return report


def audit_command(
    log: Annotated[Path, typer.Argument(help="The ticket-history log: CSV, JSON Lines or XES.", show_default=False)],
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rules",
            "-r",
            metavar="DIR[@DATE]",
            help="Rules directory (default: .); repeat with @DATE for the versions in force from then on.",
        ),
    ] = None,
    format: Annotated[AuditFormat, typer.Option("--format", "-f", help="Report format.")] = AuditFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")] = None,
    fail_on: Annotated[
        AuditFailOn, typer.Option("--fail-on", help="Exit 1 when a violation is at or above this severity.")
    ] = AuditFailOn.error,
    maps: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="Read COLUMN as FIELD (ticket, activity, time, resource, role, target, state, or an attribute); "
            "activity:VALUE=TRANSITION renames an activity.",
        ),
    ] = None,
    timezone: Annotated[
        str | None, typer.Option("--timezone", metavar="ZONE", help="Time zone of times without a UTC offset.")
    ] = None,
    grouped: Annotated[
        bool, typer.Option("--grouped", help="Each ticket's rows are contiguous: replay them as they end.")
    ] = False,
    max_rejected: Annotated[
        int, typer.Option("--max-rejected", metavar="N", help="Exit 2 when more than N rows are rejected.")
    ] = 0,
    sample: Annotated[
        str | None,
        typer.Option(
            "--sample",
            metavar="SHARE",
            help="Pick a QA sample of this share of tickets (30%), per category and channel.",
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the QA sample: the same seed picks the same tickets.")
    ] = 0,
    sample_violations: Annotated[
        bool, typer.Option("--sample-violations", help="Add every ticket with a violation to the QA sample.")
    ] = False,
    sample_output: Annotated[
        Path | None, typer.Option("--sample-output", help="Write the QA sample as CSV for the inspectors.")
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Processes sharing the tickets (default: one per core, up to 4, for a large CSV or JSON Lines log).",
        ),
    ] = None,
) -> None:
    """Replay a ticket-history log through the rules: who acted without the right, which steps were skipped, which SLAs were breached."""
    from ..audit import FieldMap, LogError, MapError, audit
    from ..audit import report as rep
    from ..audit.targets import load_targets
    from ..diagnostics import Severity

    tz: dt.tzinfo | None = None
    if timezone is not None:
        import zoneinfo

        try:
            tz = zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            fail(f"--timezone `{timezone}` is not a time zone", "give an IANA name such as Asia/Shanghai")
    if not log.exists():
        fail(f"`{log}` does not exist", "give the path of a CSV, JSON Lines or XES log")
    if log.is_dir():
        fail(f"`{log}` is a directory", "give the path of a CSV, JSON Lines or XES log")
    versions = _versions(list(rules or []), tz)
    try:
        fields = FieldMap.parse(maps or [], versions.attributes)
    except MapError as exc:
        fail(f"--map {exc}")
    try:  # the KPI targets beside the rules in force last
        targets = load_targets(versions.all[-1].label)
    except LogError as exc:
        fail(f"{exc.file}:{exc.line}: {exc.message}", exc.help)
    sampler = None
    if sample is not None:
        from ..audit.sample import Sampler, parse_rate

        try:
            sampler = Sampler(parse_rate(sample), seed, sample_violations)
        except ValueError as exc:
            fail(f"--sample {exc}", "write a share such as 30% or 0.3")
    elif sample_output is not None or sample_violations:
        fail("--sample-output and --sample-violations need --sample", "for example --sample 30% --seed 7")
    from .progress import TerminalProgress, wanted

    with TerminalProgress(wanted(format.value, output)) as bar:
        res = audit(
            log,
            versions,
            fields,
            tz,
            grouped=True if grouped else None,
            targets=targets,
            sampler=sampler,
            jobs=jobs,
            progress=_rows_progress(bar, log),
        )
    if res.error is not None:
        e = res.error
        where = f"{e.file}:{e.line}" if e.line else e.file
        lines: list[tuple[str, str | None]] = [(f"{where}: error: {e.message}", "bold red")]
        if e.help:
            lines.append((f"  help: {e.help}", "green"))
        print_lines(lines, stderr=True)
        raise typer.Exit(EXIT_INVALID)
    if sample_output is not None and res.sample is not None:
        write_output(rep.render_sample(res.sample), sample_output)
    if format is AuditFormat.json:
        write_output(rep.render_json(res), output)
    elif format is AuditFormat.csv:
        write_output(rep.render_csv(res), output)
    elif format is AuditFormat.markdown:
        write_output(rep.render_markdown(res), output)
    elif output is not None:
        write_output("\n".join(t for t, _ in rep.text_lines(res)) + "\n", output)
    else:
        print_lines(rep.text_lines(res))
    if len(res.rejected) > max_rejected:
        sys.stderr.write(
            f"error: {len(res.rejected):,} rows rejected (more than --max-rejected {max_rejected}); "
            "their lines and reasons are in the report\n"
        )
        raise typer.Exit(EXIT_INVALID)
    level = None if fail_on is AuditFailOn.never else Severity(fail_on.value)
    raise typer.Exit(EXIT_FINDINGS if res.fails(level) else EXIT_OK)
