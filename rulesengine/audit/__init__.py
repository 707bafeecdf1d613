"""``rulesengine audit``: replay real ticket-history logs through the rules.

A log (CSV, JSON Lines or XES) is read row by row, each ticket's events are replayed in
time order through the one engine (``Engine.decide``), its SLAs measured with the
engine's clocks and its history judged by the compliance policies; what breaks the
rules comes back as :class:`Violation` values with stable codes (RE6xx), and rows that
cannot be read as :class:`Rejected` rows with their line.  Nothing here prints.
"""

from .events import CREATE, DEFAULT_COLUMNS, Event, Field, FieldMap, MapError, TimeError, parse_time
from .group import Grouper
from .kinds import Kind, LogError, Rejected, Violation
from .outcome import Outcome
from .replay import replay
from .run import RESULT_VERSION, AuditResult, audit, read_rows
from .versions import Version, VersionError, Versions, parse_since

__all__ = [
    "CREATE",
    "DEFAULT_COLUMNS",
    "RESULT_VERSION",
    "AuditResult",
    "Event",
    "Field",
    "FieldMap",
    "Grouper",
    "Kind",
    "LogError",
    "MapError",
    "Outcome",
    "Rejected",
    "TimeError",
    "Version",
    "VersionError",
    "Versions",
    "Violation",
    "audit",
    "parse_since",
    "parse_time",
    "read_rows",
    "replay",
]
