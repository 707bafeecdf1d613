"""Schema and compile errors: right place, one style, a suggestion where one exists."""

from __future__ import annotations

import re

import pytest

from rulesengine.compile.compiler import compile_files
from rulesengine.diagnostics import Diagnostic


def errors(files: dict[str, str]) -> list[Diagnostic]:
    result = compile_files(files)
    assert result.ruleset is None, "expected the rules to be invalid"
    return [d for d in result.diagnostics if d.severity.value == "error"]


def where(d: Diagnostic) -> tuple[str, int, int]:
    assert d.location is not None
    return (d.location.file, d.location.line, d.location.column)


def test_mini_fixture_compiles(mini_files: dict[str, str]) -> None:
    result = compile_files(mini_files)
    assert result.ok, [str(d.location) + " " + d.message for d in result.diagnostics]
    rs = result.ruleset
    assert set(rs.roles) == {"agent", "lead"}
    wf = rs.workflows["service"]
    assert wf.initial == "new" and wf.final_states == ("done",)
    assert wf.slas[0].target.working_days == 1 and wf.slas[0].calendar == "office"
    agent = rs.roles["agent"]
    g = agent.grants[0]
    assert g.cells == {"service": frozenset({"new", "working"})}
    assert g.condition.matches({"tier": "normal", "amount": 200})
    assert not g.condition.matches({"tier": "normal", "amount": 200.5})


def test_unknown_key_with_suggestion(mini_files: dict[str, str]) -> None:
    mini_files["roles/agent.yaml"] = mini_files["roles/agent.yaml"].replace("handle:", "handel:")
    (d,) = errors(mini_files)
    assert d.name == "schema-violation"
    assert where(d) == ("roles/agent.yaml", 4, 1)
    assert "`handel`" in d.message and "did you mean `handle`?" in (d.help or "")


def test_wrong_enum_value_position(mini_files: dict[str, str]) -> None:
    wf = mini_files["workflows/service.yaml"].replace("by: handle}", "by: handel}", 1)
    mini_files["workflows/service.yaml"] = wf
    (d,) = errors(mini_files)
    line = wf.splitlines().index(next(x for x in wf.splitlines() if "handel" in x)) + 1
    assert where(d)[:2] == ("workflows/service.yaml", line)
    assert where(d)[2] == wf.splitlines()[line - 1].index("handel") + 1
    assert "did you mean `handle`?" in (d.help or "")


def test_bad_duration_and_boolean_value(mini_files: dict[str, str]) -> None:
    wf = mini_files["workflows/service.yaml"].replace("new: {sla: 3m}", "new: {sla: 3 minutes}")
    mini_files["workflows/service.yaml"] = wf
    (d,) = errors(mini_files)
    assert d.name == "invalid-duration" and where(d) == ("workflows/service.yaml", 5, 14)
    assert "`3m`" in (d.help or "")


def test_missing_required_key(mini_files: dict[str, str]) -> None:
    mini_files["roles/lead.yaml"] = mini_files["roles/lead.yaml"].replace("name: {en: Lead, zh: 组长}\n", "")
    (d,) = errors(mini_files)
    assert "missing required key `name`" in d.message and d.location.file == "roles/lead.yaml"


@pytest.mark.parametrize(
    ("old", "new", "file", "want"),
    [
        ("reports_to: lead", "reports_to: leed", "roles/agent.yaml", "`lead`"),
        ("when: {tier: normal}", "when: {tier: nromal}", "roles/agent.yaml", "`normal`"),
        ("when: {tier: normal}", "when: {teir: normal}", "roles/agent.yaml", "`tier`"),
        (
            "workflows: [service]\n    when: {tier: normal}",
            "workflows: [servise]\n    when: {tier: normal}",
            "roles/agent.yaml",
            "`service`",
        ),
        ("states: [working]", "states: [workng]", "roles/agent.yaml", "`working`"),
        ("to: done, by", "to: dnoe, by", "workflows/service.yaml", "`done`"),
        ("calendar: office", "calendar: offfice", "workflows/service.yaml", "`office`"),
        ("to: lead}", "to: laed}", "workflows/service.yaml", "`lead`"),
        ("limits: {amount: 200}", "limits: {amonut: 200}", "roles/agent.yaml", "`amount`"),
    ],
)
def test_reference_errors_carry_a_suggestion(
    mini_files: dict[str, str], old: str, new: str, file: str, want: str
) -> None:
    assert old in mini_files[file]
    mini_files[file] = mini_files[file].replace(old, new, 1)
    (d,) = errors(mini_files)
    assert d.name == "unknown-reference", d.message
    assert d.location.file == file
    line = mini_files[file].splitlines()[d.location.line - 1]
    bad = re.search(r"`([^`]+)`", d.message).group(1)  # type: ignore[union-attr]
    assert line[d.location.column - 1 :].startswith(bad)
    assert d.help == f"did you mean {want}?"


def test_message_style(mini_files: dict[str, str]) -> None:
    mini_files["roles/agent.yaml"] = mini_files["roles/agent.yaml"].replace("reports_to: lead", "reports_to: leed")
    mini_files["workflows/service.yaml"] = mini_files["workflows/service.yaml"].replace("by: handle}", "by: hndle}", 1)
    for d in compile_files(mini_files).diagnostics:
        assert d.message[0].islower() or d.message[0] == "`", d.message
        assert not d.message.endswith(".")


def test_working_days_need_a_calendar(mini_files: dict[str, str]) -> None:
    mini_files["workflows/service.yaml"] = mini_files["workflows/service.yaml"].replace(", calendar: office", "")
    (d,) = errors(mini_files)
    assert d.name == "invalid-duration" and "calendar" in d.message


def test_calendar_checks(mini_files: dict[str, str]) -> None:
    files = mini_files
    files["ticket.yaml"] = (
        files["ticket.yaml"].replace("Asia/Shanghai", "Asia/Shanghia").replace("2026-10-01", "2026-02-30")
    )
    errs = errors(files)
    msgs = sorted(d.message for d in errs)
    assert any("unknown time zone `Asia/Shanghia`" in m for m in msgs)
    tz = next(d for d in errs if "time zone" in d.message)
    assert tz.help == "did you mean `Asia/Shanghai`?"
    files["ticket.yaml"] = files["ticket.yaml"].replace("Asia/Shanghia", "Asia/Shanghai")
    (d,) = errors(files)
    assert d.message == "`2026-02-30` is not a real date"


def test_escalation_needs_after_or_at_of(mini_files: dict[str, str]) -> None:
    mini_files["workflows/service.yaml"] = mini_files["workflows/service.yaml"].replace(
        "{in: new, after: 3m, to: lead}", "{in: new, to: lead}"
    )
    (d,) = errors(mini_files)
    assert "either `after`" in d.message


def test_reporting_cycle(mini_files: dict[str, str]) -> None:
    mini_files["roles/lead.yaml"] += "reports_to: agent\n"
    (d,) = errors(mini_files)
    assert "reporting line loops" in d.message and "agent → lead → agent" in d.message


def test_duplicate_ids_and_file_names(mini_files: dict[str, str]) -> None:
    mini_files["roles/agent2.yaml"] = mini_files["roles/agent.yaml"]
    (d,) = errors(mini_files)
    assert d.name == "duplicate-id" and d.location.file == "roles/agent2.yaml"


def test_empty_directory_is_invalid() -> None:
    result = compile_files({})
    assert not result.ok
    assert {d.name for d in result.diagnostics} == {"empty-rules-directory"}


def test_error_cap(mini_files: dict[str, str]) -> None:
    bad = "".join(f"  - {{name: t{i}, from: nowhere{i}, to: done, by: handle}}\n" for i in range(300))
    mini_files["workflows/service.yaml"] = mini_files["workflows/service.yaml"].replace(
        "transitions:\n", "transitions:\n" + bad
    )
    result = compile_files(mini_files)
    assert not result.ok
    errs = [d for d in result.diagnostics if d.severity.value == "error"]
    assert len(errs) == 100
    assert result.diagnostics[-1].name == "too-many-errors"
