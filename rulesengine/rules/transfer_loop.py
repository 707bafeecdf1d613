"""RE205 transfer-loop: a ticket can be passed around by transfers without progress."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.cycles import HANDOFFS, cycles_through
from ..analysis.index import MoveKind
from ..diagnostics import Diagnostic, Severity
from ._cycle_common import cycle_findings
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Coordinate transfers can pass a ticket round in a circle (blame shifting)",
    finds=(
        "A cycle of situations (state, owner) linked only by hand-offs — `coordinate` transfers, "
        "possibly mixed with escalations or timers — that contains at least one transfer: the owner "
        "passes the ticket on and, without any work being done, it can come back. (Cycles made of "
        "escalations alone are `escalation-cycle`.)"
    ),
    why=(
        "Blame shifting (责任推诿): the ticket bounces between teams and nobody finishes it. The plans "
        "report transfers per ticket falling from 2.3 to 1.1 once such loops are removed."
    ),
    example=(
        "```yaml\n# roles/frontline_agent.yaml\ncoordinate:\n  - {with: [tech_expert]}\n"
        "# roles/tech_expert.yaml\ncoordinate:\n  - {with: [frontline_agent]}\n```"
    ),
    fix=(
        "Let transfers go one way only (route to the expert, never back in the same state), or make "
        "the return transfer move the ticket to a later state."
    ),
)


@rule("RE205", "transfer-loop", Severity.ERROR, DOC, category="ownership")
def check(an: Analysis) -> Iterator[Diagnostic]:
    yield from cycle_findings(
        an,
        check,
        lambda run, memo: cycles_through(run, HANDOFFS, MoveKind.COORDINATE, memo),
        "transfer loop",
        "make transfers one-way, or let the return transfer move the ticket forward",
    )
