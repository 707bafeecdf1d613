"""One event of a ticket-history log, and which column of an export holds which field.

Exports name their columns in many ways; the defaults are the XES standard names
(``case:concept:name``, ``concept:name``, ``time:timestamp``, ``org:resource``,
``org:role``) so a log exported for a process-mining tool is read as it is, and
``--map column=field`` covers the rest.  Ticket attributes come from columns named
after the attribute (``tier``) or its XES case form (``case:tier``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple


class Field(str, enum.Enum):
    """The fields of an event an audit reads."""

    TICKET = "ticket"
    ACTIVITY = "activity"
    TIME = "time"
    RESOURCE = "resource"
    ROLE = "role"
    TARGET = "target"  # optional: the role a transfer or escalation names
    STATE = "state"  # optional: the state the ticket is in after the event
    SATISFACTION = "satisfaction"  # optional: the customer's rating (the KPIs read its last value)


# the columns tried for each field, in order, when no --map names one
DEFAULT_COLUMNS: Mapping[Field, tuple[str, ...]] = {
    Field.TICKET: ("case:concept:name", "ticket"),
    Field.ACTIVITY: ("concept:name", "activity"),
    Field.TIME: ("time:timestamp", "time"),
    Field.RESOURCE: ("org:resource", "resource"),
    Field.ROLE: ("org:role", "role"),
    Field.TARGET: ("target", "org:target"),
    Field.STATE: ("state", "lifecycle:state"),
    Field.SATISFACTION: ("satisfaction", "case:satisfaction", "csat"),
}
REQUIRED = (Field.TICKET, Field.ACTIVITY, Field.TIME, Field.RESOURCE, Field.ROLE)
# the activity that records a ticket's creation (optional: else its first event creates it)
CREATE = "create"
# several roles of one person in one cell: `frontline_agent|super_agent`
ROLE_SEPARATOR = "|"


class Event(NamedTuple):
    """One row of the log, read.  ``line`` orders ties (file order); ``attrs`` are the
    ticket attributes the row carries as ``(name, text)`` pairs, ``()`` when none."""

    ticket: str
    line: int
    time: dt.datetime
    activity: str
    resource: str
    role: str
    target: str
    state: str
    attrs: tuple[tuple[str, str], ...]
    rating: str = ""  # the satisfaction column, when the log has one


class MapError(ValueError):
    """A ``--map`` entry that cannot be understood; the message says which and why."""


@dataclass
class FieldMap:
    """Which column holds which field, and which columns hold ticket attributes.

    ``columns`` maps a field to the column the user named (``--map id=ticket``);
    ``attribute_columns`` maps a column to an attribute (``--map segment=tier``);
    ``activities`` renames activity values to transition names
    (``--map "activity:Close ticket=close"``).
    """

    columns: dict[Field, str] = field(default_factory=dict)
    attribute_columns: dict[str, str] = field(default_factory=dict)
    activities: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def parse(entries: Iterable[str], attributes: Collection[str]) -> FieldMap:
        """Read ``column=field`` entries; a field is a name of :class:`Field`, its XES
        column name, an attribute of the rules or ``case:<attribute>``."""
        fm = FieldMap()
        by_name = {f.value: f for f in Field}
        for cols in DEFAULT_COLUMNS.items():
            for c in cols[1]:
                by_name.setdefault(c, cols[0])
        for raw in entries:
            if raw.startswith("activity:"):
                src, sep, dst = raw[len("activity:") :].rpartition("=")
                if not sep or not src or not dst:
                    raise MapError(f"`{raw}`: write activity:VALUE=transition")
                fm.activities[src] = dst
                continue
            column, sep, name = raw.rpartition("=")
            if not sep or not column or not name:
                raise MapError(f"`{raw}`: write column=field")
            if name in by_name:
                fm.columns[by_name[name]] = column
            elif name in attributes or (name.startswith("case:") and name[5:] in attributes):
                fm.attribute_columns[column] = name.removeprefix("case:")
            else:
                known = ", ".join([f.value for f in Field] + sorted(attributes))
                raise MapError(f"`{raw}`: `{name}` is not a field or an attribute of the rules (one of {known})")
        return fm

    def resolve(self, header: Collection[str]) -> dict[Field, str]:
        """The column of each field present in ``header``."""
        out: dict[Field, str] = {}
        for f, defaults in DEFAULT_COLUMNS.items():
            chosen = self.columns.get(f)
            if chosen is not None:
                if chosen in header:
                    out[f] = chosen
                continue
            hit = next((c for c in defaults if c in header), None)
            if hit is not None:
                out[f] = hit
        return out

    def attribute_of(self, column: str, attributes: Collection[str]) -> str | None:
        """The attribute a column holds: mapped, named after it, or ``case:<attribute>``."""
        if column in self.attribute_columns:
            return self.attribute_columns[column]
        if column in attributes:
            return column
        if column.startswith("case:") and column[5:] in attributes:
            return column[5:]
        return None


class TimeError(ValueError):
    """A timestamp that cannot be read; the message quotes it."""


def parse_time(text: str, tz: dt.tzinfo | None) -> dt.datetime:
    """An aware datetime from ISO 8601 text; a time without an offset takes ``tz``."""
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise TimeError(f"`{shown}` is not an ISO 8601 time") from None
    if t.tzinfo is None:
        if tz is None:
            raise TimeError(f"`{text}` has no UTC offset: give the log's time zone with --timezone")
        t = t.replace(tzinfo=tz)
    return t
