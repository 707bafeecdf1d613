"""Crashes the fuzz suite found, each reduced to the smallest input that showed it."""

from __future__ import annotations

from rulesengine.compile.compiler import compile_files, content_digest
from rulesengine.diagnostics import Severity
from tests.conftest import MINI, read_dir


def _errors(files: dict[str, str | bytes]) -> list[tuple[str, str, int, int]]:
    result = compile_files(files)
    assert not result.ok
    return [
        (d.code, d.location.file, d.location.line, d.location.column)
        for d in result.diagnostics
        if d.severity is Severity.ERROR and d.location is not None
    ]


def test_text_with_a_lone_surrogate_is_invalid_utf8_at_its_place() -> None:
    # compile_files takes text as well as bytes; a lone surrogate used to escape as
    # UnicodeEncodeError instead of the loader's located RE002
    files: dict[str, str | bytes] = dict(read_dir(MINI))
    files["roles/agent.yaml"] = "id: agent\nname: {en: A\ud800gent}\n"
    assert ("RE002", "roles/agent.yaml", 2, 13) in _errors(files)


def test_text_decoded_with_surrogateescape_gets_its_bytes_back() -> None:
    raw = "id: agent\nname: {en: Agent \xe9}\n".encode("latin-1")
    as_text = raw.decode("utf-8", "surrogateescape")
    files: dict[str, str | bytes] = dict(read_dir(MINI))
    files["roles/agent.yaml"] = as_text
    by_text = _errors(files)
    files["roles/agent.yaml"] = raw
    assert by_text == _errors(files)
    assert content_digest({"a": as_text}) == content_digest({"a": raw})
