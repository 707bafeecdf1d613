"""Finding and loading the files of a rules directory.

A rules directory holds ``roles/`` and ``workflows/`` (one YAML document per file), and
optionally ``ticket.yaml``, ``suppressions.yaml`` and ``policies/`` (compliance
policies).  This module reads the files into memory, loads each with positions and
checks it against its schema; compiling is the next layer's job.  Reading everything up front through one function keeps the rest
testable on in-memory file sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as d
from .diagnostics import Diagnostic, Location
from .loader import Document, load_bytes
from .schema_check import check_document

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


def read_rules_dir(path: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Read the rule files of a directory into memory, keyed by relative posix path."""
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
        if p.is_file():
            candidates.append(p)
    for sub in ("roles", "workflows", "policies"):
        base = root / sub
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
                    if p.suffix in YAML_SUFFIXES:
                        candidates.append(p)
                    elif p.name.lower() not in ("readme.md", "readme", "readme.txt"):
                        diags.append(
                            d.STRAY_FILE(
                                f"`{p.relative_to(root).as_posix()}` is not a YAML file and is ignored",
                                Location(p.relative_to(root).as_posix()),
                                help="rule files end in `.yaml` or `.yml`",
                            )
                        )
    if len(candidates) > MAX_FILES:
        return {}, [d.TOO_LARGE(f"more than {MAX_FILES} rule files", Location(str(root)))]
    from .loader import MAX_FILE_BYTES, _too_large

    for p in candidates:
        rel = p.relative_to(root).as_posix()
        try:
            if p.stat().st_size > MAX_FILE_BYTES:
                diags.append(_too_large(p.stat().st_size, rel))
                continue
            files[rel] = p.read_bytes()
        except OSError as exc:
            diags.append(d.READ_ERROR(f"cannot read file: {exc.strerror or exc}", Location(rel)))
    return files, diags


def load_sources(files: Mapping[str, bytes | str], root: str = ".") -> tuple[Sources, list[Diagnostic]]:
    """Load and schema-check every file; returns all diagnostics found."""
    src = Sources(root=root)
    diags: list[Diagnostic] = []
    for rel in sorted(files):
        kind = _kind_of(rel)
        if kind is None:
            continue
        raw = files[rel]
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        result = load_bytes(data, rel)
        src.files.append(rel)
        if result.document is None:
            diags.extend(result.diagnostics)
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
