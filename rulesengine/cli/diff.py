"""``diff``: who gained or lost which responsibility between two versions of the rules."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_FINDINGS, EXIT_INVALID, EXIT_OK, OutputOpt, fail, print_lines, write_output


class DiffFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


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
            fail("with --git, give one rules directory", "rulesengine diff [DIR] --git REV")
        try:
            got = diff_git(given[0] if given else Path("."), git)
        except GitError as exc:
            fail(exc.message, exc.help)
    else:
        if len(given) != 2:
            fail(
                "give two rules directories: OLD NEW",
                "or compare with a git revision: rulesengine diff [DIR] --git REV",
            )
        got = diff_dirs(given[0], given[1])
    if isinstance(got, list):
        sides: list[InvalidSide] = got
        if format is DiffFormat.json:
            write_output(json.dumps(invalid_json(sides), indent=2, ensure_ascii=False) + "\n", output)
        elif format is DiffFormat.markdown:
            write_output(dr.invalid_markdown(sides), output)
        elif output is not None:
            write_output("\n".join(t for t, _ in dr.invalid_text(sides)) + "\n", output)
        else:
            print_lines(dr.invalid_text(sides), stderr=True)
        raise typer.Exit(EXIT_INVALID)
    if format is DiffFormat.json:
        write_output(json.dumps(diff_json(got), indent=2, ensure_ascii=False) + "\n", output)
    elif format is DiffFormat.markdown:
        write_output(dr.markdown_report(got), output)
    elif output is not None:
        write_output("\n".join(t for t, _ in dr.text_report(got)) + "\n", output)
    else:
        print_lines(dr.text_report(got))
    raise typer.Exit(EXIT_FINDINGS if got.new_errors else EXIT_OK)
