"""What every compilation stage shares: the error collector with its cap, the result, and
the wording of an unknown name."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import diagnostics as d
from ..diagnostics import Diagnostic, Location
from ..model.ruleset import Name, Ruleset
from ..source.loader import Document
from ..text import did_you_mean

MAX_ERRORS = 100


class Stage(enum.StrEnum):
    """The stage a compilation stopped at (``validate`` prints it; JSON reports carry it)."""

    LOAD = "load"
    SCHEMA = "schema"
    ATTRIBUTES = "attributes"
    IDENTITIES = "identities"
    REFERENCES = "references"
    POLICIES = "policies"
    DONE = "done"


@dataclass
class CompileResult:
    """What loading a rules directory produced: a ruleset, or the reasons why not."""

    ruleset: Ruleset | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stage: Stage = Stage.DONE
    suppressions: Document | None = None

    @property
    def ok(self) -> bool:
        return self.ruleset is not None


class Stop(Exception):
    """Raised when the error cap is reached: the stages stop, the errors so far are reported."""


class Context:
    """Collects diagnostics and enforces the error cap."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []

    def add(self, diag: Diagnostic) -> None:
        self.diags.append(diag)
        if sum(1 for x in self.diags if x.severity is d.Severity.ERROR) >= MAX_ERRORS:
            raise Stop

    @property
    def errors(self) -> bool:
        return d.has_errors(self.diags)


def name_of(raw: Any, fallback: str) -> Name:
    """A display name (``en``/``zh``) as written, or the id when none is given."""
    if isinstance(raw, dict) and "en" in raw:
        return Name(raw["en"], raw.get("zh"))
    return Name(fallback)


def as_list(v: Any) -> list[Any]:
    """A value the format allows as one item or a list, always as a list."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def unknown(
    ctx: Context,
    what: str,
    value: str,
    choices: Iterable[str],
    loc: Location,
    context: str = "",
) -> None:
    """Report a name that refers to nothing, with the closest known name or the known ones."""
    choices = list(choices)
    hint = did_you_mean(value, choices)
    if not hint:
        known = ", ".join(f"`{c}`" for c in sorted(choices)[:12])
        hint = f"known {what}s: {known}" if known else f"no {what} is defined"
    ctx.add(d.UNKNOWN_REFERENCE(f"unknown {what} `{value}`{context}", loc, help=hint))
