"""Tests of the CI report formats: SARIF, JUnit XML, Markdown and the JSON report schema.

Diagnostics and rules are built by hand so the tests pin the formats, not what the
analysis happens to find today.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.diagnostics import DUPLICATE_KEY, TOO_MANY_ERRORS, Diagnostic, Location, Severity
from rulesengine.reports import render_junit, render_markdown, render_sarif, report_schema
from rulesengine.reports.junit import xml_safe
from rulesengine.reports.text import json_report
from rulesengine.rules.registry import Rule, RuleDoc

ROOT = Path("/srv/centre")


def _no_check(_: Any) -> Iterator[Diagnostic]:
    return iter(())


def _rule(code: str, name: str, severity: Severity) -> Rule:
    doc = RuleDoc(
        summary=f"{name} summary",
        finds=f"finds {name}",
        why="because tickets get lost",
        example="handle:\n  - workflows: [after_sales]",
        fix="grant `handle` to a role",
    )
    return Rule(code, name, severity, doc, _no_check)


GAP = _rule("RE201", "ownership-gap", Severity.ERROR)
DUP = _rule("RE202", "duplicate-ownership", Severity.WARNING)
UNUSED = _rule("RE210", "unused-role", Severity.INFO)
CLEAN = _rule("RE220", "transfer-loop", Severity.ERROR)
RULES = [GAP, DUP, UNUSED, CLEAN]

TRACE = (
    {
        "state": "new",
        "event": "assign",
        "role": "frontline_agent",
        "to": None,
        "owner": "frontline_agent",
        "location": {"file": "workflows/after_sales.yaml", "line": 5, "column": 3},
    },
    {
        "state": "new",
        "event": "request_refund",
        "role": "frontline_agent",
        "to": "approve_refund",
        "owner": "frontline_agent",
        "location": {"file": "workflows/after_sales.yaml", "line": 11, "column": 5},
    },
    {"state": "approve_refund", "event": "assign", "role": None, "to": None, "owner": None},
)

VALIDATION = DUPLICATE_KEY(
    "key `name` appears twice",
    Location("roles/supervisor.yaml", 4, 1, 4, 5),
    help="remove one of the two `name` keys",
)
FINDING = GAP.finding(
    "no role may handle `approve_refund` for this ticket",
    location=Location("workflows/after_sales.yaml", 14, 7),
    help="grant `handle` on `approve_refund` to a role covering `amount` above 2000",
    workflow="after_sales",
    state="approve_refund",
    ticket={"category": "refund", "tier": "vip", "amount": 5000},
    trace=TRACE,
    related=(Location("roles/supervisor.yaml", 9, 3),),
)
WARNING = DUP.finding(
    "`vip_service` and `frontline_agent` both own `received` | overlap 售后",
    location=Location("workflows/complaint.yaml", 20, 3),
    workflow="complaint",
    state="received",
)
INFO = UNUSED.finding("role `qa` is never used", location=Location("roles/qa.yaml", 1, 1), role="qa")
NO_LOCATION = TOO_MANY_ERRORS("stopped after 100 errors")
DIAGS = [VALIDATION, FINDING, WARNING, INFO, NO_LOCATION]


# -- SARIF ------------------------------------------------------------------------------

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_REGION = {
    "type": "object",
    "required": ["startLine"],
    "additionalProperties": False,
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
}
_PHYSICAL = {
    "type": "object",
    "required": ["artifactLocation"],
    "properties": {
        "artifactLocation": {
            "type": "object",
            "required": ["uri"],
            "properties": {"uri": {"type": "string", "pattern": "^[^\\\\ ]*$"}, "uriBaseId": {"const": "%SRCROOT%"}},
        },
        "region": _REGION,
    },
}
_LOCATION = {
    "type": "object",
    "properties": {"physicalLocation": _PHYSICAL, "message": _MESSAGE, "id": {"type": "integer"}},
}
# The essentials of https://json.schemastore.org/sarif-2.1.0.json that consumers rely on.
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"const": "https://json.schemastore.org/sarif-2.1.0.json"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"const": "rulesengine"},
                                    "version": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "name",
                                                "shortDescription",
                                                "fullDescription",
                                                "help",
                                                "defaultConfiguration",
                                                "helpUri",
                                            ],
                                            "properties": {
                                                "id": {"type": "string", "pattern": "^RE[0-9]{3}$"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": {
                                                    "type": "object",
                                                    "required": ["text", "markdown"],
                                                    "properties": {
                                                        "text": {"type": "string"},
                                                        "markdown": {"type": "string"},
                                                    },
                                                },
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {"level": {"enum": ["error", "warning", "note"]}},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "originalUriBaseIds": {
                        "type": "object",
                        "properties": {
                            "%SRCROOT%": {
                                "type": "object",
                                "required": ["uri"],
                                "properties": {"uri": {"type": "string", "pattern": "^file:///.*/$"}},
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "ruleIndex", "level", "message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {"type": "array", "items": _LOCATION},
                                "relatedLocations": {"type": "array", "items": _LOCATION},
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "codeFlows": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["threadFlows"],
                                        "properties": {
                                            "threadFlows": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": ["locations"],
                                                    "properties": {
                                                        "locations": {
                                                            "type": "array",
                                                            "minItems": 1,
                                                            "items": {
                                                                "type": "object",
                                                                "properties": {"location": _LOCATION},
                                                            },
                                                        }
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "properties": {"type": "object"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _sarif(diags: list[Diagnostic] = DIAGS, rules: list[Rule] = RULES) -> dict[str, Any]:
    return json.loads(render_sarif(diags, rules, ROOT, "1.2.3"))


def _result_for(log: dict[str, Any], d: Diagnostic) -> dict[str, Any]:
    results = log["runs"][0]["results"]
    return results[DIAGS.index(d)]


def test_sarif_matches_the_essential_schema() -> None:
    log = _sarif()
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    run = log["runs"][0]
    assert run["tool"]["driver"]["version"] == "1.2.3"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///srv/centre/"
    assert len(run["results"]) == len(DIAGS)


def test_sarif_rules_cover_analysis_rules_and_validation_kinds() -> None:
    rules = _sarif()["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert {"RE201", "RE202", "RE210", "RE220", "RE006", "RE049"} <= set(ids)
    gap = rules[ids.index("RE201")]
    assert gap["name"] == "ownership-gap"
    assert gap["shortDescription"]["text"] == "ownership-gap summary"
    assert gap["fullDescription"]["text"] == "finds ownership-gap"
    assert gap["helpUri"] == "docs/rules/RE201.md"
    assert gap["defaultConfiguration"]["level"] == "error"
    for part in ("finds ownership-gap", "because tickets get lost", "workflows: [after_sales]", "grant `handle`"):
        assert part in gap["help"]["text"]
        assert part in gap["help"]["markdown"]
    assert "```yaml\nhandle:" in gap["help"]["markdown"]
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels["RE202"] == "warning"
    assert levels["RE210"] == "note"
    assert levels["RE022"] == "warning"  # stray-file is a validation warning
    assert rules[ids.index("RE006")]["helpUri"] == "docs/rules/RE006.md"


def test_sarif_docs_base_uri_makes_help_uri_absolute() -> None:
    log = json.loads(render_sarif([FINDING], RULES, ROOT, "1", docs_base_uri="https://example.org/repo/blob/main/"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(r["helpUri"] == f"https://example.org/repo/blob/main/docs/rules/{r['id']}.md" for r in rules)


def test_sarif_results_levels_and_rule_indexes() -> None:
    run = _sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = [r["level"] for r in run["results"]]
    assert levels == ["error", "error", "warning", "note", "note"]


def test_sarif_result_location_message_and_properties() -> None:
    log = _sarif()
    gap = _result_for(log, FINDING)
    assert gap["message"]["text"] == (
        "no role may handle `approve_refund` for this ticket — "
        "grant `handle` on `approve_refund` to a role covering `amount` above 2000"
    )
    physical = gap["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "workflows/after_sales.yaml", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 14, "startColumn": 7}
    assert gap["properties"]["workflow"] == "after_sales"
    assert gap["properties"]["state"] == "approve_refund"
    assert gap["properties"]["ticket"] == {"category": "refund", "tier": "vip", "amount": 5000}
    assert "role" not in gap["properties"]
    assert gap["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 9

    validation = _result_for(log, VALIDATION)
    region = validation["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 5}
    assert _result_for(log, INFO)["properties"]["role"] == "qa"
    warning = _result_for(log, WARNING)
    assert "—" not in warning["message"]["text"]  # no help, no separator
    assert "locations" not in _result_for(log, NO_LOCATION)


def test_sarif_omits_region_when_line_unknown_and_encodes_paths() -> None:
    d = DUPLICATE_KEY("bad", Location("roles/客服 team.yaml"))
    result = _sarif([d])["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert "region" not in physical
    assert physical["artifactLocation"]["uri"] == "roles/%E5%AE%A2%E6%9C%8D%20team.yaml"


def test_sarif_absolute_path_under_root_becomes_relative() -> None:
    d = DUPLICATE_KEY("bad", Location(str(ROOT / "roles" / "qa.yaml"), 2, 1))
    artifact = _sarif([d])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "roles/qa.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_code_flow_has_one_step_per_trace_event_on_its_line() -> None:
    gap = _result_for(_sarif(), FINDING)
    steps = gap["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) == len(TRACE)
    texts = [s["location"]["message"]["text"] for s in steps]
    assert texts[0] == "assigned to frontline_agent at new"
    assert texts[1] == "new --request_refund--> approve_refund by frontline_agent"
    assert texts[2] == "nobody may own it at approve_refund"
    lines = [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps]
    assert lines == [5, 11, 14]  # the last step has no location: the finding's own
    uris = {s["location"]["physicalLocation"]["artifactLocation"]["uri"] for s in steps}
    assert uris == {"workflows/after_sales.yaml"}
    assert "codeFlows" not in _result_for(_sarif(), WARNING)


def test_sarif_fingerprints_stable_and_distinct() -> None:
    first = [r["partialFingerprints"] for r in _sarif()["runs"][0]["results"]]
    second = [r["partialFingerprints"] for r in _sarif()["runs"][0]["results"]]
    assert first == second
    values = [next(iter(p.values())) for p in first]
    assert len(set(values)) == len(values)
    assert all(re.fullmatch(r"[0-9a-f]{64}:[0-9]+", v) for v in values)


def test_sarif_fingerprint_ignores_line_but_not_message() -> None:
    moved = GAP.finding(
        FINDING.message,
        location=Location("workflows/after_sales.yaml", 40, 7),
        workflow="after_sales",
        state="approve_refund",
    )
    other = GAP.finding("something else", location=FINDING.location, workflow="after_sales", state="approve_refund")

    def fp(d: Diagnostic) -> str:
        return next(iter(_sarif([d])["runs"][0]["results"][0]["partialFingerprints"].values()))

    assert fp(moved) == fp(FINDING)
    assert fp(other) != fp(FINDING)
    # Two findings identical but for the line still get distinct fingerprints.
    both = _sarif([FINDING, moved])["runs"][0]["results"]
    assert both[0]["partialFingerprints"] != both[1]["partialFingerprints"]


def test_sarif_unknown_code_gets_a_rule_entry() -> None:
    d = Diagnostic("RE901", "custom-policy", Severity.WARNING, "policy broken", Location("policies/p.yaml", 1, 1))
    run = _sarif([d], [])["runs"][0]
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "RE901"


# -- JUnit ------------------------------------------------------------------------------


def _junit(diags: list[Diagnostic] = DIAGS, rules: list[Rule] = RULES) -> ET.Element:
    return ET.fromstring(render_junit(diags, rules, "rulesengine check"))


def _suite(root: ET.Element, label: str) -> ET.Element:
    for suite in root.iter("testsuite"):
        if suite.get("name") == f"rulesengine check: {label}":
            return suite
    raise AssertionError(f"no suite {label}")


def test_junit_parses_with_right_counts() -> None:
    root = _junit()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    names = [s.get("name") for s in suites]
    assert names == [
        "rulesengine check: validation",
        "rulesengine check: RE201 ownership-gap",
        "rulesengine check: RE202 duplicate-ownership",
        "rulesengine check: RE210 unused-role",
        "rulesengine check: RE220 transfer-loop",
    ]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure") is not None)
    # validation: the duplicate key fails, too-many-errors is info; gap + dup fail; qa info; clean passes.
    assert root.get("tests") == str(sum(len(s.findall("testcase")) for s in suites)) == "6"
    assert root.get("failures") == "3"


def test_junit_info_is_not_a_failure() -> None:
    case = _suite(_junit(), "RE210 unused-role").find("testcase")
    assert case is not None
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and "role `qa` is never used" in (out.text or "")


def test_junit_testcase_names_and_failure_body() -> None:
    root = _junit()
    case = _suite(root, "RE201 ownership-gap").find("testcase")
    assert case is not None
    assert case.get("classname") == "rulesengine.RE201"
    assert case.get("name") == "ownership-gap: workflows/after_sales.yaml:14 after_sales/approve_refund"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert failure.get("message") == FINDING.message
    body = failure.text or ""
    assert "help: grant `handle`" in body
    assert "ticket: category=refund, tier=vip, amount=5000" in body
    assert "1. assigned to frontline_agent at new  (workflows/after_sales.yaml:5:3)" in body
    assert "3. nobody may own it at approve_refund" in body

    validation = _suite(root, "validation").findall("testcase")
    assert [c.get("classname") for c in validation] == ["rulesengine.RE006", "rulesengine.RE049"]
    assert validation[0].get("name") == "duplicate-key: roles/supervisor.yaml:4"
    assert validation[1].get("name") == "too-many-errors: (no location)"

    clean = _suite(root, "RE220 transfer-loop").findall("testcase")
    assert len(clean) == 1 and clean[0].get("name") == "transfer-loop: no findings"
    assert clean[0].find("failure") is None


def test_junit_no_validation_suite_without_validation_diagnostics() -> None:
    names = [s.get("name") for s in _junit([FINDING]).findall("testsuite")]
    assert "rulesengine check: validation" not in names


def test_junit_special_characters_survive() -> None:
    message = "<&\"'> 角色 `一线客服` 无法处理 ]]> \x00\x1b end"
    d = GAP.finding(message, location=Location("workflows/售后.yaml", 3, 1), help="修复 & <retry>")
    text = render_junit([d], [GAP], "套件 <&>")
    root = ET.fromstring(text)
    assert root.get("name") == "套件 <&>"
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "<&\"'> 角色 `一线客服` 无法处理 ]]> \\x00\\x1b end"
    assert "修复 & <retry>" in (failure.text or "")
    case = root.find("testsuite/testcase")
    assert case is not None and "workflows/售后.yaml:3" in (case.get("name") or "")


def test_xml_safe_keeps_valid_characters() -> None:
    assert xml_safe("a\tb\nc\rd 中文 😀") == "a\tb\nc\rd 中文 😀"
    assert xml_safe("\x00\x08\x0b\ufffe") == "\\x00\\x08\\x0b\\ufffe"


# -- Markdown ---------------------------------------------------------------------------


def test_markdown_summary_and_findings_table() -> None:
    md = render_markdown(DIAGS, RULES, "Rules check 检查", {"rules_run": 4, "suppressed": 1})
    lines = md.splitlines()
    assert lines[0] == "# Rules check 检查"
    assert "| errors | warnings | info | rules run | suppressed |" in lines
    assert "| 2 | 1 | 2 | 4 | 1 |" in lines
    assert "| severity | rule | location | workflow / state | message |" in lines
    row = next(line for line in lines if "RE201" in line and line.startswith("| error"))
    assert "[RE201](docs/rules/RE201.md) ownership-gap" in row
    assert "`workflows/after_sales.yaml:14:7`" in row
    assert "`after_sales/approve_refund`" in row
    # The pipe in the warning's message is escaped, the Chinese text kept.
    warning = next(line for line in lines if "RE202" in line and line.startswith("| warning"))
    assert "both own `received` \\| overlap 售后 |" in warning
    assert _cell_separators(warning) == 6  # exactly five cells
    no_loc = next(line for line in lines if line.startswith("| info") and "RE049" in line)
    assert "| — |" in no_loc


def test_markdown_details_block() -> None:
    md = render_markdown(DIAGS, RULES, "Report")
    block = md[md.index("<summary>error RE201") : md.index("</details>", md.index("<summary>error RE201"))]
    assert "- ticket: `category=refund`, `tier=vip`, `amount=5000`" in block
    assert "1. `assigned to frontline_agent at new` at `workflows/after_sales.yaml:5:3`" in block
    assert "2. `new --request_refund--> approve_refund by frontline_agent`" in block
    assert "3. `nobody may own it at approve_refund`" in block
    assert "Help: grant `handle` on `approve_refund`" in block
    assert "ownership-gap summary" in block
    assert md.count("<details>") == md.count("</details>") == len(DIAGS)


def test_markdown_empty() -> None:
    md = render_markdown([], RULES, "Report")
    assert "No findings." in md
    assert "| 0 | 0 | 0 |" in md
    assert "<details>" not in md


def test_markdown_cells_never_break_the_table() -> None:
    d = GAP.finding("a | b\nc `x|y`", location=Location("w.yaml", 1, 1), workflow="w|f", state="s")
    md = render_markdown([d], [GAP], "T")
    row = next(line for line in md.splitlines() if line.startswith("| error |"))
    assert _cell_separators(row) == 6  # five cells
    assert row.endswith("| a \\| b c `x\\|y` |")  # pipes escaped, the newline folded
    assert "`w\\|f/s`" in row


def _cell_separators(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row))


# -- JSON report schema -----------------------------------------------------------------


def _validator() -> jsonschema.Draft202012Validator:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_json_report_validates_with_and_without_traces() -> None:
    validator = _validator()
    validator.validate(json_report(DIAGS))
    validator.validate(json_report([VALIDATION, WARNING, NO_LOCATION]))
    validator.validate(json_report([], {"valid": True, "stage": "done"}))
    validator.validate(json_report([FINDING], {"rules_run": ["RE201"], "suppressed": 0}))
    # Round-trip through JSON text, as consumers see it.
    validator.validate(json.loads(json.dumps(json_report(DIAGS))))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda f: f.update(extra=1),
        lambda f: f.update(rule="X201"),
        lambda f: f.update(name="Ownership_Gap"),
        lambda f: f.update(severity="fatal"),
        lambda f: f.pop("help"),
        lambda f: f.update(ticket={"amount": [1, 2]}),
        lambda f: f["trace"][0].pop("event"),
        lambda f: f["location"].update(line=-1),
    ],
)
def test_json_report_schema_rejects_drift(mutate: Any) -> None:
    report = json.loads(json.dumps(json_report([FINDING])))
    mutate(report["findings"][0])
    assert not _validator().is_valid(report)


def test_report_schema_describes_every_property() -> None:
    missing: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{path}/{name}")
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    walk(schema, "")
    assert missing == []


# -- robustness -------------------------------------------------------------------------


def _without_code_spans(line: str) -> str:
    """``line`` with its CommonMark code spans removed: a run of n backticks up to the next
    run of exactly n; a run with no partner is literal text."""
    out, i = [], 0
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", line)]
    j = 0
    while j < len(runs):
        start, end = runs[j]
        n = end - start
        partner = next((r for r in runs[j + 1 :] if r[1] - r[0] == n), None)
        if partner is None:
            j += 1
            continue
        out.append(line[i:start])
        i = partner[1]
        j = runs.index(partner) + 1
    out.append(line[i:])
    return "".join(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.text(), help=st.one_of(st.none(), st.text()), workflow=st.text(max_size=20))
def test_arbitrary_text_never_breaks_xml_or_json(message: str, help: str | None, workflow: str) -> None:
    d = GAP.finding(
        message,
        location=Location(f"workflows/{workflow}.yaml", 2, 3),
        help=help,
        workflow=workflow,
        state=message[:10],
        ticket={"note": message},
        trace=({"state": message, "event": "assign", "role": workflow, "to": None, "owner": None},),
    )
    info = UNUSED.finding(message, location=Location("roles/x.yaml", 1, 1))
    root = ET.fromstring(render_junit([d, info], RULES, message))
    assert root.get("tests") == "4" and root.get("failures") == "1"
    failure = root.find(".//failure")
    assert failure is not None and failure.get("message") is not None

    log = json.loads(render_sarif([d, info], RULES, ROOT, "0"))
    assert log["runs"][0]["results"][0]["message"]["text"].startswith(message)
    report = json.loads(json.dumps(json_report([d, info])))
    assert report["findings"][0]["message"] == message
    _validator().validate(report)

    md = render_markdown([d, info], RULES, message)
    # inside a code span `<details>` is text, not markup: count only what a code host would render
    outside = "\n".join(_without_code_spans(line) for line in md.splitlines())
    assert outside.count("<details>") == 2
