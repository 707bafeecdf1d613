"""Properties of the policy check on generated rules directories.

* ``required-before`` agrees with a brute-force enumeration of every simple path of
  every ticket class, built on the transition function alone (not the exploration);
* every witness the static search reports, replayed as a ticket history through the
  policy's meaning (:func:`rulesengine.model.policies.judge`), breaks the policy at
  its last step and not before — and no random walk breaks it any sooner.
"""

from __future__ import annotations

import random
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.analysis.context import Analysis
from rulesengine.analysis.explore import Situation
from rulesengine.analysis.index import WorkflowIndex
from rulesengine.analysis.policies import Searcher, creation_step, move_step, scoped
from rulesengine.compile.compiler import compile_files
from rulesengine.model.policies import Step, judge
from rulesengine.model.ruleset import Policy, Ruleset
from rulesengine.rules.registry import find_rule
from rulesengine.rules.run import run_check
from tests.rulegen import rules_dirs

PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _states(files: dict[str, str]) -> list[str]:
    return list(yaml.safe_load(files["workflows/w.yaml"])["states"])


def _compile(files: dict[str, str], policy: dict[str, Any]) -> Ruleset:
    files = {**files, "policies/p.yaml": yaml.safe_dump({"policies": [policy]})}
    result = compile_files(files)
    assert result.ruleset is not None, [f"{d.location} {d.message}" for d in result.diagnostics]
    return result.ruleset


def _brute_force_required_before(idx: WorkflowIndex, k: int, before: str, state: str) -> int | None:
    """The fewest moves of a history of class k reaching ``state`` without ``before``
    (0: the creation itself), by trying every simple path; None when there is none."""
    wf = idx.workflow
    best: list[int] = []

    def walk(cur: Situation, seen: set[Situation], depth: int) -> None:
        if cur.state == before:
            return
        if cur.state == state:
            best.append(depth)
            return
        if cur.state in idx.finals:
            return
        for m, out in idx.steps(cur.state, cur.owner, k):
            for owner in out.owners:
                nxt = Situation(m.target, owner)
                if nxt == cur or nxt in seen:
                    continue
                walk(nxt, seen | {nxt}, depth + 1)

    for owner in idx.arrive(k).owners:
        start = Situation(wf.initial, owner)
        walk(start, {start}, 0)
    return min(best) if best else None


@PROPS
@given(rules_dirs(), st.data())
def test_required_before_agrees_with_brute_force_path_enumeration(files: dict[str, str], data: st.DataObject) -> None:
    states = _states(files)
    before = data.draw(st.sampled_from(states))
    state = data.draw(st.sampled_from([s for s in states if s != before]))
    rs = _compile(
        files,
        {
            "id": "p",
            "name": {"en": "P"},
            "kind": "required-before",
            "workflows": ["w"],
            "before": before,
            "state": state,
        },
    )
    an = Analysis(rs)
    rule = find_rule("RE505")
    assert rule is not None
    findings = run_check(rs, [rule], analysis=an).findings
    idx = an.index.workflow("w")
    brute = {k: _brute_force_required_before(idx, k, before, state) for k in range(idx.class_count)}
    broken = {k for k, n in brute.items() if n is not None}
    assert bool(findings) == bool(broken), (brute, [f.message for f in findings])
    if not findings:
        return
    (f,) = findings
    k = idx.space.class_of(f.ticket or {})
    assert k in broken
    assert len(f.trace) - 1 == brute[k], "the reported history is the shortest of its class"
    m = re.search(r"\((\d+) ticket classes affected\)", f.message)
    assert (int(m.group(1)) if m else 1) == len(broken)


@st.composite
def policies(draw: st.DrawFn, files: dict[str, str]) -> dict[str, Any]:
    roles = sorted(p[len("roles/") : -len(".yaml")] for p in files if p.startswith("roles/"))
    wf = yaml.safe_load(files["workflows/w.yaml"])
    events = sorted({t["name"] for t in wf["transitions"]})
    states = list(wf["states"])
    kind = draw(
        st.sampled_from(
            [
                "separation-of-duties",
                "never-handles",
                "four-eyes",
                "required-before",
                "max-transfers",
                "max-escalation-depth",
            ]
        )
    )
    p: dict[str, Any] = {"id": "p", "name": {"en": "P"}, "kind": kind}
    if kind == "separation-of-duties":
        if len(roles) < 2:
            kind = p["kind"] = "never-handles"
        else:
            p["roles"] = draw(st.lists(st.sampled_from(roles), min_size=2, max_size=2, unique=True))
    if kind == "never-handles":
        p["roles"] = [draw(st.sampled_from(roles))]
    elif kind == "four-eyes":
        first, then = draw(st.lists(st.sampled_from(events), min_size=2, max_size=2, unique=True))
        p.update(workflows=["w"], first=first, then=then)
    elif kind == "required-before":
        before, state = draw(st.lists(st.sampled_from(states), min_size=2, max_size=2, unique=True))
        p.update(workflows=["w"], before=before, state=state)
    elif kind in ("max-transfers", "max-escalation-depth"):
        p["max"] = draw(st.integers(0, 1))
    if draw(st.integers(0, 3)) == 0:
        p["when"] = {"urgent": draw(st.booleans())}  # an attribute the rules may never mention
    return p


def _people(steps: list[Step]) -> list[Step]:
    """Name the people as the engine assigns them: a new person whenever the role changes."""
    out: list[Step] = []
    epoch, holder = 0, None
    for s in steps:
        person = f"{s.role}#{epoch}" if s.role is not None else None
        out.append(Step(s.state, s.event, s.to, s.kind, s.role, person, s.owner))
        if s.owner != holder:
            epoch, holder = epoch + 1, s.owner
    return out


@PROPS
@given(st.booleans().flatmap(lambda wide: rules_dirs(wide=wide)), st.data())
def test_witnesses_replay_as_breaches_and_no_walk_breaks_sooner(files: dict[str, str], data: st.DataObject) -> None:
    spec = data.draw(policies(files))
    rs = _compile(files, spec)
    (policy,) = rs.policies
    an = Analysis(rs)
    searcher = Searcher(policy)
    rng = random.Random(data.draw(st.integers(0, 2**16)))
    for sc in scoped(an, policy):
        idx, run = sc.index, sc.run
        w = searcher.witness(idx, run)
        if w is not None:
            steps = [creation_step(idx.workflow.initial, w.start)] + [move_step(a, m, b) for a, m, b in w.path]
            breach = judge(policy, sc.wid, sc.ticket, _people(steps))
            assert breach is not None and breach.step == len(steps) - 1, (spec, steps, breach)
        _random_walks(policy, sc.wid, sc.ticket, run, rng, None if w is None else len(w.path))


def _random_walks(policy: Policy, wid: str, ticket: Any, run: Any, rng: random.Random, shortest: int | None) -> None:
    """Histories drawn at random from the class's graph never break the policy unless
    the search found a witness, and never in fewer moves than the witness."""
    succ = run.successors()
    starts = [s for s in run.starts if s.owner is not None]  # an unowned ticket is the gap's finding
    for _ in range(20):
        if not starts:
            return
        cur = rng.choice(starts)
        steps = [creation_step(run_initial(run, cur), cur)]
        for _ in range(12):
            outs = [(m, b) for m, b in succ.get(cur, []) if b.owner is not None]
            if not outs:
                break
            m, nxt = rng.choice(outs)
            steps.append(move_step(cur, m, nxt))
            cur = nxt
        breach = judge(policy, wid, ticket, _people(steps))
        if breach is not None:
            assert shortest is not None and breach.step >= shortest, (policy, steps, breach, shortest)


def run_initial(run: Any, start: Situation) -> str:
    return start.state  # every start situation is at the workflow's initial state
