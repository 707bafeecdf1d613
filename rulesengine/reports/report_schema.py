"""The JSON Schema of the versioned JSON report (``--format json``, DESIGN.md §3).

The JSON report is the contract scripts and dashboards build on; a schema turns "stable"
from a promise into something a test checks.  Findings are closed
(``additionalProperties: false``) so that a new key cannot slip into version 1 unnoticed;
the top level is open because commands add their own context (``validate`` adds ``valid``
and ``stage``, ``check`` may add ``rules_run`` and ``suppressed``).
"""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "report.schema.json"
_NAME_PATTERN = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


def _location(description: str, required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": required,
        "properties": {
            "file": {"type": "string", "description": "Path of the file, relative to the rules directory."},
            "line": {"type": "integer", "minimum": 0, "description": "1-based line; 0 when unknown."},
            "column": {"type": "integer", "minimum": 0, "description": "1-based column (code points); 0 when unknown."},
            "end_line": {"type": "integer", "minimum": 0, "description": "1-based line where the span ends."},
            "end_column": {
                "type": "integer",
                "minimum": 0,
                "description": "1-based column just past the end of the span.",
            },
        },
    }


def report_schema() -> dict[str, Any]:
    """A draft 2020-12 JSON Schema describing ``json_report(...)`` output, version 1."""
    nullable_string = {"type": ["string", "null"]}
    step = {
        "type": "object",
        "description": "One event on the path from the initial state to the finding.",
        "additionalProperties": False,
        "required": ["state", "event", "role"],
        "properties": {
            "state": {"type": "string", "description": "State the ticket is in before the event."},
            "event": {
                "type": "string",
                "description": "What happens: a transition name, `assign`, an escalation or a timer.",
            },
            "kind": {
                "type": "string",
                "enum": ["create", "assign", "handle", "coordinate", "escalate", "timer"],
                "description": (
                    "What kind of step: the ticket's creation, an assignment by the engine, or a move "
                    "by a permission kind or a timer (a transition may be named anything, even `assign`)."
                ),
            },
            "role": {**nullable_string, "description": "Role that fires the event; null for timers and the system."},
            "to": {**nullable_string, "description": "State (or role, for a transfer) the event leads to."},
            "owner": {
                **nullable_string,
                "description": "Owner of the ticket after the event; null when no one owns it.",
            },
            "location": {"$ref": "#/$defs/stepLocation", "description": "Where the event is declared."},
        },
    }
    finding = {
        "type": "object",
        "description": "One problem: a validation error or an analysis finding.",
        "additionalProperties": False,
        "required": ["rule", "name", "severity", "message", "location", "help"],
        "properties": {
            "rule": {"type": "string", "pattern": "^RE[0-9]{3}$", "description": "Stable rule code, e.g. RE201."},
            "name": {
                "type": "string",
                "pattern": _NAME_PATTERN,
                "description": "Kebab-case alias of the code, e.g. ownership-gap.",
            },
            "severity": {
                "type": "string",
                "enum": ["error", "warning", "info"],
                "description": "How bad the finding is; error > warning > info.",
            },
            "message": {"type": "string", "description": "What is wrong, in one line."},
            "location": {
                "oneOf": [{"type": "null"}, {"$ref": "#/$defs/location"}],
                "description": "Where the problem is; null when it belongs to no file.",
            },
            "workflow": {"type": "string", "description": "Workflow id the finding is about."},
            "state": {"type": "string", "description": "State id the finding is about."},
            "role": {"type": "string", "description": "Role id the finding is about."},
            "ticket": {
                "type": "object",
                "description": "The smallest ticket profile that shows the problem: attribute → value.",
                "additionalProperties": {"type": ["string", "number", "boolean"]},
            },
            "trace": {
                "type": "array",
                "description": "Events from the initial state that lead to the problem.",
                "items": {"$ref": "#/$defs/traceStep"},
            },
            "related": {
                "type": "array",
                "description": "Other places involved, e.g. the other role of a duplicate ownership.",
                "items": {"$ref": "#/$defs/location"},
            },
            "help": {**nullable_string, "description": "What to change; null when there is no advice."},
        },
    }
    counts = {
        name: {"type": "integer", "minimum": 0, "description": f"Number of {label} findings."}
        for name, label in (("error", "error"), ("warning", "warning"), ("info", "info"))
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rulesengine report",
        "description": "Findings of `rulesengine --format json`, version 1. Extra top-level keys carry "
        "command context and may be added without a version change.",
        "type": "object",
        "required": ["version", "summary", "findings"],
        "additionalProperties": True,
        "properties": {
            "version": {"const": 1, "description": "Report format version; changes only on incompatible edits."},
            "summary": {
                "type": "object",
                "description": "Number of findings per severity.",
                "additionalProperties": False,
                "required": ["error", "warning", "info"],
                "properties": counts,
            },
            "findings": {
                "type": "array",
                "description": "Every finding reported, in the order the command sorted them (file, then position).",
                "items": {"$ref": "#/$defs/finding"},
            },
            "valid": {"type": "boolean", "description": "validate: whether the rules directory compiled."},
            "stage": {"type": "string", "description": "validate: the compile stage reached or stopped at."},
            "rules_run": {"description": "check: the rules that ran (codes, or their number)."},
            "suppressed": {"description": "check: findings accepted by suppressions (their number, or list)."},
        },
        "$defs": {
            "finding": finding,
            "traceStep": step,
            "location": _location("A place in a file.", ["file", "line", "column"]),
            "stepLocation": _location("Where a trace step is declared.", ["file", "line"]),
        },
    }
