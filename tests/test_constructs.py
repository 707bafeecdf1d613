"""The format's constructs for real ticket systems, against a brute-force reference.

Reopening, transitions fired by non-owners, timers that only change state, ``any_of``,
``set:``, several creation states, ``after_escalation`` and calendar-scoped grants:
the partition, the exploration and ``decide`` are each held to a reference written here
straight from the README, on concrete tickets with :meth:`Grant.covers` and
:meth:`Condition.matches` — no partition, no index, no caches.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

from hypothesis import HealthCheck, given, settings

from rulesengine import Engine
from rulesengine.analysis.context import Analysis
from rulesengine.analysis.index import timer_event
from rulesengine.compile.compiler import compile_files
from rulesengine.model.ruleset import ESCALATED, Kind, Ownership, Ruleset, hours_attribute
from tests.constructgen import construct_dirs, construct_tickets

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
HOURS = hours_attribute("office")


class NaiveMove(NamedTuple):
    event: str
    firer: str | None  # None: a timer
    target: str | None  # the role a transfer or escalation names (the engine's `target`)
    state: str  # where it lands
    owners: tuple[str, ...] | None  # who may hold it there; None: no clean landing
    walk: tuple[str | None, ...]  # who the exploration goes on with (each candidate of a duplicate; None: a gap)
    ticket: dict[str, Any]  # the ticket's values afterwards


class Reference:
    """The README's semantics on concrete tickets."""

    def __init__(self, rs: Ruleset, wid: str = "w") -> None:
        self.rs = rs
        self.wid = wid
        self.wf = rs.workflows[wid]
        self.reads_escalated = ESCALATED in rs.attributes and any(
            ESCALATED in g.condition.attributes for g in rs.grants() if wid in g.cells
        )

    def eligible(self, state: str, tk: dict[str, Any]) -> list[str]:
        return sorted(
            {
                g.role
                for g in self.rs.grants(Kind.HANDLE)
                if self.rs.roles[g.role].handles_tickets and g.covers(self.wid, state, tk)
            }
        )

    def fresh(self, state: str, tk: dict[str, Any]) -> tuple[str, ...] | None:
        e = self.eligible(state, tk)
        if len(e) == 1 or (e and self.wf.ownership is Ownership.SHARED):
            return tuple(e)
        if e and all(r in self.wf.assign for r in e):
            return (next(r for r in self.wf.assign if r in e),)
        return None

    def walkers(self, state: str, tk: dict[str, Any]) -> list[str | None]:
        """Who the exploration follows after a fresh assignment: every candidate of an
        unsettled duplicate, and nobody (None) in a gap, where only timers move it on."""
        got = self.fresh(state, tk)
        if got is not None:
            return list(got)
        return list(self.eligible(state, tk)) or [None]

    def named(self, role: str, state: str, tk: dict[str, Any]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
        """A named role takes the ticket (a transfer, an escalation, a take-over)."""
        ok = self.wf.states[state].final or role in self.eligible(state, tk)
        return ((role,), (role,)) if ok else (None, ())

    def keep(
        self, owner: str | None, state: str, tk: dict[str, Any]
    ) -> tuple[tuple[str, ...] | None, tuple[str | None, ...]]:
        """The owner keeps the ticket where it may hold it, else a fresh assignment (an
        unowned ticket a timer closes stays unowned)."""
        if owner is None and self.wf.states[state].final:
            return (), ()
        if owner is not None and (self.wf.states[state].final or owner in self.eligible(state, tk)):
            return (owner,), (owner,)
        return self.fresh(state, tk), tuple(self.walkers(state, tk))

    def grants(self, role: str, kind: Kind, state: str, tk: dict[str, Any]) -> list[Any]:
        return [g for g in self.rs.roles[role].grants if g.kind is kind and g.covers(self.wid, state, tk)]

    def moves(self, state: str, owner: str | None, tk: dict[str, Any]) -> list[NaiveMove]:
        wf, out = self.wf, []
        st = wf.states[state]
        for t in wf.transitions if owner is not None else ():
            if state not in t.sources or (st.final and t.name not in st.reopen):
                continue
            if not t.condition.matches(tk):
                continue
            after = {**tk, **t.sets}
            if t.by is Kind.ESCALATE and self.reads_escalated:
                after[ESCALATED] = True
            firers = []
            if t.roles is None or owner in t.roles:
                mine = self.grants(owner, t.by, state, tk)
                if mine:
                    firers.append((owner, mine))
            if not t.owner_only:
                for r in sorted(self.rs.roles):
                    if r == owner or (t.roles is not None and r not in t.roles):
                        continue
                    if t.take_over and not self.rs.roles[r].handles_tickets:
                        continue
                    mine = self.grants(r, t.by, state, tk)
                    if mine:
                        firers.append((r, mine))
            for r, mine in firers:
                if r != owner and t.take_over:
                    named = r if t.by is not Kind.HANDLE else None
                    out.append(NaiveMove(t.name, r, named, t.target, *self.named(r, t.target, after), after))
                elif t.by is Kind.HANDLE:
                    out.append(NaiveMove(t.name, r, None, t.target, *self.keep(owner, t.target, after), after))
                else:
                    for g in mine:
                        for x in g.targets:
                            out.append(NaiveMove(t.name, r, x, t.target, *self.named(x, t.target, after), after))
        if st.final:
            return out
        for e in wf.escalations:
            if state not in e.states or not e.condition.matches(tk):
                continue
            dest = e.goto or state
            if e.to is None:
                if dest != state:
                    out.append(NaiveMove(timer_event(e), None, None, dest, *self.keep(owner, dest, tk), tk))
            elif (e.to, dest) != (owner, state):
                after = {**tk, ESCALATED: True} if self.reads_escalated else tk
                out.append(NaiveMove(timer_event(e), None, None, dest, *self.named(e.to, dest, after), after))
        return out

    def start(self, tk: dict[str, Any]) -> str | None:
        if self.reads_escalated and tk.get(ESCALATED):
            return None  # an escalated ticket is reached, never created
        return self.wf.initial_for(tk)


def _compile(files: dict[str, str]) -> Ruleset:
    result = compile_files(files)
    assert result.ruleset is not None, [f"{d.location} {d.message}" for d in result.diagnostics]
    return result.ruleset


def _tickets(rs: Ruleset, step: int = 1) -> list[dict[str, Any]]:
    extra = tuple(a for a in (ESCALATED, HOURS) if a in rs.attributes)
    return construct_tickets(extra)[::step]


@SETTINGS
@given(construct_dirs())
def test_the_partition_agrees_with_concrete_tickets(files: dict[str, str]) -> None:
    rs = _compile(files)
    ref = Reference(rs)
    idx = Analysis(rs).index.workflow("w")
    for c in idx.space.classes:
        assert idx.space.class_of(c.ticket) is not None  # a representative lies in a class
    for tk in _tickets(rs, 3):
        k = idx.space.class_of(tk)
        if not ref.wf.applies_when.matches(tk):
            assert k is None
            continue
        assert k is not None, tk
        for s in ref.wf.states:
            assert list(idx.eligible(s, k)) == ref.eligible(s, tk), (s, tk)
        for t in ref.wf.transitions:
            assert idx.transition_enabled(t, k) == t.condition.matches(tk), (t.name, tk)
        assert idx.initial(k) == ref.wf.initial_for(tk)


@SETTINGS
@given(construct_dirs())
def test_the_exploration_agrees_with_a_walk_of_concrete_tickets(files: dict[str, str]) -> None:
    """Every situation check explores — state, owner and the ticket's class, which a
    `set:` or an escalation may change — is one a concrete ticket reaches, and back."""
    rs = _compile(files)
    ref = Reference(rs)
    wrun = Analysis(rs).runs["w"]
    idx = wrun.index
    for tk in _tickets(rs, 5):
        k = idx.space.class_of(tk)
        if k is None:
            continue
        if ref.reads_escalated and tk.get(ESCALATED):
            # reached, never created: its class has no run of its own unless the rules
            # never tell escalated tickets apart (then it is the created ticket's class)
            assert not wrun.classes[k].parent or not idx.ticket(k).get(ESCALATED)
            continue
        start = ref.start(tk)
        seen: set[tuple[str, str | None, int]] = set()
        queue: deque[tuple[str, str | None, dict[str, Any]]] = deque()
        if start is not None:
            for o in ref.walkers(start, tk):
                seen.add((start, o, k))
                queue.append((start, o, tk))
        while queue:
            s, o, cur = queue.popleft()
            for m in ref.moves(s, o, cur):
                nk = idx.space.class_of(m.ticket)
                assert nk is not None
                for owner in m.walk:
                    node = (m.state, owner, nk)
                    if node not in seen:
                        seen.add(node)
                        queue.append((m.state, owner, m.ticket))
        run = wrun.classes[k]
        explored = {(sit.state, sit.owner, sit.k if sit.k >= 0 else k) for sit in run.parent}
        assert explored == seen, (tk, explored ^ seen)


@SETTINGS
@given(construct_dirs())
def test_decide_agrees_with_the_reference(files: dict[str, str]) -> None:
    """For every state, owner, event and acting role: the owner through its own grants,
    another role only through a transition open to non-owners, timers with no actor."""
    rs = _compile(files)
    ref = Reference(rs)
    engine = Engine.from_ruleset(rs)
    wf = ref.wf
    holders = sorted(
        {g.role for g in rs.grants(Kind.HANDLE) if rs.roles[g.role].handles_tickets and "w" in g.cells}
    )
    events = list(dict.fromkeys([t.name for t in wf.transitions] + [timer_event(e) for e in wf.escalations]))
    for tk in _tickets(rs, 13):
        if not wf.applies_when.matches(tk):
            continue
        for state in wf.states:
            final = wf.states[state].final
            for owner in sorted(r for r in rs.roles if rs.roles[r].handles_tickets):
                holds = owner in holders if final else owner in ref.eligible(state, tk)
                ticket = {"workflow": "w", "state": state, "owner": owner, "attributes": tk}
                moves = ref.moves(state, owner, tk) if holds else []
                for event in events:
                    actors: list[str | None] = [None] if event.startswith("timer:") else sorted(rs.roles)
                    for who in actors:
                        mine = [m for m in moves if m.event == event and m.firer == who]
                        d = engine.decide(ticket, event, None if who is None else {"id": "p", "roles": [who]})
                        want = _choose(mine)
                        assert d.allowed == (want is not None), (state, owner, event, who, d.message, mine)
                        if want is not None:
                            assert (d.next_state, d.owner_after) == (want.state, want.owners), (state, event, d)
                            wrote = {a: v for a, v in want.ticket.items() if tk.get(a) != v}
                            assert dict(d.sets) == wrote or set(wrote) <= set(dict(d.sets)), (d.sets, wrote)


def _choose(moves: list[NaiveMove]) -> NaiveMove | None:
    """The README's rules for an event with no named target: one outcome, no guessing."""
    targets = {m.target for m in moves}
    if len(targets) > 1 and None not in targets:
        return None
    if not moves or any((m.state, m.owners) != (moves[0].state, moves[0].owners) for m in moves):
        return None
    return moves[0] if moves[0].owners is not None else None
