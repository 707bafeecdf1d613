"""RE101 unreachable-state: a state no path from the initial state reaches."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A state that no sequence of transitions from the initial state reaches",
    finds="A state of a workflow with no path of transitions (or timed escalations with `goto`) from `initial`.",
    why="Dead configuration misleads readers of the diagram and hides a missing transition.",
    example="```yaml\nstates:\n  new: {}\n  archived: {}   # no transition goes to `archived`\n  closed: {final: true}\n```",
    fix="Add the transition that should lead there, or delete the state.",
)


@rule("RE101", "unreachable-state", Severity.WARNING, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, st in an.structure.items():
        wf = st.wf
        for sid, state in wf.states.items():
            if sid in st.reachable:
                continue
            yield check.finding(
                f"state `{sid}` of `{wid}` is unreachable from the initial state `{wf.initial}`"
                if len(wf.initials) == 1
                else f"state `{sid}` of `{wid}` is unreachable from its creation states "
                + ", ".join(f"`{s}`" for s in wf.initials),
                location=state.location,
                help="add a transition into this state, or remove it",
                workflow=wid,
                state=sid,
            )
