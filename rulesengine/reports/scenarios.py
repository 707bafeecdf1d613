"""Renderings of a scenario run: terminal text, versioned JSON and JUnit XML.

The last line of the text output is ``N passed, N failed`` — the line CI systems and
people look for.  Failures say what was expected and what the engine answered, with
the deciding or nearest grant's ``file:line:column``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from ..scenarios import ScenarioResult, StepResult, TestRun
from .junit import xml_safe

Line = tuple[str, str | None]


def _grant_note(res: StepResult) -> str | None:
    d = res.decision
    if d is None:
        return None
    if d.grants:
        return "deciding grant " + ", ".join(g.location or g.role for g in d.grants)
    if d.nearest is not None:
        return f"nearest grant {d.nearest.location}"
    return None


def failure_text(r: ScenarioResult) -> list[str]:
    if r.error is not None:
        return [r.error]
    f = r.failure
    if f is None:
        return []
    out = [f"step {f.step.index} ({f.step.label}) at {f.step.location}:", *(f"  {p}" for p in f.problems)]
    note = _grant_note(f)
    if note:
        out.append(f"  {note}")
    return out


def text_lines(run: TestRun, show_coverage: bool = True) -> list[Line]:
    out: list[Line] = []
    for r in run.results:
        mark, style = ("PASS", "green") if r.passed else ("FAIL", "bold red")
        out.append((f"{mark} {r.scenario.file}: {r.scenario.name}", style))
        for line in failure_text(r):
            out.append((f"    {line}", None))
    if show_coverage:
        cov = run.coverage
        out.append(
            (
                f"coverage: {len(cov.covered)} of {len(cov.items)} grants, transitions and timers ({cov.percent:.0f}%)",
                "bold",
            )
        )
        for file, (c, t, missed) in cov.by_file().items():
            if missed:
                out.append((f"  {file}: {c}/{t}; not exercised:", None))
                for item in missed:
                    out.append((f"    {item.location or file}: {item.label}", "dim"))
    style = "bold green" if run.failed == 0 else "bold red"
    out.append((f"{run.passed} passed, {run.failed} failed", style))
    return out


def _result_json(r: ScenarioResult) -> dict[str, Any]:
    return {
        "name": r.scenario.name,
        "file": r.scenario.file,
        "line": r.scenario.location.line,
        "passed": r.passed,
        "error": r.error,
        "steps": [
            {
                "step": s.step.index,
                "label": s.step.label,
                "ok": s.ok,
                "problems": s.problems,
                "state": s.state,
                "owner": s.owner,
                "decision": s.decision.to_json() if s.decision else None,
            }
            for s in r.steps
        ],
    }


def render_json(run: TestRun) -> str:
    doc = {
        "version": 1,
        "summary": {"passed": run.passed, "failed": run.failed},
        "scenarios": [_result_json(r) for r in run.results],
        "coverage": run.coverage.to_json(),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(run: TestRun) -> str:
    suites = ET.Element("testsuites", name="rulesengine test", tests=str(len(run.results)), failures=str(run.failed))
    by_file: dict[str, list[ScenarioResult]] = {}
    for r in run.results:
        by_file.setdefault(r.scenario.file, []).append(r)
    for file, results in by_file.items():
        failed = sum(1 for r in results if not r.passed)
        suite = ET.SubElement(suites, "testsuite", name=xml_safe(file), tests=str(len(results)), failures=str(failed))
        for r in results:
            case = ET.SubElement(
                suite, "testcase", name=xml_safe(r.scenario.name), classname=xml_safe(file.rsplit(".", 1)[0])
            )
            case.set("file", xml_safe(file))
            case.set("line", str(r.scenario.location.line))
            if not r.passed:
                text = "\n".join(failure_text(r))
                fail = ET.SubElement(case, "failure", message=xml_safe(text.splitlines()[0] if text else "failed"))
                fail.text = xml_safe(text)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
