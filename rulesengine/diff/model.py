"""What ``rulesengine diff`` finds, as plain data: the renderers and the CLI only read it.

An auditor reviewing a change of the rules asks "who gained or lost which
responsibility, for which tickets?", not "which lines moved".  Every change is
therefore stated in the rules' own terms — a role, a permission kind, a workflow
step, a set of tickets given by its smallest ticket and a condition — and carries the
``file:line`` of the grant or element that makes it, in the version that has it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, Location, Severity
from ..model.ruleset import Kind

DIFF_VERSION = 1


class Side(str, enum.Enum):
    """Which of the two compared versions something belongs to."""

    OLD = "old"
    NEW = "new"


class Direction(str, enum.Enum):
    """A permission the role holds only in the new version (gained) or only in the old (lost)."""

    GAINED = "gained"
    LOST = "lost"


class ChangeKind(str, enum.Enum):
    """How an element of the rules changed between the versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Subject(str, enum.Enum):
    """The kind of element a structural or timing change is about."""

    ATTRIBUTE = "attribute"
    ROLE = "role"
    WORKFLOW = "workflow"
    STATE = "state"
    TRANSITION = "transition"
    SLA = "sla"
    STATE_SLA = "state-sla"
    TIMER = "timer"
    CALENDAR = "calendar"


class FindingChange(str, enum.Enum):
    """A finding of ``check`` that only the new version has (appeared) or only the old (disappeared)."""

    APPEARED = "appeared"
    DISAPPEARED = "disappeared"


@dataclass(frozen=True)
class TicketSet:
    """A set of tickets of one workflow: classes of the common refinement of both versions.

    ``condition`` describes exactly these tickets among those the workflow takes in
    either version; ``tickets`` are the classes' smallest tickets, smallest first.
    """

    classes: frozenset[int]
    tickets: tuple[Mapping[str, Any], ...]
    condition: str

    @property
    def ticket(self) -> Mapping[str, Any]:
        return self.tickets[0]


@dataclass(frozen=True)
class PermissionChange:
    """A role gained or lost one permission kind at some states, for some tickets.

    ``targets`` are the roles a transfer (coordinate) or raise (escalate) hands the
    ticket to; empty for handle.  ``locations`` are the grants that give the permission
    in the version that has it (``side``).
    """

    workflow: str
    states: tuple[str, ...]
    role: str
    kind: Kind
    targets: tuple[str, ...]
    direction: Direction
    tickets: TicketSet
    locations: tuple[Location, ...]

    @property
    def side(self) -> Side:
        return Side.NEW if self.direction is Direction.GAINED else Side.OLD


@dataclass(frozen=True)
class OwnerChange:
    """The roles that may own tickets at some states (``engine.owners``) differ between versions."""

    workflow: str
    states: tuple[str, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]
    tickets: TicketSet


@dataclass(frozen=True)
class ItemChange:
    """An element added, removed or changed: a workflow, state, transition, role, SLA, timer…

    ``location`` is in the new version for added and changed elements, in the old one
    for removed elements.
    """

    subject: Subject
    change: ChangeKind
    id: str
    workflow: str | None = None
    detail: str = ""
    location: Location | None = None

    @property
    def side(self) -> Side:
        return Side.OLD if self.change is ChangeKind.REMOVED else Side.NEW


@dataclass(frozen=True)
class FindingDiff:
    """A finding of ``check`` present in one version only (matched by code, workflow, state, role)."""

    change: FindingChange
    finding: Diagnostic


@dataclass(frozen=True)
class RulesDiff:
    """Everything that changed between two valid versions of a rules directory."""

    old_label: str
    new_label: str
    old_hash: str
    new_hash: str
    permissions: tuple[PermissionChange, ...] = ()
    owners: tuple[OwnerChange, ...] = ()
    structure: tuple[ItemChange, ...] = ()
    timing: tuple[ItemChange, ...] = ()
    findings: tuple[FindingDiff, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.permissions or self.owners or self.structure or self.timing or self.findings)

    def findings_of(self, change: FindingChange) -> list[Diagnostic]:
        return [f.finding for f in self.findings if f.change is change]

    @property
    def new_errors(self) -> list[Diagnostic]:
        """Error-level findings the new version adds: they make ``rulesengine diff`` exit 1."""
        return [f for f in self.findings_of(FindingChange.APPEARED) if f.severity is Severity.ERROR]


@dataclass(frozen=True)
class InvalidSide:
    """A version that does not compile (or whose suppressions are invalid): nothing to compare."""

    side: Side
    label: str
    stage: str
    diagnostics: tuple[Diagnostic, ...]
    root: str | None = None  # where its files are on disk, to quote source lines; None for a git revision


# -- JSON ------------------------------------------------------------------------------------
def _loc(loc: Location | None) -> dict[str, Any] | None:
    return loc.to_json() if loc is not None else None


def _tickets(ts: TicketSet) -> dict[str, Any]:
    return {"condition": ts.condition, "ticket": dict(ts.ticket), "tickets": [dict(t) for t in ts.tickets]}


def diff_json(diff: RulesDiff) -> dict[str, Any]:
    """The versioned JSON document of ``rulesengine diff --format json`` (keys in the README)."""
    appeared = diff.findings_of(FindingChange.APPEARED)
    disappeared = diff.findings_of(FindingChange.DISAPPEARED)
    return {
        "version": DIFF_VERSION,
        "valid": True,
        "old": {"label": diff.old_label, "rules_hash": diff.old_hash},
        "new": {"label": diff.new_label, "rules_hash": diff.new_hash},
        "summary": {
            "permissions": len(diff.permissions),
            "owners": len(diff.owners),
            "structure": len(diff.structure),
            "timing": len(diff.timing),
            "findings_appeared": len(appeared),
            "findings_disappeared": len(disappeared),
            "new_errors": len(diff.new_errors),
        },
        "permissions": [
            {
                "workflow": p.workflow,
                "states": list(p.states),
                "role": p.role,
                "kind": p.kind.value,
                "targets": list(p.targets),
                "change": p.direction.value,
                **_tickets(p.tickets),
                "side": p.side.value,
                "locations": [loc.to_json() for loc in p.locations],
            }
            for p in diff.permissions
        ],
        "owners": [
            {
                "workflow": o.workflow,
                "states": list(o.states),
                "before": list(o.before),
                "after": list(o.after),
                **_tickets(o.tickets),
            }
            for o in diff.owners
        ],
        "structure": [_item(c) for c in diff.structure],
        "timing": [_item(c) for c in diff.timing],
        "findings": {
            "appeared": [f.to_json() for f in appeared],
            "disappeared": [f.to_json() for f in disappeared],
        },
    }


def _item(c: ItemChange) -> dict[str, Any]:
    return {
        "subject": c.subject.value,
        "change": c.change.value,
        "id": c.id,
        "workflow": c.workflow,
        "detail": c.detail,
        "side": c.side.value,
        "location": _loc(c.location),
    }


def invalid_json(sides: list[InvalidSide]) -> dict[str, Any]:
    """The JSON document when a version is invalid (exit 2): each invalid side's errors."""
    return {
        "version": DIFF_VERSION,
        "valid": False,
        "invalid": [
            {
                "side": s.side.value,
                "label": s.label,
                "stage": s.stage,
                "diagnostics": [x.to_json() for x in s.diagnostics],
            }
            for s in sides
        ],
    }
