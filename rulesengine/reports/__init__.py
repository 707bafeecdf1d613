"""CI report formats: SARIF for code-scanning, JUnit XML for test dashboards, Markdown for PRs.

Every CI system wants the same findings in its own dialect.  Each renderer here is a pure
function from ``list[Diagnostic]`` (plus the rules that ran) to ``str``: no printing, no
file access, no clock, so outputs are byte-for-byte reproducible and trivially testable.
The JSON report itself lives in :mod:`rulesengine.reports.text`; its JSON Schema is in
:mod:`rulesengine.reports.report_schema`.

The small helpers below are shared by the renderers so that a trace step, a rule's
documentation link and the rule catalogue (analysis rules + validation kinds) read the
same in every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diagnostics import VALIDATION_KINDS, Diagnostic, Severity

if TYPE_CHECKING:
    from ..rules.registry import Rule, RuleDoc

VALIDATION_CODES: frozenset[str] = frozenset(k.code for k in VALIDATION_KINDS)


@dataclass(frozen=True)
class RuleInfo:
    """What a report needs to know about one rule code, whatever kind of rule it is."""

    code: str
    name: str
    severity: Severity
    doc: RuleDoc | None
    validation: bool


def rule_doc_path(code: str) -> str:
    """The repository-relative page documenting a rule code."""
    return f"docs/rules/{code}.md"


def rule_catalogue(rules: Iterable[Rule], diags: Iterable[Diagnostic] = ()) -> list[RuleInfo]:
    """Analysis rules, every validation kind and any other code the diagnostics use, by code.

    Diagnostics may carry codes that are neither a registered rule nor a validation kind
    (a policy, a future checker); they get an entry built from the diagnostic itself so
    that no result points at a missing rule.
    """
    by_code: dict[str, RuleInfo] = {}
    for r in rules:
        by_code.setdefault(r.code, RuleInfo(r.code, r.name, r.severity, r.doc, False))
    for k in VALIDATION_KINDS:
        by_code.setdefault(k.code, RuleInfo(k.code, k.name, k.severity, None, True))
    for d in diags:
        by_code.setdefault(d.code, RuleInfo(d.code, d.name, d.severity, None, False))
    return [by_code[c] for c in sorted(by_code)]


def step_text(step: Mapping[str, Any]) -> str:
    """One trace step as ``state --event--> [to] by role [(owner: …)]``.

    The same wording as the text report, so a trace reads alike in terminal, PR and CI.
    """
    kind = step.get("kind", step.get("event"))  # by kind: a transition may be named `assign`
    if kind == "create":
        return f"ticket created at {step.get('state')}"
    if kind == "assign":
        owner = step.get("owner")
        return f"assigned to {owner} at {step.get('state')}" if owner else f"nobody may own it at {step.get('state')}"
    text = f"{step.get('state')} --{step.get('event')}-->"
    if step.get("to") not in (None, ""):
        text += f" {step['to']}"
    role = step.get("role")
    if role:
        text += f" by {role}"
    owner = step.get("owner")
    if owner and owner != role:
        text += f" (owner: {owner})"
    return text


def step_location_text(step: Mapping[str, Any]) -> str | None:
    """``file:line[:column]`` of a trace step, when it has one."""
    loc = step.get("location")
    if not isinstance(loc, Mapping) or not loc.get("file"):
        return None
    text = str(loc["file"])
    if loc.get("line"):
        text += f":{loc['line']}"
        if loc.get("column"):
            text += f":{loc['column']}"
    return text


def ticket_text(ticket: Mapping[str, Any]) -> str:
    """A ticket profile as ``k=v, k=v`` in the profile's own order."""
    return ", ".join(f"{k}={v}" for k, v in ticket.items())


# The renderers import the helpers above, so they are imported after them.
from .junit import render_junit  # noqa: E402
from .markdown import render_markdown  # noqa: E402
from .report_schema import report_schema  # noqa: E402
from .sarif import render_sarif  # noqa: E402

__all__ = [
    "VALIDATION_CODES",
    "RuleInfo",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "report_schema",
    "rule_catalogue",
    "rule_doc_path",
    "step_location_text",
    "step_text",
    "ticket_text",
]
