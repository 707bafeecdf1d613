"""Properties of the load → schema → compile pipeline on generated and mutated input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.compile.compiler import compile_files
from rulesengine.source.loader import load_bytes, load_text
from tests.rulegen import rules_dirs

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(rules_dirs())
def test_generated_rules_directories_compile(files: dict[str, str]) -> None:
    result = compile_files(files)
    assert result.ok, [f"{d.location} {d.message}" for d in result.diagnostics]
    assert set(result.ruleset.workflows) == {"w"}


MUTATIONS = [
    lambda s, i, junk: s[:i] + junk + s[i:],  # insert
    lambda s, i, junk: s[:i] + s[i + len(junk) :],  # delete a span
    lambda s, i, junk: s[:i] + junk + s[i + len(junk) :],  # overwrite
]


@FAST
@given(
    rules_dirs(),
    st.data(),
    st.sampled_from(range(len(MUTATIONS))),
    st.text(alphabet=st.sampled_from(list("abc:{}[]-,&*!#'\"\t\n >|%@`~0123456789on")), min_size=1, max_size=6),
)
def test_a_mutated_directory_gives_located_diagnostics_not_exceptions(
    files: dict[str, str], data: st.DataObject, which: int, junk: str
) -> None:
    path = data.draw(st.sampled_from(sorted(files)))
    text = files[path]
    i = data.draw(st.integers(0, len(text)))
    files[path] = MUTATIONS[which](text, i, junk)
    result = compile_files(files)  # must not raise
    if result.ok:
        return
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert errors
    for d in errors:
        assert d.location is not None and d.location.file in files, d
        assert d.location.line >= 1 and d.location.column >= 1, d
        assert d.message and d.code.startswith("RE")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_loader_fuzz_text(text: str) -> None:
    result = load_text(text, "fuzz.yaml")
    assert (result.document is None) == bool(result.diagnostics)
    for d in result.diagnostics:
        assert d.location is not None and d.location.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_loader_fuzz_bytes(data: bytes) -> None:
    result = load_bytes(data, "fuzz.yaml")
    assert (result.document is None) == bool(result.diagnostics)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=4), kids, max_size=3)),
        max_leaves=12,
    )
)
def test_any_yaml_document_as_a_role_never_raises(value: object) -> None:
    import yaml

    text = yaml.safe_dump(value)
    result = compile_files({"roles/x.yaml": text, "workflows/w.yaml": text})
    assert not result.ok
