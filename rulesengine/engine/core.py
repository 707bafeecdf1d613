"""The enforcement engine: compile once, decide many times, from any number of threads.

:class:`Engine` is what a ticket service embeds.  It holds a compiled ruleset, the
flow exploration ``check`` runs, and a decision table per workflow built from the same
permission index through the one transition function — so a ticket can change state
only as ``check`` proved it can.  Deny by default: whatever does not fit the rules is a
denial with a stable reason.  Once built, an engine is never written to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..analysis.context import Analysis, Options
from ..analysis.partition import TooManyClasses
from ..compile.compiler import load_rules
from ..diagnostics import Severity
from ..model.ruleset import Kind, Ruleset, hours_calendar
from ..model.slaclock import SlaClock, sla_clocks
from ..rules.registry import Rule
from ..rules.run import CheckResult, check_ruleset
from ..source.loader import Document
from ..views.explain import explain_class, holders_at
from .decision import Decision, GrantRef, RulesInvalid, TransitionDenied
from .front import FrontDoor, Placed
from .inputs import actor_parts, as_mapping
from .messages import denial, final_state, not_assignee, not_from_state, not_owner, short, unknown_event
from .quick import quick_denial
from .reasons import Reason
from .table import Option, WorkflowTable
from .timing import DueReport, due_report

if TYPE_CHECKING:
    import os

    from ..decisionlog import DecisionLog


class Fired(NamedTuple):
    """What :meth:`Engine.fire` returns: the new ticket and the history entry of the move."""

    ticket: dict[str, Any]
    history: dict[str, Any]


class InvalidTicket(ValueError):
    """A ticket that ``owners`` or ``explain`` cannot place; ``decision`` says why."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.reason.value}: {decision.message}")


class Engine:
    """Decisions over one compiled ruleset.  Build it with :func:`load` or :meth:`from_ruleset`."""

    def __init__(
        self,
        ruleset: Ruleset,
        suppressions: Document | None = None,
        decision_log: DecisionLog | str | os.PathLike[str] | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.rules_hash = ruleset.digest
        self._suppressions = suppressions
        self._analysis = Analysis(ruleset)
        try:
            runs = self._analysis.runs  # the exploration check runs: owners() and explain() read it
        except TooManyClasses as exc:
            raise RulesInvalid([exc.diagnostic], "the rules are beyond the analysis budget") from None
        self._tables: dict[str, WorkflowTable] = {}
        self._holders: dict[str, dict[tuple[str, int], tuple[str, ...]]] = {}
        for wid, wrun in runs.items():
            idx = wrun.index
            self._tables[wid] = WorkflowTable(ruleset, idx, self.rules_hash)
            self._holders[wid] = {
                (state, run.k): tuple(holders_at(run, state)) for run in wrun for state in idx.workflow.states
            }
            idx.frozen = True
        self._front = FrontDoor(ruleset, self._tables, self.rules_hash)
        # the decision log (rulesengine.decisionlog): fire records every call; decide only when
        # the log asks, through an instance attribute, so that decide costs nothing more without
        self.decision_log: DecisionLog | None = None
        if decision_log is not None:
            self._attach_log(decision_log)

    def _attach_log(self, decision_log: DecisionLog | str | os.PathLike[str]) -> None:
        from ..decisionlog import open_log

        self.decision_log = open_log(decision_log)
        if self.decision_log.log_decisions:
            self.decide = self._decide_logged  # type: ignore[method-assign]

    @classmethod
    def from_ruleset(
        cls,
        ruleset: Ruleset,
        suppressions: Document | None = None,
        *,
        decision_log: DecisionLog | str | os.PathLike[str] | None = None,
    ) -> Engine:
        """An engine over an already compiled ruleset (``load_rules(...).ruleset``)."""
        return cls(ruleset, suppressions, decision_log)

    # -- decisions -------------------------------------------------------------------
    def decide(
        self, ticket: Any, event: Any, actor: Any = None, target: Any = None, *, at: dt.datetime | None = None
    ) -> Decision:
        """May ``actor`` fire ``event`` on ``ticket`` (handing it to ``target``)?  Never raises.

        ``event`` is a transition's name or ``timer:N`` for the workflow's N-th timed
        escalation (fired by the service's scheduler with ``actor=None``).  ``at`` (an
        aware time, default now) matters only to grants scoped by a calendar's hours.
        """
        if type(ticket) is dict:
            k = -1
            try:  # the usual request in a few look-ups: a plain ticket, its owner acting
                tab = self._tables[ticket["workflow"]]
                attrs = ticket["attributes"]
                k = tab.classify_by_len[len(attrs)](attrs)
                if k >= 0 and "owners" not in ticket and type(ticket.get("version", 0)) is int:
                    owner = ticket["owner"]
                    state = ticket["state"]
                    d = tab.quick[(state, owner)][k][event]  # type: ignore[index]
                    if target is not None:  # a named target picks exactly one option
                        options = tab.rows[(state, owner)][k][event]  # type: ignore[index]
                        if type(options) is not Decision:
                            picked = [o for o in cast("tuple[Option, ...]", options) if o.target == target]
                            d = picked[0].decision if len(picked) == 1 else None
                    if d is not None:
                        if event in tab.timers:
                            return d if actor is None else tab.said["timer", state, event]
                        if actor is None:
                            return tab.said["actor", state, event]
                        if type(actor) is dict:
                            roles = actor["roles"]
                            ident = actor["id"]
                            if (type(roles) is list or type(roles) is tuple) and type(ident) is str:
                                # the full path's answers, worded as it words them
                                wid = tab.workflow.id
                                if owner not in roles and event not in tab.open_events:
                                    return denial(
                                        Reason.NOT_OWNER, not_owner(owner), event, wid, state, self.rules_hash
                                    )
                                assignee = ticket.get("assignee")
                                if owner not in roles:
                                    pass  # a role other than the owner's: the full path decides
                                elif assignee is None or assignee == ident:
                                    return d
                                elif type(assignee) is str:
                                    return denial(
                                        Reason.NOT_ASSIGNEE,
                                        not_assignee(assignee, owner),
                                        event,
                                        wid,
                                        state,
                                        self.rules_hash,
                                    )
            except (KeyError, TypeError, IndexError):
                pass
            if k >= 0 and "owners" not in ticket and type(ticket.get("version", 0)) is int:
                quick = quick_denial(tab, self.rules_hash, ticket, k, event, actor, target)
                if quick is not None:
                    return quick
        placed = self._front.place(ticket, event if type(event) is str else None, at)
        if type(placed) is Decision:
            return placed
        assert isinstance(placed, Placed)
        tab, t, state, k, _ = placed
        wid = tab.workflow.id
        ctx: dict[str, Any] = {"event": event if type(event) is str else None, "workflow": wid, "state": state}
        if type(event) is not str or event not in tab.events:
            return self._front.deny(Reason.UNKNOWN_EVENT, unknown_event(event, wid), **ctx)
        if state in tab.idx.finals and event not in tab.leaving[state]:
            return self._front.deny(Reason.FINAL_STATE, final_state(state), **ctx)
        if event not in tab.leaving[state]:
            return self._front.deny(Reason.NOT_FROM_STATE, not_from_state(event, state), **ctx)
        owner = self._front.acting_owner(t, actor)
        if type(owner) is Decision:
            return owner
        assert isinstance(owner, str)
        rows = tab.rows.get((state, owner))
        row = rows[k] if rows is not None else None
        if row is None:
            if owner not in self.ruleset.roles:
                return self._front.deny(Reason.UNKNOWN_OWNER, f"`{owner}` is not a role of the rules", **ctx)
            return self._front.not_eligible(owner, placed, ctx)
        got: tuple[Option, ...] | Decision | None = None
        if event in tab.open_events and actor is not None:
            got = self._front.by_non_owner(tab, state, owner, k, event, actor, ctx)
        if got is None:
            who = self._front.actor_check(t, event in tab.timers, actor, owner, ctx)
            if who is not None:
                return who
            got = row[event]
        if isinstance(got, Decision):
            return got
        entry = cast("tuple[Option, ...]", got)
        if target is None:
            if len(entry) == 1:
                return entry[0].decision
            targets = {o.target for o in entry}
            if None not in targets and len(targets) > 1:
                names = ", ".join(f"`{x}`" for x in sorted(targets, key=str))
                return self._front.deny(
                    Reason.TARGET_REQUIRED, f"`{event}` may hand the ticket to {names}: name the target", **ctx
                )
            matches = list(entry)
        else:
            matches = [o for o in entry if o.target == target]
            if not matches:
                allowed = ", ".join(f"`{o.target}`" for o in entry if o.target is not None) or "no named role"
                return self._front.deny(
                    Reason.TARGET_NOT_ALLOWED,
                    f"`{event}` cannot hand the ticket to `{short(target)}`; it may go to {allowed}",
                    **ctx,
                )
        first = matches[0].decision
        if all(o.decision == first for o in matches[1:]):
            return first
        outcomes = ", ".join(sorted({f"`{o.decision.next_state}`" for o in matches}))
        return self._front.deny(
            Reason.AMBIGUOUS_EVENT, f"`{event}` may lead to {outcomes} here; the engine does not guess", **ctx
        )

    def _decide_logged(
        self, ticket: Any, event: Any, actor: Any = None, target: Any = None, *, at: dt.datetime | None = None
    ) -> Decision:
        """``decide``, recorded in the decision log (in place of ``decide`` when the log asks)."""
        d = Engine.decide(self, ticket, event, actor, target, at=at)
        assert self.decision_log is not None
        self.decision_log.append_decide(ticket, event, actor, target, d)
        return d

    def allowed_events(self, ticket: Any, actor: Any = None) -> tuple[Decision, ...]:
        """Every move ``actor`` may make on ``ticket`` now (with ``actor=None``: the timers)."""
        placed = self._front.place(ticket)
        if not isinstance(placed, Placed):
            return ()
        owner = self._front.acting_owner(placed.ticket, actor)
        rows = placed.table.rows.get((placed.state, owner)) if isinstance(owner, str) else None
        row = rows[placed.k] if rows is not None else None
        out: list[Decision] = []
        for event, got in sorted((row or {}).items()):
            if isinstance(got, Decision):
                continue
            entry = cast("tuple[Option, ...]", got)
            named = len({o.target for o in entry}) > 1
            for option in entry:
                d = Engine.decide(self, ticket, event, actor, option.target if named else None)
                if d.allowed and d not in out:
                    out.append(d)
        return tuple(out)

    def owners(self, ticket: Any) -> tuple[str, ...]:
        """The roles that may own the ticket at its state, as ``check`` explored them."""
        placed = self._front.place(ticket)
        if not isinstance(placed, Placed):
            raise InvalidTicket(placed)
        return self._holders[placed.table.workflow.id].get((placed.state, placed.k), ())

    def holding_grants(self, ticket: Any) -> tuple[GrantRef, ...]:
        """The handle grants by which the ticket's owner holds it at its state (none: it may not)."""
        placed = self._front.place(ticket)
        owner = placed.ticket.get("owner") if isinstance(placed, Placed) else None
        if not isinstance(placed, Placed) or not isinstance(owner, str):
            return ()
        idx = placed.table.idx
        return tuple(GrantRef.of(g) for g in idx.covering(Kind.HANDLE, owner, placed.state, placed.k))

    def sla(self, ticket: Any, history: list[Any], now: dt.datetime) -> list[SlaClock]:
        """The SLA clocks of a ticket from its history (state entries with times, oldest first).

        Raises :class:`InvalidTicket` for a ticket that cannot be placed and
        :class:`~rulesengine.model.slaclock.HistoryError` for an unreadable history.
        """
        placed = self._front.place(ticket)
        if not isinstance(placed, Placed):
            raise InvalidTicket(placed)
        return sla_clocks(placed.table.workflow, self.ruleset.calendars, placed.values, history, now)

    def due(self, ticket: Any, history: list[Any], now: dt.datetime) -> DueReport:
        """Which timers and SLA deadlines are due for the ticket at ``now``, what each timer
        would do, and the next instant anything falls due (for the service's scheduler)."""
        placed = self._front.place(ticket)
        if not isinstance(placed, Placed):
            raise InvalidTicket(placed)
        wf = placed.table.workflow
        return due_report(self.ruleset, wf, placed.values, history, now, lambda event: self.decide(ticket, event, None))

    def explain(self, ticket: Any) -> dict[str, Any]:
        """``rulesengine explain`` for one concrete ticket, as data."""
        placed = self._front.place(ticket)
        if not isinstance(placed, Placed):
            raise InvalidTicket(placed)
        wid = placed.table.workflow.id
        owner = placed.ticket.get("owner")
        owner = owner if isinstance(owner, str) and owner in self.ruleset.roles else None
        run = self._analysis.runs[wid].classes[placed.k]
        doc = explain_class(self.ruleset, placed.table.idx, placed.state, placed.k, run, owner)
        doc["ticket"] = dict(placed.values)
        return {"version": 1, "workflow": wid, "state": placed.state, "rules_hash": self.rules_hash, **doc}

    # -- changes ---------------------------------------------------------------------
    def create(
        self, attributes: Mapping[str, Any], workflow: str | None = None, *, at: dt.datetime | None = None
    ) -> dict[str, Any]:
        """A new ticket at its workflow's creation state with its first owner assigned
        (``at``, default now, matters only to grants scoped by a calendar's hours)."""
        wf_id = (
            workflow
            if workflow is not None
            else (self._front.derive(attributes, None) if isinstance(attributes, Mapping) else None)
        )
        if isinstance(wf_id, Decision):
            raise TransitionDenied(wf_id)
        wf = self.ruleset.workflows.get(wf_id) if isinstance(wf_id, str) else None
        probe = {"workflow": wf_id, "state": wf.initial if wf else None, "attributes": attributes}
        placed = self._front.place(probe, "create", at)
        if not isinstance(placed, Placed):
            raise TransitionDenied(placed)
        out = placed.table.idx.arrive(placed.k)
        ctx = {"event": "create", "workflow": placed.table.workflow.id, "state": placed.state}
        if not out.owners:
            raise TransitionDenied(
                self._front.deny(Reason.NO_OWNER_AFTER, "no role may own this ticket on creation", **ctx)
            )
        if out.problem is not None:
            names = ", ".join(f"`{r}`" for r in out.candidates)
            raise TransitionDenied(
                self._front.deny(
                    Reason.SEVERAL_OWNERS_AFTER, f"several roles may own this ticket on creation: {names}", **ctx
                )
            )
        ticket: dict[str, Any] = {
            "workflow": placed.table.workflow.id,
            "state": out.state,  # the creation state of this kind of ticket
            "owner": out.owners[0],
            # whether a calendar is open is read at each request, never stored on the ticket
            "attributes": {a: v for a, v in placed.values.items() if hours_calendar(a) is None},
            "version": 0,
        }
        if len(out.owners) > 1:
            ticket["owners"] = list(out.owners)
        return ticket

    def fire(
        self, ticket: Any, event: Any, actor: Any = None, target: Any = None, *, at: dt.datetime | None = None
    ) -> Fired:
        """Apply an allowed move: a new ticket (version + 1) and its history entry.

        Raises :class:`TransitionDenied` carrying the decision otherwise; the input is
        never changed.  With a decision log, every call is recorded before it returns or
        raises (the entry's ``log_record`` is the record's number), and a log that cannot
        be written raises ``DecisionLogError``.
        """
        d = Engine.decide(self, ticket, event, actor, target, at=at)
        if not d.allowed:
            if self.decision_log is not None:
                self.decision_log.append_fire(ticket, event, actor, target, d, None)
            raise TransitionDenied(d)
        t = as_mapping(ticket)
        assert t is not None and d.next_state is not None
        before = self._front.acting_owner(t, actor)
        new = moved(t, d, before if isinstance(before, str) else None)
        parts = actor_parts(actor) if actor is not None else None
        entry = {
            "at": (at or dt.datetime.now(dt.UTC)).isoformat(),
            "workflow": d.workflow,
            "event": d.event,
            "from": d.state,
            "to": d.next_state,
            "owner_before": before,
            "owner_after": new["owner"],
            "fresh_assignment": d.fresh_assignment,
            "assignee_before": t.get("assignee"),
            "actor": parts[0] if parts else None,
            "actor_roles": list(parts[1]) if parts else [],
            "target": d.target,
            "transition": d.transition.to_json() if d.transition else None,
            "grants": [g.to_json() for g in d.grants],
            "version": new["version"],
            "rules_hash": d.rules_hash,
        }
        if self.decision_log is not None:
            entry["log_record"] = self.decision_log.append_fire(ticket, event, actor, target, d, entry)
        return Fired(new, entry)

    # -- the static check ------------------------------------------------------------
    def check(self, rules: list[Rule] | None = None, options: Options | None = None) -> CheckResult:
        """``rulesengine check`` from the library, suppressions honoured, on this engine's analysis."""
        shared = self._analysis if options is None else None
        return check_ruleset(self.ruleset, self._suppressions, rules, options, shared)


def moved(ticket: Mapping[str, Any], d: Decision, owner_before: str | None = None) -> dict[str, Any]:
    """The ticket after an allowed decision: its new state, owner(s), the attribute values
    the move wrote, and version + 1.  ``fire`` and the log audit's replay both make their
    tickets here, so a replayed history moves exactly as the service's tickets did.

    The assigned person is kept only while the owning role stays the same
    (``owner_before``: the role that held it, default the ticket's ``owner``).
    """
    if not d.allowed or d.next_state is None:
        raise TransitionDenied(d)
    before = owner_before if owner_before is not None else ticket.get("owner")
    new = dict(ticket)
    new["attributes"] = dict(ticket.get("attributes") or {})
    new["workflow"] = d.workflow
    new["state"] = d.next_state
    new["owner"] = d.owner_after[0]
    if len(d.owner_after) > 1:
        new["owners"] = list(d.owner_after)
    else:
        new.pop("owners", None)
    if new["owner"] != before:
        new.pop("assignee", None)
    if d.sets:
        new["attributes"].update(d.sets)
    new["version"] = int(ticket.get("version", 0)) + 1
    return new


def load(
    path: str | Path,
    *,
    strict: bool = False,
    decision_log: DecisionLog | str | os.PathLike[str] | None = None,
) -> Engine:
    """Compile a rules directory into an :class:`Engine`.

    Invalid rules raise :class:`RulesInvalid` with the located diagnostics.  With
    ``strict``, error-level findings of ``check`` (gaps, duplicate owners, …) are refused
    the same way.  ``decision_log`` (a path or a ``DecisionLog``) records every ``fire``.
    """
    result = load_rules(path)
    if result.ruleset is None:
        raise RulesInvalid(result.diagnostics)
    engine = Engine(result.ruleset, result.suppressions)
    if strict:
        res = engine.check()
        bad = res.invalid or [f for f in res.findings if f.severity is Severity.ERROR]
        if bad:
            raise RulesInvalid(bad, "the rules have errors")
    if decision_log is not None:
        engine._attach_log(decision_log)  # opened only for rules that load
    return engine
