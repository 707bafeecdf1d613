"""Bounded cost on user-sized lists: long holiday lists, thousands of names, big workflows."""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.compile.compiler import compile_files
from rulesengine.source import loader
from rulesengine.source.loader import MAX_NODES, load_text
from rulesengine.source.schema_keywords import validator_class
from rulesengine.text import suggest
from tests.conftest import MINI, read_dir

N_HOLIDAYS = 20_000


def holidays(n: int, bad: str | None = None, at: int | None = None) -> dict[str, str]:
    files = read_dir(MINI)
    items = [f'"{dt.date(2000, 1, 1) + dt.timedelta(days=i)}"' for i in range(n)]
    if bad is not None and at is not None:
        items[at] = bad
    files["ticket.yaml"] = files["ticket.yaml"].replace(
        "holidays: [2026-10-01]", "holidays:\n" + "".join(f"      - {x}\n" for x in items)
    )
    return files


def timed(files: dict[str, str]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = compile_files(files)
    return time.perf_counter() - start, result


def test_twenty_thousand_holidays_with_one_of_the_wrong_type_validate_fast() -> None:
    seconds, result = timed(holidays(N_HOLIDAYS, bad="12345", at=N_HOLIDAYS // 2))
    assert seconds <= 2.0, seconds
    (e,) = [x for x in result.diagnostics if x.severity.value == "error"]
    assert e.name == "schema-violation" and "should be text" in e.message
    assert (e.location.file, e.location.line) == ("ticket.yaml", 10 + N_HOLIDAYS // 2)


def test_a_repeated_holiday_is_located_on_the_repeat() -> None:
    seconds, result = timed(holidays(N_HOLIDAYS, bad='"2000-01-02"', at=N_HOLIDAYS - 1))
    assert seconds <= 2.0, seconds
    (e,) = [x for x in result.diagnostics if x.severity.value == "error"]
    assert e.message == "`2000-01-02` is listed twice in calendars/office/holidays"
    assert e.location.line == 10 + N_HOLIDAYS - 1
    assert [r.line for r in e.related] == [11]
    assert "line 11" in (e.help or "")


def test_twenty_thousand_clean_holidays_compile() -> None:
    seconds, result = timed(holidays(N_HOLIDAYS))
    assert result.ok and seconds <= 2.0, seconds
    assert len(result.ruleset.calendars["office"].holidays) == N_HOLIDAYS


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.0, 1.0, 1.5, -1.0]) | st.sampled_from("ab"),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("xy"), inner, max_size=2),
    max_leaves=6,
)


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(st.lists(_JSON, max_size=6))
def test_unique_items_agrees_with_json_equality(items: list[Any]) -> None:
    v = validator_class()({"type": "array", "uniqueItems": True})
    errors = list(v.iter_errors(items))
    repeated = any(_json_equal(items[i], items[j]) for i in range(len(items)) for j in range(i))
    assert bool(errors) == repeated
    if errors:
        (e,) = errors
        i = e.path[0]
        assert _json_equal(items[i], items[e.validator_value]) and e.validator_value < i


def many_states(n: int, unknown: int) -> dict[str, str]:
    files = read_dir(MINI)
    w = files["workflows/service.yaml"]
    w = w.replace("states:\n", "states:\n" + "".join(f"  state_{i:05d}: {{}}\n" for i in range(n)))
    bad = "".join(f"  - {{name: t{i}, from: state_{i:05d}x, to: done, by: handle}}\n" for i in range(unknown))
    files["workflows/service.yaml"] = w.replace("transitions:\n", "transitions:\n" + bad)
    return files


def test_did_you_mean_over_thousands_of_near_identical_names_is_fast() -> None:
    seconds, result = timed(many_states(5_000, 100))
    assert seconds <= 2.0, seconds
    errors = [x for x in result.diagnostics if x.name == "unknown-reference"]
    assert len(errors) == 100
    for e in errors:
        wrong = e.message.split("`")[1]
        assert e.help == f"did you mean `{wrong[:-1]}`?"


_NAME = st.text(alphabet="abcdeor_", min_size=1, max_size=10)


@settings(max_examples=400, deadline=None)
@given(_NAME, st.lists(_NAME, max_size=8, unique=True))
def test_suggestions_are_difflibs_best_match(word: str, choices: list[str]) -> None:
    folded = {c.lower(): c for c in choices}
    expected = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if word.lower() in folded and folded[word.lower()] != word:
        return  # a case-only difference is suggested first
    assert suggest(word, choices) == (expected[0] if expected else None)


@pytest.mark.parametrize(
    ("word", "choices", "want"),
    [
        ("supervisr", ["supervisor", "super_agent", "director"], "supervisor"),
        ("Supervisor", ["supervisor", "super_agent"], "supervisor"),
        ("frontline", ["frontline_agent", "key_account_service"], "frontline_agent"),
        ("xyz", ["supervisor", "director"], None),
    ],
)
def test_familiar_suggestions(word: str, choices: list[str], want: str | None) -> None:
    assert suggest(word, choices) == want


def test_a_twenty_thousand_transition_workflow_fits_in_one_file() -> None:
    n = 20_000
    files = read_dir(MINI)
    states = "".join(f"  s{i}: {{}}\n" for i in range(n))
    steps = "".join(f"  - {{name: t{i}, from: s{i}, to: s{i + 1}, by: handle}}\n" for i in range(n - 1))
    w = files["workflows/service.yaml"].replace("states:\n", "states:\n" + states)
    files["workflows/service.yaml"] = w.replace("transitions:\n", "transitions:\n" + steps)
    assert len(files["workflows/service.yaml"].encode()) > 1_048_576
    gc.disable()  # as the command line does
    try:
        result = compile_files(files)
    finally:
        gc.enable()
    assert result.ok, [(x.name, str(x.location), x.message) for x in result.diagnostics[:3]]
    assert len(result.ruleset.workflows["service"].transitions) == n + 2


def test_the_value_cap_has_its_own_code_and_aliases_keep_theirs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_NODES >= 250_000  # a 20,000-transition workflow with its states
    monkeypatch.setattr(loader, "MAX_NODES", 1_000)
    r = load_text("a: [" + "1, " * 1_000 + "1]\n", "big.yaml")
    assert [(x.name, x.code, x.location.line) for x in r.diagnostics] == [("too-many-values", "RE015", 1)]
    assert "1,000 values" in r.diagnostics[0].message
    bomb = "a: &a [" + ", ".join(["x"] * 100) + "]\nb: [" + ", ".join(["*a"] * 15) + "]\n"
    r = load_text(bomb, "bomb.yaml")
    assert [(x.name, x.location.line) for x in r.diagnostics] == [("alias-limit", 2)]
