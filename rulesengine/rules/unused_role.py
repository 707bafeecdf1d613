"""RE302 unused-role: a role that never owns or acts on any ticket."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A role that, in the whole flow simulation, never owns a ticket or fires anything",
    finds=(
        "A role that is never the owner of any reachable situation and never fires a transition, in "
        "any workflow, for any ticket. Roles declared `handles_tickets: false` (such as QA inspectors) "
        "are exempt."
    ),
    why="Either the role's grants are wrong (it was meant to take tickets) or the role is obsolete and confuses the matrix.",
    example="```yaml\nid: night_shift\nhandle:\n  - workflows: [standard_service]\n    when: {channel: fax}   # no ticket comes by fax\n```",
    fix="Correct the role's grants, or remove the role (and references to it).",
)


@rule("RE302", "unused-role", Severity.WARNING, DOC, category="grants")
def check(an: Analysis) -> Iterator[Diagnostic]:
    used: set[str] = set()
    for wrun in an.runs.values():
        for run in (group.run for group in wrun.groups):
            for sit in run.parent:
                if sit.owner:
                    used.add(sit.owner)
            for _, m, _ in run.edges:
                if m.firer:
                    used.add(m.firer)
    for role in an.ruleset.roles.values():
        if role.id in used or not role.handles_tickets:
            continue
        yield check.finding(
            f"role `{role.id}` never owns or acts on any ticket",
            location=role.location,
            help="correct its grants so that some ticket reaches it, or remove the role",
            role=role.id,
        )
