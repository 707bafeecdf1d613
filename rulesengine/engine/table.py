"""Every decision of one workflow, built at load from the permission index.

For each state, each role that may hold the ticket there and each ticket class, the
table maps every event leaving the state to its outcomes — built by applying the
index's moves through the one transition function (:meth:`WorkflowIndex.apply`).  So a
decision is a few dictionary look-ups at run time, nothing is written after load (any
number of threads may read), and ``decide`` answers exactly what ``check`` explored.
Identical decisions and identical rows are stored once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..analysis.index import Move, MoveKind, Outcome, Problem, WorkflowIndex, timer_event
from ..analysis.nearest import nearest
from ..model.ruleset import Kind, Ruleset, Transition, hours_calendar
from .classify import Classifier
from .decision import Decision, GrantRef, TransitionRef
from .fastpath import fast_paths
from .messages import NO_ACTOR, TIMER_WITH_ACTOR, denial, final_state
from .reasons import Reason


@dataclass(frozen=True, slots=True)
class Option:
    """One outcome of an event: ``target`` is the role a transfer or escalation names."""

    target: str | None
    decision: Decision


Row = Mapping[str, "tuple[Option, ...] | Decision"]  # event -> allowed options, or the denial


def _owners(roles: tuple[str, ...]) -> str:
    return ", ".join(f"`{r}`" for r in roles)


class WorkflowTable:
    """The decisions of one workflow, and what ``decide`` needs to find them."""

    def __init__(self, ruleset: Ruleset, idx: WorkflowIndex, rules_hash: str) -> None:
        self.idx = idx
        self.workflow = idx.workflow
        self.rules_hash = rules_hash
        self.classifier = Classifier(ruleset, idx)
        self.fast = fast_paths(ruleset, self.classifier)
        self.classify_by_len = {n: fp.classify for n, fp in self.fast.items()}
        # the calendars whose opening hours scope grants here: (attribute id, calendar id),
        # filled in from the time of the request when a ticket does not carry them
        self.hours: tuple[tuple[str, str], ...] = tuple(
            (a, cal) for a in self.classifier.read if (cal := hours_calendar(a)) is not None
        )
        wf = self.workflow
        self.events: frozenset[str] = frozenset(
            [t.name for t in wf.transitions] + [timer_event(e) for e in wf.escalations]
        )
        self.timers = frozenset(timer_event(e) for e in wf.escalations)
        self.leaving: dict[str, frozenset[str]] = {
            s: frozenset([t.name for t in wf.outgoing(s)] + [timer_event(e) for e in wf.escalations if s in e.states])
            for s in wf.states
        }
        # the events roles other than the owner may fire (`owner_only: false`)
        self.open_events = frozenset(t.name for t in wf.transitions if not t.owner_only)
        self._interned: dict[Any, Any] = {}
        # (state, owner) -> row per class; None where the owner may not hold the ticket
        self.rows: dict[tuple[str, str], list[Row | None]] = {}
        # (state, owner) -> per class: {event: {firer: options}} for moves by non-owners
        self.others: dict[tuple[str, str], list[Mapping[str, Mapping[str, tuple[Option, ...]]]]] = {}
        # a final state that declares reopenings is held by whoever closed the ticket
        holders = sorted(
            {
                g.role
                for refs in idx.grants[Kind.HANDLE].values()
                for g, _ in refs
                if ruleset.roles[g.role].handles_tickets
            }
        )
        for state in wf.states:
            if state in idx.terminal:
                continue
            for k in range(idx.class_count):
                for owner in holders if state in idx.finals else idx.eligible(state, k):
                    rows = self.rows.setdefault((state, owner), [None] * idx.class_count)
                    rows[k] = self._row(state, owner, k)
        # the same rows with each event's one answer: the decision when there is exactly
        # one (allowed or not), None when a `target` must choose among several
        quick: dict[int, dict[str, Decision | None]] = {}
        self.quick: dict[tuple[str, str], list[dict[str, Decision | None] | None]] = {}
        for key, per_class in self.rows.items():
            self.quick[key] = [
                None if row is None else quick.setdefault(id(row), {e: _one(x) for e, x in row.items()})
                for row in per_class
            ]
        self._interned.clear()
        self.said = self._common_denials()

    def _common_denials(self) -> dict[tuple[str, ...], Decision]:
        """The denials whose words depend only on the state and the event, built once:
        (final|timer|actor, state, event)."""
        wf, h = self.workflow, self.rules_hash
        said: dict[tuple[str, ...], Decision] = {}
        for state in wf.states:
            for event in self.events:
                if state in self.idx.finals:
                    said["final", state, event] = denial(Reason.FINAL_STATE, final_state(state), event, wf.id, state, h)
                elif event not in self.leaving[state]:
                    continue  # built when asked: states x events would cost too much memory
                elif event in self.timers:
                    said["timer", state, event] = denial(Reason.TIMER_EVENT, TIMER_WITH_ACTOR, event, wf.id, state, h)
                else:
                    said["actor", state, event] = denial(Reason.INVALID_ACTOR, NO_ACTOR, event, wf.id, state, h)
        return said

    def _intern(self, value: Any) -> Any:
        return self._interned.setdefault(value, value)

    # -- building --------------------------------------------------------------------
    def _row(self, state: str, owner: str, k: int) -> Row:
        by_event: dict[str, list[tuple[Move, Outcome]]] = {}
        by_others: dict[str, dict[str, list[Option]]] = {}
        for m, out in self.idx.steps(state, owner, k):
            if m.firer is not None and m.firer != owner:
                option = self._intern(Option(self._target(m), self._landing(m, out)))
                by_others.setdefault(m.key, {}).setdefault(m.firer, []).append(option)
            else:
                by_event.setdefault(m.key, []).append((m, out))
        if self.open_events:
            per_class = self.others.setdefault((state, owner), [_NONE] * self.idx.class_count)
            if by_others:
                per_class[k] = self._intern(
                    _FrozenRow(
                        {
                            e: _FrozenRow({r: tuple(o) for r, o in sorted(f.items())})
                            for e, f in sorted(by_others.items())
                        }
                    )
                )
        row: dict[str, tuple[Option, ...] | Decision] = {}
        for event in sorted(self.leaving[state]):
            steps = by_event.get(event)
            if steps:
                row[event] = tuple(self._intern(Option(self._target(m), self._landing(m, out))) for m, out in steps)
            else:
                row[event] = self._intern(self._denial(state, owner, k, event))
        return self._intern(_FrozenRow(row))

    @staticmethod
    def _target(m: Move) -> str | None:
        return m.new_owner if m.kind in (MoveKind.COORDINATE, MoveKind.ESCALATE) else None

    def _ref(self, m: Move) -> TransitionRef:
        if m.transition is not None:
            return TransitionRef.of(self.workflow.id, m.transition)
        assert m.escalation is not None
        e = m.escalation
        return TransitionRef(self.workflow.id, e.index, m.event, str(e.location) if e.location else None, True)

    def _landing(self, m: Move, out: Outcome) -> Decision:
        """The decision for a move the owner may make, by where it lands."""
        grants = (GrantRef.of(m.grant),) if m.grant is not None else ()
        who = f"`{m.firer}`" if m.firer else "the timer"
        common: dict[str, Any] = {
            "event": m.key,
            "workflow": self.workflow.id,
            "state": m.source,
            "next_state": out.state,
            "target": self._target(m),
            "grants": grants,
            "transition": self._ref(m),
            "rules_hash": self.rules_hash,
        }
        if out.problem in (Problem.GAP, Problem.INTO_GAP):
            whom = (
                f"`{m.new_owner}` cannot handle it there" if out.problem is Problem.INTO_GAP else "no role may own it"
            )
            return Decision(
                False,
                Reason.NO_OWNER_AFTER,
                f"`{m.key}` would leave the ticket at `{out.state}` with no owner: {whom}",
                **common,
            )
        if out.problem is Problem.DUPLICATE:
            return Decision(
                False,
                Reason.SEVERAL_OWNERS_AFTER,
                f"`{m.key}` would leave the ticket at `{out.state}` with several possible owners "
                f"({_owners(out.candidates)}) and no `assign` order settling it",
                owner_after=out.candidates,
                **common,
            )
        how = " (fresh assignment)" if out.fresh else ""
        writes = tuple(sorted(self.idx.writes(m).items())) if self.idx.jumps else ()
        wrote = "; writes " + ", ".join(f"{a}={_value(v)}" for a, v in writes) if writes else ""
        return Decision(
            True,
            Reason.ALLOWED,
            f"{who} may fire `{m.key}`: `{m.source}` → `{out.state}`, owned by {_owners(out.owners)}{how}{wrote}",
            owner_after=out.owners,
            fresh_assignment=out.fresh,
            sets=writes,
            **common,
        )

    def _denial(self, state: str, owner: str, k: int, event: str) -> Decision:
        """Why the owner may not fire ``event`` here, as precisely as the rules allow."""
        idx = self.idx
        wf = self.workflow
        ticket = idx.ticket(k)
        base: dict[str, Any] = {"event": event, "workflow": wf.id, "state": state, "rules_hash": self.rules_hash}
        if event in self.timers:
            e = next(x for x in wf.escalations if timer_event(x) == event)
            if not idx.escalation_enabled(e, k):
                failed = tuple(e.condition.failing(ticket))
                return Decision(
                    False,
                    Reason.CONDITION_FAILED,
                    f"the timer `{event}` does not apply to this ticket: it fails {_conds(failed)}",
                    failed=failed,
                    **base,
                )
            what = (
                f"would hand the ticket to `{e.to}`, which already owns it here"
                if e.to is not None
                else "would leave the ticket where it is"
            )
            return Decision(False, Reason.NOT_FROM_STATE, f"the timer `{event}` {what}", **base)
        ts = [t for t in wf.outgoing(state) if t.name == event]
        enabled = [t for t in ts if idx.transition_enabled(t, k)]
        if not enabled:
            failed = tuple(ts[0].condition.failing(ticket))
            return Decision(
                False,
                Reason.CONDITION_FAILED,
                f"`{event}` is not possible for this ticket: it fails {_conds(failed)}",
                transition=TransitionRef.of(wf.id, ts[0]),
                failed=failed,
                **base,
            )
        listed = [t for t in enabled if t.roles is None or owner in t.roles]
        if not listed:
            t = enabled[0]
            return Decision(
                False,
                Reason.ROLE_NOT_LISTED,
                f"only {_owners(tuple(sorted(t.roles or ())))} may fire `{event}`; the owner is `{owner}`",
                transition=TransitionRef.of(wf.id, t),
                **base,
            )
        return self._no_grant(listed[0], state, owner, ticket, base)

    def _no_grant(
        self, t: Transition, state: str, owner: str, ticket: Mapping[str, Any], base: dict[str, Any]
    ) -> Decision:
        role = self.idx.ruleset.roles[owner]
        kind = t.by
        article = "an" if kind is Kind.ESCALATE else "a"
        near = nearest(role.grants_of(kind), self.workflow.id, state, ticket)
        ref = TransitionRef.of(self.workflow.id, t)
        if near is None:
            return Decision(
                False,
                Reason.NO_GRANT,
                f"`{owner}` has no {kind.value} grant, which `{t.name}` needs",
                transition=ref,
                **base,
            )
        if not near.distance:  # a covering grant with nothing to hand over to (cannot be written today)
            return Decision(
                False,
                Reason.NO_GRANT,
                f"`{owner}` holds {article} {kind.value} grant but no move for `{t.name}`",
                transition=ref,
                nearest=GrantRef.of(near.grant),
                **base,
            )
        reason = Reason.NO_GRANT
        if near.failing:
            reason = Reason.LIMIT_EXCEEDED if near.limit_only else Reason.CONDITION_FAILED
        return Decision(
            False,
            reason,
            f"`{owner}` may not fire `{t.name}` ({kind.value}): {near.reason}",
            transition=ref,
            nearest=GrantRef.of(near.grant),
            failed=near.failing,
            **base,
        )


def _value(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _one(entry: tuple[Option, ...] | Decision) -> Decision | None:
    if isinstance(entry, Decision):
        return entry
    return entry[0].decision if len(entry) == 1 else None


def _conds(failed: tuple[str, ...]) -> str:
    return " and ".join(f"`{f}`" for f in failed) or "its condition"


class _FrozenRow(dict):  # type: ignore[type-arg]
    """A row that can be interned (hashable by content) and is never changed after load."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


_NONE: Mapping[str, Mapping[str, tuple[Option, ...]]] = _FrozenRow()  # no move by a non-owner
