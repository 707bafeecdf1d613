"""RE107 unfireable-transition: a transition that no role can ever fire."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.explore import EventKind
from ..analysis.nearest import blocked
from ..diagnostics import Diagnostic, Severity
from ..model.ruleset import Transition
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
        idx = wrun.index
        wf = idx.workflow
        fired: set[int] = set()
        reached: set[str] = set()
        stuck: set[str] = set()  # ownership-gap already reports these states
        # a self-loop the owner may fire leaves no edge (it leads back to the same situation),
        # so classes that share a graph may differ in it: those are asked class by class
        loops = {t.index for t in wf.transitions if t.target in t.sources}
        for group in wrun.groups:
            run = group.run
            reached.update(s.state for s in run.parent)
            stuck.update(ev.state for ev in run.events if ev.kind is EventKind.STUCK)
            for sit in run.parent:
                if sit.owner is None or sit.state in idx.terminal:
                    continue
                ck = sit.k if sit.k >= 0 else run.k
                fired.update(m.transition.index for m in idx.moves(sit.state, sit.owner, ck) if m.transition)
                if loops - fired:
                    for k in group.classes:
                        fired.update(m.transition.index for m in idx.moves(sit.state, sit.owner, k) if m.transition)
        for t in wf.transitions:
            sources = [s for s in t.sources if s in reached and s not in stuck and t in wf.outgoing(s)]
            if t.index in fired or not sources:
                continue
            hit = first_reaching(an, wid, sources[0])
            why = "no ticket reaches it with an owner"
            if hit is not None:
                run, sit = hit
                holders = [x.owner for x in run.parent if x.state == sources[0] and x.owner is not None]
                why = blocked(idx, t, sources[0], run.k, dict.fromkeys(holders))
            yield check.finding(
                f"transition `{t.name}` ({t.by.value}) from `{sources[0]}` in `{wid}` can never be fired: {why}",
                location=t.location,
                help=_help(t, sources[0], why),
                workflow=wid,
                state=sources[0],
                ticket=ticket(idx, hit[0].k) if hit else None,
                trace=trace(idx, hit[0], hit[1]) if hit else (),
            )


def _help(t: Transition, state: str, why: str) -> str:
    if why.startswith("its condition"):
        return "correct the transition's `when`, or remove the transition"
    if why.startswith("only "):
        return "list the owners at this state in the transition's `roles`, or remove the list"
    article = "an" if t.by.value[0] in "aeiou" else "a"
    if not t.owner_only:
        who = f"one of {', '.join(f'`{r}`' for r in sorted(t.roles))}" if t.roles is not None else "a role"
        return f"give {who} {article} `{t.by.value}` grant covering `{state}`, or remove the transition"
    return f"give the owners at `{state}` {article} `{t.by.value}` grant covering it, or remove the transition"
