"""Every example directory: clean ones stay clean, broken ones show exactly their defect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from rulesengine.compile.compiler import load_rules
from rulesengine.rules.docs import index_page, rule_page
from rulesengine.rules.registry import all_rules
from rulesengine.rules.run import run_check
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
BROKEN = EXAMPLES / "broken"
EXPECT = re.compile(r"#\s*expect:\s*(?P<name>[a-z-]+)(?P<rest>.*)$")


def clean_dirs() -> list[Path]:
    dirs = [ROOT] + sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and p.name != "broken")
    return [d for d in dirs if (d / "roles").is_dir()]


def broken_dirs() -> list[Path]:
    return sorted(p for p in BROKEN.rglob("*") if p.is_dir() and (p / "roles").is_dir())


def expectations(d: Path) -> list[dict[str, str]]:
    out = []
    for p in sorted(d.rglob("*.yaml")):
        if not p.is_file():  # the planted defect may be a dangling link or a directory
            continue
        for line in p.read_bytes().decode("utf-8", errors="replace").splitlines()[:400]:
            m = EXPECT.search(line)
            if m:
                fields = dict(kv.split("=", 1) for kv in m.group("rest").split() if "=" in kv)
                out.append({"name": m.group("name"), "file": p.relative_to(d).as_posix(), **fields})
    return out


def accepted_findings(d: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    """The findings an example documents as real defects of the system it translates.

    `expected-findings.yaml` beside `roles/` lists them (`rule`, and `workflow`, `state`,
    `role` where the finding has them); its README explains each one.
    """
    path = d / "expected-findings.yaml"
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return sorted((e["rule"], e.get("workflow"), e.get("state"), e.get("role")) for e in entries)


@pytest.mark.parametrize("d", clean_dirs(), ids=lambda p: p.name or "root")
def test_clean_examples_have_no_findings(d: Path) -> None:
    result = load_rules(d)
    assert result.ok, [f"{x.location} {x.message}" for x in result.diagnostics]
    assert not result.diagnostics, [f"{x.location} {x.message}" for x in result.diagnostics]
    findings = run_check(result.ruleset).findings
    got = sorted((f.code, f.workflow, f.state, f.role) for f in findings)
    assert got == accepted_findings(d), [f"{x.location} {x.name} {x.message}" for x in findings]


@pytest.mark.parametrize("d", broken_dirs(), ids=lambda p: p.relative_to(BROKEN).as_posix())
def test_broken_example_shows_exactly_its_planted_defect(d: Path) -> None:
    wanted = expectations(d)
    assert len(wanted) == 1, f"{d} must name exactly one `# expect:` finding"
    (want,) = wanted
    result = load_rules(d)
    if not result.ok:
        errors = [x for x in result.diagnostics if x.severity.value == "error"]
        assert [x.name for x in errors] == [want["name"]], [f"{x.location} {x.message}" for x in errors]
        loc = errors[0].location
        assert loc is not None and loc.file == want["file"]
        if "line" in want:
            assert (str(loc.line), str(loc.column)) == (want["line"], want["column"])
        return
    findings = run_check(result.ruleset).findings
    got = [(f.name, f.workflow, f.state, f.role) for f in findings]
    assert len(findings) == 1, got
    (f,) = findings
    assert f.name == want["name"]
    for key in ("workflow", "state", "role"):
        if key in want:
            assert getattr(f, key) == want[key], (key, got)
    assert f.location is not None and f.location.line >= 1


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_has_docs_and_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    for part in (rule.doc.summary, rule.doc.finds, rule.doc.why, rule.doc.example, rule.doc.fix):
        assert part.strip()
    page = ROOT / "docs" / "rules" / f"{rule.code}.md"
    assert page.is_file(), f"missing {page}: run `rulesengine rules --write-docs docs/rules`"
    assert page.read_text(encoding="utf-8") == rule_page(rule), f"{page} is stale: regenerate it"
    trigger = BROKEN / rule.name
    assert trigger.is_dir(), f"no fixture triggers {rule.code}: add examples/broken/{rule.name}/"
    result = load_rules(trigger)
    assert result.ok
    assert rule.code in {f.code for f in run_check(result.ruleset, [rule]).findings}
    passing = ROOT / "tests" / "fixtures" / "rules" / rule.code / "pass"
    assert passing.is_dir(), f"no fixture shows {rule.code} staying quiet: add {passing}"
    result = load_rules(passing)
    assert result.ok
    assert not run_check(result.ruleset, [rule]).findings


def test_rules_index_page_is_current() -> None:
    assert (ROOT / "docs" / "rules" / "README.md").read_text(encoding="utf-8") == index_page()
