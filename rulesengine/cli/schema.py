"""``schema``: the JSON Schemas the project ships, for editors and for the report's readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..reports.report_schema import report_schema
from ..source.schema_defs import Schema, input_schemas, schema_filename
from .common import fail, print_lines, write_output


def all_schemas() -> dict[str, Schema]:
    """Every schema the project ships, by kind: the rules format's and the JSON report's."""
    return {**input_schemas(), "report": report_schema()}


def schema(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the schemas to.")] = Path(
        "schemas"
    ),
) -> None:
    """Write the JSON Schemas of the rules format, for editors' autocompletion and checks."""
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create `{output}`: {exc.strerror or exc}")
    written = []
    for kind, sch in all_schemas().items():
        path = output / schema_filename(kind)
        write_output(json.dumps(sch, indent=2, ensure_ascii=False) + "\n", path)
        written.append(path)
    print_lines([(f"wrote {p}", None) for p in written])
