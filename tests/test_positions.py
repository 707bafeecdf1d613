"""Line and column numbers as editors count them, whatever the line ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.reports.text import text_lines
from rulesengine.source.loader import load_bytes, load_text
from rulesengine.source.positions import LineIndex, char_offset


def where(result):  # type: ignore[no-untyped-def]
    return [(d.name, d.location.line, d.location.column) for d in result.diagnostics]


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_every_line_end_gives_the_same_place(eol: str, tmp_path: Path) -> None:
    text = eol.join(["id: a", "name: {en: A}", "  # comment", "id: b", ""])
    r = load_text(text, "r.yaml")
    assert where(r) == [("duplicate-key", 4, 1)]
    (tmp_path / "r.yaml").write_bytes(text.encode())
    shown = [t for t, _ in text_lines(r.diagnostics, tmp_path)]
    assert shown[1] == "     4 | id: b"
    assert shown[2] == "       | ^^"


@pytest.mark.parametrize("sep", ["\u0085", "\u2028", "\u2029"])
def test_unicode_separators_in_a_quoted_string_do_not_break_lines(sep: str) -> None:
    r = load_text(f'a: "x{sep}y"\nid: 1\nid: 2\n', "r.yaml")
    assert where(r) == [("duplicate-key", 3, 1)]
    doc = load_text(f'a: "x{sep}y"\nb: [1, 2]\n', "r.yaml").document
    assert doc is not None
    b = doc.locate(("b", 1))
    assert (b.line, b.column) == (2, 8)


def test_form_feed_in_a_comment_does_not_shift_the_tab_error() -> None:
    r = load_text("# page one\x0c page two\na:\n\tb: 1\n", "t.yaml")
    assert where(r) == [("tab-indentation", 3, 1)]


def test_vertical_tab_and_file_separators_do_not_break_lines_either() -> None:
    r = load_text("# x\x0b y\x1c z\na:\n  \tb: 1\n", "t.yaml")
    assert where(r) == [("tab-indentation", 3, 3)]


@pytest.mark.parametrize("text", ["a: [1, 2", "a: [1, 2\n", "a: [1, 2\n\n\n", "a: [1, 2\r\n"])
def test_end_of_file_errors_point_at_the_last_real_line(text: str, tmp_path: Path) -> None:
    r = load_text(text, "e.yaml")
    assert where(r) == [("yaml-syntax", 1, 9)]
    (tmp_path / "e.yaml").write_text(text, newline="")
    shown = [t for t, _ in text_lines(r.diagnostics, tmp_path)]
    assert shown[1] == "     1 | a: [1, 2"


def test_unterminated_quote_at_end_of_file() -> None:
    r = load_text("a: b\nc: 'open", "q.yaml")
    assert where(r) == [("yaml-syntax", 2, 9)]


def test_control_character_after_wide_characters_is_located_by_character() -> None:
    r = load_text("a: 中文\x07\n", "c.yaml")
    assert where(r) == [("invalid-encoding", 1, 6)]
    assert r.diagnostics[0].message == "character `U+0007` is not allowed in YAML"


def test_bom_does_not_shift_columns(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfid: a\nid: b\n"
    r = load_bytes(data, "r.yaml")
    assert where(r) == [("duplicate-key", 2, 1)]
    (tmp_path / "r.yaml").write_bytes(data)
    assert [t for t, _ in text_lines(r.diagnostics, tmp_path)][1] == "     2 | id: b"


def test_line_index_basics() -> None:
    idx = LineIndex("ab\r\ncd\ref\ngh")
    assert len(idx) == 4
    assert [idx.position(i) for i in (0, 2, 3, 4, 7, 10)] == [(1, 1), (1, 3), (1, 4), (2, 1), (3, 1), (4, 1)]
    assert idx.lines() == ["ab", "cd", "ef", "gh"]
    assert idx.line_text(5) is None and idx.line_text(0) is None
    assert char_offset("中a", 3) == 1


_EOL = st.sampled_from(["\n", "\r\n", "\r"])
_VALUE = st.text(
    alphabet=st.sampled_from(["a", "中", " ", "\u0085", "\u2028", "\u2029", "\t", "é"]),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_VALUE, _EOL), min_size=1, max_size=12), st.integers(min_value=1, max_value=3))
def test_positions_match_the_editor_lines(items: list[tuple[str, str]], indent: int) -> None:
    lines = [f'{" " * indent}k{i}: "{v}"' for i, (v, _) in enumerate(items)]
    text = "m:\n" + "".join(line + eol for line, (_, eol) in zip(lines, items))
    result = load_text(text, "p.yaml")
    assert result.document is not None, where(result)
    idx = LineIndex(text)
    for i, line in enumerate(lines):
        key = result.document.locate_key(("m", f"k{i}"))
        value = result.document.locate(("m", f"k{i}"))
        assert (key.line, key.column) == (i + 2, indent + 1)
        assert idx.line_text(key.line) == line
        assert (value.line, value.column) == (i + 2, indent + len(f"k{i}: ") + 1)
