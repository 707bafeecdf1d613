"""``verify-log``: a decision log checked for edits, gaps and reordering."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import EXIT_FINDINGS, EXIT_OK, TextJson, fail, print_lines


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
        fail("give --head or --checkpoint, not both", "the checkpoint holds the head and the count of records")
    if head is not None and not re.fullmatch(r"[0-9a-f]{64}", head):
        fail(f"--head `{head}` is not a hash", "give the 64 hex digits `DecisionLog.head` or the checkpoint holds")
    try:
        key = read_key(None, key_env, key_file)
    except KeyProblem as exc:
        fail(str(exc), "the key is the one the service's DecisionLog was given")
    try:
        result = verify_log(list(files), key=key, head=head, checkpoint=checkpoint)
    except NeedsKey as exc:
        fail(str(exc), "the log was written with a key: give the same one")
    except LogUnreadable as exc:
        fail(str(exc), "give the files the decision log wrote (JSON Lines, one record a line)")
    if format is TextJson.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        lines: list[tuple[str, str | None]] = [(f.text(), "red") for f in result.findings]
        lines.append((result.summary(), "bold green" if result.intact else "bold red"))
        print_lines(lines)
    raise typer.Exit(EXIT_OK if result.intact else EXIT_FINDINGS)
