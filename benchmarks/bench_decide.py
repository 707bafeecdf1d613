"""Benchmark `Engine.decide` and `Engine.fire` against peers, and the engine's load and memory.

Prints, measured in one run (CPU time next to wall time; min / median over repeats):

1. `decide` per call on the bundled centre with a realistic mix of tickets and actors:
   tickets created over many attribute combinations and walked through random allowed
   moves to every state, paired mostly with their rightful owner, plus wrong roles, wrong
   persons, unknown events, events that do not leave the state, transfers with targets,
   timers (`actor=None`) and a few invalid tickets.  Median and p99 per call, p99 per
   reason, and the reasons of the slowest calls; `fire` per call.
2. Peers on one workflow and the same requests: a bare `transitions` `Machine` trigger
   (no permission check), a `python-statemachine` event, and pycasbin `enforce()` on an
   RBAC policy with ABAC matchers generated from the ruleset's grants.  `load` of the
   bundled centre in a fresh process.
3. Memory and load time of a warmed engine for the largest synthetic organisation of
   `benchmarks/bench_check.py` (2,000 roles x 200 workflows x 30 states).

    .venv/bin/python benchmarks/bench_decide.py            # full run (a few minutes)
    .venv/bin/python benchmarks/bench_decide.py --quick    # smoke run (< 30 s)

The peers are optional: install them with `pip install -e ".[benchmarks]"`; a missing
peer is skipped with a line saying so.  Targets (exit status 1 when one fails):
`decide` <= 2 us median per call; >= 4x faster than the bare transitions trigger;
>= 500x faster than pycasbin `enforce()`; `load` of the bundled centre including
warm-up <= 0.3 s.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import rulesengine  # noqa: E402
from rulesengine import Engine, Reason, TransitionDenied  # noqa: E402
from rulesengine.model.conditions import Condition, Interval, ValueSet  # noqa: E402
from rulesengine.model.ruleset import AttrType, Kind, Ruleset, Workflow  # noqa: E402

INSTALL = 'pip install -e ".[benchmarks]"'
Entry = tuple[Any, Any, Any, Any]  # (ticket, event, actor, target): the arguments of decide

# -- the mix -----------------------------------------------------------------------------

# scenario -> weight; "owner" is the rightful owner firing an event that leaves the state
SCENARIOS: dict[str, float] = {
    "owner": 0.55,
    "transfer": 0.06,
    "timer": 0.08,
    "wrong-role": 0.08,
    "wrong-person": 0.06,
    "unknown-event": 0.04,
    "not-from-state": 0.05,
    "timer-with-actor": 0.02,
    "no-actor": 0.02,
    "invalid-ticket": 0.04,
}


@dataclass
class Mix:
    """Requests for `decide`, what they are, and what `decide` answered while building them."""

    entries: list[Entry] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    states: set[tuple[str, str]] = field(default_factory=set)  # (workflow, state) of the tickets
    all_states: set[tuple[str, str]] = field(default_factory=set)
    created: int = 0
    snapshots: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # create() refusals by reason
    persons: dict[str, tuple[str, ...]] = field(default_factory=dict)  # person id -> roles
    surprises: list[str] = field(default_factory=list)

    def reason_counts(self) -> Counter[Reason]:
        return Counter(self.reasons)


def timer_name(index: int) -> str:
    return f"timer:{index}"


def _conditions(rs: Ruleset) -> Iterable[Condition]:
    for role in rs.roles.values():
        for g in role.grants:
            yield g.condition
    for wf in rs.workflows.values():
        yield wf.applies_when
        yield from (t.condition for t in wf.transitions)
        yield from (e.condition for e in wf.escalations)
        yield from (s.condition for s in wf.slas)


def attribute_values(rs: Ruleset) -> dict[str, list[Any]]:
    """Values to create tickets with: every enum value, and numbers around every limit."""
    out: dict[str, list[Any]] = {}
    points: dict[str, set[float]] = defaultdict(set)
    for cond in _conditions(rs):
        for a, c in cond.tests:
            if isinstance(c, Interval):
                points[a].update(p for p in (c.lo, c.hi) if not math.isinf(p))
    for a, attr in rs.attributes.items():
        if attr.type is AttrType.BOOLEAN:
            out[a] = [False, True]
        elif attr.type.numeric:
            lo = attr.minimum if attr.minimum is not None else 0
            hi = attr.maximum if attr.maximum is not None else math.inf
            vals = {lo}
            for p in points[a]:
                vals.update(v for v in (p - 1, p, p + 1) if lo <= v <= hi)
            top = max(points[a], default=100) * 10
            if top <= hi:
                vals.add(top)
            out[a] = sorted(int(v) if float(v).is_integer() else v for v in vals)
        else:
            out[a] = list(attr.values)
    return out


def leaving(wf: Workflow) -> dict[str, list[str]]:
    """Events (transition names and timers) leaving each state, as the engine names them."""
    out: dict[str, list[str]] = {s: [] for s in wf.states}
    for t in wf.transitions:
        for s in t.sources:
            if t.name not in out[s]:
                out[s].append(t.name)
    for e in wf.escalations:
        for s in e.states:
            out[s].append(timer_name(e.index))
    return out


def _persons(rs: Ruleset, rng: random.Random) -> dict[str, tuple[str, ...]]:
    """A staff list: four persons per role, some of whom hold a second role."""
    roles = list(rs.roles)
    out: dict[str, tuple[str, ...]] = {}
    n = 0
    for r in roles:
        for i in range(4):
            n += 1
            extra = rng.choice([x for x in roles if x != r]) if i == 3 and len(roles) > 1 else None
            out[f"p-{n}"] = (r, extra) if extra else (r,)
    return out


def build_mix(engine: Engine, size: int = 20000, tickets: int = 1200, seed: int = 7) -> Mix:
    """Requests over the engine's own ruleset: walked tickets paired with actors (see SCENARIOS)."""
    rng = random.Random(seed)
    rs = engine.ruleset
    mix = Mix(all_states={(w, s) for w, wf in rs.workflows.items() for s in wf.states})
    mix.persons = _persons(rs, rng)
    by_role: dict[str, list[str]] = defaultdict(list)
    for pid, roles in mix.persons.items():
        for r in roles:
            by_role[r].append(pid)
    values = attribute_values(rs)
    names = list(values)
    combos = list(itertools.product(*(values[a] for a in names)))
    rng.shuffle(combos)
    snapshots: list[dict[str, Any]] = []
    for combo in combos:
        if mix.created >= tickets and mix.states >= mix.all_states:
            break
        attrs = dict(zip(names, combo))
        try:
            t = engine.create(attrs)
        except TransitionDenied as exc:
            mix.refused[exc.decision.reason.value] += 1
            continue
        except Exception as exc:  # a surprise: create raises only TransitionDenied
            mix.surprises.append(f"create({attrs!r}) raised {type(exc).__name__}: {exc}")
            continue
        mix.created += 1
        for snap in _walk(engine, t, rng, by_role, mix):
            snapshots.append(snap)
            mix.states.add((snap["workflow"], snap["state"]))
    mix.snapshots = len(snapshots)
    leaves = {w: leaving(wf) for w, wf in rs.workflows.items()}
    # one rightful-owner request per reached state first, then the weighted mix
    first: dict[tuple[str, str], dict[str, Any]] = {}
    for snap in snapshots:
        first.setdefault((snap["workflow"], snap["state"]), snap)
    kinds, weights = zip(*SCENARIOS.items())
    plan = [(snap, "owner") for snap in first.values()]
    while len(plan) < size:
        snap = rng.choice(snapshots)
        if rs.workflows[snap["workflow"]].states[snap["state"]].final and rng.random() < 0.85:
            continue  # a service asks about closed tickets now and then, not as often as about open ones
        plan.append((snap, rng.choices(kinds, weights)[0]))
    for snap, kind in plan[:size]:
        entry, kind, want = _request(engine, snap, kind, rng, by_role, mix.persons, leaves)
        d = _checked_decide(engine, entry, kind, want if want is not None else EXPECTED.get(kind), mix)
        if d is None:
            continue
        mix.entries.append(entry)
        mix.scenarios.append(kind)
        mix.reasons.append(d.reason)
    return mix


def _assign(t: dict[str, Any], rng: random.Random, by_role: dict[str, list[str]]) -> None:
    """The service picks a person for a freshly assigned ticket (most of the time)."""
    if "assignee" not in t and rng.random() < 0.6 and by_role.get(t["owner"]):
        t["assignee"] = rng.choice(by_role[t["owner"]])


def _walk(
    engine: Engine, ticket: dict[str, Any], rng: random.Random, by_role: dict[str, list[str]], mix: Mix
) -> list[dict[str, Any]]:
    """A random life of the ticket: allowed moves by its owner or its timers, to the end."""
    t = dict(ticket)
    _assign(t, rng, by_role)
    out = [t]
    for _ in range(16):
        owner = t["owner"]
        people = by_role.get(owner) or ["p-0"]
        actor = {"id": t.get("assignee") or rng.choice(people), "roles": list(mix.persons.get(t.get("assignee"), ()))}
        if owner not in actor["roles"]:
            actor["roles"] = [owner]
        moves = [(d, actor) for d in engine.allowed_events(t, actor)]
        moves += [(d, None) for d in engine.allowed_events(t, None)]
        if not moves:
            break
        d, who = rng.choice(moves)
        try:
            t, _ = engine.fire(t, d.event, who, d.target)
        except Exception as exc:  # allowed_events said yes: fire must agree
            mix.surprises.append(
                f"fire({_show(t)}, {d.event!r}, {who!r}, {d.target!r}) raised {type(exc).__name__}: {exc}"
                " although allowed_events listed it"
            )
            break
        _assign(t, rng, by_role)
        out.append(t)
    return out


def _request(
    engine: Engine,
    snap: dict[str, Any],
    kind: str,
    rng: random.Random,
    by_role: dict[str, list[str]],
    persons: dict[str, tuple[str, ...]],
    leaves: dict[str, dict[str, list[str]]],
) -> tuple[Entry, str, set[Reason] | None]:
    """One request of the given scenario on the snapshot, and the reasons it may get (None: any)."""
    rs = engine.ruleset
    wid, state, owner = snap["workflow"], snap["state"], snap["owner"]
    wf = rs.workflows[wid]
    out_events = leaves[wid][state]
    moves = [e for e in out_events if not e.startswith("timer:")]
    timers = [e for e in out_events if e.startswith("timer:")]
    rightful = snap.get("assignee") or rng.choice(by_role.get(owner) or ["p-0"])
    owner_actor = {"id": rightful, "roles": list(persons.get(rightful, (owner,)))}
    if kind == "transfer":
        transfers = [t for t in wf.transitions if state in t.sources and t.by is not Kind.HANDLE]
        if not transfers:
            kind = "owner"
        else:
            t = rng.choice(transfers)
            allowed = [d.target for d in engine.allowed_events(snap, owner_actor) if d.event == t.name]
            roll = rng.random()
            if allowed and roll < 0.6:
                target = rng.choice(allowed)
            elif roll < 0.85:
                target = rng.choice(list(rs.roles))
            else:
                target = None
            return (snap, t.name, owner_actor, target), kind, None
    if kind == "timer" and not timers:
        kind = "owner"
    if kind == "owner":
        allowed = engine.allowed_events(snap, owner_actor)
        if allowed and rng.random() < 0.8:
            d = rng.choice(allowed)
            return (snap, d.event, owner_actor, d.target), kind, {Reason.ALLOWED}
        return (snap, rng.choice(moves or [wf.transitions[0].name]), owner_actor, None), kind, None
    if kind == "timer":
        return (snap, rng.choice(timers), None, None), kind, None
    event = rng.choice(moves or [wf.transitions[0].name])
    if kind == "wrong-role":
        other = rng.choice([p for p, roles in persons.items() if owner not in roles])
        return (snap, event, {"id": other, "roles": list(persons[other])}, None), kind, None
    if kind == "wrong-person":
        people = by_role.get(owner) or ["p-0"]
        assignee = rng.choice(people)
        impostor = rng.choice([p for p in people if p != assignee] or [p for p in persons if p != assignee])
        roles = sorted({owner, *persons.get(impostor, ())})
        return (dict(snap, assignee=assignee), event, {"id": impostor, "roles": roles}, None), kind, None
    if kind == "unknown-event":
        return (snap, rng.choice(["frobnicate", "timer:99", "Approve", ""]), owner_actor, None), kind, None
    if kind == "not-from-state":
        names = sorted({t.name for t in wf.transitions} - set(out_events))
        return (snap, rng.choice(names), owner_actor, None), kind, None
    if kind == "timer-with-actor":
        if timers:
            return (snap, rng.choice(timers), owner_actor, None), kind, None
        kind = "no-actor"
    if kind == "no-actor":
        return (snap, event, None, None), kind, None
    entry, want = _invalid(engine, snap, rng, owner_actor, event)
    return entry, "invalid-ticket", want


def _invalid(
    engine: Engine, snap: dict[str, Any], rng: random.Random, actor: dict[str, Any], event: str
) -> tuple[Entry, set[Reason]]:
    """A ticket that does not fit the rules (what a buggy or stale service might send)."""
    rs = engine.ruleset
    attrs = dict(snap["attributes"])
    enum_attr = next((a for a, x in rs.attributes.items() if x.type is AttrType.ENUM), None)
    other_wf = next((w for w in rs.workflows if w != snap["workflow"]), snap["workflow"])
    # a role with no handle grant covering the ticket here
    uneligible = next(
        (
            r.id
            for r in rs.roles.values()
            if not any(g.covers(snap["workflow"], snap["state"], attrs) for g in r.grants_of(Kind.HANDLE))
        ),
        "ghost",
    )
    R = Reason
    # (ticket, the reasons it may get); a move on a final state is refused as such first
    variants: list[tuple[Any, set[Reason]]] = [
        ("not a ticket", {R.INVALID_TICKET}),
        (None, {R.INVALID_TICKET}),
        (dict(snap, state="limbo"), {R.UNKNOWN_STATE}),
        (dict(snap, workflow="no_such_workflow"), {R.UNKNOWN_WORKFLOW}),
        (dict(snap, workflow=other_wf), {R.WRONG_WORKFLOW, R.UNKNOWN_STATE}),
        (dict(snap, attributes={**attrs, "colour": "blue"}), {R.UNKNOWN_ATTRIBUTE}),
        (dict(snap, owner=None), {R.MISSING_OWNER, R.FINAL_STATE}),
        (dict(snap, owner="ghost"), {R.UNKNOWN_OWNER, R.FINAL_STATE}),
        (dict(snap, owner=uneligible), {R.OWNER_NOT_ELIGIBLE, R.FINAL_STATE}),
        (dict(snap, version="3"), {R.INVALID_TICKET}),
        (dict(snap, attributes=[1, 2]), {R.INVALID_TICKET}),
    ]
    if enum_attr:
        variants.append((dict(snap, attributes={**attrs, enum_attr: "gold"}), {R.INVALID_VALUE}))
        missing = {k: v for k, v in attrs.items() if k != enum_attr}
        variants.append((dict(snap, attributes=missing), {R.MISSING_ATTRIBUTE, R.WRONG_WORKFLOW}))
    ticket, want = rng.choice(variants)
    return (ticket, event, actor, None), want


EXPECTED: dict[str, set[Reason]] = {
    "wrong-role": {Reason.NOT_OWNER, Reason.FINAL_STATE},
    "wrong-person": {Reason.NOT_ASSIGNEE, Reason.FINAL_STATE},
    "unknown-event": {Reason.UNKNOWN_EVENT},
    "not-from-state": {Reason.NOT_FROM_STATE, Reason.FINAL_STATE},
    "timer-with-actor": {Reason.TIMER_EVENT},
    "no-actor": {Reason.INVALID_ACTOR, Reason.FINAL_STATE},
}


def _checked_decide(engine: Engine, entry: Entry, kind: str, want: set[Reason] | None, mix: Mix) -> Any:
    """`decide` the request; note anything surprising (an exception, a reason off its scenario,
    the fast path disagreeing with the full path, `fire` disagreeing with `decide`)."""
    ticket, event, actor, target = entry
    try:
        d = engine.decide(ticket, event, actor, target)
    except Exception as exc:
        mix.surprises.append(
            f"decide({_show(ticket)}, {event!r}, {actor!r}, {target!r}) raised {type(exc).__name__}: {exc}"
        )
        return None
    if want is not None and d.reason not in want:
        mix.surprises.append(
            f"[{kind}] decide({_show(ticket)}, {event!r}, {actor!r}, {target!r}) -> {d.reason.value}: {d.message}"
        )
    if type(ticket) is dict:
        # the same request through the full path (a read-only mapping is never fast-pathed)
        slow = engine.decide(MappingProxyType(ticket), event, actor, target)
        a = (d.allowed, d.reason, d.next_state, d.owner_after, d.target)
        b = (slow.allowed, slow.reason, slow.next_state, slow.owner_after, slow.target)
        if a != b:
            mix.surprises.append(
                f"fast path {a} != full path {b} for decide({_show(ticket)}, {event!r}, {actor!r}, {target!r})"
            )
    if d.allowed:
        try:
            engine.fire(ticket, event, actor, target)
        except Exception as exc:
            mix.surprises.append(
                f"decide allowed but fire raised {type(exc).__name__}: {exc} for {_show(ticket)} {event!r}"
            )
    return d


def _show(ticket: Any) -> str:
    text = repr(ticket)
    return text if len(text) < 400 else text[:397] + "..."


# -- timing ------------------------------------------------------------------------------


def _null(*args: Any) -> None:
    return None


def per_call_ns(fn: Callable[..., Any], entries: Sequence[Entry]) -> list[int]:
    """Wall time of each call (perf_counter_ns around it)."""
    clock = time.perf_counter_ns
    out: list[int] = []
    app = out.append
    for t, e, a, g in entries:
        t0 = clock()
        fn(t, e, a, g)
        app(clock() - t0)
    return out


def batch_ns(fn: Callable[..., Any], args_list: Sequence[tuple[Any, ...]], min_s: float = 0.05) -> tuple[float, float]:
    """(CPU ns, wall ns) per call of ``fn(*args)``, the list looped until at least ``min_s`` of CPU."""
    loops = 1
    while True:
        gc.collect()
        c0, w0 = time.process_time_ns(), time.perf_counter_ns()
        for _ in range(loops):
            for a in args_list:
                fn(*a)
        cpu, wall = time.process_time_ns() - c0, time.perf_counter_ns() - w0
        if cpu >= min_s * 1e9 or loops >= 1 << 14:
            n = loops * len(args_list)
            return cpu / n, wall / n
        loops *= 2 if cpu < 1e6 else max(2, math.ceil(min_s * 1e9 / cpu))


@dataclass
class Stat:
    """A measure over repeats: min and median."""

    values: list[float]

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def med(self) -> float:
        return statistics.median(self.values)


def measure(fn: Callable[..., Any], args_list: Sequence[tuple[Any, ...]], repeat: int) -> tuple[Stat, Stat]:
    """CPU and wall ns per call over repeats, the loop's own cost (a call of a no-op) subtracted."""
    oc, ow = batch_ns(_null, args_list)
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = batch_ns(fn, args_list)
        cpu.append(max(c - oc, 0.0))
        wall.append(max(w - ow, 0.0))
    return Stat(cpu), Stat(wall)


def pct(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[i]


def _us(ns: float) -> str:
    return f"{ns / 1000:.3f}" if ns < 10_000_000 else f"{ns / 1000:.0f}"


# -- peers -------------------------------------------------------------------------------


# scenarios whose ticket is a walked snapshot as the engine left it (the peers' requests)
VALID_TICKET = frozenset({"owner", "transfer", "timer", "wrong-role", "wrong-person", "timer-with-actor", "no-actor"})


def peer_entries(engine: Engine, mix: Mix, wid: str) -> list[Entry]:
    """Requests of the mix that a bare state machine of ``wid`` can answer: a valid ticket of
    the workflow at a non-final state and an event leaving it, whoever asks."""
    wf = engine.ruleset.workflows[wid]
    leaves = leaving(wf)
    return [
        (t, e, a, g)
        for (t, e, a, g), kind in zip(mix.entries, mix.scenarios)
        if kind in VALID_TICKET and t["workflow"] == wid and not wf.states[t["state"]].final and e in leaves[t["state"]]
    ]


def _ident(event: str) -> str:
    return event.replace(":", "_")


def transitions_peer(wf: Workflow) -> tuple[Callable[..., Any], Callable[[Entry], tuple[Any, ...]]]:
    """A `transitions.Machine` of the workflow (no permission check): set the state, trigger."""
    from transitions import Machine

    class Model:
        pass

    model = Model()
    spec: list[dict[str, Any]] = [
        {"trigger": t.name, "source": list(t.sources), "dest": t.target} for t in wf.transitions
    ]
    spec += [{"trigger": _ident(timer_name(e.index)), "source": list(e.states), "dest": e.goto} for e in wf.escalations]
    Machine(model=model, states=list(wf.states), transitions=spec, initial=wf.initial, auto_transitions=False)
    trigger = model.trigger  # type: ignore[attr-defined]

    def call(state: str, event: str) -> Any:
        model.state = state  # type: ignore[attr-defined]
        return trigger(event)

    return call, lambda en: (en[0]["state"], _ident(en[1]))


def statemachine_peer(wf: Workflow) -> tuple[Callable[..., Any], Callable[[Entry], tuple[Any, ...]]]:
    """A `python-statemachine` class built from the workflow: set the state, send the event."""
    from statemachine import State, StateMachine

    # no state is final: a machine that reached one stops taking events, and this one is
    # reset to each request's state (a fresh machine per request would cost far more)
    states = {s: State(s, value=s, initial=s == wf.initial) for s in wf.states}
    attrs: dict[str, Any] = {f"s_{s}": st for s, st in states.items()}
    events: dict[str, Any] = {}

    def add(name: str, sources: Iterable[str], dest: str | None) -> None:
        for src in sources:
            tl = states[src].to(states[dest]) if dest is not None else states[src].to.itself(internal=True)
            events[name] = events[name] | tl if name in events else tl

    for t in wf.transitions:
        add(t.name, t.sources, t.target)
    for e in wf.escalations:
        add(_ident(timer_name(e.index)), e.states, e.goto)
    # states with no way out (the final ones) get a self-loop: the library refuses trap states
    add("_stay", [s for s in wf.states if not any(s in t.sources for t in wf.transitions)], None)
    attrs.update({f"e_{name}": tl for name, tl in events.items()})
    cls = type(f"Machine_{wf.id}", (StateMachine,), attrs)
    sm = cls()
    send = sm.send

    def call(state: str, event: str) -> Any:
        sm.current_state_value = state
        return send(event)

    return call, lambda en: (en[0]["state"], "e_" + _ident(en[1]))


def casbin_policy(rs: Ruleset, persons: dict[str, tuple[str, ...]]) -> tuple[str, list[list[str]], list[str]]:
    """An RBAC model with ABAC matchers, and its policy lines, as a casbin user would write them.

    `p, role, workflow/state, event, <one column per enum attribute>, <one per number>`:
    enum conditions are expanded into one line per combination of values (`*` for any),
    number conditions are ranges checked by a function; `g, person, role` for the staff;
    timers are fired by the subject `scheduler`.
    """
    enums = [a for a, x in rs.attributes.items() if not x.type.numeric]
    numbers = [a for a, x in rs.attributes.items() if x.type.numeric]
    cols = enums + numbers
    model = (
        "[request_definition]\nr = sub, obj, act, " + ", ".join(cols) + "\n"
        "[policy_definition]\np = sub, obj, act, " + ", ".join(cols) + "\n"
        "[role_definition]\ng = _, _\n"
        "[policy_effect]\ne = some(where (p.eft == allow))\n"
        "[matchers]\nm = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act"
        + "".join(f' && (p.{a} == "*" || r.{a} == p.{a})' for a in enums)
        + "".join(f" && within(r.{a}, p.{a})" for a in numbers)
        + "\n"
    )
    lines: set[tuple[str, ...]] = set()

    def expand(sub: str, obj: str, act: str, cond: Condition) -> None:
        if cond.never:
            return
        choices: list[list[str]] = []
        for a in cols:
            c = cond.get(a)
            if c is None:
                choices.append(["*"])
            elif isinstance(c, ValueSet):
                choices.append(sorted(str(v) for v in c.values))
            else:
                assert isinstance(c, Interval)
                choices.append([f"{c.lo}:{c.hi}:{int(c.lo_closed)}:{int(c.hi_closed)}"])
        for combo in itertools.product(*choices):
            lines.add((sub, obj, act, *combo))

    for role in rs.roles.values():
        for g in role.grants:
            for wid, cell_states in g.cells.items():
                wf = rs.workflows[wid]
                for t in wf.transitions:
                    if t.by is not g.kind or (t.roles is not None and role.id not in t.roles):
                        continue
                    for s in sorted(cell_states & set(t.sources)):
                        expand(role.id, f"{wid}/{s}", t.name, g.condition.conjoin(t.condition))
    for wid, wf in rs.workflows.items():
        for e in wf.escalations:
            for s in e.states:
                expand("scheduler", f"{wid}/{s}", _ident(timer_name(e.index)), e.condition)
    policy = [list(x) for x in sorted(lines)]
    groups = [f"g, {p}, {r}" for p, roles in persons.items() for r in roles]
    return model, policy, groups


def casbin_peer(
    rs: Ruleset, persons: dict[str, tuple[str, ...]]
) -> tuple[Callable[..., Any], Callable[[Entry], tuple[Any, ...]], int]:
    import casbin

    model, policy, groups = casbin_policy(rs, persons)
    enums = [a for a, x in rs.attributes.items() if not x.type.numeric]
    numbers = [a for a, x in rs.attributes.items() if x.type.numeric]
    with tempfile.TemporaryDirectory(prefix="bench_casbin_") as d:  # the files a casbin user would keep
        tmp = Path(d)
        (tmp / "model.conf").write_text(model, encoding="utf-8")
        (tmp / "policy.csv").write_text(
            "".join("p, " + ", ".join(line) + "\n" for line in policy) + "".join(g + "\n" for g in groups),
            encoding="utf-8",
        )
        e = casbin.Enforcer(str(tmp / "model.conf"), str(tmp / "policy.csv"))
    ranges: dict[str, tuple[float, float, bool, bool]] = {}

    def within(x: Any, spec: str) -> bool:
        if spec == "*":
            return True
        r = ranges.get(spec)
        if r is None:
            lo, hi, lc, hc = spec.split(":")
            r = ranges[spec] = (float(lo), float(hi), lc == "1", hc == "1")
        lo_, hi_, lc_, hc_ = r
        return (x > lo_ or (lc_ and x == lo_)) and (x < hi_ or (hc_ and x == hi_))

    e.add_function("within", within)

    def request(en: Entry) -> tuple[Any, ...]:
        t, ev, actor, _ = en
        sub = "scheduler" if actor is None else str(actor.get("id"))
        attrs = t["attributes"]
        return (
            sub,
            f"{t['workflow']}/{t['state']}",
            _ident(ev),
            *(str(attrs.get(a, "")) for a in enums),
            *(float(attrs.get(a, 0)) for a in numbers),
        )

    return e.enforce, request, len(policy) + len(groups)


# -- subprocesses ------------------------------------------------------------------------

LOAD_CHILD = r"""
import json, sys, time
c0, w0 = time.process_time(), time.perf_counter()
import rulesengine
c1, w1 = time.process_time(), time.perf_counter()
engine = rulesengine.load(sys.argv[1])
c2, w2 = time.process_time(), time.perf_counter()
# warm-up: one decision per workflow (whatever it answers)
rs = engine.ruleset
attrs = {a: (x.values[0] if x.values else (x.minimum or 0)) for a, x in rs.attributes.items()}
role = next(iter(rs.roles))
for wid, wf in rs.workflows.items():
    engine.decide({"workflow": wid, "state": wf.initial, "owner": role, "attributes": attrs, "version": 0},
                  wf.transitions[0].name, {"id": "p-1", "roles": [role]})
c3, w3 = time.process_time(), time.perf_counter()
print(json.dumps({"import_cpu": c1 - c0, "import_wall": w1 - w0, "load_cpu": c2 - c1, "load_wall": w2 - w1,
                  "warm_cpu": c3 - c1, "warm_wall": w3 - w1, "total_cpu": c3 - c0, "total_wall": w3 - w0}))
"""

MEM_CHILD = r"""
import gc, json, os, resource, sys, time, tracemalloc
import rulesengine
mode = sys.argv[2]
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
gc.collect()
r0 = rss()
if mode == "trace":
    tracemalloc.start()
c0, w0 = time.process_time(), time.perf_counter()
engine = rulesengine.load(sys.argv[1])
rs = engine.ruleset
attrs = {a: (x.values[0] if x.values else (x.minimum or 0)) for a, x in rs.attributes.items()}
role = next(iter(rs.roles))
for wid, wf in rs.workflows.items():
    engine.decide({"workflow": wid, "state": wf.initial, "owner": role, "attributes": attrs, "version": 0},
                  wf.transitions[0].name, {"id": "p-1", "roles": [role]})
c1, w1 = time.process_time(), time.perf_counter()
gc.collect()
out = {"cpu": c1 - c0, "wall": w1 - w0, "rss_delta": rss() - r0,
       "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
       "roles": len(rs.roles), "workflows": len(rs.workflows)}
if mode == "trace":
    out["traced"], out["traced_peak"] = tracemalloc.get_traced_memory()
print(json.dumps(out))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the report --------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.ok = True
        self.targets: list[str] = []

    def target(self, name: str, value: float, limit: float, unit: str, higher_is_better: bool = False) -> None:
        passed = value >= limit if higher_is_better else value <= limit
        self.ok &= passed
        op = ">=" if higher_is_better else "<="
        self.targets.append(
            f"  {'PASS' if passed else 'FAIL'}  {name}: {value:.3g}{unit} (target {op} {limit:g}{unit})"
        )


def _header(title: str) -> None:
    print(f"\n== {title}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a smoke run: smaller mix, fewer repeats, small synthetic org")
    ap.add_argument("--rules", default=str(ROOT), help="rules directory (default: the bundled centre)")
    ap.add_argument(
        "--workflow",
        default=None,
        help="workflow the peers model (default: after_sales, else the one with most states)",
    )
    ap.add_argument("--repeat", type=int, default=None, help="repeats per measure (min and median are shown)")
    ap.add_argument("--size", type=int, default=None, help="requests in the mix")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-memory", action="store_true", help="skip the synthetic organisation (part 3)")
    args = ap.parse_args(argv)
    quick = args.quick
    repeat = args.repeat or (3 if quick else 7)
    size = args.size or (4000 if quick else 20000)
    rep = Report()
    t_start = time.perf_counter()

    print(
        f"python {sys.version.split()[0]}, rulesengine {rulesengine.__version__}, repeats {repeat}; "
        "times per call in us (CPU = process_time, wall = perf_counter), min / median over repeats"
    )

    # -- 1. the mix and decide ----------------------------------------------------------------
    engine = rulesengine.load(args.rules)
    t0 = time.perf_counter()
    mix = build_mix(engine, size=size, tickets=300 if quick else 1200, seed=args.seed)
    entries = mix.entries
    counts = mix.reason_counts()
    _header("1. decide on the bundled centre, realistic mix")
    print(
        f"mix: {len(entries)} requests from {mix.created} created tickets ({mix.snapshots} walked snapshots), "
        f"{len(mix.states)}/{len(mix.all_states)} workflow states, {len(counts)} reasons, "
        f"{len(mix.persons)} persons; built in {time.perf_counter() - t0:.1f} s"
    )
    if mix.refused:
        print("  create() refused: " + ", ".join(f"{k} x{v}" for k, v in mix.refused.most_common()))
    missing = sorted(mix.all_states - mix.states)
    if missing:
        print("  states never reached: " + ", ".join(f"{w}/{s}" for w, s in missing))
    print("  scenarios: " + ", ".join(f"{k} {v}" for k, v in Counter(mix.scenarios).most_common()))

    null_pc = per_call_ns(_null, entries)
    pc_overhead = statistics.median(null_pc)
    runs: list[list[int]] = []
    for _ in range(repeat):
        gc.collect()
        runs.append(per_call_ns(engine.decide, entries))
    best = [max(min(r[i] for r in runs) - pc_overhead, 0) for i in range(len(entries))]
    med_runs = [statistics.median(r) - pc_overhead for r in runs]
    p99_runs = [pct(sorted(r), 0.99) - pc_overhead for r in runs]
    max_runs = [max(r) - pc_overhead for r in runs]
    dc, dw = measure(engine.decide, entries, repeat)
    print(f"\n{'measure (us per call)':<46} {'min':>9} {'median':>9}")
    print(f"{'decide timed per call: median (wall)':<46} {_us(min(med_runs)):>9} {_us(statistics.median(med_runs)):>9}")
    print(f"{'decide timed per call: p99 (wall)':<46} {_us(min(p99_runs)):>9} {_us(statistics.median(p99_runs)):>9}")
    print(f"{'decide timed per call: max (wall)':<46} {_us(min(max_runs)):>9} {_us(statistics.median(max_runs)):>9}")
    print(f"{'decide batched: mean (CPU)':<46} {_us(dc.min):>9} {_us(dc.med):>9}")
    print(f"{'decide batched: mean (wall)':<46} {_us(dw.min):>9} {_us(dw.med):>9}")
    print(
        f"(timed per call: perf_counter_ns around each call, its own {pc_overhead:.0f} ns subtracted; "
        "batched: the loop's cost subtracted)"
    )
    sb = sorted(best)
    print(
        f"per request, best of {repeat} (wall): median {_us(pct(sb, 0.5))}, p90 {_us(pct(sb, 0.9))}, "
        f"p99 {_us(pct(sb, 0.99))}, max {_us(sb[-1])}"
    )
    by_reason: dict[Reason, list[int]] = defaultdict(list)
    for i, r in enumerate(mix.reasons):
        by_reason[r].append(best[i])
    print(
        f"\n{'reason':<22} {'count':>6} {'share':>6} {'median':>8} {'p99':>8} {'max':>8}   (us per request, best of repeats, wall)"
    )
    for r, vals in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        vals.sort()
        print(
            f"{r.value:<22} {len(vals):>6} {len(vals) / len(entries):>6.1%} {_us(pct(vals, 0.5)):>8} "
            f"{_us(pct(vals, 0.99)):>8} {_us(vals[-1]):>8}"
        )
    cut = pct(sb, 0.99)
    slow = [i for i in range(len(entries)) if best[i] >= cut]
    print(
        f"slowest 1% of requests (>= {_us(cut)} us), by reason: "
        + ", ".join(f"{r.value} {n}" for r, n in Counter(mix.reasons[i] for i in slow).most_common())
    )
    print(
        "                                      by scenario: "
        + ", ".join(f"{k} {n}" for k, n in Counter(mix.scenarios[i] for i in slow).most_common())
    )

    allowed = [en for en, r in zip(entries, mix.reasons) if r is Reason.ALLOWED]
    fc, fw = measure(engine.fire, allowed, repeat)
    ac, aw = measure(engine.decide, allowed, repeat)
    print(
        f"\n{'on the ' + str(len(allowed)) + ' allowed requests (us per call)':<46} {'CPU min':>9} {'CPU med':>9} {'wall min':>9} {'wall med':>9}"
    )
    print(f"{'decide':<46} {_us(ac.min):>9} {_us(ac.med):>9} {_us(aw.min):>9} {_us(aw.med):>9}")
    print(
        f"{'fire (decide + new ticket + history entry)':<46} {_us(fc.min):>9} {_us(fc.med):>9} {_us(fw.min):>9} {_us(fw.med):>9}"
    )
    rep.target("decide median per call (wall, median of repeats)", statistics.median(med_runs) / 1000, 2.0, " us")

    # -- 2. peers ----------------------------------------------------------------------------
    wfs = engine.ruleset.workflows
    wid = args.workflow or ("after_sales" if "after_sales" in wfs else max(wfs, key=lambda w: len(wfs[w].states)))
    wf = engine.ruleset.workflows[wid]
    sub = peer_entries(engine, mix, wid)
    _header(
        f"2. peers on workflow `{wid}` ({len(wf.states)} states, {len(wf.transitions)} transitions, "
        f"{len(wf.escalations)} timers), same requests"
    )
    n_allowed = sum(1 for t, e, a, g in sub if engine.decide(t, e, a, g).allowed)
    print(
        f"{len(sub)} requests of the mix on `{wid}` whose event leaves the ticket's state ({n_allowed} allowed); "
        "peers get their arguments pre-built, decide gets the ticket dict"
    )
    print(f"{'us per call':<46} {'n':>6} {'CPU min':>9} {'CPU med':>9} {'wall min':>9} {'wall med':>9} {'x decide':>9}")
    limit = 150 if quick else 2000
    peers: list[tuple[str, str, Callable[[], Any], float | None]] = [
        ("transitions Machine trigger (no check)", "transitions", lambda: transitions_peer(wf), 4.0),
        ("python-statemachine send (no check)", "statemachine", lambda: statemachine_peer(wf), None),
        ("pycasbin Enforcer.enforce (RBAC + ABAC)", "casbin", lambda: casbin_peer(engine.ruleset, mix.persons), 500.0),
    ]
    for label, module, build, goal in peers:
        try:
            __import__(module)
        except ImportError:
            pkg = {"statemachine": "python-statemachine", "casbin": "pycasbin"}.get(module, module)
            print(f"{label:<46} skipped: `{pkg}` is not installed; {INSTALL}")
            if goal is not None:
                rep.targets.append(f"  SKIP  decide faster than {label}: `{pkg}` is not installed")
            continue
        built = build()
        fn, conv = built[0], built[1]
        sample = sub[:limit] if module == "casbin" else sub
        pc, pw = measure(fn, [conv(en) for en in sample], repeat)
        ec, ew = measure(engine.decide, sample, repeat)
        ratio = pc.min / max(ec.min, 1e-9)
        print(
            f"{label:<46} {len(sample):>6} {_us(pc.min):>9} {_us(pc.med):>9} {_us(pw.min):>9} {_us(pw.med):>9} "
            f"{ratio:>8.1f}x"
        )
        print(
            f"{'  decide, the same requests':<46} {len(sample):>6} {_us(ec.min):>9} {_us(ec.med):>9} "
            f"{_us(ew.min):>9} {_us(ew.med):>9}   wall ratio {pw.min / max(ew.min, 1e-9):.1f}x"
            + (f"; {built[2]} policy lines" if len(built) > 2 else "")
        )
        if module == "casbin":
            same = sum(bool(fn(*conv(en))) == engine.decide(*en).allowed for en in sample)
            print(
                f"  casbin answers as decide on {same} of {len(sample)} requests "
                "(its policy knows no ticket owner, assignee or transfer target)"
            )
        if goal is not None:
            rep.target(f"decide faster than {label} (CPU, min)", ratio, goal, "x", higher_is_better=True)

    # load of the bundled centre in fresh processes
    loads = [_child(LOAD_CHILD, args.rules) for _ in range(3 if quick else 7)]
    print(f"\nload of `{Path(args.rules).name or args.rules}` in a fresh process, {len(loads)} runs, seconds")
    print(f"{'':<36} {'CPU min':>8} {'CPU med':>8} {'wall min':>8} {'wall med':>8}")
    for key, label in (
        ("import", "import rulesengine"),
        ("load", "rulesengine.load"),
        ("warm", "load + warm-up"),
        ("total", "import + load + warm-up"),
    ):
        c = Stat([x[f"{key}_cpu"] for x in loads])
        w = Stat([x[f"{key}_wall"] for x in loads])
        print(f"{label:<36} {c.min:>8.3f} {c.med:>8.3f} {w.min:>8.3f} {w.med:>8.3f}")
    rep.target(
        "load + warm-up of the bundled centre (CPU, median)", Stat([x["warm_cpu"] for x in loads]).med, 0.3, " s"
    )

    # -- 3. memory of a large synthetic organisation -------------------------------------------
    if not args.no_memory:
        from synth import make_org

        roles, wfs, states = (125, 12, 30) if quick else (2000, 200, 30)
        _header(
            f"3. synthetic organisation: {roles} roles x {wfs} workflows x {states} states (synth.make_org, seed 1)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / f"org_{roles}"
            make_org(d, roles, wfs, states, seed=1)
            t = _child(MEM_CHILD, str(d), "rss")
            traced = _child(MEM_CHILD, str(d), "trace")
        print(
            f"load + warm-up: {t['cpu']:.2f} s CPU, {t['wall']:.2f} s wall ({t['roles']} roles, {t['workflows']} workflows)"
        )
        print(
            f"memory of the warmed engine: tracemalloc {traced['traced'] / 2**20:.1f} MiB retained "
            f"(peak while loading {traced['traced_peak'] / 2**20:.1f} MiB); RSS delta {t['rss_delta'] / 2**20:.1f} MiB, "
            f"process max RSS {t['maxrss'] / 2**20:.1f} MiB"
        )

    _header("surprises while building the mix")
    if mix.surprises:
        for s in mix.surprises[:20]:
            print("  " + s)
        if len(mix.surprises) > 20:
            print(f"  ... and {len(mix.surprises) - 20} more")
    else:
        print("  none: no exception, every scenario's reason as expected, fast path = full path, fire agrees")

    _header("targets")
    print("\n".join(rep.targets))
    print(f"\n({time.perf_counter() - t_start:.1f} s)")
    return 0 if rep.ok else 1


if __name__ == "__main__":
    sys.exit(main())
