"""RE108 untriggerable-timer: a timed escalation that no ticket can ever trigger."""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis.context import Analysis
from ..diagnostics import Diagnostic, Severity
from .registry import RuleDoc, rule

DOC = RuleDoc(
    summary="A timed escalation that fires for no ticket in any situation the flow reaches",
    finds=(
        "A timed escalation (`escalations:`) that the flow simulation never offers: its states are "
        "never reached, its `when` never holds for a ticket reaching them, or it would only hand the "
        "ticket to the role that already holds it there."
    ),
    why=(
        "A time-out that never fires is a promise of supervision (主管介入) nobody keeps: the centre "
        "believes unanswered tickets are raised, and they wait instead."
    ),
    example=(
        "```yaml\nescalations:\n  - {in: received, after: 3m, to: supervisor, when: {channel: fax}}\n"
        "# but no workflow path reaches `received` with a fax ticket\n```"
    ),
    fix="Correct the timer's `in`, `when` or `to`, or remove it.",
)


@rule("RE108", "untriggerable-timer", Severity.WARNING, DOC, category="structure")
def check(an: Analysis) -> Iterator[Diagnostic]:
    for wid, wrun in an.runs.items():
        idx = wrun.index
        wf = idx.workflow
        offered: set[int] = set()
        reached: set[str] = set()
        enabled_somewhere: set[int] = set()
        for run in wrun:
            for sit in run.parent:
                reached.add(sit.state)
                if sit.state in idx.finals:
                    continue
                # an unowned ticket (a gap) waits for its timers: they fire there too
                ck = sit.k if sit.k >= 0 else run.k
                for m in idx.moves(sit.state, sit.owner, ck):
                    if m.escalation is not None:
                        offered.add(m.escalation.index)
                for e in wf.escalations:
                    if sit.state in e.states and idx.escalation_enabled(e, ck):
                        enabled_somewhere.add(e.index)
        for e in wf.escalations:
            if e.index in offered:
                continue
            live = [s for s in e.states if s in reached and not wf.states[s].final]
            if not live:
                why = "none of its states is ever reached by a ticket"
            elif e.index not in enabled_somewhere:
                why = f"its `when` ({e.condition.describe()}) never holds for a ticket reaching {_names(live)}"
            elif e.to is not None:
                why = f"it would only hand the ticket to `{e.to}`, which already holds it there"
            else:
                why = "it would leave the ticket where it is"
            yield check.finding(
                f"timed escalation `after {e.delay_text}` in `{wid}` never fires: {why}",
                location=e.location,
                help="correct the timer's `in`, `when` or `to`, or remove it",
                workflow=wid,
                state=(live or list(e.states))[0],
                role=e.to,
            )


def _names(states: list[str]) -> str:
    return ", ".join(f"`{s}`" for s in states)
