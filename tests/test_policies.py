"""Compliance policies: loading with located errors, their meaning on ticket histories,
and how durations compare."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rulesengine.cli.app import app
from rulesengine.compile.compiler import compile_files, load_rules
from rulesengine.diagnostics import Diagnostic
from rulesengine.model.durations import parse_duration
from rulesengine.model.policies import HOLDER, Step, StepKind, judge, meets, shortest_working_day
from rulesengine.model.ruleset import Duration, PolicyKind
from tests.conftest import ROOT

HEAD = "# yaml-language-server: $schema=../schemas/policy.schema.json\npolicies:\n"


def policy_file(body: str) -> str:
    """One policy entry (the YAML lines after `  - `) as a policies file."""
    lines = body.strip("\n").splitlines()
    return HEAD + "  - " + lines[0] + "\n" + "".join("    " + x + "\n" for x in lines[1:])


def compiled(mini_files: dict[str, str], body: str) -> tuple[object, list[Diagnostic]]:
    mini_files["policies/p.yaml"] = policy_file(body)
    result = compile_files(mini_files)
    return result.ruleset, [d for d in result.diagnostics if d.severity.value == "error"]


def where(d: Diagnostic) -> tuple[str, int, int]:
    assert d.location is not None
    return (d.location.file, d.location.line, d.location.column)


def test_policies_compile_into_the_model(mini_files: dict[str, str]) -> None:
    rs, errs = compiled(
        mini_files,
        "id: refund-four-eyes\nname: {en: Four eyes, zh: 双人复核}\nkind: four-eyes\nwhen: {category: refund}\n"
        "first: start\nthen: finish",
    )
    assert not errs
    (p,) = rs.policies  # type: ignore[attr-defined]
    assert (p.id, p.kind, p.first, p.then, p.workflows) == (
        "refund-four-eyes",
        PolicyKind.FOUR_EYES,
        "start",
        "finish",
        ("service",),
    )
    assert p.condition.matches({"category": "refund"}) and not p.condition.matches({"category": "inquiry"})
    assert where_loc(p.location) == ("policies/p.yaml", 3, 5)


def where_loc(loc: object) -> tuple[str, int, int]:
    return (loc.file, loc.line, loc.column)  # type: ignore[attr-defined]


# (policy entry, wrong value, line, column, wanted help) — every name a policy uses resolves
BAD_NAMES = [
    ("id: p\nname: {en: P}\nkind: never-handles\nroles: [leed]", "leed", 6, 13, "did you mean `lead`?"),
    ("id: p\nname: {en: P}\nkind: separation-of-duties\nroles: [agent, laed]", "laed", 6, 20, "`lead`"),
    ("id: p\nname: {en: P}\nkind: max-transfers\nworkflows: [servise]\nmax: 1", "servise", 6, 17, "`service`"),
    ("id: p\nname: {en: P}\nkind: required-before\nbefore: wroking\nstate: done", "wroking", 6, 13, "`working`"),
    ("id: p\nname: {en: P}\nkind: required-before\nbefore: working\nstate: dnoe", "dnoe", 7, 12, "`done`"),
    ("id: p\nname: {en: P}\nkind: four-eyes\nfirst: strat\nthen: finish", "strat", 6, 12, "`start`"),
    ("id: p\nname: {en: P}\nkind: four-eyes\nfirst: start\nthen: finsh", "finsh", 7, 11, "`finish`"),
    ("id: p\nname: {en: P}\nkind: owners\nstates: [wroking]\nmax: 1", "wroking", 6, 14, "`working`"),
    ("id: p\nname: {en: P}\nkind: never-handles\nroles: [lead]\nwhen: {teir: vip}", "teir", 7, 12, "`tier`"),
    ("id: p\nname: {en: P}\nkind: never-handles\nroles: [lead]\nwhen: {tier: vpi}", "vpi", 7, 18, "`vip`"),
    ("id: p\nname: {en: P}\nkind: sla\nsla: resolutoin\nmax: 1wd", "resolutoin", 6, 10, "`resolution`"),
]


@pytest.mark.parametrize(("body", "wrong", "line", "column", "hint"), BAD_NAMES, ids=[b[1] for b in BAD_NAMES])
def test_an_unknown_name_is_a_located_error_with_a_suggestion(
    mini_files: dict[str, str], body: str, wrong: str, line: int, column: int, hint: str
) -> None:
    rs, errs = compiled(mini_files, body)
    assert rs is None
    (d,) = errs
    assert d.name == "unknown-reference" and f"`{wrong}`" in d.message, d.message
    assert where(d) == ("policies/p.yaml", line, column)
    assert hint in (d.help or ""), d.help


def test_explicit_workflows_must_all_have_the_named_states(mini_files: dict[str, str]) -> None:
    _, errs = compiled(
        mini_files,
        "id: p\nname: {en: P}\nkind: required-before\nworkflows: [service]\nbefore: working\nstate: closed",
    )
    (d,) = errs
    assert d.message == "unknown state `closed` in workflow `service`"
    assert where(d) == ("policies/p.yaml", 8, 12)


BAD_SHAPES = [
    # kind typo: the schema's enum, with a suggestion
    ("id: p\nname: {en: P}\nkind: seperation-of-duties\nroles: [agent, lead]", "schema-violation", (5, 11), "did you"),
    # a parameter the kind requires
    ("id: p\nname: {en: P}\nkind: four-eyes\nfirst: start", "schema-violation", (3, 5), "different person"),
    # ids are kebab-case
    ("id: P_1\nname: {en: P}\nkind: max-transfers\nmax: 1", "schema-violation", (3, 9), "kebab-case"),
    # a count is a whole number
    ("id: p\nname: {en: P}\nkind: max-transfers\nmax: 3m", "schema-violation", (6, 10), None),
    # an SLA maximum is a duration
    ("id: p\nname: {en: P}\nkind: sla\nsla: resolution\nmax: 3 minutes", "invalid-duration", (7, 10), "`1wd`"),
    # a parameter of another kind
    ("id: p\nname: {en: P}\nkind: sla\nsla: resolution\nmax: 1wd\nfirst: start", "invalid-policy", (8, 5), "`sla`"),
    # separation of duties is between two roles
    ("id: p\nname: {en: P}\nkind: separation-of-duties\nroles: [agent]", "invalid-policy", (6, 12), "one policy per"),
    ("id: p\nname: {en: P}\nkind: four-eyes\nfirst: start\nthen: start", "invalid-policy", (7, 11), None),
    ("id: p\nname: {en: P}\nkind: required-before\nbefore: done\nstate: done", "invalid-policy", (6, 13), None),
    ("id: p\nname: {en: P}\nkind: owners\nmin: 2\nmax: 1", "invalid-policy", (6, 10), None),
    ("id: p\nname: {en: P}\nkind: owners\nstates: [working]", "invalid-policy", (5, 5), "or both"),
]


@pytest.mark.parametrize(
    ("body", "name", "at", "hint"), BAD_SHAPES, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_SHAPES)]
)
def test_a_malformed_policy_is_a_located_error(
    mini_files: dict[str, str], body: str, name: str, at: tuple[int, int], hint: str | None
) -> None:
    rs, errs = compiled(mini_files, body)
    assert rs is None
    assert errs, "expected an error"
    d = errs[0]
    assert (d.name, where(d)[1:]) == (name, at), (d.name, where(d), d.message)
    assert not d.message[0].isupper() and not d.message.endswith(".")
    if hint:
        assert hint in (d.help or "") + d.message, (d.message, d.help)


def test_working_days_need_a_calendar(mini_files: dict[str, str]) -> None:
    mini_files["ticket.yaml"] = mini_files["ticket.yaml"].split("calendars:")[0]
    mini_files["workflows/service.yaml"] = mini_files["workflows/service.yaml"].replace(
        "{target: 1wd, calendar: office, stop: done}", "{target: 1d, stop: done}"
    )
    _, errs = compiled(mini_files, "id: p\nname: {en: P}\nkind: sla\nsla: resolution\nmax: 1wd")
    (d,) = errs
    assert d.name == "invalid-duration" and "need a calendar" in d.message and where(d)[1:] == (7, 10)


def test_policy_ids_are_unique_across_files(mini_files: dict[str, str]) -> None:
    body = "id: qa\nname: {en: P}\nkind: never-handles\nroles: [lead]"
    mini_files["policies/a.yaml"] = policy_file(body)
    mini_files["policies/b.yaml"] = policy_file(body)
    result = compile_files(mini_files)
    (d,) = [x for x in result.diagnostics if x.severity.value == "error"]
    assert d.name == "duplicate-id" and where(d) == ("policies/b.yaml", 3, 9)
    assert "policies/a.yaml:3:9" in (d.help or "") and d.related


def test_validate_exits_2_at_the_policies_stage(tmp_path, mini_files: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    mini_files["policies/p.yaml"] = policy_file("id: p\nname: {en: P}\nkind: never-handles\nroles: [leed]")
    for rel, text in mini_files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert res.exit_code == 2
    assert "policies/p.yaml:6:13: error[RE040] unknown role `leed`" in res.output
    assert "stage `policies`" in res.output
    assert load_rules(tmp_path).stage == "policies"


def test_the_bundled_policies_load_and_their_modelines_resolve() -> None:
    result = load_rules(ROOT)
    assert result.ok
    ids = {p.id for p in result.ruleset.policies}
    assert ids == {"live-first-response", "email-first-response", "follow-up-before-close", "qa-never-handles"}
    for p in sorted((ROOT / "policies").glob("*.yaml")):
        first = p.read_text(encoding="utf-8").splitlines()[0]
        target = (p.parent / first.split("=", 1)[1].strip()).resolve()
        assert target.name == "policy.schema.json" and target.is_file(), p


# -- the meaning of a policy on one ticket history ------------------------------------
def _policy(mini_files: dict[str, str], body: str):  # type: ignore[no-untyped-def]
    rs, errs = compiled(mini_files, body)
    assert not errs, [e.message for e in errs]
    return rs.policies[0]  # type: ignore[attr-defined]


def _steps(*rows: tuple[str, str, str, str, str | None, str | None, str | None]) -> list[Step]:
    return [Step(s, e, t, StepKind(k), r, p, o) for s, e, t, k, r, p, o in rows]


CREATE = ("new", "assign", "new", "assign", None, None, "agent")
START = ("new", "start", "working", "handle", "agent", "p-1", "agent")
RAISE = ("working", "raise", "working", "escalate", "agent", "p-1", "lead")
FINISH_LEAD = ("working", "finish", "done", "handle", "lead", "p-2", "lead")
FINISH_SAME = ("working", "finish", "done", "handle", "agent", "p-1", "agent")
FINISH_OTHER = ("working", "finish", "done", "handle", "agent", "p-9", "agent")


def test_judging_histories(mini_files: dict[str, str]) -> None:
    ticket = {"tier": "normal", "amount": 10, "category": "refund"}
    sod = _policy(mini_files, "id: p\nname: {en: P}\nkind: separation-of-duties\nroles: [agent, lead]")
    assert judge(sod, "service", ticket, _steps(CREATE, START, FINISH_SAME)) is None
    breach = judge(sod, "service", ticket, _steps(CREATE, START, RAISE, FINISH_LEAD))
    assert breach is not None and breach.step == 3 and "`agent` and `lead`" in breach.reason

    never = _policy(mini_files, "id: p\nname: {en: P}\nkind: never-handles\nroles: [lead]")
    breach = judge(never, "service", ticket, _steps(CREATE, START, RAISE, FINISH_LEAD))
    assert breach is not None and breach.step == 2  # holding the ticket is enough

    eyes = _policy(mini_files, "id: p\nname: {en: P}\nkind: four-eyes\nfirst: start\nthen: finish")
    assert judge(eyes, "service", ticket, _steps(CREATE, START, FINISH_OTHER)) is None
    breach = judge(eyes, "service", ticket, _steps(CREATE, START, FINISH_SAME))
    assert breach is not None and breach.step == 2 and "`p-1`" in breach.reason

    before = _policy(mini_files, "id: p\nname: {en: P}\nkind: required-before\nbefore: working\nstate: done")
    assert judge(before, "service", ticket, _steps(CREATE, START, FINISH_SAME)) is None
    skip = ("new", "close", "done", "handle", "agent", "p-1", "agent")
    assert judge(before, "service", ticket, _steps(CREATE, skip)) is not None

    esc = _policy(mini_files, "id: p\nname: {en: P}\nkind: max-escalation-depth\nmax: 1")
    timer = ("new", "after 3m", "new", "timer", None, None, "lead")
    assert judge(esc, "service", ticket, _steps(CREATE, timer, START)) is None
    breach = judge(esc, "service", ticket, _steps(CREATE, timer, START, RAISE))
    assert breach is not None and breach.step == 3 and "2 escalations" in breach.reason

    owners = _policy(mini_files, "id: p\nname: {en: P}\nkind: owners\nmax: 1")
    breach = judge(owners, "service", ticket, _steps(CREATE, START, RAISE))
    assert breach is not None and breach.step == 2 and "`agent`, `lead`" in breach.reason

    scoped = _policy(mini_files, "id: p\nname: {en: P}\nkind: never-handles\nroles: [lead]\nwhen: {tier: vip}")
    assert judge(scoped, "service", ticket, _steps(CREATE, START, RAISE)) is None


def test_the_static_holder_is_released_when_the_ticket_changes_hands(mini_files: dict[str, str]) -> None:
    from rulesengine.model.policies import monitor

    eyes = _policy(mini_files, "id: p\nname: {en: P}\nkind: four-eyes\nfirst: start\nthen: finish")
    mon = monitor(eyes)
    value, _ = mon.step(mon.start(), Step("new", "start", "working", StepKind.HANDLE, "agent", HOLDER, "agent"))
    assert mon.step(value, Step("working", "finish", "done", StepKind.HANDLE, "agent", HOLDER, "agent"))[1]
    assert (
        mon.step(mon.handover(value), Step("working", "finish", "done", StepKind.HANDLE, "lead", HOLDER, "lead"))[1]
        is None
    )


def d(text: str) -> Duration:
    got = parse_duration(text)
    assert got is not None
    return got


@pytest.mark.parametrize(
    ("target", "calendar", "limit", "ok"),
    [
        ("3m", False, "3m", True),
        ("4m", False, "3m", False),
        ("1h", False, "1d", True),
        ("3m", True, "3m", False),  # business minutes can stretch over the night
        ("1wd", True, "1wd", True),
        ("2wd", True, "1wd", False),
        ("1wd", True, "3d", False),  # holidays stretch working days without bound
        ("9h", False, "1wd", True),  # the shortest opening day of the calendars is 9h
        ("10h", False, "1wd", False),
        ("8h", True, "1wd", True),
        ("18h", False, "2wd", True),
    ],
)
def test_durations_compare_conservatively(target: str, calendar: bool, limit: str, ok: bool) -> None:
    rs = load_rules(ROOT).ruleset
    assert rs is not None
    day = shortest_working_day(rs.calendars.values())
    assert day == 9 * 60
    assert meets(d(target), calendar, d(limit), day) is ok


# -- findings: the same evidence as the built-in rules ---------------------------------
POLICY_EXAMPLES = [
    "separation-of-duties",
    "never-handles",
    "four-eyes",
    "owners",
    "required-before",
    "sla",
    "max-transfers",
    "max-escalation-depth",
]


@pytest.mark.parametrize("name", POLICY_EXAMPLES)
def test_a_policy_finding_carries_ticket_trace_and_places(name: str) -> None:
    from rulesengine.rules.run import run_check

    d = ROOT / "examples" / "broken" / name
    rs = load_rules(d).ruleset
    assert rs is not None
    (f,) = run_check(rs).findings
    (policy,) = [p for p in rs.policies if f"`{p.id}`" in f.message]
    assert f.message.startswith(f"policy `{policy.id}` is broken in `{f.workflow}`: ")
    assert f.location == policy.location and f.location.file.startswith("policies/")
    assert f.ticket and f.trace and f.trace[0]["event"] == "assign"
    assert f.related and all(loc.file.startswith(("roles/", "workflows/")) for loc in f.related)
    assert f.help and not f.help.endswith(".")
    for step in f.trace[1:]:
        assert "location" in step, step
    text = f.to_json()
    assert text["rule"].startswith("RE50") and text["name"] == name


def _with_policy(tmp_path, src, body: str):  # type: ignore[no-untyped-def]
    import shutil

    dst = tmp_path / "rules"
    shutil.copytree(src, dst)
    (dst / "policies").mkdir(exist_ok=True)
    (dst / "policies" / "extra.yaml").write_text(policy_file(body), encoding="utf-8")
    rs = load_rules(dst).ruleset
    assert rs is not None
    return rs


def test_a_transfer_cycle_is_unbounded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rulesengine.rules.registry import find_rule
    from rulesengine.rules.run import run_check

    rs = _with_policy(
        tmp_path, ROOT / "examples" / "broken" / "transfer-loop", "id: p\nname: {en: P}\nkind: max-transfers\nmax: 2"
    )
    (f,) = run_check(rs, [find_rule("max-transfers")]).findings  # type: ignore[list-item]
    assert "3 transfers" in f.message and "no upper bound" in f.message
    assert len(f.trace) == 5  # creation, answer and three transfers: the shortest history


def test_a_scope_on_an_attribute_the_rules_never_mention(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rulesengine.rules.registry import find_rule
    from rulesengine.rules.run import run_check

    base = ROOT / "examples" / "broken" / "never-handles"
    rs = _with_policy(
        tmp_path,
        base,
        "id: email-only\nname: {en: P}\nkind: never-handles\nroles: [qa_inspector]\nwhen: {channel: email}",
    )
    found = run_check(rs, [find_rule("never-handles")]).findings  # type: ignore[list-item]
    mine = [f for f in found if "`email-only`" in f.message]
    assert len(mine) == 1 and mine[0].ticket == {"category": "complaint", "channel": "email"}


def test_policy_findings_are_selected_and_suppressed_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    dst = tmp_path / "rules"
    shutil.copytree(ROOT / "examples" / "broken" / "four-eyes", dst)
    runner = CliRunner()
    res = runner.invoke(app, ["check", str(dst), "--select", "four-eyes"])
    assert res.exit_code == 1 and "error[RE503]" in res.output and "1 rules" in res.output
    (dst / "suppressions.yaml").write_text(
        "suppressions:\n  - rule: four-eyes\n    workflow: refund\n    role: frontline_agent\n"
        "    reason: small refunds are approved by their agent during the pilot\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["check", str(dst)])
    assert res.exit_code == 0, res.output


def test_the_readme_shows_the_shipped_policies_and_every_kind() -> None:
    import re

    import yaml

    from rulesengine.rules.registry import find_rule

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Compliance policies")
    section = readme[start : readme.index("\n## ", start + 1)]
    shown = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))["policies"]  # type: ignore[union-attr]
    shipped = {
        p["id"]: p
        for f in sorted((ROOT / "policies").glob("*.yaml"))
        for p in yaml.safe_load(f.read_text(encoding="utf-8"))["policies"]
    }
    for entry in shown:
        assert {k: v for k, v in shipped[entry["id"]].items() if k != "description"} == entry
    rows = dict(re.findall(r"^\| `([a-z-]+)` \|.*\| (RE5\d\d) \|$", section, re.M))
    assert rows == {k.value: find_rule(k.value).code for k in PolicyKind}  # type: ignore[union-attr]


def test_a_step_nobody_may_own_has_no_owners(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rulesengine.rules.registry import find_rule
    from rulesengine.rules.run import run_check

    rs = _with_policy(
        tmp_path,
        ROOT / "examples" / "broken" / "ownership-gap",
        "id: someone-owns\nname: {en: P}\nkind: owners\nmin: 1\nstates: [approval]",
    )
    (f,) = run_check(rs, [find_rule("owners")]).findings  # type: ignore[list-item]
    assert "at `approval`, no role may hold the ticket, below the minimum of 1" in f.message
    assert f.ticket == {"amount": 5001, "category": "refund"}
    assert [s["event"] for s in f.trace] == ["assign", "verify", "submit"]
    assert f.related and f.related[0].file == "workflows/refund.yaml"
