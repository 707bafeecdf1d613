"""``rules``: the built-in rules listed, one rule's page printed, or every page written."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_OK, TextJson, fail, print_lines


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
            fail(f"cannot write `{write_docs}`: {exc.strerror or exc}")
        print_lines([(f"wrote {len(paths)} pages to {write_docs}", None)])
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
            print_lines([(f"{r.code}  {r.name:<26} {r.severity.value:<8} {r.doc.summary}", None) for r in items])
        raise typer.Exit(EXIT_OK)
    r = find_rule(code)
    if r is None:
        names = [x.name for x in all_rules()] + [x.code for x in all_rules()]
        fail(f"unknown rule `{code}`", did_you_mean(code, names) or "`rulesengine rules` lists them")
    if format is TextJson.json:
        sys.stdout.write(
            json.dumps({"code": r.code, "name": r.name, "severity": r.severity.value, **r.doc.__dict__}, indent=2)
            + "\n"
        )
    else:
        sys.stdout.write(rule_page(r))
    raise typer.Exit(EXIT_OK)
