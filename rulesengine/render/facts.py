"""What the diagrams show, read off the flow simulation and the check's findings.

Diagrams never re-derive permissions: owners per state, who fires each transition and
where timers hand tickets over all come from the explored situation graphs, and the
red/orange/grey overlay from the findings of ``check``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..analysis.context import Analysis
from ..analysis.index import MoveKind
from ..diagnostics import Diagnostic

GAP_RULES = {"RE201", "RE203"}
DUP_RULES = {"RE202"}
DEAD_RULES = {"RE101"}
TRAP_RULES = {"RE102", "RE103"}
SKIP_RULES = {"RE105"}


@dataclass
class WorkflowFacts:
    workflow: str
    owners: dict[str, set[str]] = field(default_factory=dict)  # state -> roles that own it somewhere
    firers: dict[int, dict[str, set[str]]] = field(default_factory=dict)  # transition index -> firer -> new owners
    timers: dict[int, set[str]] = field(default_factory=dict)  # escalation index -> owners it takes over from
    gaps: set[str] = field(default_factory=set)
    duplicates: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)
    traps: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    findings: list[Diagnostic] = field(default_factory=list)

    def state_status(self, state: str) -> str | None:
        if state in self.gaps:
            return "gap"
        if state in self.duplicates:
            return "duplicate"
        if state in self.unreachable:
            return "unreachable"
        if state in self.traps:
            return "trap"
        if state in self.skipped:
            return "skippable"
        return None


def workflow_facts(an: Analysis, wid: str, findings: Iterable[Diagnostic] = ()) -> WorkflowFacts:
    facts = WorkflowFacts(wid)
    wf = an.ruleset.workflows[wid]
    for s in wf.states:
        facts.owners[s] = set()
    for run in an.runs[wid]:
        for sit in run.parent:
            if sit.owner is not None:
                facts.owners[sit.state].add(sit.owner)
        for a, m, b in run.edges:
            if m.transition is not None and m.kind is not MoveKind.TIMER and m.firer is not None:
                facts.firers.setdefault(m.transition.index, {}).setdefault(m.firer, set()).add(b.owner or "")
            if m.escalation is not None and a.owner is not None:
                facts.timers.setdefault(m.escalation.index, set()).add(a.owner)
    for f in findings:
        if f.workflow != wid or f.state is None:
            continue
        facts.findings.append(f)
        if f.code in GAP_RULES:
            facts.gaps.add(f.state)
        elif f.code in DUP_RULES:
            facts.duplicates.add(f.state)
        elif f.code in DEAD_RULES:
            facts.unreachable.add(f.state)
        elif f.code in TRAP_RULES:
            facts.traps.add(f.state)
        elif f.code in SKIP_RULES:
            facts.skipped.add(f.state)
    return facts
