"""The ``rulesengine`` command line: a thin shell over the library.

Each command parses its arguments, calls the library, prints and exits with the
contract's code: 0 clean, 1 findings at or above ``--fail-on``, 2 invalid
configuration, unreadable input or usage error.
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

app = typer.Typer(
    name="rulesengine",
    help="Responsibility and workflow rules for customer-service centres: validate, check, simulate, explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

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
    if output is None:
        sys.stdout.write(text)
        return
    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        _fail(f"cannot write `{output}`: {exc.strerror or exc}")


@app.command()
def validate(
    directory: DirArg = Path("."),
    format: Annotated[TextJson, typer.Option("--format", "-f", help="Output format.")] = TextJson.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to a file.")] = None,
) -> None:
    """Load, schema-check and compile a rules directory; print every error with its location."""
    from .compiler import load_rules
    from .diagnostics import has_errors, summary
    from .report_text import json_text, text_lines

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
                    + (f" ({counts['warning']} warnings)" if counts["warning"] else ""),
                    "bold green",
                )
            )
        else:
            lines.append(
                (
                    f"invalid: {counts['error']} error{'s' if counts['error'] != 1 else ''}"
                    + (f", {counts['warning']} warnings" if counts["warning"] else "")
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
    from .schema_defs import all_schemas, schema_filename

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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
