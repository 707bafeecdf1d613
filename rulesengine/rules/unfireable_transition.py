"""RE107 unfireable-transition: a transition that no role can ever fire."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import EventKind
from ..diagnostics import Diagnostic, Severity
from ._common import first_reaching, ticket, trace
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A transition from a reachable state that no ticket's owner can ever fire",
    finds=(
        "A transition leaving a state the flow simulation reaches, which in no reachable situation "
        "— for no ticket and no owner — can be fired: nobody holding the ticket there has the "
        "permission kind it needs (a `handle`, `coordinate` or `escalate` grant covering the state), "
        "its `roles` exclude every possible owner, or its `when` never holds there."
    ),
    why=(
        "The diagram promises a way forward that does not exist: a transfer to the experts nobody may "
        "make, an escalation nobody may raise. Process owners plan on it; customers wait."
    ),
    example=(
        "```yaml\ntransitions:\n  - {name: route_to_expert, from: triage, to: expert, by: coordinate}\n"
        "# but no role has a coordinate grant covering `triage`\n```"
    ),
    fix="Give the owners at that state the grant the transition needs, or remove the transition.",
)


@rule("RE107", "unfireable-transition", Severity.WARNING, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, wrun in an.runs.items():
        wf = wrun.index.workflow
        fired: set[int] = set()
        reached: set[str] = set()
        stuck: set[str] = set()  # ownership-gap already reports these states
        for run in (group.run for group in wrun.groups):
            reached.update(s.state for s in run.parent)
            stuck.update(ev.state for ev in run.events if ev.kind is EventKind.STUCK)
            for _, m, _ in run.edges:
                if m.transition is not None:
                    fired.add(m.transition.index)
            for ev in run.events:
                if ev.move is not None and ev.move.transition is not None:
                    fired.add(ev.move.transition.index)  # it fires, but lands in a gap
        for t in wf.transitions:
            sources = [s for s in t.sources if s in reached and s not in stuck and not wf.states[s].final]
            if t.index in fired or not sources:
                continue
            article = "an" if t.by.value[0] in "aeiou" else "a"
            hit = first_reaching(an, wid, sources[0])
            idx = wrun.index
            yield check.finding(
                f"transition `{t.name}` ({t.by.value}) from `{sources[0]}` in `{wid}` can never be fired: "
                f"no owner there holds {article} {t.by.value} grant for it",
                location=t.location,
                help=f"give the owners at `{sources[0]}` {article} `{t.by.value}` grant covering it, "
                "or remove the transition",
                workflow=wid,
                state=sources[0],
                ticket=ticket(idx, hit[0].k) if hit else None,
                trace=trace(idx, hit[0], hit[1]) if hit else (),
            )
