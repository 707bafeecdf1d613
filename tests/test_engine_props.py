"""``decide`` agrees with the exploration, with ``explain`` and with a naive evaluator.

The naive evaluator is written straight from the README's "how ownership is decided",
on concrete tickets with :meth:`Grant.covers` — no partition, no index, no caches.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine import Decision, Engine, Reason
from rulesengine.analysis.index import timer_event
from rulesengine.compile.compiler import compile_files
from rulesengine.model.ruleset import Kind, Ownership, Ruleset
from tests.rulegen import concrete_tickets, rules_dirs

Outcome = tuple[str, tuple[str, ...] | None, str | None]  # (next state, owners or None: no clean landing, target)


def naive_outcomes(rs: Ruleset, wid: str, state: str, owner: str, ticket: dict[str, Any], event: str) -> list[Outcome]:
    wf = rs.workflows[wid]

    def eligible(s: str) -> list[str]:
        return sorted({g.role for g in rs.grants(Kind.HANDLE) if g.covers(wid, s, ticket)})

    def fresh(s: str) -> tuple[str, ...] | None:
        e = eligible(s)
        if len(e) == 1 or (e and wf.ownership is Ownership.SHARED):
            return tuple(e)
        if e and all(r in wf.assign for r in e):
            return (next(r for r in wf.assign if r in e),)
        return None  # a gap, or an unsettled duplicate

    def to(role: str, s: str) -> tuple[str, ...] | None:
        return (role,) if wf.states[s].final or role in eligible(s) else None

    out: list[Outcome] = []
    for t in wf.transitions:
        if t.name != event or state not in t.sources or not t.condition.matches(ticket):
            continue
        if t.roles is not None and owner not in t.roles:
            continue
        mine = [g for g in rs.roles[owner].grants if g.kind is t.by and g.covers(wid, state, ticket)]
        if not mine:
            continue
        if t.by is Kind.HANDLE:
            stays = wf.states[t.target].final or owner in eligible(t.target)
            out.append((t.target, (owner,) if stays else fresh(t.target), None))
        else:
            out.extend((t.target, to(x, t.target), x) for g in mine for x in g.targets)
    for e in wf.escalations:
        if timer_event(e) != event or state not in e.states or not e.condition.matches(ticket):
            continue
        dest = e.goto or state
        if (e.to, dest) != (owner, state):
            out.append((dest, to(e.to, dest), None))
    return out


def naive_decide(outcomes: list[Outcome], target: str | None) -> Outcome | None:
    """The README's rules for choosing among outcomes: a named target, no guessing."""
    if target is not None:
        outcomes = [o for o in outcomes if o[2] == target]
    elif len({o[2] for o in outcomes}) > 1 and None not in {o[2] for o in outcomes}:
        return None  # a target is required
    if not outcomes or any(o != outcomes[0] for o in outcomes):
        return None
    return outcomes[0] if outcomes[0][1] is not None else None


def _actor(event: str, owner: str) -> dict[str, Any] | None:
    return None if event.startswith("timer:") else {"id": "p", "roles": [owner]}


def _engine(files: dict[str, str]) -> Engine:
    result = compile_files(files)
    assert result.ok, [d.message for d in result.diagnostics]
    assert result.ruleset is not None
    return Engine.from_ruleset(result.ruleset)


WIDE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@WIDE
@given(rules_dirs(wide=True))
def test_decide_agrees_with_a_naive_evaluator(files: dict[str, str]) -> None:
    engine = _engine(files)
    rs = engine.ruleset
    for ticket in concrete_tickets()[::11]:
        for wid, wf in rs.workflows.items():
            if not wf.applies_when.matches(ticket):
                continue
            events = [t.name for t in wf.transitions] + [timer_event(e) for e in wf.escalations]
            for state in wf.states:
                for owner in rs.roles:
                    handles = any(g.covers(wid, state, ticket) for g in rs.grants(Kind.HANDLE) if g.role == owner)
                    t = {"workflow": wid, "state": state, "owner": owner, "attributes": ticket}
                    for event in dict.fromkeys(events):
                        for target in (None, *rs.roles):
                            d = engine.decide(t, event, _actor(event, owner), target)
                            want = None
                            if not wf.states[state].final and handles:
                                want = naive_decide(naive_outcomes(rs, wid, state, owner, ticket, event), target)
                            assert d.allowed == (want is not None), (wid, state, owner, event, target, d.message)
                            if want is not None:
                                assert (d.next_state, d.owner_after) == want[:2], (state, owner, event, d)


@WIDE
@given(rules_dirs(wide=True))
def test_decide_agrees_with_the_exploration_and_explain(files: dict[str, str]) -> None:
    """In every situation check reaches, decide allows exactly the moves that land cleanly."""
    engine = _engine(files)
    rs = engine.ruleset
    for wid, wrun in engine._analysis.runs.items():
        idx = wrun.index
        for run in wrun:
            ticket = dict(idx.ticket(run.k))
            for sit in run.parent:
                if sit.owner is None or sit.state in idx.finals:
                    continue
                t = {"workflow": wid, "state": sit.state, "owner": sit.owner, "attributes": ticket}
                by_event: dict[str, list[Outcome]] = {}
                for m, out in idx.steps(sit.state, sit.owner, run.k):
                    named = m.new_owner if m.kind.value in ("coordinate", "escalate") else None
                    by_event.setdefault(m.key, []).append(
                        (out.state, out.owners if out.problem is None else None, named)
                    )
                for event, outcomes in by_event.items():
                    for target in (None, *rs.roles):
                        want = naive_decide(outcomes, target)
                        d = engine.decide(t, event, _actor(event, sit.owner), target)
                        assert d.allowed == (want is not None), (wid, sit, event, target, d.message)
                        if want is not None:
                            assert (d.next_state, d.owner_after) == want[:2]
                # explain lists, for this holder, exactly the transitions decide allows
                doc = engine.explain(t)
                explained = {
                    (x["name"], a["targets"][0] if a["targets"] else None)
                    for x in doc["transitions"]
                    for a in x["allowed"]
                    if a["lands"]
                }
                decided = {(d.event, d.target) for d in engine.allowed_events(t, {"id": "p", "roles": [sit.owner]})}
                assert decided <= explained, (sit, decided - explained)


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)),
    max_leaves=20,
)
KEYS = st.sampled_from(["workflow", "state", "owner", "owners", "assignee", "attributes", "version", "x"])


@st.composite
def tickets(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 4)) == 0:
        return draw(JSON)
    t: dict[str, Any] = {
        "workflow": draw(st.sampled_from(["service", "complaint", None, "nope"])),
        "state": draw(st.sampled_from(["new", "working", "done", "open", "expert", "nowhere"])),
        "owner": draw(st.sampled_from(["agent", "lead", "expert_a", "qa", None, "ghost"])),
        "attributes": {
            "category": draw(st.sampled_from(["refund", "tech", "complaint", "other", 3])),
            "tier": draw(st.sampled_from(["normal", "vip"])),
            "amount": draw(st.one_of(st.integers(-5, 3000), st.floats(), st.text(max_size=5))),
            "urgent": draw(st.booleans()),
        },
    }
    for _ in range(draw(st.integers(0, 3))):
        t[draw(KEYS)] = draw(JSON)
    return t


@settings(max_examples=400, deadline=None)
@given(
    tickets(),
    st.one_of(st.sampled_from(["start", "finish", "transfer", "timer:0", "split", "close"]), JSON),
    st.one_of(st.none(), st.fixed_dictionaries({"id": JSON, "roles": JSON}), JSON),
    st.one_of(st.none(), st.sampled_from(["expert_a", "lead"]), JSON),
)
def test_any_input_gets_a_decision_never_an_exception(ticket: Any, event: Any, actor: Any, target: Any) -> None:
    from pathlib import Path

    engine = _fixture_engine(Path(__file__).parent / "fixtures" / "engine")
    d = engine.decide(ticket, event, actor, target)
    assert isinstance(d, Decision) and isinstance(d.reason, Reason)
    assert d.allowed == (d.reason is Reason.ALLOWED)
    json.dumps(d.to_json())
    if d.allowed:  # an allow is never a guess on malformed input
        assert (isinstance(ticket, dict) and isinstance(actor, dict)) or event.startswith("timer:")


_ENGINES: dict[Any, Engine] = {}


def _fixture_engine(path: Any) -> Engine:
    from rulesengine import load

    if path not in _ENGINES:
        _ENGINES[path] = load(path)
    return _ENGINES[path]


@settings(max_examples=600, deadline=None)
@given(
    tickets(),
    st.one_of(st.sampled_from(["start", "finish", "transfer", "timer:0", "split", "close", "approve", "park"]), JSON),
    st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {"id": st.sampled_from(["p-1", "p-9", 3]), "roles": st.lists(st.sampled_from(["agent", "lead", "expert_a"]))}
        ),
        JSON,
    ),
    st.one_of(st.none(), st.sampled_from(["expert_a", "expert_b", "lead"])),
)
def test_the_quick_path_answers_as_the_full_path(ticket: Any, event: Any, actor: Any, target: Any) -> None:
    """A plain dict takes the quick path; the same ticket behind a read-only mapping cannot."""
    from pathlib import Path
    from types import MappingProxyType

    engine = _fixture_engine(Path(__file__).parent / "fixtures" / "engine")
    if not isinstance(ticket, dict):
        return
    slow = MappingProxyType(ticket)
    assert engine.decide(ticket, event, actor, target) == engine.decide(slow, event, actor, target)
