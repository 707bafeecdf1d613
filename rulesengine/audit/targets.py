"""The centre's KPI targets (``targets.yaml`` beside the rules) and how a log meets them.

The plans a centre works to name figures — first response within three minutes on live
channels, first-contact resolution of at least 80%, satisfaction of at least 90% — that
are not rules about who may act but about how well the centre does.  They sit beside
the rules as::

    targets:
      - {kpi: first_response, stat: p90, max: 3m, when: {channel: [phone, chat, social]}}
      - {kpi: first_contact_resolution, min: 80%}

and the audit shows each as met or missed, from the same mergeable aggregates as the
KPI tables (a target scoped by ``when`` merges the groups of the values it names).
Errors are located diagnostics, never exceptions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Location
from ..model.durations import parse_duration
from ..source.loader import Document, load_text
from .kinds import LogError
from .kpis import DIMENSIONS, Group, Kpis

FILE = "targets.yaml"


class Kpi(str, enum.Enum):
    """The KPIs a target can name (the keys of the audit's ``kpis`` output)."""

    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"
    HANDLING = "handling"
    FIRST_CONTACT_RESOLUTION = "first_contact_resolution"
    TRANSFERS_PER_TICKET = "transfers_per_ticket"
    ESCALATIONS_PER_TICKET = "escalations_per_ticket"
    REPEATED_CONTACTS_PER_TICKET = "repeated_contacts_per_ticket"
    SLA_ATTAINMENT = "sla_attainment"
    SATISFACTION = "satisfaction"

    @property
    def duration(self) -> bool:
        return self in (Kpi.FIRST_RESPONSE, Kpi.RESOLUTION, Kpi.HANDLING)

    @property
    def share(self) -> bool:
        return self in (Kpi.FIRST_CONTACT_RESOLUTION, Kpi.SLA_ATTAINMENT, Kpi.SATISFACTION)


STATS = ("median", "p90", "mean")


@dataclass(frozen=True)
class Target:
    kpi: Kpi
    stat: str  # for durations: median | p90 | mean
    bound: float  # minutes for durations, a share (0–1) or a count per ticket
    at_most: bool  # `max` (True) or `min` (False)
    scope: tuple[str, tuple[str, ...]] | None  # (dimension, values) or None: every ticket
    text: str  # the bound as written
    location: Location

    def label(self) -> str:
        what = f"{self.kpi.value} ({self.stat})" if self.kpi.duration else self.kpi.value
        where = f" for {self.scope[0]} {', '.join(self.scope[1])}" if self.scope else ""
        return f"{what}{where} {'≤' if self.at_most else '≥'} {self.text}"


def load_targets(rules_dir: str | Path) -> list[Target]:
    """The targets of a rules directory (none without ``targets.yaml``); a malformed file
    raises :class:`LogError` naming the line."""
    path = Path(rules_dir) / FILE
    if not path.is_file():
        return []
    rel = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LogError(rel, 1, f"cannot read the KPI targets: {exc}") from None
    result = load_text(text, rel)
    if result.document is None:
        first = result.diagnostics[0]
        loc = first.location
        raise LogError(rel, loc.line if loc else 1, first.message)
    doc = result.document
    raw = doc.data.get("targets") if isinstance(doc.data, dict) else None
    if not isinstance(raw, list):
        raise LogError(rel, 1, "`targets.yaml` holds a list under `targets:`", "see the README's audit section")
    return [_target(doc, i, entry) for i, entry in enumerate(raw)]


def _fail(doc: Document, path: tuple[Any, ...], message: str, help: str | None = None) -> LogError:
    loc = doc.locate(path)
    return LogError(loc.file, loc.line, message, help)


def _target(doc: Document, i: int, entry: Any) -> Target:
    path: tuple[Any, ...] = ("targets", i)
    if not isinstance(entry, dict):
        raise _fail(doc, path, "a target is a mapping `{kpi, max|min, ...}`")
    unknown = sorted(set(entry) - {"kpi", "stat", "max", "min", "when", "note"})
    if unknown:
        raise _fail(doc, path + (unknown[0],), f"unknown key `{unknown[0]}` in a target")
    try:
        kpi = Kpi(entry.get("kpi"))
    except ValueError:
        names = ", ".join(k.value for k in Kpi)
        raise _fail(doc, path + ("kpi",), f"unknown KPI `{entry.get('kpi')}`", f"one of {names}") from None
    if ("max" in entry) == ("min" in entry):
        raise _fail(doc, path, "a target has exactly one of `max` and `min`")
    at_most = "max" in entry
    written = entry["max" if at_most else "min"]
    stat = entry.get("stat", "p90" if kpi.duration else "value")
    if kpi.duration and stat not in STATS:
        raise _fail(doc, path + ("stat",), f"`stat` is one of {', '.join(STATS)}")
    bound = _bound(kpi, written)
    if bound is None:
        want = "a duration such as `3m`" if kpi.duration else "a percentage such as `80%`" if kpi.share else "a number"
        raise _fail(doc, path + ("max" if at_most else "min",), f"`{written}` is not {want}")
    scope = None
    when = entry.get("when")
    if when is not None:
        if not isinstance(when, dict) or len(when) != 1 or next(iter(when)) not in DIMENSIONS:
            dims = ", ".join(DIMENSIONS)
            raise _fail(doc, path + ("when",), f"`when` names one of {dims} and its values")
        dim, vals = next(iter(when.items()))
        values = tuple(str(v) for v in (vals if isinstance(vals, list) else [vals]))
        scope = (dim, values)
    return Target(kpi, stat, bound, at_most, scope, str(written), doc.locate(path))


def _bound(kpi: Kpi, written: Any) -> float | None:
    if kpi.duration:
        dur = parse_duration(written) if isinstance(written, str) else None
        if dur is None or dur.is_working_days:
            return None
        return float(dur.minutes)
    if kpi.share:
        if isinstance(written, str) and written.endswith("%"):
            try:
                return float(written[:-1]) / 100
            except ValueError:
                return None
        return float(written) if isinstance(written, (int, float)) and 0 <= written <= 1 else None
    return float(written) if isinstance(written, (int, float)) and not isinstance(written, bool) else None


def judge_targets(targets: list[Target], kpis: Kpis) -> list[dict[str, Any]]:
    """Each target with the value the log reached and whether it is met (None: no data)."""
    out = []
    for t in targets:
        group = kpis.overall
        if t.scope is not None:
            group = Group()
            for v in t.scope[1]:
                part = kpis.by[t.scope[0]].get(v)
                if part is not None:
                    group.merge(part)
        value = _value(t, group)
        met = None if value is None else (value <= t.bound if t.at_most else value >= t.bound)
        out.append(
            {
                "target": t.label(),
                "kpi": t.kpi.value,
                "stat": t.stat,
                "scope": {t.scope[0]: list(t.scope[1])} if t.scope else None,
                "bound": t.bound,
                "value": value,
                "met": met,
                "tickets": group.tickets,
                "location": str(t.location),
            }
        )
    return out


def _value(t: Target, g: Group) -> float | None:
    data = g.to_json()[t.kpi.value]
    if t.kpi.duration:
        got = data[f"{t.stat}_minutes"]
        return None if got is None else float(got)
    return None if data is None else float(data)
