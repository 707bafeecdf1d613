"""The permission index: who owns, and who may fire what, in every cell.

A *cell* is (workflow, state, profile class).  This module is the one permission
function of the engine: the static rules, the flow simulation, ``explain``, the matrix
and runtime enforcement all ask it, so what the analysis proves is exactly what the
engine enforces.  Answers are computed per cell on first use and cached.

The semantics are the README's "how ownership is decided": the eligible roles of a cell
hold a *handle* grant covering it; a ticket arriving where its owner does not cover it
is assigned (the ``assign`` order settles several only when it lists them all); the
owner fires transitions through its grants; timed escalations fire by themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from ..model.conditions import Condition
from ..model.ruleset import ESCALATED, Grant, Kind, Ownership, Ruleset, Sla, TimedEscalation, Transition, Workflow
from .moves import Assignment, Move, MoveKind, Outcome, Problem, timer_event, timer_move
from .partition import WorkflowSpace, bits_of, build_space, ids_of

# the values of the transition function live in .moves; importable from here as before
__all__ = [
    "Assignment",
    "Move",
    "MoveKind",
    "Outcome",
    "PermissionIndex",
    "Problem",
    "WorkflowIndex",
    "timer_event",
    "timer_move",
]

_KINDS = tuple(Kind)


class WorkflowIndex:
    """Permission answers for the cells of one workflow."""

    def __init__(self, ruleset: Ruleset, workflow: Workflow, restrict: Condition | None = None) -> None:
        self.ruleset = ruleset
        self.workflow = workflow
        conds: dict[Condition, int] = {}

        def cid(c: Condition) -> int:
            if c not in conds:
                conds[c] = len(conds)
            return conds[c]

        self.grants: dict[Kind, dict[str, list[tuple[Grant, int]]]] = {k: {} for k in Kind}
        self.role_grants: dict[tuple[str, Kind], list[tuple[Grant, int]]] = {}
        self.role_state_grants: dict[tuple[str, Kind, str], list[tuple[Grant, int]]] = {}
        for role in ruleset.roles.values():
            for g in role.grants:
                states = g.cells.get(workflow.id)
                if not states:
                    continue
                ref = (g, cid(g.condition))
                self.role_grants.setdefault((role.id, g.kind), []).append(ref)
                per_state = self.grants[g.kind]
                for s in states:
                    per_state.setdefault(s, []).append(ref)
                    self.role_state_grants.setdefault((role.id, g.kind, s), []).append(ref)
        self.transition_cond = {t.index: cid(t.condition) for t in workflow.transitions}
        self.start_cond = [cid(st.condition) for st in workflow.starts]
        self.escalation_cond = {e.index: cid(e.condition) for e in workflow.escalations}
        self.sla_cond = {s.name: cid(s.condition) for s in workflow.slas}
        self.grant_cond: dict[tuple[str, str, int], int] = {}
        for kind_map in self.grants.values():
            for refs in kind_map.values():
                for g, c in refs:
                    self.grant_cond[(g.role, g.kind.value, g.index)] = c
        # attribute values moves write: `set:` of transitions, and `escalated: true` of an
        # escalation when some condition reads it.  The partition also cuts by every
        # condition as it reads once such values are written (``Condition.given``), so that
        # a move takes all the tickets of a class to one class.
        self._tsets = {t.index: dict(t.sets) for t in workflow.transitions if t.sets}
        self.reads_escalated = ESCALATED in ruleset.attributes and any(ESCALATED in c.attributes for c in conds)
        writes = list(self._tsets.values()) + ([{ESCALATED: True}] if self.reads_escalated else [])
        frontier = list(conds)
        while frontier and writes:
            cond = frontier.pop()
            for values in writes:
                ghost = cond.given(values)
                if ghost not in conds:
                    cid(ghost)
                    frontier.append(ghost)
        self.jumps = bool(writes)
        self._jump: dict[tuple[int, int, int], int] = {}
        self.space: WorkflowSpace = build_space(ruleset, workflow, list(conds), restrict)
        self._full = (1 << len(conds)) - 1
        self._bits: list[int] = [c.bits for c in self.space.classes]
        # Every answer below depends on a class only through the conditions it reads:
        # classes that agree on those bits share the cached answer, so the caches grow
        # with the number of distinct situations, not with the number of classes.
        self._eligible_by_key: dict[tuple[str, int], tuple[str, ...]] = {}
        self._moves_by_key: dict[tuple[str, str | None, int], tuple[Move, ...]] = {}
        # (state, owner) -> {conditions read: {class bits on them: (steps, conditions read)}}
        self._step_tables: dict[
            tuple[str, str | None], dict[int, dict[int, tuple[tuple[tuple[Move, Outcome], ...], int]]]
        ] = {}
        self._reads: dict[tuple[str, str | None], int] = {}
        self._move_pool: dict[tuple[Any, ...], Move] = {}
        self._step_reads: dict[tuple[str, str | None], int] = {}
        self._outgoing = {s: workflow.outgoing(s) for s in workflow.states}
        self.finals = frozenset(workflow.final_states)
        # final states no transition reopens: the search ends there
        self.terminal = frozenset(s for s in self.finals if not self._outgoing[s])
        self.start_mask = bits_of(self.start_cond)
        # once frozen (an engine has warmed every cache it needs), answers are computed
        # but never stored: the index is then read-only and safe to share between threads
        self.frozen = False
        # who may own: roles declared `handles_tickets: false` act through their grants
        # (transitions with `owner_only: false`) but are never eligible
        owning = self._owning = frozenset(r for r, role in ruleset.roles.items() if role.handles_tickets)
        self._handle_mask = {
            s: bits_of(c for g, c in refs if g.role in owning) for s, refs in self.grants[Kind.HANDLE].items()
        }
        self._handle_roles: dict[str, dict[int, list[str]]] = {}
        for s, refs in self.grants[Kind.HANDLE].items():
            for g, c in refs:
                if g.role in owning:
                    self._handle_roles.setdefault(s, {}).setdefault(c, []).append(g.role)
        # every grant of a kind at a state: what a transition open to non-owners reads
        self._kind_mask = {
            (kind, s): bits_of(c for _, c in refs)
            for kind, per_state in self.grants.items()
            for s, refs in per_state.items()
        }
        self._role_masks = {key: bits_of(c for _, c in refs) for key, refs in self.role_state_grants.items()}
        # the targets a move from each state can land on (transitions and timers)
        self._targets: dict[str, frozenset[str]] = {
            s: frozenset(
                [t.target for t in self._outgoing[s]] + [e.goto or s for e in workflow.escalations if s in e.states]
            )
            for s in workflow.states
        }

    # -- basic questions -------------------------------------------------------------
    def sig(self, k: int) -> frozenset[int]:
        """The ids of the conditions class ``k`` satisfies."""
        return self.space.classes[k].signature

    def bits(self, k: int) -> int:
        """The signature of class ``k`` as an integer bit set (bit i: condition i holds)."""
        return self._bits[k]

    def ticket(self, k: int) -> Mapping[str, Any]:
        return self.space.classes[k].ticket

    @property
    def class_count(self) -> int:
        return len(self.space.classes)

    def eligible(self, state: str, k: int) -> tuple[str, ...]:
        """Roles whose handle grant covers (state, class k), sorted by id."""
        held = self._bits[k] & self._handle_mask.get(state, 0)
        pkey = (state, held)
        got = self._eligible_by_key.get(pkey)
        if got is None:
            # walk the conditions that hold, not every grant (thousands of amount bands)
            by_cond = self._handle_roles.get(state, {})
            roles: set[str] = set()
            while held:
                low = held & -held
                roles.update(by_cond.get(low.bit_length() - 1, ()))
                held ^= low
            got = tuple(sorted(roles))
            if not self.frozen:
                self._eligible_by_key[pkey] = got
        return got

    def role_handle_conds(self, role: str, state: str) -> frozenset[int]:
        return ids_of(self.role_handle_mask(role, state))

    def role_handle_mask(self, role: str, state: str) -> int:
        """Conditions of ``role``'s handle grants at ``state``, as a bit set."""
        return self._role_masks.get((role, Kind.HANDLE, state), 0)

    def has_exit(self, state: str) -> bool:
        """The state has a transition or a timer out (else it is a structural dead end)."""
        return bool(self._outgoing[state]) or any(state in e.states for e in self.workflow.escalations)

    def can_be_stuck(self, state: str) -> bool:
        """A ticket with no move here is stuck: the state is not final and has a way out."""
        return state not in self.finals and self.has_exit(state)

    def handle_conds(self, state: str) -> frozenset[int]:
        """Conditions of the handle grants at ``state`` (what eligibility there reads)."""
        return ids_of(self.handle_mask(state))

    def handle_mask(self, state: str) -> int:
        """:meth:`handle_conds` as a bit set."""
        return self._handle_mask.get(state, 0)

    def moves_reads(self, state: str, owner: str | None) -> frozenset[int]:
        return ids_of(self.moves_mask(state, owner))

    def moves_mask(self, state: str, owner: str | None) -> int:
        """The conditions :meth:`moves` consults for (state, owner), as a bit set."""
        got = self._reads.get((state, owner))
        if got is None and self.jumps:
            got = self._full  # a move may change the ticket's class: answers are per class
        if got is None:
            got = 0
            for t in self._outgoing[state]:
                got |= 1 << self.transition_cond[t.index]
                if owner is not None:
                    got |= self._role_masks.get((owner, Kind.HANDLE, t.target), 0)
                if not t.owner_only:
                    got |= self._kind_mask.get((t.by, state), 0)
            for e in self.workflow.escalations:
                if state in e.states:
                    got |= 1 << self.escalation_cond[e.index]
                    if e.to is None and owner is not None:
                        got |= self._role_masks.get((owner, Kind.HANDLE, e.goto or state), 0)
            if owner is not None:
                for kind in _KINDS:
                    got |= self._role_masks.get((owner, kind, state), 0)
            if not self.frozen:
                self._reads[(state, owner)] = got
        return got

    def steps_mask(self, state: str, owner: str | None) -> int:
        """What :meth:`steps` consults: the moves, and eligibility wherever a move may land."""
        got = self._step_reads.get((state, owner))
        if got is None:
            got = self.moves_mask(state, owner)
            for target in self._targets[state]:
                got |= self._handle_mask.get(target, 0)
            if not self.frozen:
                self._step_reads[(state, owner)] = got
        return got

    def covering(self, kind: Kind, role: str, state: str, k: int) -> list[Grant]:
        """The grants of ``kind`` that let ``role`` act at (state, class k)."""
        refs = self.role_state_grants.get((role, kind, state))
        if not refs:
            return []
        bits = self._bits[k]
        return [g for g, c in refs if bits >> c & 1]

    def covers(self, role: str, state: str, k: int) -> bool:
        return role in self.eligible(state, k)

    def transition_enabled(self, t: Transition, k: int) -> bool:
        return bool(self._bits[k] >> self.transition_cond[t.index] & 1)

    def escalation_enabled(self, e: TimedEscalation, k: int) -> bool:
        return bool(self._bits[k] >> self.escalation_cond[e.index] & 1)

    def sla_applies(self, sla: Sla, k: int) -> bool:
        return bool(self._bits[k] >> self.sla_cond[sla.name] & 1)

    @cached_property
    def some_bits(self) -> int:
        """The conditions that hold for at least one class."""
        out = 0
        for b in self._bits:
            out |= b
        return out

    def every_class_meets(self, mask: int) -> bool:
        """Every class satisfies at least one of the conditions in ``mask``."""
        if not self._bits or self.all_bits & mask:
            return True
        return all(b & mask for b in self._bits)

    @cached_property
    def all_bits(self) -> int:
        """The conditions that hold for every class."""
        if not self._bits:
            return 0
        out = -1
        for b in self._bits:
            out &= b
        return out

    def grant_matches_some(self, g: Grant) -> bool:
        """:meth:`grant_matches` for at least one class."""
        c = self.grant_cond.get((g.role, g.kind.value, g.index))
        return c is not None and bool(self.some_bits >> c & 1)

    def grant_matches(self, g: Grant, k: int) -> bool:
        c = self.grant_cond.get((g.role, g.kind.value, g.index))
        return c is not None and bool(self._bits[k] >> c & 1)

    def assignment(self, state: str, k: int) -> Assignment:
        cands = self.eligible(state, k)
        wf = self.workflow
        if len(cands) <= 1:
            return Assignment(cands, cands, True, False)
        if wf.ownership is Ownership.SHARED:
            return Assignment(cands, cands, False, False)
        if all(c in wf.assign for c in cands):
            winner = next(r for r in wf.assign if r in cands)
            return Assignment(cands, (winner,), True, False)
        return Assignment(cands, cands, False, True)

    # -- moves -----------------------------------------------------------------------
    def moves(self, state: str, owner: str | None, k: int) -> tuple[Move, ...]:
        """Every move from (state, owner) for class k, in a stable order."""
        reads = self._reads.get((state, owner))
        if reads is None:
            reads = self.moves_mask(state, owner)
        pkey = (state, owner, self._bits[k] & reads)
        got = self._moves_by_key.get(pkey)
        if got is None:
            got = self._moves(state, owner, k)[0]
            if not self.frozen:
                self._moves_by_key[pkey] = got
        return got

    def _moves(self, state: str, owner: str | None, k: int) -> tuple[tuple[Move, ...], int]:
        """The moves, and the bit set of the conditions deciding them were actually read.

        The second answer is what lets exploration share runs: it is collected along the
        very branches that decide the moves, so it is exact for this class and for every
        class that agrees with it on :meth:`moves_mask`.
        """
        out: list[Move] = []
        read = 0
        wf = self.workflow
        masks = self._role_masks
        if owner is not None:
            others: list[Move] = []  # moves by roles other than the owner come after the owner's
            for t in self._outgoing[state]:
                read |= 1 << self.transition_cond[t.index]
                if not self.transition_enabled(t, k):
                    continue
                if not t.owner_only:
                    read |= self._kind_mask.get((t.by, state), 0)
                    others.extend(self._by_others(state, t, owner, k))
                    if t.by is Kind.HANDLE and not t.take_over:
                        read |= masks.get((owner, Kind.HANDLE, t.target), 0)
                if t.roles is not None and owner not in t.roles:
                    continue
                read |= masks.get((owner, t.by, state), 0)
                if t.by is Kind.HANDLE:
                    hg = self.covering(Kind.HANDLE, owner, state, k)
                    if not hg:
                        continue
                    read |= masks.get((owner, Kind.HANDLE, t.target), 0)
                    stays = wf.states[t.target].final or self.covers(owner, t.target, self.written(t, k))
                    out.append(self._intern(MoveKind.HANDLE, state, t, owner, owner if stays else None, hg[0]))
                else:
                    for g in self.covering(t.by, owner, state, k):
                        for target in g.targets:
                            out.append(self._intern(MoveKind(t.by.value), state, t, owner, target, g))
            out.extend(others)
        # timers fire whoever holds the ticket — also where nobody may (a gap)
        for e in wf.escalations:
            if state not in e.states or state in self.finals:
                continue
            read |= 1 << self.escalation_cond[e.index]
            if not self.escalation_enabled(e, k):
                continue
            goto = e.goto or state
            keeper: str | None = None
            if e.to is None:  # a timer that only moves the ticket on
                if goto == state:
                    continue
                if owner is not None:
                    read |= masks.get((owner, Kind.HANDLE, goto), 0)
                    keeper = owner if goto in self.finals or self.covers(owner, goto, k) else None
            elif e.to == owner and goto == state:
                continue  # it would hand the ticket to its owner where it is
            tkey = (e.index, state, keeper)
            tm = self._move_pool.get(tkey)
            if tm is None:
                tm = timer_move(e, state, keeper)
                if not self.frozen:
                    self._move_pool[tkey] = tm
            out.append(tm)
        return tuple(out), read

    def _by_others(self, state: str, t: Transition, owner: str, k: int) -> list[Move]:
        """The moves of a transition open to non-owners (``owner_only: false``), made by
        each role other than the owner that holds a ``t.by`` grant here for class ``k``.

        Who holds the ticket afterwards: the firer with ``take_over`` (a supervisor
        stepping in through a coordinate grant: its ``with`` list does not matter);
        otherwise the owner where it may hold the ticket at the target, else a fresh
        assignment; a transfer or escalation goes to the role the grant names.
        """
        out: list[Move] = []
        bits = self._bits[k]
        seen: set[str] = set()  # one move per role, except transfers: one per grant target
        for g, c in self.grants[t.by].get(state, ()):
            role = g.role
            if role == owner or not bits >> c & 1:
                continue
            if t.roles is not None and role not in t.roles:
                continue
            if role in seen and (t.by is Kind.HANDLE or t.take_over):
                continue
            seen.add(role)
            if t.take_over:  # the firer steps in and holds the ticket afterwards
                if role not in self._owning:
                    continue  # a role that never owns a ticket cannot take one over
                out.append(self._intern(MoveKind(t.by.value), state, t, role, role, g))
            elif t.by is Kind.HANDLE:
                stays = t.target in self.finals or self.covers(owner, t.target, self.written(t, k))
                out.append(self._intern(MoveKind.HANDLE, state, t, role, owner if stays else None, g))
            else:
                for target in g.targets:
                    out.append(self._intern(MoveKind(t.by.value), state, t, role, target, g))
        return out

    def _intern(self, kind: MoveKind, state: str, t: Transition, owner: str, new_owner: str | None, g: Grant) -> Move:
        """The one :class:`Move` object for these fields: classes that make the same move
        share it, so runs built from it can be compared by identity."""
        key = (kind, state, t.index, owner, new_owner, g.role, g.kind, g.index)
        got = self._move_pool.get(key)
        if got is None:
            got = Move(kind, t.name, state, t.target, owner, new_owner, g, t)
            if not self.frozen:
                self._move_pool[key] = got
        return got

    def initial(self, k: int) -> str:
        """The state tickets of class ``k`` are created in (the first ``initial`` entry
        whose condition holds; the compiler makes sure the last entry holds for all)."""
        if not self.start_cond:
            return self.workflow.initial
        bits = self._bits[k]
        for st, c in zip(self.workflow.starts, self.start_cond, strict=True):
            if bits >> c & 1:
                return st.state
        return self.workflow.starts[-1].state

    def arrive(self, k: int) -> Outcome:
        """The ticket's creation: a fresh assignment at its creation state."""
        return self._assign(self.initial(k), k)

    def apply(self, move: Move, k: int) -> Outcome:
        """Apply one move to class ``k``: who holds the ticket where it lands.

        Every command that moves tickets (exploration, explain, ``decide``, ``fire``)
        goes through here, so they cannot disagree about the result of a move.  A move
        that writes attributes lands the ticket in the class of its new values
        (``Outcome.k``), and who may hold it there is asked of that class.
        """
        k2 = self.after(move, k) if self.jumps else k
        if move.new_owner is None and move.kind is MoveKind.AUTO and move.target in self.finals:
            out = Outcome(move.target, (), False)  # an unowned ticket closed by its timer
        elif move.new_owner is None:
            out = self._assign(move.target, k2)
        elif move.target in self.finals or self.covers(move.new_owner, move.target, k2):
            out = Outcome(move.target, (move.new_owner,), False)
        else:
            out = Outcome(move.target, (), False, Problem.INTO_GAP, (move.new_owner,))
        if k2 != k:
            out = Outcome(out.state, out.owners, out.fresh, out.problem, out.candidates, k2)
        return out

    def writes(self, move: Move) -> dict[str, Any]:
        """The attribute values a move writes on the ticket (``set:``; ``escalated``)."""
        out: dict[str, Any] = {}
        if move.transition is not None and move.transition.index in self._tsets:
            out.update(self._tsets[move.transition.index])
        if self.reads_escalated and move.kind in (MoveKind.ESCALATE, MoveKind.TIMER):
            out[ESCALATED] = True
        return out

    def after(self, move: Move, k: int) -> int:
        """The class of a ticket of class ``k`` once ``move`` has written its values."""
        tidx = move.transition.index if move.transition is not None else -1
        return self._jumped(k, tidx, move.kind in (MoveKind.ESCALATE, MoveKind.TIMER))

    def written(self, t: Transition, k: int) -> int:
        """The class of a ticket of class ``k`` after transition ``t`` writes its ``set:``."""
        return self._jumped(k, t.index, False) if t.index in self._tsets else k

    def _jumped(self, k: int, tidx: int, escalates: bool) -> int:
        """The class after transition ``tidx`` (-1: a timer) writes its values, and
        ``escalated`` when the move escalates and a grant reads it; remembered."""
        key = (k, tidx, int(escalates))
        got = self._jump.get(key)
        if got is None:
            values = dict(self._tsets.get(tidx, {}))
            if escalates and self.reads_escalated:
                values[ESCALATED] = True
            got = self._class_with(k, values) if values else k
            if not self.frozen:
                self._jump[key] = got
        return got

    def _class_with(self, k: int, values: Mapping[str, Any]) -> int:
        profile = dict(self.ticket(k))
        profile.update(values)
        got = self.space.class_of(profile)
        # the partition cuts by every condition as it reads after these values are written,
        # and `set` never writes what `applies_when` reads: the class exists
        return k if got is None else got

    def creatable(self, k: int) -> bool:
        """Tickets of class ``k`` can be created (an escalated ticket is only ever reached)."""
        return not (self.reads_escalated and self.ticket(k).get(ESCALATED) is True)

    def _assign(self, state: str, k: int) -> Outcome:
        asg = self.assignment(state, k)
        if not asg.candidates:
            return Outcome(state, (), True, Problem.GAP)
        return Outcome(state, asg.owners, True, Problem.DUPLICATE if asg.duplicate else None, asg.candidates)

    def steps(self, state: str, owner: str | None, k: int) -> tuple[tuple[Move, Outcome], ...]:
        """Every move from (state, owner) for class k with where it leaves the ticket."""
        return self.steps_read(state, owner, k)[0]

    def steps_read(self, state: str, owner: str | None, k: int) -> tuple[tuple[tuple[Move, Outcome], ...], int]:
        """:meth:`steps`, and the bit set of the conditions the answer was read from.

        Exactly :meth:`moves` followed by :meth:`apply`.  The answer for one class holds
        for every class that agrees with it on the conditions it was read from, so it is
        filed under that set: per (state, owner) there are a handful of such sets, and
        finding the answer for another class is a lookup in each.
        """
        bits = self._bits[k]
        if self.jumps:  # classes do not share answers when moves change them
            return tuple((m, self.apply(m, k)) for m in self._moves(state, owner, k)[0]), self._full
        tables = self._step_tables.get((state, owner))
        if tables is not None:
            for read, table in tables.items():
                got = table.get(bits & read)
                if got is not None:
                    return got
        moves, read = self._moves(state, owner, k)
        for m in moves:
            if m.new_owner is None:
                read |= self._handle_mask.get(m.target, 0)  # a fresh assignment reads eligibility
            elif m.target not in self.finals:
                read |= self._role_masks.get((m.new_owner, Kind.HANDLE, m.target), 0)
        got = (tuple((m, self.apply(m, k)) for m in moves), read)
        if not self.frozen:
            if tables is None:
                tables = self._step_tables[(state, owner)] = {}
            tables.setdefault(read, {})[bits & read] = got
        return got


class PermissionIndex:
    """The permission index of a whole ruleset, built once and shared."""

    def __init__(self, ruleset: Ruleset, restrict: Condition | None = None) -> None:
        self.ruleset = ruleset
        self.restrict = restrict
        self._by_wf: dict[str, WorkflowIndex] = {}

    def workflow(self, wid: str) -> WorkflowIndex:
        got = self._by_wf.get(wid)
        if got is None:
            got = WorkflowIndex(self.ruleset, self.ruleset.workflows[wid], self.restrict)
            self._by_wf[wid] = got
        return got
