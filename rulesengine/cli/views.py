"""``simulate``, ``explain`` and ``matrix``: views built for people, printed or written."""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    EXIT_OK,
    DirArg,
    Lang,
    OutputOpt,
    SetOpt,
    TextJson,
    WorkflowOpt,
    analyse,
    fail,
    known_workflows,
    load_or_exit,
    print_lines,
    ticket_restriction,
    write_output,
)


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

    result = load_or_exit(directory)
    rs = result.ruleset
    wids = known_workflows(rs, workflow)
    _, restrict = ticket_restriction(rs, set_)
    with TerminalProgress(wanted(format.value, output)) as progress:
        an = Analysis(rs, restrict=restrict, workflows=wids, progress=progress)
        doc = walks(an, random_walks, seed) if random_walks else run_sim(an)
    if format is TextJson.json:
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", output)
        raise typer.Exit(EXIT_OK)
    from ..reports.simulate_text import random_text, simulation_text

    lines = random_text(doc) if random_walks else simulation_text(doc, rs)
    if output is not None:
        write_output("\n".join(t for t, _ in lines) + "\n", output)
    else:
        print_lines(lines)
    raise typer.Exit(EXIT_OK)


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

    result = load_or_exit(directory)
    rs = result.ruleset
    known_workflows(rs, [workflow])
    wf = rs.workflows[workflow]
    if state not in wf.states:
        fail(
            f"unknown state `{state}` in workflow `{workflow}`",
            did_you_mean(state, wf.states) or "states: " + ", ".join(f"`{s}`" for s in wf.states),
        )
    _profile, restrict = ticket_restriction(rs, set_)
    an = Analysis(rs, restrict=restrict, workflows=(workflow,))
    if an.index.workflow(workflow).class_count == 0:
        fail(
            f"workflow `{workflow}` does not apply to this ticket",
            f"it applies to: {wf.applies_when.describe()}",
        )
    doc = run_explain(rs, an.runs[workflow], state)
    if format is TextJson.json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        raise typer.Exit(EXIT_OK)
    from ..reports.simulate_text import explain_text

    print_lines(explain_text(doc, rs))
    raise typer.Exit(EXIT_OK)


class MatrixFormat(str, enum.Enum):
    markdown = "markdown"
    csv = "csv"
    html = "html"
    json = "json"


class MatrixBy(str, enum.Enum):
    state = "state"
    category = "category"


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
    from ..reports import matrix as mr
    from ..views import matrix as mx
    from .progress import TerminalProgress, wanted

    with TerminalProgress(wanted(format.value, output)) as progress:
        _, res = analyse(directory, progress)
        try:
            m = mx.build_matrix(res.analysis, res.findings, by=by.value, lang=lang.value)
        except ValueError as exc:
            progress.close()
            fail(str(exc))
    renderers = {
        MatrixFormat.markdown: mr.render_markdown,
        MatrixFormat.csv: mr.render_csv,
        MatrixFormat.html: mr.render_html,
        MatrixFormat.json: mr.render_json,
    }
    write_output(renderers[format](m), output)
    raise typer.Exit(EXIT_OK)
