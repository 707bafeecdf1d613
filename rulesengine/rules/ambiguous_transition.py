"""RE106 ambiguous-transition: two transitions on the same event and state can both fire."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from ._common import Collector, classes_note
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Two transitions with the same name leave the same state for the same role and ticket",
    finds=(
        "Two transitions sharing a name and a source state where some role could fire both for the "
        "same ticket — their `when` conditions and `roles` lists overlap."
    ),
    why=(
        "An event must have one outcome. When `escalate` may lead to two different states, the engine "
        "and the people using it cannot tell where the ticket goes."
    ),
    example="```yaml\n- {name: escalate, from: triage, to: expert, by: handle}\n- {name: escalate, from: triage, to: supervisor, by: handle}\n```",
    fix="Rename one of them, or give them disjoint `when` conditions or `roles`.",
)


@rule("RE106", "ambiguous-transition", Severity.WARNING, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    for wid, wf in an.ruleset.workflows.items():
        idx = an.index.workflow(wid)
        for state in wf.states:
            if state not in an.structure[wid].reachable:
                continue
            by_name: dict[str, list] = {}
            for t in wf.outgoing(state):
                by_name.setdefault(t.name, []).append(t)
            for name, ts in by_name.items():
                for t1, t2 in combinations(ts, 2):
                    for k in range(idx.class_count):
                        if not (idx.transition_enabled(t1, k) and idx.transition_enabled(t2, k)):
                            continue
                        roles = sorted(
                            r
                            for r in an.ruleset.roles
                            if {t1.index, t2.index}
                            <= {m.transition.index for m in idx.moves(state, r, k) if m.transition is not None}
                        )
                        if not roles:
                            continue

                        def build(
                            n: int, t1=t1, t2=t2, k=k, roles=roles, state=state, name=name, wid=wid, idx=idx
                        ) -> Diagnostic:
                            return check.finding(
                                f"transition `{name}` from `{state}` in `{wid}` is ambiguous: `{roles[0]}` may "
                                f"fire it to `{t1.target}` or to `{t2.target}`" + classes_note(n),
                                location=t2.location,
                                help="rename one transition, or give them disjoint `when` or `roles`",
                                workflow=wid,
                                state=state,
                                role=roles[0],
                                ticket=dict(idx.ticket(k)),
                                related=tuple(x for x in (t1.location,) if x is not None),
                            )

                        col.offer((wid, state, name, t1.index, t2.index), k, (k,), build)
    yield from col.results()
