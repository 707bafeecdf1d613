"""What an audit finds: violation kinds with stable codes, violations and rejected rows.

The static rules use RE0xx–RE5xx; a violation of a real ticket history is RE6xx, so a
code never means two things.  A code is never renamed or reused (services and
auditors keep them); its kebab-case name is an alias.  Every kind has a page in
``docs/audit/`` written from :data:`DOCS` (``rulesengine.audit.docs``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Severity


class Kind(enum.Enum):
    """A kind of violation: (code, name, default severity)."""

    ILLEGAL_TRANSITION = ("RE601", "illegal-transition", Severity.ERROR)
    UNAUTHORIZED_ACTOR = ("RE602", "unauthorized-actor", Severity.ERROR)
    UNKNOWN_ACTIVITY = ("RE603", "unknown-activity", Severity.WARNING)
    UNKNOWN_ACTOR_OR_ROLE = ("RE604", "unknown-actor-or-role", Severity.ERROR)
    REQUIRED_STEP_SKIPPED = ("RE605", "required-step-skipped", Severity.ERROR)
    SLA_BREACH = ("RE606", "sla-breach", Severity.WARNING)
    DUPLICATE_HANDLING = ("RE607", "duplicate-handling", Severity.ERROR)
    TRANSFER_LOOP = ("RE608", "transfer-loop", Severity.WARNING)
    POLICY_VIOLATION = ("RE609", "policy-violation", Severity.ERROR)
    NEVER_CLOSED = ("RE610", "never-closed", Severity.WARNING)

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def label(self) -> str:
        """The kebab-case name (``name`` is the enum member's own)."""
        return self.value[1]

    @property
    def severity(self) -> Severity:
        return self.value[2]

    @staticmethod
    def find(text: str) -> Kind | None:
        """The kind with this code or name (case-insensitive), or None."""
        low = text.strip().lower()
        return next((k for k in Kind if low in (k.code.lower(), k.label)), None)


@dataclass(frozen=True)
class Violation:
    """One break of the rules in a real ticket history, where it is in the log and why.

    ``line`` is the log line of the event (the first line of a multi-line CSV record);
    ``reason`` is the engine's reason code for a refused move (``not-owner``…), the
    policy's id, the SLA's name, or the kind's name; ``evidence`` is the deciding or
    nearest grant, transition, SLA or policy as ``file:line:column`` in the rules.
    """

    kind: Kind
    ticket: str
    line: int
    message: str
    reason: str
    actor: str | None = None
    role: str | None = None
    time: str | None = None
    activity: str | None = None
    workflow: str | None = None
    state: str | None = None
    evidence: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.kind.code,
            "name": self.kind.label,
            "severity": self.kind.severity.value,
            "ticket": self.ticket,
            "line": self.line,
            "actor": self.actor,
            "role": self.role,
            "time": self.time,
            "activity": self.activity,
            "workflow": self.workflow,
            "state": self.state,
            "reason": self.reason,
            "message": self.message,
            "evidence": self.evidence,
        }
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class Rejected:
    """A row that could not be audited: its line and why (counted, never dropped silently)."""

    line: int
    reason: str
    ticket: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "ticket": self.ticket, "reason": self.reason}


class LogError(Exception):
    """The log cannot be audited at all (missing column, empty file, not a log format).

    ``line`` is 0 when the problem is the whole file; ``help`` says what to do.
    """

    def __init__(self, file: str, line: int, message: str, help: str | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.help = help
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[LogError], tuple[str, int, str, str | None]]:
        # pickled by its fields (a worker of a parallel audit sends it to the parent)
        return (LogError, (self.file, self.line, self.message, self.help))
