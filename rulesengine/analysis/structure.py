"""Role-independent facts about a workflow's state graph.

Reachability, dead ends and paths to a final state depend only on the states and
transitions; the flow simulation adds who can actually fire them.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property

from ..model.ruleset import Workflow


class Structure:
    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        succ: dict[str, set[str]] = {s: set() for s in wf.states}
        for s in wf.states:  # from a final state only its declared reopenings lead on
            for t in wf.outgoing(s):
                succ[s].add(t.target)
        for e in wf.escalations:
            if e.goto:
                for s in e.states:
                    if not wf.states[s].final:
                        succ[s].add(e.goto)
        self.succ = {s: sorted(v) for s, v in succ.items()}
        pred: dict[str, set[str]] = {s: set() for s in wf.states}
        for s, vs in succ.items():
            for v in vs:
                pred[v].add(s)
        self.pred = {s: sorted(v) for s, v in pred.items()}

    def reach_from(self, start: str, avoid: frozenset[str] = frozenset()) -> set[str]:
        seen = {start} if start not in avoid else set()
        queue = deque(seen)
        while queue:
            s = queue.popleft()
            if self.wf.states[s].final and s != start and not self.wf.states[s].reopen:
                continue
            for v in self.succ[s]:
                if v not in seen and v not in avoid:
                    seen.add(v)
                    queue.append(v)
        return seen

    def reach_to(self, targets: set[str]) -> set[str]:
        """States from which one of ``targets`` can be reached."""
        seen = set(targets)
        queue = deque(seen)
        while queue:
            s = queue.popleft()
            for p in self.pred[s]:
                if p not in seen and not (self.wf.states[p].final and not self.wf.states[p].reopen):
                    seen.add(p)
                    queue.append(p)
        return seen

    @cached_property
    def reachable(self) -> set[str]:
        out: set[str] = set()
        for start in self.wf.initials:
            out |= self.reach_from(start)
        return out

    @cached_property
    def dead_ends(self) -> list[str]:
        return [s for s in self.wf.states if not self.wf.states[s].final and not self.succ[s]]

    @cached_property
    def can_finish(self) -> set[str]:
        return self.reach_to(set(self.wf.final_states))
