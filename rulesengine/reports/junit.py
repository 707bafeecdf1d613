"""JUnit XML output, because every CI server (Jenkins, GitLab, Azure, CircleCI) can show it.

JUnit has no notion of "finding", so the mapping is: one ``<testsuite>`` per rule that ran
(plus one for validation), one failing ``<testcase>`` per error or warning, and one passing
testcase per clean rule, so the dashboard shows what was checked and not only what broke.
Info findings are reported as passing testcases with ``<system-out>``: they must never turn
a build red.

XML 1.0 cannot carry most control characters, even escaped, and a rules file or a message
can contain anything; such characters are replaced by a visible ``\\xNN`` escape rather than
producing a file the CI server refuses to parse.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Severity
from . import VALIDATION_CODES, rule_catalogue, rule_doc_path, step_location_text, step_text, ticket_text

if TYPE_CHECKING:
    from ..rules.registry import Rule

VALIDATION_SUITE = "validation"

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by ``\\xNN`` / ``\\uNNNN``."""
    return _NOT_XML_CHAR.sub(_escape_char, text)


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def render_junit(diags: list[Diagnostic], rules: list[Rule], suite_name: str) -> str:
    """A ``<testsuites>`` document: one suite per rule that ran, one testcase per finding."""
    names = {info.code: info.name for info in rule_catalogue(rules, diags)}
    suites: dict[str, list[Diagnostic]] = {}
    order: list[tuple[str, str]] = []  # (suite key, suite label)
    for r in sorted(rules, key=lambda r: r.code):
        if r.code not in suites:
            suites[r.code] = []
            order.append((r.code, f"{r.code} {r.name}"))
    extra: dict[str, list[Diagnostic]] = {}
    for d in diags:
        if d.code in suites:
            suites[d.code].append(d)
        elif d.code in VALIDATION_CODES:
            extra.setdefault(VALIDATION_SUITE, []).append(d)
        else:
            extra.setdefault(d.code, []).append(d)
    if VALIDATION_SUITE in extra:
        suites[VALIDATION_SUITE] = extra.pop(VALIDATION_SUITE)
        order.insert(0, (VALIDATION_SUITE, VALIDATION_SUITE))
    for code in sorted(extra):
        suites[code] = extra[code]
        order.append((code, f"{code} {names.get(code, '')}".rstrip()))

    root = ET.Element("testsuites", name=xml_safe(suite_name))
    total_tests = total_failures = 0
    for key, label in order:
        suite = ET.SubElement(root, "testsuite", name=xml_safe(f"{suite_name}: {label}"))
        findings = suites[key]
        tests = failures = 0
        for d in findings:
            _testcase(suite, d)
            tests += 1
            failures += d.severity is not Severity.INFO
        if not findings:
            ET.SubElement(
                suite, "testcase", classname=f"rulesengine.{key}", name=xml_safe(f"{names.get(key, key)}: no findings")
            )
            tests = 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _testcase(suite: ET.Element, d: Diagnostic) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"rulesengine.{d.code}", name=xml_safe(_case_name(d)))
    body = xml_safe(_details(d))
    if d.severity is Severity.INFO:
        ET.SubElement(case, "system-out").text = body
    else:
        failure = ET.SubElement(case, "failure", type=d.severity.value, message=xml_safe(d.message))
        failure.text = body


def _case_name(d: Diagnostic) -> str:
    name = f"{d.name}: "
    loc = d.location
    if loc is None or not loc.file:
        name += "(no location)"
    else:
        name += f"{loc.file}:{loc.line}" if loc.line else loc.file
    if d.workflow or d.state:
        name += f" {d.workflow or ''}/{d.state or ''}"
    elif d.role:
        name += f" {d.role}"
    return name


def _details(d: Diagnostic) -> str:
    lines = [f"{d.severity.value}[{d.code}] {d.name}: {d.message}"]
    if d.location is not None:
        lines.append(f"location: {d.location}")
    if d.workflow is not None:
        lines.append(f"workflow: {d.workflow}")
    if d.state is not None:
        lines.append(f"state: {d.state}")
    if d.role is not None:
        lines.append(f"role: {d.role}")
    if d.ticket:
        lines.append(f"ticket: {ticket_text(d.ticket)}")
    if d.trace:
        lines.append("trace:")
        for i, step in enumerate(d.trace, 1):
            where = step_location_text(step)
            lines.append(f"  {i}. {step_text(step)}" + (f"  ({where})" if where else ""))
    for loc in d.related:
        lines.append(f"related: {loc}")
    if d.help:
        lines.append(f"help: {d.help}")
    lines.append(f"docs: {rule_doc_path(d.code)}")
    return "\n".join(lines)
