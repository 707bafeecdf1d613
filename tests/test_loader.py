"""The loader: every hazard is a located diagnostic, never an exception or a silent change."""

from __future__ import annotations

import pytest

from rulesengine.source.loader import MAX_DEPTH, MAX_FILE_BYTES, load_bytes, load_text


def names(result):  # type: ignore[no-untyped-def]
    return [(d.name, d.location.line, d.location.column) for d in result.diagnostics]


def test_positions_for_keys_values_and_items() -> None:
    doc = load_text("a:\n  b:\n    - x\n    - {y: 2}\n", "f.yaml").document
    assert doc is not None
    assert doc.data == {"a": {"b": ["x", {"y": 2}]}}
    assert (doc.locate(("a", "b", 0)).line, doc.locate(("a", "b", 0)).column) == (3, 7)
    assert (doc.locate(("a", "b", 1, "y")).line, doc.locate(("a", "b", 1, "y")).column) == (4, 11)
    assert (doc.locate_key(("a", "b")).line, doc.locate_key(("a", "b")).column) == (2, 3)
    # an unknown deeper path falls back to its nearest ancestor
    assert doc.locate(("a", "b", 1, "zzz", 3)).line == 4


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    r = load_text("id: a\nname: {en: A}\nid: b\n", "r.yaml")
    assert r.document is None
    assert names(r) == [("duplicate-key", 3, 1)]
    assert "line 1" in r.diagnostics[0].help


@pytest.mark.parametrize("key", ["on", "off", "yes", "no", "On", "NO", "true", "False"])
def test_boolean_keys_are_rejected(key: str) -> None:
    r = load_text(f"states:\n  {key}: {{}}\n", "w.yaml")
    assert r.document is None
    assert names(r) == [("boolean-key", 2, 3)]
    assert f'"{key}"' in r.diagnostics[0].help


def test_quoted_boolean_key_is_text() -> None:
    r = load_text('states:\n  "on": {}\n', "w.yaml")
    assert r.document is not None and r.document.data == {"states": {"on": {}}}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !include other.yaml\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
    ],
)
def test_unsafe_and_unknown_tags(text: str) -> None:
    r = load_text(text, "t.yaml")
    assert r.document is None
    assert names(r)[0][0] == "unsupported-tag"
    assert names(r)[0][1:] == (1, 4)


def test_billion_laughs_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    r = load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert r.document is None
    assert names(r)[0][0] == "alias-limit"


def test_small_aliases_and_merge_keys_work() -> None:
    text = "base: &b {workflows: [w], when: {tier: vip}}\nhandle:\n  - <<: *b\n    states: [s]\n  - *b\n"
    r = load_text(text, "r.yaml")
    assert r.document is not None
    assert r.document.data["handle"][0] == {"workflows": ["w"], "when": {"tier": "vip"}, "states": ["s"]}
    assert r.document.data["handle"][1] == {"workflows": ["w"], "when": {"tier": "vip"}}


def test_recursive_alias_is_an_error() -> None:
    r = load_text("a: &a [*a]\n", "r.yaml")
    assert r.document is None and names(r)[0][0] == "yaml-syntax"


def test_deep_nesting() -> None:
    depth = MAX_DEPTH + 5
    r = load_text("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert r.document is None
    assert names(r)[0][0] == "nesting-too-deep"


def test_very_deep_nesting_does_not_overflow_the_stack() -> None:
    r = load_text("[" * 100_000, "deep.yaml")
    assert r.document is None
    assert r.diagnostics


def test_file_too_large() -> None:
    r = load_bytes(b"#" * (MAX_FILE_BYTES + 1), "big.yaml")
    assert names(r) == [("file-too-large", 1, 1)]


def test_non_utf8_is_located() -> None:
    r = load_bytes(b"id: a\nname: {en: Caf" + b"\xe9}\n", "r.yaml")
    assert names(r) == [("invalid-encoding", 2, 15)]


def test_utf8_bom_and_chinese_are_fine() -> None:
    r = load_bytes("\ufeffname: {en: Agent, zh: 一线客服}\n".encode(), "r.yaml")
    assert r.document is not None and r.document.data["name"]["zh"] == "一线客服"


def test_tabs_for_indentation() -> None:
    r = load_text("a:\n\tb: 1\n", "t.yaml")
    assert names(r) == [("tab-indentation", 2, 1)]


def test_tab_inside_a_value_is_fine() -> None:
    r = load_text('a: "x\ty"\n', "t.yaml")
    assert r.document is not None


def test_syntax_error_is_located() -> None:
    r = load_text("a: [1, 2\nb: 3\n", "s.yaml")
    assert r.document is None
    name, line, _col = names(r)[0]
    assert name == "yaml-syntax" and line == 2


def test_empty_and_multi_document_files() -> None:
    assert names(load_text("# only a comment\n", "e.yaml")) == [("empty-document", 1, 1)]
    assert names(load_text("a: 1\n---\nb: 2\n", "m.yaml"))[0][0] == "multiple-documents"


def test_control_characters() -> None:
    r = load_text("a: b\x07\n", "c.yaml")
    assert r.document is None and r.diagnostics[0].location.line == 1


def test_yaml11_surprises_are_tamed() -> None:
    doc = load_text("t: 09:30\nd: 2026-10-01\nn: 12\nf: 1.5\nz: ~\n", "x.yaml").document
    assert doc is not None
    assert doc.data == {"t": "09:30", "d": "2026-10-01", "n": 12, "f": 1.5, "z": None}
    # the source text of a non-string scalar is kept for messages
    assert doc.raw_text(("n",)) == "12"
