"""RE506 sla: tickets a policy speaks about lack an SLA as fast as the policy promises."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..analysis.policies import scoped
from ..diagnostics import Diagnostic, Location, Severity
from ..model.policies import shortest_working_day, sla_breach, sla_matches
from ..model.ruleset import PolicyKind
from ._common import Collector, trace
from ._policy_common import Described, policies_of, policy_finding
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="Some ticket an `sla` policy speaks about has no SLA of the kind with a target within the policy's `max`",
    finds=(
        "A ticket class of a workflow, within the policy's `workflows` and `when`, to which no SLA of the "
        "policy's kind (`first_response`, `resolution`, `other`) or name applies with a target of at most "
        "the policy's `max`. Durations compare conservatively: clock time with clock time by minutes (an "
        "SLA on a `calendar` stops outside service hours, so it never guarantees a clock-time maximum); "
        "working days with working days by their count; a clock-time target meets `N wd` when it is at "
        "most N times the shortest opening day of the calendars in `ticket.yaml` (9h for 09:00-18:00), "
        "because no working day passes faster. A working-day target never meets a clock-time maximum."
    ),
    why=(
        "Service promises are made per channel and segment (3 minutes on phone, chat and social media, one "
        "working day on email); a workflow added later, or an SLA scoped too narrowly, silently leaves some "
        "tickets without the promise. The policy states it once for every workflow."
    ),
    example=(
        "```yaml\n# policies/service_levels.yaml\npolicies:\n  - id: live-first-response\n"
        "    name: {en: First response within 3 minutes on live channels, zh: 实时渠道3分钟内首次响应}\n"
        "    kind: sla\n    when: {channel: [phone, chat, social]}\n    sla: first_response\n    max: 3m\n```"
    ),
    fix=(
        "Add an SLA of that kind with a target of at most `max` to the workflow, or widen the `when` of an "
        "existing one to cover these tickets."
    ),
)


@rule("RE506", "sla", Severity.ERROR, DOC, category="policy")
def check(an: Analysis) -> Iterator[Diagnostic]:
    col = Collector()
    working_day = shortest_working_day(an.ruleset.calendars.values())
    for policy in policies_of(an, PolicyKind.SLA):
        for sc in scoped(an, policy):
            idx, run = sc.index, sc.run
            applicable = [s for s in idx.workflow.slas if idx.sla_applies(s, run.k)]
            reason = sla_breach(policy, applicable, working_day)
            if reason is None:
                continue
            wanted = [s for s in applicable if sla_matches(policy, s)]
            related: tuple[Location, ...] = tuple(s.location for s in wanted if s.location is not None)
            if not related and idx.workflow.location is not None:
                related = (idx.workflow.location,)
            desc = Described(
                what=reason,
                help=(
                    f"give these tickets an SLA of `{policy.sla}` with a target of at most "
                    f"`{policy.within.text if policy.within else '?'}`"
                ),
                related=related,
            )
            steps = trace(idx, run, run.starts[0]) if run.starts else ()

            def build(n: int, policy=policy, sc=sc, desc=desc, steps=steps) -> Diagnostic:  # type: ignore[no-untyped-def]
                return policy_finding(check, policy, sc, desc, steps, n)

            key = (policy.id, sc.wid, tuple(s.name for s in wanted))
            col.offer(key, run.k, sc.rank, build)
    yield from col.results()
