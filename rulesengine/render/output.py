"""Turning diagram sources into files: formats, the Graphviz binary, safe writes.

DOT and Mermaid are text and need nothing installed.  SVG, PNG and PDF are made by
Graphviz's ``dot``; when it is missing the caller gets a :class:`RenderError` that says
how to install it and which formats work without it.  Everything is rendered in memory
first and only then written, each file atomically, so a failure never leaves half a set
of diagrams behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..analysis.context import Analysis, ProgressFn, Step
from ..diagnostics import Diagnostic
from .diagrams import FONT, roles_dot, roles_mermaid, source_digest, workflow_dot, workflow_mermaid

TEXT_FORMATS = ("dot", "mermaid")
BINARY_FORMATS = ("svg", "png", "pdf")
FORMATS = BINARY_FORMATS + TEXT_FORMATS
EXTENSIONS = {"dot": "dot", "mermaid": "mmd", "svg": "svg", "png": "png", "pdf": "pdf"}
INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: `sudo apt-get install graphviz fonts-noto-cjk`); "
    "`--format dot` and `--format mermaid` work without it"
)


class RenderError(Exception):
    """A diagram could not be produced; the message says why and what to do."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.help = help


def dot_binary() -> str | None:
    return shutil.which("dot")


def run_dot(source: str, fmt: str) -> bytes:
    """Render DOT source with Graphviz's ``dot``; raises :class:`RenderError`."""
    exe = dot_binary()
    if exe is None:
        raise RenderError(f"Graphviz's `dot` program is needed for `{fmt}` but is not installed", INSTALL_HINT)
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"running `dot` failed: {exc}") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise RenderError(f"`dot` failed: {err[-1] if err else 'exit ' + str(proc.returncode)}")
    return proc.stdout


def render_svg(source: str) -> str:
    """SVG text of a DOT source, stamped with the source's digest (see :func:`source_digest`)."""
    svg = run_dot(source, "svg").decode("utf-8")
    stamp = f"<!-- rulesengine source {source_digest(source)} font {FONT} -->\n"
    head, sep, rest = svg.partition("<svg")
    return head + stamp + sep + rest if sep else stamp + svg


T = TypeVar("T")
R = TypeVar("R")


def in_parallel(fn: Callable[[T], R], items: Sequence[T], progress: ProgressFn | None = None) -> list[R | RenderError]:
    """``fn`` over ``items``, several at a time, results in order; a :class:`RenderError`
    is returned in its item's place rather than raised.

    Drawing is one ``dot`` process per diagram; a large organisation has a hundred, and
    they run side by side on every core instead of one after another.
    """

    def call(item: T) -> R | RenderError:
        try:
            return fn(item)
        except RenderError as exc:
            return exc

    out: list[R | RenderError] = []
    with ThreadPoolExecutor(max_workers=max(1, min(len(items), os.cpu_count() or 1))) as pool:
        for got in pool.map(call, items):  # in order, as each is done
            out.append(got)
            if progress is not None:
                progress(Step("diagrams", len(out), len(items)))
    return out


def render_svgs(sources: Sequence[str], progress: ProgressFn | None = None) -> list[str | RenderError]:
    """:func:`render_svg` of every source, side by side; failures in their places."""
    return in_parallel(render_svg, sources, progress)


@dataclass(frozen=True)
class Diagram:
    name: str  # file stem: a workflow id, or "roles" for the escalation chart
    dot: str
    mermaid: str


def diagrams(
    an: Analysis,
    findings: Iterable[Diagnostic] = (),
    workflows: Iterable[str] | None = None,
    lang: str = "en",
    chart: bool = True,
) -> list[Diagram]:
    """The diagrams of a ruleset: one per workflow, plus (``chart``) the escalation chart."""
    found = list(findings)
    wids = list(workflows) if workflows is not None else list(an.ruleset.workflows)
    out = [Diagram(w, workflow_dot(an, w, found, lang), workflow_mermaid(an, w, found, lang)) for w in wids]
    if chart:
        out.append(Diagram("roles", roles_dot(an, lang), roles_mermaid(an, lang)))
    return out


def render_bytes(d: Diagram, fmt: str) -> bytes:
    if fmt == "dot":
        return d.dot.encode("utf-8")
    if fmt == "mermaid":
        return d.mermaid.encode("utf-8")
    if fmt == "svg":
        return render_svg(d.dot).encode("utf-8")
    return run_dot(d.dot, fmt)


def write_all(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write rendered files into ``out`` (created if needed), each atomically."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create `{out}`: {exc.strerror or exc}") from exc
    if not out.is_dir():
        raise RenderError(f"`{out}` is not a directory")
    if not os.access(out, os.W_OK):
        raise RenderError(f"cannot write to `{out}`: permission denied")
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            final = out / name
            tmp = out / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            staged.append((tmp, final))
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise RenderError(f"cannot write to `{out}`: {exc.strerror or exc}") from exc
    for tmp, final in staged:
        tmp.replace(final)
    return [final for _, final in staged]


def render_files(ds: list[Diagram], fmt: str, progress: ProgressFn | None = None) -> dict[str, bytes]:
    """Every diagram rendered in ``fmt``, by file name, before anything is written."""
    if fmt not in FORMATS:
        raise RenderError(f"unknown format `{fmt}`", f"use one of {', '.join(FORMATS)}")
    if fmt in BINARY_FORMATS and dot_binary() is None:
        raise RenderError(f"Graphviz's `dot` program is needed for `{fmt}` but is not installed", INSTALL_HINT)
    if fmt in TEXT_FORMATS:
        return {f"{d.name}.{EXTENSIONS[fmt]}": render_bytes(d, fmt) for d in ds}
    out: dict[str, bytes] = {}
    for d, got in zip(ds, in_parallel(lambda d: render_bytes(d, fmt), ds, progress), strict=True):
        if isinstance(got, RenderError):
            raise got
        out[f"{d.name}.{EXTENSIONS[fmt]}"] = got
    return out
