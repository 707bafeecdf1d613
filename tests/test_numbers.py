"""Numbers: non-finite or beyond ±10^15 are located errors in every slot, never a crash."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.compile.compiler import compile_files
from rulesengine.model.durations import parse_duration
from rulesengine.numbers import MAX_MAGNITUDE, NumberError, read_float, read_int
from rulesengine.source.loader import load_text
from tests.conftest import MINI, ROOT, read_dir

BIG = "1" + "0" * 399  # 10**400
HUGE_HEX = "0x" + "f" * 4000  # about 4,800 decimal digits
HUGE_DEC = "9" * 4800  # beyond Python's own limit on converting decimal text


def one_error(files: dict[str, str]) -> tuple[str, int, int, str]:
    result = compile_files(files)
    assert result.ruleset is None
    errors = [x for x in result.diagnostics if x.severity.value == "error"]
    assert len(errors) == 1, [(x.name, str(x.location), x.message) for x in errors]
    (e,) = errors
    assert e.location is not None
    return e.name, e.location.line, e.location.column, e.message


def put(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    assert old in files[name], old
    files[name] = files[name].replace(old, new, 1)
    return files


SLOTS = [
    # (file, text to replace, replacement with a {} for the number, line of the number)
    ("roles/agent.yaml", "limits: {amount: 200}", "limits: {amount: {}}", 7, 0),
    ("roles/lead.yaml", "when: {amount: {gt: 200}}", "when: {amount: {gt: {}}}", 7, 0),
    ("roles/lead.yaml", "when: {amount: {gt: 200}}", "when: {amount: {gte: 1, lte: {}}}", 7, 0),
    ("roles/lead.yaml", "when: {amount: {gt: 200}}", "when: {amount: {lt: {}}}", 7, 0),
    ("ticket.yaml", "minimum: 0}", "minimum: {}}", 4, 0),
    ("ticket.yaml", "minimum: 0}", "minimum: 0, maximum: {}}", 4, 0),
    ("roles/agent.yaml", "reports_to: lead", "reports_to: lead\nheadcount: {}", 4, 0),
]


@pytest.mark.parametrize(
    "number", [".nan", ".NaN", ".inf", "-.inf", "+.Inf", BIG, "-" + BIG, HUGE_HEX, HUGE_DEC, "1.0e+400"]
)
@pytest.mark.parametrize("slot", SLOTS, ids=lambda s: s[2].split(":")[0] + ":" + s[2].split(":")[-2][-6:])
def test_every_number_slot_rejects_non_finite_and_huge_numbers(
    slot: tuple[str, str, str, int, int], number: str
) -> None:
    file, old, new, line, _ = slot
    files = put(read_dir(MINI), file, old, new.replace("{}", number))
    column = files[file].splitlines()[line - 1].index(number) + 1
    name, got_line, got_column, message = one_error(files)
    assert (name, got_line, got_column) == ("number-out-of-range", line, column)
    assert message.startswith("`") and not message.endswith(".")
    assert len(message) < 120  # thousands of digits are cut


def test_explicit_tags_and_underscores_and_octal() -> None:
    for text in [
        f"a: !!int {HUGE_HEX}",
        "a: !!float .nan",
        "a: 0" + "7" * 40,
        "a: 1_000_000_000_000_001",
        "a: 0b" + "1" * 64,
    ]:
        r = load_text(text + "\n", "n.yaml")
        assert [(x.name, x.location.line, x.location.column) for x in r.diagnostics] == [
            ("number-out-of-range", 1, 4)
        ], text


def test_numbers_at_the_edge_of_the_range_are_fine() -> None:
    doc = load_text(
        "a: 1_000_000_000_000_000\nb: -1000000000000000\nc: 1.0e+15\nd: 0x38D7EA4C68000\n", "n.yaml"
    ).document
    assert doc is not None
    assert doc.data == {"a": MAX_MAGNITUDE, "b": -MAX_MAGNITUDE, "c": 1e15, "d": MAX_MAGNITUDE}


def test_every_bad_number_of_a_file_is_reported_at_once() -> None:
    r = load_text(f"a: .nan\nb: [1, {BIG}]\nc: {{d: -.inf}}\n", "n.yaml")
    assert [(x.name, x.location.line, x.location.column) for x in r.diagnostics] == [
        ("number-out-of-range", 1, 4),
        ("number-out-of-range", 2, 8),
        ("number-out-of-range", 3, 8),
    ]


def test_a_huge_number_as_a_key_is_a_key_error() -> None:
    r = load_text(f"{BIG}: x\n", "n.yaml")
    assert [x.name for x in r.diagnostics] == ["non-string-key"]


@pytest.mark.parametrize(
    "after",
    ["9" * 5000 + "m", "1" + "0" * 30 + "h", "694444444444445d", "9" * 17 + "m", "0" * 200 + "1" + "0" * 16 + "m"],
)
def test_durations_with_too_many_digits(after: str) -> None:
    files = put(read_dir(MINI), "workflows/service.yaml", "after: 3m", f"after: {after}")
    name, line, column, message = one_error(files)
    assert (name, line, column) == ("number-out-of-range", 13, 22)
    assert message.startswith("duration `") and len(message) < 120


def test_durations_within_range_still_parse() -> None:
    d = parse_duration("0" * 300 + "3m")
    assert d is not None and d.minutes == 3
    assert parse_duration("694444444444d") is not None
    assert parse_duration("3m\n") is None


_INTS = st.integers(min_value=-(10**20), max_value=10**20)


@settings(max_examples=300, deadline=None)
@given(_INTS, st.sampled_from(["{}", "{:_}", "0x{:x}", "0{:o}", "0b{:b}"]))
def test_read_int_agrees_with_python_inside_the_range_and_refuses_outside(n: int, form: str) -> None:
    text = ("-" if n < 0 else "") + form.format(abs(n))
    if abs(n) <= MAX_MAGNITUDE:
        assert read_int(text) == n
        doc = load_text(f"v: {text}\n", "n.yaml").document
        assert doc is not None and doc.data["v"] == n
    else:
        with pytest.raises(NumberError):
            read_int(text)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_read_float_accepts_exactly_the_finite_numbers_in_range(x: float) -> None:
    text = repr(x).replace("inf", ".inf").replace("nan", ".nan")
    if "." not in text:
        text = text.replace("e", ".0e")
    if math.isfinite(x) and abs(x) <= MAX_MAGNITUDE:
        assert read_float(text) == x
    else:
        with pytest.raises(NumberError):
            read_float(text)


def test_cli_reports_a_huge_limit_instead_of_crashing(tmp_path: Path) -> None:
    rules = tmp_path / "r"
    rules.mkdir()
    for rel, text in put(read_dir(MINI), "roles/agent.yaml", "amount: 200", f"amount: {BIG}").items():
        (rules / rel).parent.mkdir(parents=True, exist_ok=True)
        (rules / rel).write_text(text)
    for command in (["check"], ["render", "--format", "dot", "--output", str(tmp_path / "d")], ["matrix"]):
        p = subprocess.run([sys.executable, str(ROOT / "cli.py"), *command, str(rules)], capture_output=True, text=True)
        assert p.returncode == 2, p.stderr
        assert "Traceback" not in p.stderr
        assert "roles/agent.yaml:7:22: error[RE014]" in p.stdout + p.stderr


@pytest.mark.parametrize("value", ["1e300", "-1e16", "nan", "inf", "1" * 400])
def test_command_line_ticket_values_are_in_range_too(value: str) -> None:
    from rulesengine.compile.compiler import load_rules
    from rulesengine.model.profiles import ProfileError, parse_assignments

    rs = load_rules(MINI).ruleset
    with pytest.raises(ProfileError, match="amount"):
        parse_assignments(rs, [f"amount={value}"])
