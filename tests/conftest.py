"""Shared fixtures: small in-memory rules directories and paths of the bundled ones."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


def read_dir(path: Path) -> dict[str, str]:
    """A rules directory as {relative path: text}, for in-memory mutation."""
    out = {}
    for p in sorted(path.rglob("*.yaml")):
        out[p.relative_to(path).as_posix()] = p.read_text(encoding="utf-8")
    return out


@pytest.fixture
def mini_files() -> dict[str, str]:
    return read_dir(MINI)
