"""Replaying one ticket's events through the engine, in time order.

Every move is asked of the one engine (``Engine.decide``), so who may act is decided
here exactly as a service embedding the rules would have decided it.  A refused move
is a violation with the engine's reason code, and the replay then follows the log —
what happened, happened: the move is applied as the ticket's rightful owner would have
made it (``decide`` again, with the owner acting), or, when even the owner could not
have made it, the ticket is put where the log says it went (the ``state`` column, else
the transition's target) with an owner ``Engine.owners`` allows there.  So one wrong
step is one violation, not a cascade.

The person who first works a ticket for its owning role becomes its assignee, as a
service assigns it, and keeps it while that role owns the ticket; a colleague firing
a move meanwhile is refused by the engine as ``not-assignee``: duplicate handling.
"""

from __future__ import annotations

from typing import Any, cast

from ..engine import Decision, Reason, TransitionDenied
from ..engine import moved as engine_moved
from ..model.policies import Step, StepKind, judge
from ..model.ruleset import Kind as Perm
from ..model.slaclock import Entry
from .events import CREATE, ROLE_SEPARATOR, Event
from .kinds import Kind, Rejected, Violation
from .outcome import Here, Outcome, Pending, _initial, _Step, ticket_facts
from .sla import sla_violations
from .versions import Version, Versions

ILLEGAL = {Reason.NOT_FROM_STATE, Reason.FINAL_STATE, Reason.AMBIGUOUS_EVENT}
ILLEGAL |= {Reason.NO_OWNER_AFTER, Reason.SEVERAL_OWNERS_AFTER}
# the row's own data does not fit the rules: the row is rejected, not judged
BAD_DATA = {Reason.INVALID_VALUE, Reason.UNKNOWN_ATTRIBUTE, Reason.MISSING_ATTRIBUTE, Reason.WRONG_WORKFLOW}
BAD_DATA |= {Reason.UNKNOWN_WORKFLOW, Reason.UNKNOWN_STATE, Reason.INVALID_TICKET}
# refusals where the owner acting in the actor's place would have been allowed
BY_OWNER = {Reason.NOT_OWNER, Reason.NOT_ASSIGNEE, Reason.INVALID_ACTOR}
STEP_KINDS = {Perm.HANDLE: StepKind.HANDLE, Perm.COORDINATE: StepKind.COORDINATE, Perm.ESCALATE: StepKind.ESCALATE}


class TicketReplay:
    """The replay of one ticket; :meth:`run` returns its :class:`Outcome`."""

    def __init__(self, events: list[Event], versions: Versions, log: str) -> None:
        self.events = events
        self.versions = versions
        self.log = log
        self.out = Outcome()
        self.ticket: dict[str, Any] = {}
        self.raw: dict[str, str] = {}
        self.entries: list[Entry] = []
        self.lines: list[int] = []
        self.steps: list[_Step] = []
        self.last_attrs: tuple[tuple[str, str], ...] = ()
        self.step_lines: list[int] = []
        self.gave_away: set[str] = set()
        self.visited: set[str] = set()
        self.version: Version | None = None

    # -- the whole ticket ------------------------------------------------------------
    def run(self) -> Outcome:
        tid = self.events[0].ticket
        self.out.ticket = tid
        single = self.versions.first if not self.versions.dated else None
        for n, ev in enumerate(self.events):
            version = single or self.versions.at(ev.time)
            if version is None:
                self.out.rejected.append(Rejected(ev.line, f"no rules are in force at {ev.time.isoformat()}", tid))
                continue
            self.version = version
            if not self.ticket:
                if not self._create(version, ev, n):
                    return self.out
                if ev.activity == CREATE:
                    self.out.audited += 1
                    continue
            self._event(version, ev)
        if self.version is not None and self.ticket:
            self._finish(self.version)
        return self.out

    def _create(self, version: Version, ev: Event, n: int) -> bool:
        self.raw = _initial(self.events)
        try:
            self.ticket = version.create(self.raw)
        except TransitionDenied as exc:
            d = exc.decision
            why = f"ticket `{ev.ticket}` cannot be created under the rules: {d.reason.value}: {d.message}"
            self.out.rejected.extend(Rejected(e.line, why, ev.ticket) for e in self.events[n:])
            self.ticket = {}
            return False
        state = self.ticket["state"]
        self.entries.append(Entry(state, ev.time))
        self.lines.append(ev.line)
        self.visited.add(state)
        self.steps.append(_Step(state, CREATE, state, StepKind.ASSIGN, None, None, self.ticket["owner"]))
        self.step_lines.append(ev.line)
        return True

    # -- one event -------------------------------------------------------------------
    def _base(self, ev: Event) -> Here:
        return Here(ev, self.ticket["workflow"], self.ticket["state"])

    def _event(self, version: Version, ev: Event) -> None:
        ticket = self.ticket
        if ev.state:
            wf = version.workflow(ticket["workflow"])
            if ev.state not in wf.states:
                why = f"`{ev.state}` is not a state of workflow `{wf.id}`"
                self.out.rejected.append(Rejected(ev.line, why, ev.ticket))
                return
        before_attrs = ticket["attributes"]
        changed: dict[str, str] = {}
        if ev.attrs is not self.last_attrs:
            self.last_attrs = ev.attrs
            raw = self.raw
            changed = {a: v for a, v in ev.attrs if raw.get(a) != v}
            if changed:
                self.ticket = ticket = {**ticket, "attributes": {**before_attrs, **changed}}
        engine = version.engine
        roles, unknown = version.roles_of(ev.role)
        resource = ev.resource
        if resource and roles and not unknown:  # the usual row: a known person acting in known roles
            actor: dict[str, Any] | None = {"id": resource, "roles": roles}
            d = engine.decide(ticket, ev.activity, actor, ev.target or None)
            if d.allowed:
                if changed:
                    self.raw.update(changed)
                self.out.audited += 1
                self._apply(version, ev, d, actor)
                return
        else:
            actor = None
            d = None
        timer = ev.activity.startswith("timer:")
        base = self._base(ev)
        anonymous_timer = timer and not ev.resource and not roles
        if not anonymous_timer and (not ev.resource or not roles or unknown):
            what = (
                f"role `{unknown[0]}` is not a role of the rules"
                if unknown
                else "the event names no person"
                if not ev.resource
                else f"`{ev.resource}` acts with no role"
            )
            d = engine.decide(self.ticket, ev.activity, None if timer else self._as_owner(), ev.target or None)
            if d.reason in BAD_DATA:
                self._reject(ev, d, before_attrs)
                return
            self.raw.update(changed)
            self._violate(
                Kind.UNKNOWN_ACTOR_OR_ROLE,
                base,
                what,
                "unknown-role" if unknown else "missing-actor",
                self._holding(engine),
            )
            self.out.audited += 1
            if not d.allowed and d.reason not in BY_OWNER and not self._judge(version, ev, d, base):
                return
            self._recover(version, ev, d, None)
            return
        if d is None:  # an anonymous timer (a known actor was asked above)
            d = engine.decide(self.ticket, ev.activity, actor, ev.target or None)
        if d.reason in BAD_DATA:
            self._reject(ev, d, before_attrs)
            return
        if changed:
            self.raw.update(changed)
        self.out.audited += 1
        if d.allowed:
            self._apply(version, ev, d, actor)
            return
        if not self._judge(version, ev, d, base):
            return
        if d.reason in BY_OWNER:
            d = engine.decide(self.ticket, ev.activity, self._as_owner(), ev.target or None)
        elif d.reason is Reason.TIMER_EVENT:
            d = engine.decide(self.ticket, ev.activity, None)
        self._recover(version, ev, d, None)

    def _judge(self, version: Version, ev: Event, d: Decision, base: Here) -> bool:
        """Report a refused move as its kind of violation; False when the ticket stays put."""
        kind = (
            Kind.UNKNOWN_ACTIVITY
            if d.reason is Reason.UNKNOWN_EVENT
            else Kind.ILLEGAL_TRANSITION
            if d.reason in ILLEGAL
            else Kind.DUPLICATE_HANDLING
            if d.reason is Reason.NOT_ASSIGNEE
            else Kind.UNAUTHORIZED_ACTOR
        )
        if d.nearest is not None:
            evidence = d.nearest.location
        elif d.reason in BY_OWNER:
            evidence = self._holding(version.engine)
        else:
            evidence = self._transition_at(version.workflow(self.ticket["workflow"]), ev.activity)
        self._violate(kind, base, d.message, d.reason.value, evidence)
        return kind is not Kind.UNKNOWN_ACTIVITY

    def _reject(self, ev: Event, d: Decision, attrs: dict[str, Any]) -> None:
        self.ticket = {**self.ticket, "attributes": attrs}
        self.out.rejected.append(Rejected(ev.line, f"{d.reason.value}: {d.message}", ev.ticket))

    def _as_owner(self) -> dict[str, Any]:
        return {"id": self.ticket.get("assignee") or "<owner>", "roles": [self.ticket["owner"]]}

    def _holding(self, engine: Any) -> str | None:
        grants = engine.holding_grants(self.ticket)
        return grants[0].location if grants else None

    @staticmethod
    def _transition_at(wf: Any, name: str) -> str | None:
        t = next((t for t in wf.transitions if t.name == name), None)
        return str(t.location) if t is not None and t.location else (str(wf.location) if wf.location else None)

    def _violate(self, kind: Kind, here: Here, message: str, reason: str, evidence: str | None) -> None:
        ev = here.event
        self.out.violations.append(
            Violation(
                kind,
                ticket=ev.ticket,
                line=ev.line,
                message=message,
                reason=reason,
                actor=ev.resource or None,
                role=ev.role or None,
                time=ev.time.isoformat(),
                activity=ev.activity,
                workflow=here.workflow,
                state=here.state,
                evidence=evidence,
            )
        )

    # -- moves -----------------------------------------------------------------------
    def _recover(self, version: Version, ev: Event, d: Decision, actor: dict[str, Any] | None) -> None:
        """Follow the log after a refused move: the owner's move when the engine allows
        it, else the state the log names, else the transition's target."""
        if d.allowed:
            self._apply(version, ev, d, actor)
            return
        wf = version.workflow(self.ticket["workflow"])
        named = [t for t in wf.transitions if t.name == ev.activity]
        if ev.state:
            to = ev.state
        elif len({t.target for t in named}) == 1:
            to = named[0].target
        elif (
            ev.activity.startswith("timer:")
            and ev.activity[6:].isdigit()
            and int(ev.activity[6:]) < len(wf.escalations)
        ):
            esc = wf.escalations[int(ev.activity[6:])]
            to = esc.goto or self.ticket["state"]
        else:
            return  # the log does not say where the ticket went: it stays
        kind = STEP_KINDS.get(named[0].by, StepKind.HANDLE) if named else StepKind.TIMER
        moved = {**self.ticket, "state": to}
        owner = self.ticket["owner"]
        if not wf.states[to].final:
            try:
                owners = version.engine.owners(moved)
            except ValueError:
                owners = ()
            roles = [r for r in ev.role.split(ROLE_SEPARATOR) if r]
            pick = [r for r in [*roles, owner, ev.target] if r in owners] or list(owners[:1])
            owner = pick[0] if pick else owner
        self._moved(version, ev, moved, owner, kind, None)

    def _apply(self, version: Version, ev: Event, d: Decision, actor: dict[str, Any] | None) -> None:
        """The ticket after an allowed move, as ``Engine.fire`` makes it."""
        moved = engine_moved(self.ticket, d)  # the ticket as `Engine.fire` makes it
        if d.transition is not None and d.transition.timer:
            kind = StepKind.TIMER
        elif d.grants:
            kind = STEP_KINDS[d.grants[0].kind]
        else:
            kind = StepKind.HANDLE
        self._moved(version, ev, moved, d.owner_after[0], kind, actor)

    def _moved(
        self,
        version: Version,
        ev: Event,
        moved: dict[str, Any],
        owner: str,
        kind: StepKind,
        actor: dict[str, Any] | None,
    ) -> None:
        ticket = self.ticket
        before = ticket["owner"]
        moved["owner"] = owner
        moved["version"] = int(ticket.get("version", 0)) + 1
        if owner != before:
            moved.pop("assignee", None)
        elif actor is not None and "assignee" not in moved and owner in actor["roles"]:
            moved["assignee"] = actor["id"]
        frm = ticket["state"]
        wid = ticket["workflow"]
        self.ticket = moved
        to = moved["state"]
        self.entries.append(Entry(to, ev.time))
        self.lines.append(ev.line)
        if actor is not None:
            role: str | None = before if before in actor["roles"] else actor["roles"][0]
        else:
            role = ev.role.split(ROLE_SEPARATOR)[0] if ev.role else None
        self.steps.append(_Step(frm, ev.activity, to, kind, role, ev.resource or None, owner))
        self.step_lines.append(ev.line)
        if owner != before and kind in (StepKind.COORDINATE, StepKind.ESCALATE, StepKind.TIMER):
            if owner in self.gave_away:
                self._violate(
                    Kind.TRANSFER_LOOP,
                    Here(ev, wid, frm),
                    f"`{ev.activity}` hands the ticket back to `{owner}`, which passed it on by a transfer before",
                    "handed-back",
                    self._transition_at(version.workflow(moved["workflow"]), ev.activity),
                )
            if kind is StepKind.COORDINATE:
                self.gave_away.add(before)
        self.visited.add(to)
        if to in version.finals(moved["workflow"]):
            wf = version.workflow(moved["workflow"])
            skipped = [s for s in version.required(wf.id) if s not in self.visited]
            if skipped:
                last = self.out.violations[-1] if self.out.violations else None
                if last is not None and last.line == ev.line and last.kind is Kind.ILLEGAL_TRANSITION:
                    self.out.violations.pop()  # the more specific finding of the same move
                names = ", ".join(f"`{s}`" for s in skipped)
                self._violate(
                    Kind.REQUIRED_STEP_SKIPPED,
                    Here(ev, wid, frm),
                    f"the ticket reaches `{to}` without passing the required {names}",
                    "required-skipped",
                    str(wf.states[skipped[0]].location) if wf.states[skipped[0]].location else None,
                )

    # -- the end of the ticket ------------------------------------------------------
    def _finish(self, version: Version) -> None:
        wid = self.ticket["workflow"]
        attrs = self.ticket["attributes"]
        steps = cast("list[Step]", self.steps)  # judge reads the fields a Step has
        profile = version.profile(wid, attrs)
        for policy in profile.policies:  # those in scope (judge asks again, and answers None otherwise)
            breach = judge(policy, wid, attrs, steps)
            if breach is None:
                continue
            step = steps[breach.step]
            line = self.step_lines[breach.step]
            ev = next(e for e in self.events if e.line == line)
            base = Here(ev, wid, step.state)
            self._violate(
                Kind.POLICY_VIOLATION,
                base,
                f"policy `{policy.id}`: {breach.reason}",
                policy.id,
                str(policy.location) if policy.location else None,
            )
        last = self.events[-1]
        tail = {"ticket": last.ticket, "workflow": wid, "actor": None, "role": None, "activity": None}
        wf = version.workflow(wid)
        closed = wf.states[self.ticket["state"]].final
        if closed:
            self.out.violations.extend(
                sla_violations(
                    version, self.ticket, self.entries, self.lines, self.entries[-1].at, False, tail, profile.slas
                )
            )
        else:
            self.out.pending = Pending(version, self.ticket, self.entries, self.lines, tail)
        self.out.facts = ticket_facts(
            version, self.ticket, self.entries, self.steps, self.events, self.out, closed, profile.slas
        )


def replay(events: list[Event], versions: Versions, log: str) -> Outcome:
    """Replay one ticket's events (in time order) through the rules in force at each."""
    return TicketReplay(events, versions, log).run()
