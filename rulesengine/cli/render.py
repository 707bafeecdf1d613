"""``render``: the workflow and escalation diagrams, written as files."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_OK, DirArg, Lang, WorkflowOpt, analyse, fail, known_workflows, print_lines


class RenderFormat(str, enum.Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    dot = "dot"
    mermaid = "mermaid"


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
        rs, res = analyse(directory, progress)
        wids = known_workflows(rs, workflow)
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
            fail(str(exc), exc.help)
    print_lines([(f"wrote {p}", None) for p in written])
    raise typer.Exit(EXIT_OK)
