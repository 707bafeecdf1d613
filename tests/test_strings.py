"""Strings: a trailing newline or a control character in a name is a located error, never a crash."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.cli.schema import all_schemas
from rulesengine.compile.compiler import compile_files
from rulesengine.diagnostics import printable
from rulesengine.source.schema_keywords import compile_pattern
from tests.conftest import MINI, read_dir

W, T, R = "workflows/service.yaml", "ticket.yaml", "roles/agent.yaml"

# (file, text to replace, replacement, expected diagnostic, line); the error points at
# the replacement's first character
CASES = [
    (W, "working: {}", '"working\\n": {}', "schema-violation", 6),
    (W, "working: {}", '"work\\aing": {}', "schema-violation", 6),
    (W, "{in: new, after: 3m", '{in: new, at: "80%\\n", of: resolution', "schema-violation", 13),
    (W, "{in: new, after: 3m", '{in: new, after: "3m\\n"', "invalid-duration", 13),
    (W, "{in: new, after: 3m", '{in: new, after: "3m\\r"', "invalid-duration", 13),
    (W, "name: start,", 'name: "start\\n",', "schema-violation", 9),
    (W, "initial: new", 'initial: "new\\n"', "schema-violation", 3),
    (W, "from: new, to: working", 'from: new, to: "working\\t"', "schema-violation", 9),
    (W, "from: new, to: working", 'from: "new\\n", to: working', "schema-violation", 9),
    (W, "resolution: {target", '"resolution\\n": {target', "schema-violation", 15),
    (W, "sla: 3m", 'sla: "3m\\n"', "invalid-duration", 5),
    (T, 'mon-fri: "09:00-18:00"', '"mon-fri\\n": "09:00-18:00"', "schema-violation", 8),
    (T, 'mon-fri: "09:00-18:00"', 'mon-fri: "09:00-18:00\\n"', "schema-violation", 8),
    (T, "holidays: [2026-10-01]", 'holidays: ["2026-10-01\\n"]', "schema-violation", 9),
    (T, "values: [normal, vip]", 'values: [normal, "vip\\n"]', "schema-violation", 3),
    (T, "tier: {values", '"tier\\n": {values', "schema-violation", 3),
    (T, "office:", '"office\\x85":', "schema-violation", 6),
    (T, "Asia/Shanghai", '"Asia/Shanghai\\n"', "invalid-calendar", 7),
    (R, "id: agent", 'id: "agent\\n"', "schema-violation", 1),
    (R, "reports_to: lead", 'reports_to: "lead\\n"', "schema-violation", 3),
    (R, "workflows: [service]", 'workflows: ["service\\u2028"]', "schema-violation", 5),
    (R, "limits: {amount", 'limits: {"amount\\n"', "schema-violation", 7),
    (R, "when: {tier: normal}", 'when: {tier: "normal\\n"}', "unknown-reference", 6),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[2])
def test_control_characters_and_trailing_newlines_are_located_errors(case: tuple[str, str, str, str, int]) -> None:
    file, old, new, name, line = case
    files = read_dir(MINI)
    assert old in files[file]
    files[file] = files[file].replace(old, new, 1)
    result = compile_files(files)
    assert result.ruleset is None
    errors = [x for x in result.diagnostics if x.severity.value == "error"]
    assert [x.name for x in errors] == [name], [(x.name, str(x.location), x.message) for x in errors]
    (e,) = errors
    assert e.location is not None and (e.location.file, e.location.line) == (file, line)
    text_line = files[file].splitlines()[line - 1]
    assert e.location.column - 1 >= text_line.index(new[:1]) or new.startswith("{")
    for part in (e.message, e.help or ""):
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", part), part
    assert "\\" in e.message  # the control character is shown escaped


_BAD = st.sampled_from(["\n", "\r\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\x0c"])
_IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(_IDENT, _BAD, st.sampled_from(["before", "inside", "after"]))
def test_any_control_character_in_a_state_name_is_refused(name: str, bad: str, where: str) -> None:
    state = {"before": bad + name, "inside": name[:1] + bad + name[1:], "after": name + bad}[where]
    files = read_dir(MINI)
    quoted = json.dumps(state)  # a YAML double-quoted string with escapes
    files[W] = files[W].replace("working: {}", f"{quoted}: {{}}", 1)
    result = compile_files(files)
    assert result.ruleset is None
    assert {x.name for x in result.diagnostics if x.severity.value == "error"} == {"schema-violation"}
    assert all("\n" not in x.message for x in result.diagnostics)


def test_patterns_end_only_at_the_very_end() -> None:
    assert compile_pattern(r"^[a-z]+$").search("parked") is not None
    assert compile_pattern(r"^[a-z]+$").search("parked\n") is None
    assert compile_pattern(r"^a\$$").search("a$") is not None
    assert compile_pattern(r"^(x|y)$").search("y\n") is None


def test_shipped_schemas_keep_editor_patterns() -> None:
    # the schemas stay ECMA-262 (no \Z, which editors reject); the engine reads $ as \Z
    text = json.dumps(all_schemas())
    assert "\\\\Z" not in text and "\\\\A" not in text


def test_printable_escapes_controls_only() -> None:
    assert printable("a\nb\x1b[0m\u2028c 中文 é") == "a\\nb\\x1b[0m\\u2028c 中文 é"


def test_a_very_long_bad_id_is_cut_in_the_message() -> None:
    files = read_dir(MINI)
    files[R] = files[R].replace("id: agent", "id: '" + "agent " * 2000 + "'", 1)
    (e,) = [x for x in compile_files(files).diagnostics if x.severity.value == "error"]
    assert e.name == "schema-violation" and len(e.message) < 150 and "12000 characters" in e.message
