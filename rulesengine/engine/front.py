"""The front door of the engine: a ticket and an actor, checked before anything is decided.

A request is placed — its workflow (named, or derived from ``applies_when``), state
and ticket class found, its attribute values parsed as the command line's ``--set``
parses them — and the person checked against the owning role and the assigned person.
Whatever does not fit becomes a denial with its own reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..analysis.nearest import nearest
from ..model.ruleset import ESCALATED, Kind, Ruleset
from .classify import Miss
from .decision import Decision, GrantRef
from .inputs import actor_parts, as_mapping
from .messages import NO_ACTOR, TIMER_WITH_ACTOR, not_assignee, not_owner, short
from .reasons import Reason
from .table import Option, WorkflowTable


class Placed(NamedTuple):
    table: WorkflowTable
    ticket: Mapping[str, Any]
    state: str
    k: int
    values: dict[str, Any]


class FrontDoor:
    """Places tickets and checks actors for one engine (read-only after construction)."""

    def __init__(self, ruleset: Ruleset, tables: Mapping[str, WorkflowTable], rules_hash: str) -> None:
        self.ruleset = ruleset
        self.tables = tables
        self.rules_hash = rules_hash

    def deny(self, reason: Reason, message: str, **kw: Any) -> Decision:
        return Decision(False, reason, message, rules_hash=self.rules_hash, **kw)

    def place(self, ticket: Any, event: str | None = None, at: dt.datetime | None = None) -> Placed | Decision:
        """Find the ticket's workflow, state and class, or the denial saying why not.

        Grants scoped by a calendar's hours read whether it is open: at ``at`` (an aware
        time; default now) unless the ticket carries the ``in_hours:<calendar>`` value."""
        t = ticket if type(ticket) is dict else as_mapping(ticket)
        if t is None:
            return self.deny(Reason.INVALID_TICKET, "a ticket is a mapping with `state`, `owner` and `attributes`")
        attrs = t.get("attributes")
        if attrs is None:
            attrs = {}
        elif not isinstance(attrs, Mapping):
            return self.deny(Reason.INVALID_TICKET, "the ticket's `attributes` must be a mapping")
        wid = t.get("workflow")
        if wid is None:
            got = self.derive(attrs, event)
            if isinstance(got, Decision):
                return got
            wid = got
        tab = self.tables.get(wid) if type(wid) is str else None
        if tab is None:
            return self.deny(Reason.UNKNOWN_WORKFLOW, f"unknown workflow `{short(wid)}`", event=event)
        state = t.get("state")
        if type(state) is not str or state not in tab.workflow.states:
            return self.deny(
                Reason.UNKNOWN_STATE, f"`{short(state)}` is not a state of `{wid}`", event=event, workflow=wid
            )
        version = t.get("version", 0)
        if type(version) is not int:
            return self.deny(Reason.INVALID_TICKET, "the ticket's `version` must be a whole number", event=event)
        if tab.idx.reads_escalated and ESCALATED not in attrs:
            attrs = {**attrs, ESCALATED: False}  # a ticket that does not say so was never escalated
        if tab.hours and any(a not in attrs for a, _ in tab.hours):
            when = at if at is not None else dt.datetime.now(dt.UTC)
            if when.tzinfo is None:
                return self.deny(Reason.INVALID_TICKET, "the time of a request must carry a time zone", event=event)
            attrs = dict(attrs)
            for a, cal in tab.hours:
                if a not in attrs:
                    attrs[a] = self.ruleset.calendars[cal].clock.is_open(when)
        try:
            fast = tab.fast.get(len(attrs))
            known = fast.classify(attrs) if fast is not None else -1
        except (KeyError, TypeError, IndexError):
            known = -1
        try:
            k, values = (known, dict(attrs)) if known >= 0 else tab.classifier.classify(attrs)
        except Miss as miss:
            return self.deny(Reason(miss.kind), miss.message, event=event, workflow=wid, state=state)
        if k is None:
            return self.deny(
                Reason.WRONG_WORKFLOW,
                f"`{wid}` does not apply to this ticket: it applies to {tab.workflow.applies_when.describe()}",
                event=event,
                workflow=wid,
                state=state,
            )
        return Placed(tab, t, state, k, values)

    def derive(self, attrs: Mapping[str, Any], event: str | None) -> str | Decision:
        """The one workflow whose ``applies_when`` the attributes satisfy."""
        if not self.tables:
            return self.deny(Reason.UNKNOWN_WORKFLOW, "the rules have no workflow", event=event)
        classifier = next(iter(self.tables.values())).classifier
        try:
            values = {key: classifier.value(key, raw) for key, raw in attrs.items()}
        except Miss as miss:
            return self.deny(Reason(miss.kind), miss.message, event=event)
        fits = [wid for wid, wf in self.ruleset.workflows.items() if wf.applies_when.matches(values)]
        if len(fits) == 1:
            return fits[0]
        if not fits:
            return self.deny(Reason.UNKNOWN_WORKFLOW, "no workflow applies to this ticket; name one", event=event)
        names = ", ".join(f"`{w}`" for w in fits)
        return self.deny(Reason.WRONG_WORKFLOW, f"several workflows apply to this ticket ({names}); name one")

    def not_eligible(self, owner: str, placed: Placed, ctx: dict[str, Any]) -> Decision:
        """The owning role may not hold the ticket here: say which grant came nearest.

        A role beyond its limit (a refund above its amount) is the common case, and is
        answered as ``limit-exceeded`` so that a scenario can expect exactly that.
        """
        role = self.ruleset.roles[owner]
        near = nearest(role.grants_of(Kind.HANDLE), placed.table.workflow.id, placed.state, placed.values)
        if near is None:
            why = "it declares `handles_tickets: false`" if not role.handles_tickets else "it has no handle grant"
            return self.deny(Reason.OWNER_NOT_ELIGIBLE, f"`{owner}` may not hold this ticket: {why}", **ctx)
        reason = Reason.LIMIT_EXCEEDED if near.failing and near.limit_only else Reason.OWNER_NOT_ELIGIBLE
        return self.deny(
            reason,
            f"`{owner}` may not hold this ticket at `{placed.state}`: {near.reason}",
            nearest=GrantRef.of(near.grant),
            failed=near.failing,
            **ctx,
        )

    def acting_owner(self, t: Mapping[str, Any], actor: Any) -> str | Decision:
        """The role the ticket is held by in this request (under `shared`, the actor's)."""
        owners = t.get("owners")
        if owners is not None and isinstance(owners, (list, tuple)) and owners:
            parts = actor_parts(actor) if actor is not None else None
            held = parts[1] if parts else ()
            for o in owners:
                if o in held:
                    return str(o)
            owner = owners[0]
        else:
            owner = t.get("owner")
        if owner is None:
            return self.deny(Reason.MISSING_OWNER, "the ticket names no `owner` role")
        if type(owner) is not str:
            return self.deny(Reason.INVALID_TICKET, "the ticket's `owner` must be a role id")
        return owner

    def by_non_owner(
        self, tab: WorkflowTable, state: str, owner: str, k: int, event: str, actor: Any, ctx: dict[str, Any]
    ) -> tuple[Option, ...] | Decision | None:
        """For an event open to roles other than the owner (``owner_only: false``): the
        options of the first of the actor's roles that may fire it without owning the
        ticket, a denial when none may, or None when the actor holds the owning role (the
        owner's own path decides)."""
        parts = actor_parts(actor)
        if parts is None or owner in parts[1]:
            return None
        per_class = tab.others.get((state, owner))
        by_firer = per_class[k].get(event, {}) if per_class is not None else {}
        for role in parts[1]:
            got = by_firer.get(role)
            if got:
                return got
        held = ", ".join(f"`{r}`" for r in parts[1]) or "no role"
        ts = [t for t in tab.workflow.outgoing(state) if t.name == event]
        kind = ts[0].by.value if ts else "handle"
        return self.deny(
            Reason.NO_GRANT,
            f"`{event}` may be fired without owning the ticket, but the actor ({held}) holds no {kind} grant "
            f"that covers `{state}` for this ticket",
            **ctx,
        )

    def actor_check(
        self, t: Mapping[str, Any], timer: bool, actor: Any, owner: str, ctx: dict[str, Any]
    ) -> Decision | None:
        if timer:
            if actor is not None:
                return self.deny(Reason.TIMER_EVENT, TIMER_WITH_ACTOR, **ctx)
            return None
        if actor is None:
            return self.deny(Reason.INVALID_ACTOR, NO_ACTOR, **ctx)
        parts = actor_parts(actor)
        if parts is None:
            return self.deny(Reason.INVALID_ACTOR, "an actor is a mapping `{id, roles}`", **ctx)
        ident, roles = parts
        if owner not in roles:
            return self.deny(Reason.NOT_OWNER, not_owner(owner), **ctx)
        assignee = t.get("assignee")
        if assignee is not None and str(assignee) != ident:
            return self.deny(Reason.NOT_ASSIGNEE, not_assignee(assignee, owner), **ctx)
        return None
