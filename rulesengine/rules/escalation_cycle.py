"""RE204 escalation-cycle: a chain of escalations that comes back on itself."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.cycles import ESCALATIONS, first_cycles
from ..diagnostics import Diagnostic, Severity
from ._cycle_common import cycle_findings
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Escalations (transitions or timers) lead back to where they started",
    finds=(
        "A cycle of situations (state, owner) linked only by `escalate` transitions and timed "
        "escalations: A raises to B and B — or a timer — hands it back to A."
    ),
    why=(
        "An escalation is meant to reach someone with more authority. A loop means the upgrade path "
        "has no top, and a ticket can be raised forever without a decision."
    ),
    example=(
        "```yaml\n# roles/super_agent.yaml\nescalate:\n  - {to: supervisor}\n"
        "# roles/supervisor.yaml\nescalate:\n  - {to: super_agent}\n```"
    ),
    fix="Make escalations go up the reporting line only; the top role should handle, not escalate.",
)


@rule("RE204", "escalation-cycle", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from cycle_findings(
        an,
        check,
        lambda run, memo: first_cycles(run, ESCALATIONS, memo),
        "escalation cycle",
        "escalate only up the reporting line; the last role should handle the ticket",
    )
