"""A rules directory as it was at a git revision, read into memory.

``rulesengine diff --git REV`` compares the working tree with a revision without
checking anything out: the revision's files are listed with ``git ls-tree`` and read
with ``git cat-file``, then compiled from memory like any rules directory.  The rules
directory may be a subdirectory of the repository.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..source.files import YAML_SUFFIXES

TOP_LEVEL = ("ticket.yaml", "ticket.yml", "suppressions.yaml", "suppressions.yml")


class GitError(Exception):
    """A usage error: no git, not a repository, an unknown revision; ``help`` says what to do."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.help = help


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError(
            "`git` is not installed", "install git, or compare two directories: rulesengine diff OLD NEW"
        ) from None


def is_rule_file(rel: str) -> bool:
    """The files a rules directory is read from (as :func:`rulesengine.source.files.read_rules_dir` reads them)."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):
        return False
    if len(parts) == 1:
        return rel in TOP_LEVEL
    return parts[0] in ("roles", "workflows") and rel.endswith(YAML_SUFFIXES)


def read_revision(directory: Path, rev: str) -> tuple[dict[str, bytes], str]:
    """The rule files of ``directory`` at revision ``rev`` (relative paths → bytes), and the commit id.

    Raises :class:`GitError` when ``directory`` is not in a git work tree, the revision
    is unknown, or the directory did not exist at that revision.
    """
    if not directory.is_dir():
        raise GitError(f"`{directory}` is not a directory", "give the rules directory to compare")
    top = _git(directory, "rev-parse", "--show-prefix")
    if top.returncode != 0:
        raise GitError(
            f"`{directory}` is not inside a git work tree",
            "run it in a clone, or compare two directories: rulesengine diff OLD NEW",
        )
    prefix = top.stdout.decode("utf-8", "surrogateescape").strip()
    got = None if rev.startswith("-") else _git(directory, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if got is None or got.returncode != 0:
        raise GitError(f"unknown revision `{rev}`", "give a commit, branch or tag, e.g. HEAD, HEAD~1 or main")
    commit = got.stdout.decode().strip()
    listing = _git(directory, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *([prefix] if prefix else []))
    if listing.returncode != 0:
        raise GitError(f"cannot list `{rev}`: {listing.stderr.decode(errors='replace').strip()}")
    wanted: dict[str, str] = {}  # sha -> relative path (several paths may share a sha)
    paths: list[tuple[str, str]] = []
    entries = [e for e in listing.stdout.split(b"\0") if e]
    for entry in entries:
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != "blob" or mode == "120000" or not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        if is_rule_file(rel):
            paths.append((rel, sha))
            wanted[sha] = rel
    if not entries:
        where = prefix.rstrip("/") or "the repository"
        raise GitError(f"`{where}` does not exist at `{rev}`", "give a revision at which the rules directory exists")
    blobs = _cat(directory, list(wanted))
    return {rel: blobs[sha] for rel, sha in paths}, commit


def _cat(cwd: Path, shas: list[str]) -> dict[str, bytes]:
    """Read blobs in one ``git cat-file --batch`` run."""
    if not shas:
        return {}
    got = _git(cwd, "cat-file", "--batch", stdin=("\n".join(shas) + "\n").encode())
    if got.returncode != 0:
        raise GitError(f"cannot read the revision's files: {got.stderr.decode(errors='replace').strip()}")
    out: dict[str, bytes] = {}
    data = got.stdout
    pos = 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        sha, _kind, size = data[pos:end].decode().split()
        start = end + 1
        out[sha] = data[start : start + int(size)]
        pos = start + int(size) + 1
    return out
