"""The ownership analysis: known findings, agreement with brute force, order independence."""

from __future__ import annotations

import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings

from rulesengine.analysis.context import Analysis, Options
from rulesengine.analysis.explore import ClassRun
from rulesengine.analysis.index import PermissionIndex
from rulesengine.analysis.partition import build_space, satisfiable
from rulesengine.compile.compiler import compile_files
from rulesengine.model.conditions import Condition
from rulesengine.model.ruleset import Kind, Ownership
from rulesengine.rules.run import run_check
from tests.rulegen import concrete_tickets, conditions, rules_dirs, shared_rules_dirs


def findings(files: dict[str, str]) -> list[tuple[Any, ...]]:
    result = compile_files(files)
    assert result.ok, [d.message for d in result.diagnostics]
    res = run_check(result.ruleset)
    return sorted((f.code, f.workflow, f.state, f.role, tuple(sorted((f.ticket or {}).items()))) for f in res.findings)


def test_mini_fixture_findings(mini_files: dict[str, str]) -> None:
    got = findings(mini_files)
    assert ("RE201", "service", "new", None, (("amount", 201), ("tier", "normal"))) in got
    codes = [g[0] for g in got]
    assert codes.count("RE203") == 2  # the raise at `working` and the timer at `new`
    assert len(got) == 3


def test_partition_represents_thresholds(mini_files: dict[str, str]) -> None:
    rs = compile_files(mini_files).ruleset
    idx = PermissionIndex(rs).workflow("service")
    tickets = [dict(c.ticket) for c in idx.space.classes]
    assert {"amount": 0, "tier": "normal"} in tickets
    assert {"amount": 201, "tier": "normal"} in tickets
    # 200 sits inside the agent's limit and so shares a class with 0
    assert idx.space.class_of({"amount": 200, "tier": "normal"}) == idx.space.class_of({"amount": 0, "tier": "normal"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_dirs())
def test_partition_agrees_with_brute_force(files: dict[str, str]) -> None:
    result = compile_files(files)
    assert result.ok, [f"{d.location} {d.message}" for d in result.diagnostics]
    rs = result.ruleset
    wf = rs.workflows["w"]
    idx = PermissionIndex(rs).workflow("w")
    for c in idx.space.classes:
        assert idx.space.class_of(c.ticket) == c.index  # a representative lies in its own class
    for ticket in concrete_tickets():
        k = idx.space.class_of(ticket)
        if not wf.applies_when.matches(ticket):
            assert k is None
            continue
        assert k is not None, ticket
        for s in wf.states:
            direct = sorted({g.role for g in rs.grants(Kind.HANDLE) if g.covers("w", s, ticket)})
            assert list(idx.eligible(s, k)) == direct, (s, ticket)
            asg = idx.assignment(s, k)
            assert (len(direct) == 0) == (len(asg.candidates) == 0)
            dup = len(direct) > 1 and wf.ownership is Ownership.SINGLE and not all(r in wf.assign for r in direct)
            assert asg.duplicate == dup
        for t in wf.transitions:
            assert idx.transition_enabled(t, k) == t.condition.matches(ticket)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_dirs())
def test_exploration_agrees_with_concrete_tickets(files: dict[str, str]) -> None:
    """Every class's situation graph equals the one explored with a concrete ticket."""
    rs = compile_files(files).ruleset
    an = Analysis(rs)
    wrun = an.runs["w"]
    idx = wrun.index
    for ticket in concrete_tickets()[::7]:
        k = idx.space.class_of(ticket)
        if k is None:
            continue
        # brute force: breadth-first over (state, owner) using Grant.covers on the ticket itself
        wf = rs.workflows["w"]

        def eligible(s: str, ticket: dict[str, Any] = ticket) -> list[str]:
            return sorted({g.role for g in rs.grants(Kind.HANDLE) if g.covers("w", s, ticket)})

        def owners_for(s: str, wf: Any = wf) -> list[str]:
            e = eligible(s)
            if len(e) > 1 and wf.ownership is Ownership.SINGLE and all(r in wf.assign for r in e):
                return [next(r for r in wf.assign if r in e)]
            return e

        # a ticket nobody may own waits unowned where it is: only its timers move it
        seen = {(wf.initial, o) for o in owners_for(wf.initial) or [None]}
        queue = list(seen)
        while queue:
            s, o = queue.pop()
            if wf.states[s].final:
                continue
            nxt: list[tuple[str, str]] = []
            for t in wf.outgoing(s) if o is not None else ():
                if not t.condition.matches(ticket) or (t.roles and o not in t.roles):
                    continue
                mine = [g for g in rs.roles[o].grants if g.kind is t.by and g.covers("w", s, ticket)]
                if not mine:
                    continue
                if t.by is Kind.HANDLE:
                    if wf.states[t.target].final or o in eligible(t.target):
                        nxt.append((t.target, o))
                    else:
                        nxt += [(t.target, x) for x in owners_for(t.target) or [None]]
                else:
                    for g in mine:
                        for x in g.targets:
                            if wf.states[t.target].final or x in eligible(t.target):
                                nxt.append((t.target, x))
            for e in wf.escalations:
                if s in e.states and e.condition.matches(ticket):
                    dest = e.goto or s
                    if (e.to, dest) != (o, s) and (wf.states[dest].final or e.to in eligible(dest)):
                        nxt.append((dest, e.to))
            for n in nxt:
                if n not in seen:
                    seen.add(n)
                    queue.append(n)
        explored = {(sit.state, sit.owner) for sit in wrun.classes[k].parent}
        assert explored == seen, ticket


def _shuffle_yaml(text: str, rng: random.Random) -> str:
    data = yaml.safe_load(text)

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            items = list(x.items())
            rng.shuffle(items)
            return {k: walk(v) for k, v in items}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    data = walk(data)
    for key in ("handle", "coordinate", "escalate", "transitions"):
        if isinstance(data.get(key), list):
            rng.shuffle(data[key])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_dirs())
def test_rule_file_and_key_order_do_not_change_the_result(files: dict[str, str]) -> None:
    before = findings(files)
    rng = random.Random(7)
    shuffled = {p: _shuffle_yaml(t, rng) for p, t in files.items()}
    assert findings(shuffled) == before


def _graph(run: ClassRun) -> tuple[Any, ...]:
    return (run.k, run.starts, list(run.parent.items()), run.edges, run.events)


def assert_sharing_changes_nothing(rs: Any) -> None:
    """Every class's run and every finding are those of the search without sharing."""
    shared = Analysis(rs)
    alone = Analysis(rs, Options(share_runs=False))
    for wid in rs.workflows:
        got, want = shared.runs[wid], alone.runs[wid]
        assert [_graph(r) for r in got.classes] == [_graph(r) for r in want.classes]
        assert sorted(k for g in got.groups for k in g.classes) == list(range(len(got.classes)))
        for g in got.groups:  # a group's classes share one graph
            assert all(_graph(got.run_of(k))[1:] == _graph(g.run)[1:] for k in g.classes)
    assert run_check(rs, analysis=shared).findings == run_check(rs, analysis=alone).findings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shared_rules_dirs())
def test_shared_runs_give_exactly_the_findings_of_separate_runs(files: dict[str, str]) -> None:
    result = compile_files(files)
    assert result.ok, [d.message for d in result.diagnostics]
    assert_sharing_changes_nothing(result.ruleset)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_dirs())
def test_shared_runs_on_one_workflow(files: dict[str, str]) -> None:
    assert_sharing_changes_nothing(compile_files(files).ruleset)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_dirs(), conditions(), conditions())
def test_satisfiable_is_whether_the_partition_finds_a_class(
    files: dict[str, str], first: dict[str, Any], second: dict[str, Any]
) -> None:
    rs = compile_files(files).ruleset
    wf = rs.workflows["w"]
    # conditions as the compiler builds them, from the `when` of a throwaway grant
    grants = (
        compile_files(
            {
                **files,
                "roles/z.yaml": yaml.safe_dump(
                    {"id": "z", "name": {"en": "Z"}, "handle": [{"when": first}, {"when": second}]}
                ),
            }
        )
        .ruleset.roles["z"]
        .grants
    )
    box: Condition = grants[0].condition.conjoin(grants[1].condition)
    space = build_space(rs, wf, [], box)
    assert satisfiable(rs, wf.applies_when.conjoin(box)) == bool(space.classes)
