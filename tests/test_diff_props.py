"""``rulesengine diff`` against the engine: nothing for no change, exactly the changed cells otherwise.

The owners are asked of the public ``Engine.owners`` over every state and every
representative ticket of the common refinement, and again over concrete tickets, so a
refined class that mixed tickets with different answers would be caught.  Permissions
are checked against :meth:`Grant.covers` on concrete tickets, and every described set
of tickets against the tickets it claims to describe.
"""

from __future__ import annotations

import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine import Engine, InvalidTicket
from rulesengine.compile.compiler import compile_files
from rulesengine.diff import RulesDiff, Side, diff_versions, open_version
from rulesengine.diff.cells import Version, cell_changes
from rulesengine.diff.refine import Refinement
from rulesengine.model.ruleset import Kind, Ruleset
from tests.rulegen import THRESHOLDS, concrete_tickets, conditions, rules_dirs
from tests.test_analysis import _shuffle_yaml

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def version(files: dict[str, str], side: Side) -> Version:
    got = open_version(side, side.value, compile_files(files))
    assert isinstance(got, Version), [f"{d.location} {d.message}" for d in got.diagnostics]
    return got


def diff_files(old: dict[str, str], new: dict[str, str]) -> tuple[RulesDiff, Version, Version]:
    a, b = version(old, Side.OLD), version(new, Side.NEW)
    return diff_versions(a, b), a, b


def owners(engine: Engine, rs: Ruleset, wid: str, state: str, ticket: dict[str, Any]) -> tuple[str, ...]:
    wf = rs.workflows.get(wid)
    if wf is None or state not in wf.states:
        return ()
    try:
        return tuple(sorted(engine.owners({"workflow": wid, "state": state, "attributes": ticket})))
    except InvalidTicket:
        return ()  # the workflow does not take this ticket in this version


# -- no change, no report ------------------------------------------------------------------------
@SETTINGS
@given(rules_dirs(wide=True))
def test_a_directory_diffed_with_itself_reports_nothing(files: dict[str, str]) -> None:
    diff, _, _ = diff_files(files, files)
    assert diff.empty, diff


def _rename(text: str, n: int) -> str:
    """New display names, descriptions and notes everywhere: none of it is a change."""
    data = yaml.safe_load(text)

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            out = {k: walk(v) for k, v in x.items()}
            for key in ("name", "label"):
                if isinstance(out.get(key), dict):
                    out[key] = {"en": f"Renamed {n}", "zh": f"改名{n}"}
            for key in ("description", "note"):
                if key in out:
                    out[key] = f"changed text {n}"
            return out
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    data = walk(data)
    if "id" in data:
        data["description"] = f"a new description {n}"
    return "# a new comment\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@SETTINGS
@given(rules_dirs(wide=True), st.integers(0, 2**16))
def test_reordered_yaml_and_renamed_display_names_report_nothing(files: dict[str, str], seed: int) -> None:
    rng = random.Random(seed)
    edited = {p: _rename(_shuffle_yaml(t, rng), seed) for p, t in files.items()}
    diff, _, _ = diff_files(files, edited)
    assert diff.empty, diff


# -- generated edits -------------------------------------------------------------------------------
@st.composite
def edits(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """A rules directory and the same with a grant added, a limit narrowed, a transition removed or a value added."""
    files = draw(rules_dirs(wide=True))
    new = dict(files)
    kind = draw(st.sampled_from(["add-grant", "narrow-limit", "remove-transition", "add-value"]))
    role_files = sorted(p for p in files if p.startswith("roles/"))
    wf = yaml.safe_load(files["workflows/w.yaml"])
    if kind == "add-value":  # tickets that exist in the new version only
        ticket = yaml.safe_load(files["ticket.yaml"])
        ticket["attributes"]["tier"]["values"].append("gold")
        new["ticket.yaml"] = yaml.safe_dump(ticket)
        return files, new
    if kind == "remove-transition" and len(wf["transitions"]) > 1:
        del wf["transitions"][draw(st.integers(0, len(wf["transitions"]) - 1))]
        new["workflows/w.yaml"] = yaml.safe_dump(wf, allow_unicode=True)
        return files, new
    path = draw(st.sampled_from(role_files))
    role = yaml.safe_load(files[path])
    grants = role.get("handle", [])
    if kind == "narrow-limit" and grants:
        g = grants[draw(st.integers(0, len(grants) - 1))]
        current = g.get("limits", {}).get("amount", 10**6)
        smaller = [t for t in [0, *THRESHOLDS] if t < current]
        g["limits"] = {"amount": draw(st.sampled_from(smaller))}
    else:
        grant: dict[str, Any] = {"workflows": ["w"]}
        states = [s for s in wf["states"] if not wf["states"][s].get("final")]
        if draw(st.booleans()):
            grant["states"] = draw(st.lists(st.sampled_from(states), min_size=1, unique=True))
        cond = draw(conditions())
        if cond:
            grant["when"] = cond
        role["handle"] = [*grants, grant]
        role.pop("handles_tickets", None)
    new[path] = yaml.safe_dump(role, allow_unicode=True)
    return files, new


def _refinements(a: Version, b: Version) -> dict[str, Refinement]:
    return cell_changes(a, b)[2]


@SETTINGS
@given(edits())
def test_the_owner_changes_are_exactly_the_cells_whose_owners_changed(
    pair: tuple[dict[str, str], dict[str, str]],
) -> None:
    old, new = pair
    diff, a, b = diff_files(old, new)
    reported = {(o.workflow, s, k) for o in diff.owners for s in o.states for k in o.tickets.classes}
    for wid, ref in _refinements(a, b).items():
        states = list(dict.fromkeys([*b.ruleset.workflows[wid].states, *a.ruleset.workflows[wid].states]))
        # every state and every representative ticket of the common refinement
        for c in ref.classes:
            for s in states:
                was = owners(a.engine, a.ruleset, wid, s, dict(c.ticket))
                now = owners(b.engine, b.ruleset, wid, s, dict(c.ticket))
                assert ((wid, s, c.index) in reported) == (was != now), (s, dict(c.ticket), was, now)
        # and concrete tickets: a refined class never mixes tickets that changed differently
        for t in concrete_tickets()[::3]:
            k = ref.class_of(t)
            for s in states:
                was = owners(a.engine, a.ruleset, wid, s, t)
                now = owners(b.engine, b.ruleset, wid, s, t)
                if k is None:
                    assert was == now == (), t
                else:
                    assert ((wid, s, k) in reported) == (was != now), (s, t, was, now)


def _holds(rs: Ruleset, wid: str, state: str, role: str, kind: Kind, target: str | None, t: dict[str, Any]) -> bool:
    wf = rs.workflows.get(wid)
    if wf is None or role not in rs.roles or not wf.applies_when.matches(t):
        return False
    return any(
        g.covers(wid, state, t) and (target is None or target in g.targets) for g in rs.roles[role].grants_of(kind)
    )


@SETTINGS
@given(edits())
def test_permission_changes_agree_with_the_grants_on_concrete_tickets(
    pair: tuple[dict[str, str], dict[str, str]],
) -> None:
    old, new = pair
    diff, a, b = diff_files(old, new)
    refs = _refinements(a, b)
    roles = sorted(set(a.ruleset.roles) | set(b.ruleset.roles))
    targets: list[str | None] = [None, *roles]
    for t in concrete_tickets()[::5]:
        for wid, ref in refs.items():
            k = ref.class_of(t)
            for s in dict.fromkeys([*b.ruleset.workflows[wid].states, *a.ruleset.workflows[wid].states]):
                for role in roles:
                    for kind in Kind:
                        for target in targets if kind is not Kind.HANDLE else [None]:
                            if kind is not Kind.HANDLE and target is None:
                                continue
                            was = _holds(a.ruleset, wid, s, role, kind, target, t)
                            now = _holds(b.ruleset, wid, s, role, kind, target, t)
                            hits = [
                                p
                                for p in diff.permissions
                                if p.workflow == wid
                                and p.role == role
                                and p.kind is kind
                                and s in p.states
                                and (target is None or target in p.targets)
                                and k in p.tickets.classes
                            ]
                            assert bool(hits) == (was != now), (s, role, kind, target, t)
                            for p in hits:
                                assert (p.direction.value == "gained") == now


@SETTINGS
@given(edits())
def test_every_described_set_is_exactly_its_tickets(pair: tuple[dict[str, str], dict[str, str]]) -> None:
    old, new = pair
    diff, a, b = diff_files(old, new)
    refs = _refinements(a, b)
    sets = [(p.workflow, p.tickets.classes) for p in diff.permissions]
    sets += [(o.workflow, o.tickets.classes) for o in diff.owners]
    for wid, classes in sets:
        ref = refs[wid]
        formula = ref.formula(classes)
        assert formula.describe() == ref.describe(classes)
        for c in ref.classes:
            assert formula.matches(c.ticket) == (c.index in classes), (formula.describe(), dict(c.ticket))
        for t in concrete_tickets()[::3]:
            k = ref.class_of(t)
            if k is not None:
                assert formula.matches(t) == (k in classes), (formula.describe(), t)
