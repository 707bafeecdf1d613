"""The registry of analysis rules: stable codes, names, severities and documentation.

Every rule lives in its own module under ``rulesengine/rules/`` and registers itself
with :func:`rule`.  Codes never change meaning once published; the kebab-case name is
an alias accepted wherever a code is (``--select``, ``--ignore``, suppressions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from ..analysis.context import Analysis


@dataclass(frozen=True)
class RuleDoc:
    """The page of one rule: what it finds, why it matters, an example and the fix."""

    summary: str
    finds: str
    why: str
    example: str
    fix: str


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: RuleDoc
    check: Callable[[Analysis], Iterator[Diagnostic]] = field(compare=False, repr=False)
    category: str = "flow"

    def finding(self, message: str, **kw: object) -> Diagnostic:
        """Build a finding of this rule with its default severity."""
        return Diagnostic(self.code, self.name, self.severity, message, **kw)  # type: ignore[arg-type]


RULES: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, doc: RuleDoc, category: str = "flow"
) -> Callable[[Callable[[Analysis], Iterator[Diagnostic]]], Rule]:
    """Register a rule; used as a decorator on the rule's check function."""

    def wrap(fn: Callable[[Analysis], Iterator[Diagnostic]]) -> Rule:
        if code in RULES or any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        r = Rule(code, name, severity, doc, fn, category)
        RULES[code] = r
        return r

    return wrap


def all_rules() -> list[Rule]:
    """Every registered rule, by code."""
    from . import load_all

    load_all()
    return [RULES[c] for c in sorted(RULES)]


def find_rule(code_or_name: str) -> Rule | None:
    """Look a rule up by code (``RE201``) or name (``ownership-gap``), case-insensitively."""
    key = code_or_name.strip().lower()
    for r in all_rules():
        if r.code.lower() == key or r.name == key:
            return r
    return None
