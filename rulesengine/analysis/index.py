"""The permission index: who owns, and who may fire what, in every cell.

A *cell* is (workflow, state, profile class).  This module is the one permission
function of the engine: the static rules, the flow simulation, ``explain``, the matrix
and runtime enforcement all ask it, so what the analysis proves is exactly what the
engine enforces.  Answers are computed per cell on first use and cached.

Semantics (DESIGN.md §1):

* ``eligible(state, k)`` — roles whose *handle* grant covers the cell;
* assignment — on creation, and whenever the owner does not cover the new state, the
  ticket goes to the eligible role; several eligible roles are settled by the
  workflow's ``assign`` order only when every one of them is listed there;
* the owner fires ``handle`` transitions, transfers the ticket with ``coordinate``
  transitions to a role its coordinate grant names, and raises it with ``escalate``
  transitions to the role its escalate grant names; timed escalations fire by
  themselves and hand the ticket to their role.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..conditions import Condition
from ..diagnostics import Location
from ..model import Grant, Kind, Ownership, Ruleset, Sla, TimedEscalation, Transition, Workflow
from .partition import WorkflowSpace, build_space


class MoveKind(str, enum.Enum):
    """How a move is made: by the owner through one of its grants, or by a timer."""

    HANDLE = "handle"
    COORDINATE = "coordinate"
    ESCALATE = "escalate"
    TIMER = "timer"

    @property
    def is_escalation(self) -> bool:
        return self in (MoveKind.ESCALATE, MoveKind.TIMER)


class Problem(str, enum.Enum):
    """What can go wrong when a move lands (the events the ownership rules report)."""

    GAP = "gap"  # a fresh assignment finds no eligible role
    DUPLICATE = "duplicate"  # several eligible roles, not settled, under `single`
    INTO_GAP = "into-gap"  # a named new owner cannot handle the ticket where it lands


@dataclass(frozen=True)
class Move:
    """One way a ticket can move on from a situation.

    A transition is identified by its workflow and index (names may repeat); a timer by
    its escalation.  :attr:`key` is the event id callers name it by.
    """

    kind: MoveKind
    event: str
    source: str
    target: str
    firer: str | None
    new_owner: str | None  # None: the target state needs a fresh assignment
    grant: Grant | None = None
    transition: Transition | None = None
    escalation: TimedEscalation | None = None

    @property
    def key(self) -> str:
        """The event id: the transition's name, or ``timer:N`` for the N-th escalation."""
        if self.escalation is not None:
            return timer_event(self.escalation)
        return self.event

    @property
    def location(self) -> Location | None:
        if self.transition is not None and self.kind is MoveKind.HANDLE:
            return self.transition.location
        if self.escalation is not None:
            return self.escalation.location
        if self.grant is not None:
            return self.grant.location
        return self.transition.location if self.transition is not None else None

    @property
    def is_escalation(self) -> bool:
        return self.kind.is_escalation


def timer_move(e: TimedEscalation, state: str) -> Move:
    """The move a timed escalation makes from ``state``: its role takes the ticket over."""
    return Move(MoveKind.TIMER, f"after {e.delay_text}", state, e.goto or state, None, e.to, None, None, e)


def timer_event(e: TimedEscalation) -> str:
    """The event id of a timed escalation (timers have no names of their own)."""
    return f"timer:{e.index}"


@dataclass(frozen=True)
class Assignment:
    """Who gets a ticket arriving at a state without an owner covering it."""

    candidates: tuple[str, ...]
    owners: tuple[str, ...]  # the role(s) the ticket may end up with
    settled: bool  # one owner chosen (single, or settled by the assign order)
    duplicate: bool  # several candidates under `single` ownership, not settled


@dataclass(frozen=True)
class Outcome:
    """Where a move (or the ticket's creation) leaves the ticket: the one transition function.

    ``owners`` are the owners the ticket may have afterwards (empty when the move lands
    in a gap); ``fresh`` says a fresh assignment chose them; ``problem`` names what the
    ownership rules report about the landing.
    """

    state: str
    owners: tuple[str, ...]
    fresh: bool
    problem: Problem | None = None
    candidates: tuple[str, ...] = ()

    @property
    def lands(self) -> bool:
        """The ticket reaches the state with an owner (or the state is final)."""
        return self.problem not in (Problem.GAP, Problem.INTO_GAP)


_KINDS = tuple(Kind)
_EMPTY: frozenset[int] = frozenset()


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
        self.escalation_cond = {e.index: cid(e.condition) for e in workflow.escalations}
        self.sla_cond = {s.name: cid(s.condition) for s in workflow.slas}
        self.grant_cond: dict[tuple[str, str, int], int] = {}
        for kind_map in self.grants.values():
            for refs in kind_map.values():
                for g, c in refs:
                    self.grant_cond[(g.role, g.kind.value, g.index)] = c
        self.space: WorkflowSpace = build_space(ruleset, workflow, list(conds), restrict)
        self._eligible: dict[tuple[str, int], tuple[str, ...]] = {}
        self._eligible_by_key: dict[tuple[str, frozenset[int]], tuple[str, ...]] = {}
        self._moves_by_key: dict[tuple[str, str | None, frozenset[int]], tuple[Move, ...]] = {}
        self._reads: dict[tuple[str, str | None], frozenset[int]] = {}
        self._outgoing = {s: workflow.outgoing(s) for s in workflow.states}
        self.finals = frozenset(workflow.final_states)
        # once frozen (an engine has warmed every cache it needs), answers are computed
        # but never stored: the index is then read-only and safe to share between threads
        self.frozen = False
        # Which conditions each cell's answers depend on: classes that agree on them
        # share the answer, which makes exploring many classes cheap.
        self._handle_conds = {s: frozenset(c for _, c in refs) for s, refs in self.grants[Kind.HANDLE].items()}

    # -- basic questions -------------------------------------------------------------
    def sig(self, k: int) -> frozenset[int]:
        return self.space.classes[k].signature

    def ticket(self, k: int) -> Mapping[str, Any]:
        return self.space.classes[k].ticket

    @property
    def class_count(self) -> int:
        return len(self.space.classes)

    def eligible(self, state: str, k: int) -> tuple[str, ...]:
        """Roles whose handle grant covers (state, class k), sorted by id."""
        key = (state, k)
        got = self._eligible.get(key)
        if got is None:
            sig = self.sig(k)
            pkey = (state, sig & self._handle_conds.get(state, frozenset()))
            got = self._eligible_by_key.get(pkey)
            if got is None:
                got = tuple(sorted({g.role for g, c in self.grants[Kind.HANDLE].get(state, ()) if c in sig}))
                if not self.frozen:
                    self._eligible_by_key[pkey] = got
            if not self.frozen:
                self._eligible[key] = got
        return got

    def role_handle_conds(self, role: str, state: str) -> frozenset[int]:
        return frozenset(c for _, c in self.role_state_grants.get((role, Kind.HANDLE, state), ()))

    def has_exit(self, state: str) -> bool:
        """The state has a transition or a timer out (else it is a structural dead end)."""
        return bool(self._outgoing[state]) or any(state in e.states for e in self.workflow.escalations)

    def handle_conds(self, state: str) -> frozenset[int]:
        """Conditions of the handle grants at ``state`` (what eligibility there reads)."""
        return self._handle_conds.get(state, _EMPTY)

    def moves_reads(self, state: str, owner: str | None) -> frozenset[int]:
        got = self._reads.get((state, owner))
        return got if got is not None else self._moves_reads(state, owner)

    def _moves_reads(self, state: str, owner: str | None) -> frozenset[int]:
        """The conditions :meth:`moves` consults for (state, owner)."""
        key = (state, owner)
        got = self._reads.get(key)
        if got is None:
            ids: set[int] = set()
            for t in self._outgoing[state]:
                ids.add(self.transition_cond[t.index])
                if owner is not None:
                    ids.update(c for _, c in self.role_state_grants.get((owner, Kind.HANDLE, t.target), ()))
            for e in self.workflow.escalations:
                if state in e.states:
                    ids.add(self.escalation_cond[e.index])
            if owner is not None:
                for kind in _KINDS:
                    ids.update(c for _, c in self.role_state_grants.get((owner, kind, state), ()))
            got = frozenset(ids)
            if not self.frozen:
                self._reads[key] = got
        return got

    def covering(self, kind: Kind, role: str, state: str, k: int) -> list[Grant]:
        """The grants of ``kind`` that let ``role`` act at (state, class k)."""
        refs = self.role_state_grants.get((role, kind, state))
        if not refs:
            return []
        sig = self.sig(k)
        return [g for g, c in refs if c in sig]

    def covers(self, role: str, state: str, k: int) -> bool:
        return role in self.eligible(state, k)

    def transition_enabled(self, t: Transition, k: int) -> bool:
        return self.transition_cond[t.index] in self.sig(k)

    def escalation_enabled(self, e: TimedEscalation, k: int) -> bool:
        return self.escalation_cond[e.index] in self.sig(k)

    def sla_applies(self, sla: Sla, k: int) -> bool:
        return self.sla_cond[sla.name] in self.sig(k)

    def grant_matches(self, g: Grant, k: int) -> bool:
        c = self.grant_cond.get((g.role, g.kind.value, g.index))
        return c is not None and c in self.sig(k)

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
            reads = self._moves_reads(state, owner)
        pkey = (state, owner, self.space.classes[k].signature & reads)
        got = self._moves_by_key.get(pkey)
        if got is not None:
            return got
        out: list[Move] = []
        wf = self.workflow
        if owner is not None and not wf.states[state].final:
            for t in self._outgoing[state]:
                if not self.transition_enabled(t, k):
                    continue
                if t.roles is not None and owner not in t.roles:
                    continue
                if t.by is Kind.HANDLE:
                    hg = self.covering(Kind.HANDLE, owner, state, k)
                    if not hg:
                        continue
                    stays = wf.states[t.target].final or self.covers(owner, t.target, k)
                    out.append(Move(MoveKind.HANDLE, t.name, state, t.target, owner, owner if stays else None, hg[0], t))
                else:
                    for g in self.covering(t.by, owner, state, k):
                        for target in g.targets:
                            out.append(Move(MoveKind(t.by.value), t.name, state, t.target, owner, target, g, t))
            for e in wf.escalations:
                if state not in e.states or not self.escalation_enabled(e, k):
                    continue
                if e.to == owner and (e.goto or state) == state:
                    continue  # it would hand the ticket to its owner where it is
                out.append(timer_move(e, state))
        result = tuple(out)
        if not self.frozen:
            self._moves_by_key[pkey] = result
        return result

    def arrive(self, k: int) -> Outcome:
        """The ticket's creation: a fresh assignment at the initial state."""
        return self._assign(self.workflow.initial, k)

    def apply(self, move: Move, k: int) -> Outcome:
        """Apply one move to class ``k``: who holds the ticket where it lands.

        Every command that moves tickets (exploration, explain, ``decide``, ``fire``)
        goes through here, so they cannot disagree about the result of a move.
        """
        if move.new_owner is None:
            return self._assign(move.target, k)
        if move.target in self.finals or self.covers(move.new_owner, move.target, k):
            return Outcome(move.target, (move.new_owner,), False)
        return Outcome(move.target, (), False, Problem.INTO_GAP, (move.new_owner,))

    def _assign(self, state: str, k: int) -> Outcome:
        asg = self.assignment(state, k)
        if not asg.candidates:
            return Outcome(state, (), True, Problem.GAP)
        return Outcome(state, asg.owners, True, Problem.DUPLICATE if asg.duplicate else None, asg.candidates)

    def steps(self, state: str, owner: str | None, k: int) -> tuple[tuple[Move, Outcome], ...]:
        """Every move from (state, owner) for class k with where it leaves the ticket."""
        return tuple((m, self.apply(m, k)) for m in self.moves(state, owner, k))


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

    @cached_property
    def all(self) -> list[WorkflowIndex]:
        return [self.workflow(w) for w in self.ruleset.workflows]
