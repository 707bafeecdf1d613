"""The progress bar of the command line: for long runs on a terminal, and nowhere else.

A large centre takes seconds to check; without a sign of life the user cannot tell a
long run from a hung one.  The analysis reports how it advances through a callback
(:class:`~rulesengine.analysis.context.Step`); this module turns those reports into a
rich progress bar on standard error.  The bar appears only once a run has taken about a
second (a quick check stays as quiet as before), only when the output goes to a
terminal or a file, never with ``--format json``, and it vanishes when the run is done,
so nothing of it ends up in a pipe, a report or a log.  rich is imported only when the
bar is actually drawn, keeping quick commands quick to start.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from ..analysis.context import Step

DELAY = 1.0  # seconds before the bar appears

LABELS = {
    "index": ("Indexing", "workflows"),
    "explore": ("Exploring", "classes"),
    "rules": ("Checking", "rules"),
    "matrix": ("Building the matrix", "columns"),
    "simulate": ("Summarising", "flows"),
    "diagrams": ("Drawing", "diagrams"),
    "audit": ("Auditing", "rows"),
}


def wanted(fmt: str | None = None, output: Path | None = None) -> bool:
    """Whether a command writing ``fmt`` to ``output`` (None: standard output) may show a bar:
    standard error is a terminal, the report does not go down a pipe, and it is not JSON."""
    if fmt == "json":
        return False
    if not _isatty(sys.stderr):
        return False
    return output is not None or _isatty(sys.stdout)


def _clock(seconds: float) -> str:
    """Time since the command started, as the bar shows it: ``0:07``."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class TerminalProgress:
    """A :data:`~rulesengine.analysis.context.ProgressFn` that draws a bar once a run is slow.

    Use it as a context manager around the work, so that the bar is gone before the
    command prints its results.  ``console`` is for tests (a rich console writing to a
    buffer); by default the bar goes to standard error.
    """

    def __init__(self, enabled: bool = True, delay: float = DELAY, console: Any = None) -> None:
        self.enabled = enabled
        self.delay = delay
        self.console = console
        self.started = time.monotonic()
        self._progress: Any = None
        self._task: Any = None
        self._stage: str | None = None

    def __call__(self, step: Step) -> None:
        if not self.enabled:
            return
        if self._progress is None and time.monotonic() - self.started < self.delay:
            return
        label, unit = LABELS.get(step.stage, (step.stage.capitalize(), "steps"))
        if step.stage == "explore" and step.of_workflows:
            label = f"Exploring workflows {step.workflows}/{step.of_workflows}"
        fields = {"description": label, "total": step.total, "completed": step.done}
        if self._progress is None:
            self._progress = self._start()
            self._task = self._progress.add_task(label, total=step.total, completed=step.done, unit=unit)
        elif step.stage != self._stage:
            self._progress.reset(self._task, unit=unit, **fields)
        else:
            self._progress.update(self._task, **fields)
        self._stage = step.stage

    def _start(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn
        from rich.text import Text

        started = self.started

        class Clock(ProgressColumn):
            """Time since the command started (not since the bar appeared)."""

            def render(self, task: Any) -> Text:
                return Text(_clock(time.monotonic() - started))

        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} {task.fields[unit]}"),
            Clock(),
            console=self.console or Console(stderr=True),
            transient=True,
        )
        progress.start()
        return progress

    def close(self) -> None:
        """Take the bar off the terminal (if it was ever shown)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
