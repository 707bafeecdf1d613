"""RE103 no-path-to-final: a state from which no final state can be reached."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from ._common import first_reaching, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A reachable state from which no final state can be reached",
    finds=(
        "A reachable, non-final state that has outgoing transitions, all of which lead into states "
        "that go round in circles without ever reaching a final state. (States that only lead into "
        "a dead end are reported as `dead-end-state` instead.)"
    ),
    why="Tickets entering this part of the workflow can never be closed: the loop has no exit.",
    example="```yaml\ntransitions:\n  - {name: ask, from: waiting, to: clarifying, by: handle}\n  - {name: answer, from: clarifying, to: waiting, by: handle}\n# nothing leaves waiting/clarifying towards `closed`\n```",
    fix="Add a transition from the loop towards a final state.",
)


@rule("RE103", "no-path-to-final", Severity.ERROR, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, st in an.structure.items():
        wf = st.wf
        into_dead_end = st.reach_to(set(st.dead_ends)) if st.dead_ends else set()
        trapped = [
            s
            for s in wf.states
            if not wf.states[s].final and s in st.reachable and s not in st.can_finish and s not in into_dead_end
        ]
        # one finding per trap: states linked to each other form one loop without exit
        remaining = set(trapped)
        while remaining:
            entry = min(remaining, key=lambda s: (_distance(st, s), s))
            group = {entry}
            frontier = [entry]
            while frontier:
                cur = frontier.pop()
                for nxt in [*st.succ[cur], *st.pred[cur]]:
                    if nxt in remaining and nxt not in group:
                        group.add(nxt)
                        frontier.append(nxt)
            remaining -= group
            others = sorted(group - {entry})
            also = f" (nor from {', '.join(f'`{s}`' for s in others)})" if others else ""
            hit = first_reaching(an, wid, entry)
            idx = an.index.workflow(wid)
            yield check.finding(
                f"no final state of `{wid}` can be reached from `{entry}`{also}",
                location=wf.states[entry].location,
                help="add a transition that leads from here towards a final state",
                workflow=wid,
                state=entry,
                ticket=ticket(idx, hit[0].k) if hit else None,
                trace=trace(idx, hit[0], hit[1]) if hit else (),
            )


def _distance(st: object, state: str) -> int:
    """Transitions from the initial state to ``state`` (breadth-first)."""
    from collections import deque

    wf = st.wf  # type: ignore[attr-defined]
    dist = dict.fromkeys(wf.initials, 0)
    queue = deque(wf.initials)
    while queue:
        cur = queue.popleft()
        if cur == state:
            return dist[cur]
        for nxt in st.succ[cur]:  # type: ignore[attr-defined]
            if nxt not in dist:
                dist[nxt] = dist[cur] + 1
                queue.append(nxt)
    return 10**9
