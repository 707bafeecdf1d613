"""RE301 grant-matches-nothing: a grant whose scope no ticket can reach."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A grant that no ticket can ever fall under",
    finds=(
        "A `handle`, `coordinate` or `escalate` grant that covers no state (its `states` are all final "
        "or absent from its workflows), or whose `when` and `limits` contradict each other or the "
        "`applies_when` of every workflow it names — so no ticket profile matches it anywhere."
    ),
    why="A grant that can never apply gives a false sense of coverage: the matrix shows a responsibility nobody really has.",
    example="```yaml\nhandle:\n  - workflows: [complaint]          # applies_when: {category: complaint}\n    when: {category: refund}       # never true inside `complaint`\n```",
    fix="Correct the `when`, `limits`, `states` or `workflows` of the grant, or delete it.",
)


@rule("RE301", "grant-matches-nothing", Severity.WARNING, DOC, category="grants")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for role in an.ruleset.roles.values():
        for g in role.grants:
            reason = None
            if not g.cells or not any(g.cells.values()):
                reason = "it covers no state of any workflow"
            elif g.condition.never:
                reason = f"its condition can never hold ({g.condition.describe()})"
            else:
                hit = False
                for wid in g.cells:
                    idx = an.index.workflow(wid)
                    if idx.grant_matches_some(g):
                        hit = True
                        break
                if not hit:
                    names = ", ".join(f"`{w}`" for w in g.cells)
                    reason = f"no ticket of {names} satisfies {g.condition.describe()}"
            if reason:
                yield check.finding(
                    f"{g.kind.value} grant #{g.index + 1} of `{role.id}` matches no ticket: {reason}",
                    location=g.location,
                    help="correct its `when`, `limits`, `states` or `workflows`, or delete it",
                    role=role.id,
                )
