"""Finding and loading the files of a rules directory.

A rules directory holds ``roles/`` and ``workflows/`` (one YAML document per file), and
optionally ``ticket.yaml``, ``suppressions.yaml`` and ``policies/`` (compliance
policies).  This module reads the files into memory, loads each with positions and
checks it against its schema; compiling is the next layer's job.  Reading everything up front through one function keeps the rest
testable on in-memory file sets.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import diagnostics as d
from ..diagnostics import Diagnostic, Location
from .loader import MAX_FILE_BYTES, Document, _too_large, load_bytes
from .schema import check_document

YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 20_000


@dataclass
class Sources:
    """The loaded, schema-checked documents of one rules directory."""

    root: str
    ticket: Document | None = None
    roles: list[Document] = field(default_factory=list)
    workflows: list[Document] = field(default_factory=list)
    suppressions: Document | None = None
    files: list[str] = field(default_factory=list)
    policies: list[Document] = field(default_factory=list)
    unloadable: list[str] = field(default_factory=list)  # files not readable as YAML: the load stage failed


def _kind_of(rel: str) -> str | None:
    parts = rel.split("/")
    name = parts[-1]
    if not name.endswith(YAML_SUFFIXES):
        return None
    if len(parts) == 1:
        stem = name.rsplit(".", 1)[0]
        if stem == "ticket":
            return "ticket"
        if stem == "suppressions":
            return "suppressions"
        return None
    if parts[0] == "roles":
        return "role"
    if parts[0] == "workflows":
        return "workflow"
    if parts[0] == "policies":
        return "policy"
    return None


def describe(path: Path) -> str | None:
    """What a path is when it is not a regular file (or a link to one); None when it is."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    link = ""
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return f"a symbolic link to `{target}`, which does not exist"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return f"a symbolic link to `{target}` that loops back on itself"
            return f"a symbolic link to `{target}`, which cannot be read ({exc.strerror or exc})"
        link = f"a symbolic link to `{target}`, "
    if stat.S_ISREG(mode):
        return None
    for test, what in _KINDS:
        if test(mode):
            return link + what
    return link + "not a regular file"


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _wrong_type(rel: str, what: str, wanted: str = "a YAML file") -> Diagnostic:
    if what.startswith("a symbolic link") and what.endswith(("exist", "itself", ")")):
        return d.WRONG_FILE_TYPE(
            f"`{rel}` is {what}",
            Location(rel),
            help="point the link at an existing rules file, or replace it with the file itself",
        )
    if what.endswith("a directory") and wanted != "a directory":
        advice = "rename the directory or move it out of the rules directory"
    else:
        advice = "rules are read from regular files; replace it with one, or move it out of the rules directory"
    return d.WRONG_FILE_TYPE(f"`{rel}` is {what}, not {wanted}", Location(rel), help=advice)


def _read_regular(path: Path) -> bytes:
    """Read a file that must be regular; never blocks on a pipe swapped in meanwhile."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return fh.read(MAX_FILE_BYTES + 1)


def _entries(base: Path, root: Path, diags: list[Diagnostic]) -> list[Path]:
    """Every entry under ``base`` but hidden ones, sorted; unreadable folders are errors."""

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else base.name
        diags.append(d.READ_ERROR(f"cannot read directory `{where}`: {exc.strerror or exc}", Location(where)))

    out: list[Path] = []
    for folder, dirs, names in os.walk(base, onerror=unreadable):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        out.extend(Path(folder) / x for x in dirs + names if not x.startswith("."))
    return sorted(out)


def read_rules_dir(path: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Read the rule files of a directory into memory, keyed by relative posix path.

    Anything at a place where a rule file is expected that is not a regular file (a
    directory named ``ticket.yaml``, a dangling symbolic link, a named pipe) is an
    error that says what it is, never silently skipped.
    """
    root = Path(path)
    if not root.exists():
        return {}, [d.NOT_A_DIRECTORY(f"rules directory `{root}` does not exist", Location(str(root)))]
    if not root.is_dir():
        return {}, [
            d.NOT_A_DIRECTORY(
                f"`{root}` is not a directory",
                Location(str(root)),
                help="pass a rules directory holding `roles/` and `workflows/`",
            )
        ]
    files: dict[str, bytes] = {}
    diags: list[Diagnostic] = []
    candidates: list[Path] = []
    for name in ("ticket.yaml", "ticket.yml", "suppressions.yaml", "suppressions.yml"):
        p = root / name
        if os.path.lexists(p):
            what = describe(p)
            if what is None:
                candidates.append(p)
            else:
                diags.append(_wrong_type(name, what))
    for sub in ("roles", "workflows", "policies"):
        base = root / sub
        if not base.is_dir():
            if os.path.lexists(base):
                diags.append(_wrong_type(sub, describe(base) or "a file", "a directory"))
            continue
        for p in _entries(base, root, diags):
            rel = p.relative_to(root).as_posix()
            what = describe(p)
            if p.suffix in YAML_SUFFIXES:
                if what is None:
                    candidates.append(p)
                else:
                    diags.append(_wrong_type(rel, what))
            elif what is not None and what != "a directory":
                diags.append(
                    d.STRAY_FILE(
                        f"`{rel}` is {what}, not a YAML file, and is ignored",
                        Location(rel),
                        help="rule files are regular files ending in `.yaml` or `.yml`",
                    )
                )
            elif what is None and p.name.lower() not in ("readme.md", "readme", "readme.txt"):
                diags.append(
                    d.STRAY_FILE(
                        f"`{rel}` is not a YAML file and is ignored",
                        Location(rel),
                        help="rule files end in `.yaml` or `.yml`",
                    )
                )
    if len(candidates) > MAX_FILES:
        return {}, [d.TOO_LARGE(f"more than {MAX_FILES} rule files", Location(str(root)))]
    for p in candidates:
        rel = p.relative_to(root).as_posix()
        try:
            data = _read_regular(p)
        except OSError as exc:
            diags.append(d.READ_ERROR(f"cannot read file: {exc.strerror or exc}", Location(rel)))
            continue
        if len(data) > MAX_FILE_BYTES:
            diags.append(_too_large(p.stat().st_size, rel))
            continue
        files[rel] = data
    return files, diags


def as_bytes(content: bytes | str) -> bytes:
    """A file's bytes; text holding lone surrogates becomes the (invalid UTF-8) bytes they stand for.

    Text decoded with ``errors="surrogateescape"`` gets its original bytes back; any other
    lone surrogate is written as is (``surrogatepass``), so that the loader reports it as
    invalid UTF-8 at its place, as it would for the file on disk.
    """
    if isinstance(content, bytes):
        return content
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return content.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return content.encode("utf-8", "surrogatepass")


def load_sources(files: Mapping[str, bytes | str], root: str = ".") -> tuple[Sources, list[Diagnostic]]:
    """Load and schema-check every file; returns all diagnostics found."""
    src = Sources(root=root)
    diags: list[Diagnostic] = []
    for rel in sorted(files):
        kind = _kind_of(rel)
        if kind is None:
            continue
        result = load_bytes(as_bytes(files[rel]), rel)
        src.files.append(rel)
        if result.document is None:
            diags.extend(result.diagnostics)
            if d.has_errors(result.diagnostics):
                src.unloadable.append(rel)
            continue
        doc = result.document
        if not isinstance(doc.data, dict):
            diags.append(
                d.SCHEMA(
                    f"the document must be a mapping, not {type(doc.data).__name__}",
                    doc.locate(()),
                    help=f"a {kind} file starts with keys such as `id:`",
                )
            )
            continue
        problems = check_document(doc, kind)
        diags.extend(problems)
        if problems:
            continue
        if kind == "ticket":
            if src.ticket is not None:
                diags.append(
                    d.DUPLICATE_ID(
                        "both `ticket.yaml` and `ticket.yml` exist",
                        Location(rel, 1, 1),
                        help="keep one of them",
                    )
                )
            src.ticket = doc
        elif kind == "suppressions":
            src.suppressions = doc
        elif kind == "role":
            src.roles.append(doc)
        elif kind == "policy":
            src.policies.append(doc)
        else:
            src.workflows.append(doc)
    return src, diags
