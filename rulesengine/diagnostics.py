"""Diagnostics: every problem the engine reports is a value of one type.

The core never prints.  Loader, schema check, compiler and analysis rules all return
:class:`Diagnostic` objects so that the CLI, editors and CI reports can render the same
facts in their own way (text, JSON, SARIF, ...).

Message style, enforced by tests: lower-case start, no trailing period, user values in
backticks, advice in ``help`` rather than in the message.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How bad a diagnostic is; ordered error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line, "column": self.column}
        if self.end_line:
            out["end_line"] = self.end_line
            out["end_column"] = self.end_column
        return out


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a rules directory.

    ``code`` is stable (``RE001``); ``name`` is its kebab-case alias.  Validation
    diagnostics carry only a location; analysis findings also carry the workflow,
    state, the smallest ticket that shows the problem and the trace leading there.
    """

    code: str
    name: str
    severity: Severity
    message: str
    location: Location | None = None
    help: str | None = None
    workflow: str | None = None
    state: str | None = None
    role: str | None = None
    ticket: dict[str, Any] | None = None
    trace: tuple[dict[str, Any], ...] = ()
    related: tuple[Location, ...] = field(default=())

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location or Location("")
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location.to_json() if self.location else None,
        }
        if self.workflow is not None:
            out["workflow"] = self.workflow
        if self.state is not None:
            out["state"] = self.state
        if self.role is not None:
            out["role"] = self.role
        if self.ticket is not None:
            out["ticket"] = self.ticket
        if self.trace:
            out["trace"] = list(self.trace)
        if self.related:
            out["related"] = [loc.to_json() for loc in self.related]
        out["help"] = self.help
        return out


@dataclass(frozen=True)
class DiagnosticKind:
    """A kind of validation diagnostic with a stable code."""

    code: str
    name: str
    severity: Severity = Severity.ERROR

    def __call__(
        self,
        message: str,
        location: Location | None = None,
        help: str | None = None,
        **extra: Any,
    ) -> Diagnostic:
        return Diagnostic(
            self.code,
            self.name,
            self.severity,
            printable(message),
            location,
            printable(help) if help is not None else None,
            **extra,
        )


# C0 and C1 controls and the Unicode line and paragraph separators: user values with
# them are shown escaped, so a message stays on one line and cannot drive a terminal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# Loader (RE00x)
READ_ERROR = DiagnosticKind("RE001", "unreadable-file")
ENCODING = DiagnosticKind("RE002", "invalid-encoding")
TOO_LARGE = DiagnosticKind("RE003", "file-too-large")
YAML_SYNTAX = DiagnosticKind("RE004", "yaml-syntax")
TAB_INDENT = DiagnosticKind("RE005", "tab-indentation")
DUPLICATE_KEY = DiagnosticKind("RE006", "duplicate-key")
BOOLEAN_KEY = DiagnosticKind("RE007", "boolean-key")
UNSAFE_TAG = DiagnosticKind("RE008", "unsupported-tag")
ALIAS_BOMB = DiagnosticKind("RE009", "alias-limit")
TOO_DEEP = DiagnosticKind("RE010", "nesting-too-deep")
NON_STRING_KEY = DiagnosticKind("RE011", "non-string-key")
EMPTY_DOCUMENT = DiagnosticKind("RE012", "empty-document")
MULTI_DOCUMENT = DiagnosticKind("RE013", "multiple-documents")
INVALID_NUMBER = DiagnosticKind("RE014", "number-out-of-range")
TOO_MANY_NODES = DiagnosticKind("RE015", "too-many-values")
# Directory layout (RE02x)
EMPTY_RULES = DiagnosticKind("RE020", "empty-rules-directory")
NOT_A_DIRECTORY = DiagnosticKind("RE021", "not-a-rules-directory")
STRAY_FILE = DiagnosticKind("RE022", "stray-file", Severity.WARNING)
WRONG_FILE_TYPE = DiagnosticKind("RE023", "not-a-regular-file")
# Schema (RE03x)
SCHEMA = DiagnosticKind("RE030", "schema-violation")
# Compile (RE04x)
UNKNOWN_REFERENCE = DiagnosticKind("RE040", "unknown-reference")
DUPLICATE_ID = DiagnosticKind("RE041", "duplicate-id")
ID_MISMATCH = DiagnosticKind("RE042", "id-mismatch", Severity.WARNING)
INVALID_CONDITION = DiagnosticKind("RE043", "invalid-condition")
INVALID_DURATION = DiagnosticKind("RE044", "invalid-duration")
INVALID_CALENDAR = DiagnosticKind("RE045", "invalid-calendar")
INVALID_WORKFLOW = DiagnosticKind("RE046", "invalid-workflow")
INVALID_ROLE = DiagnosticKind("RE047", "invalid-role")
INVALID_SLA = DiagnosticKind("RE048", "invalid-sla")
TOO_MANY_ERRORS = DiagnosticKind("RE049", "too-many-errors", Severity.INFO)
# Compliance policies (RE052; RE050/RE051 are the suppressions' codes)
INVALID_POLICY = DiagnosticKind("RE052", "invalid-policy")

VALIDATION_KINDS: tuple[DiagnosticKind, ...] = tuple(
    v for v in list(globals().values()) if isinstance(v, DiagnosticKind)
)


def sort_diagnostics(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position, so output is stable whatever order checks ran in."""
    return sorted(diags, key=Diagnostic.sort_key)


def has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def summary(diags: list[Diagnostic]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for d in diags:
        out[d.severity.value] += 1
    return out
