"""Stage 1: ticket attributes and business-hours calendars (``ticket.yaml``)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from functools import cache
from typing import Any

from .. import diagnostics as d
from ..diagnostics import Location
from ..model.ruleset import Attribute, AttrType, Calendar, Name, frozen_map
from ..source.loader import Document, JsonPath
from ..text import did_you_mean
from .context import Context, as_list, name_of

# --------------------------------------------------------------------------------------
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def compile_attributes(doc: Document | None, ctx: Context) -> dict[str, Attribute]:
    attrs: dict[str, Attribute] = {}
    if doc is None:
        return attrs
    for aid, raw in doc.data.get("attributes", {}).items():
        path: JsonPath = ("attributes", aid)
        loc = doc.locate_key(path)
        typ = raw.get("type")
        values = raw.get("values")
        if typ is None:
            if values is None:
                ctx.add(
                    d.SCHEMA(
                        f"attribute `{aid}` needs `values` or a `type`",
                        loc,
                        help="give `values: [a, b]` for an enum, or `type: number|integer|boolean`",
                    )
                )
                continue
            typ = "enum"
        atype = AttrType(typ)
        if atype is AttrType.ENUM and values is None:
            ctx.add(d.SCHEMA(f"enum attribute `{aid}` has no `values`", loc, help="list its values"))
            continue
        if atype is not AttrType.ENUM and values is not None:
            ctx.add(
                d.SCHEMA(
                    f"{atype.value} attribute `{aid}` cannot list `values`",
                    doc.locate_key(path + ("values",)),
                    help="remove `values`, or make it an enum",
                )
            )
            continue
        if not atype.numeric and any(k in raw for k in ("minimum", "maximum", "unit")):
            key = next(k for k in ("minimum", "maximum", "unit") if k in raw)
            ctx.add(
                d.SCHEMA(
                    f"`{key}` applies only to number attributes, not to `{aid}`",
                    doc.locate_key(path + (key,)),
                )
            )
            continue
        lo, hi = raw.get("minimum"), raw.get("maximum")
        if lo is not None and hi is not None and lo > hi:
            ctx.add(d.SCHEMA(f"attribute `{aid}` has minimum {lo} above maximum {hi}", loc))
            continue
        names: dict[str, Name] = {}
        vals: tuple[Any, ...] = ()
        vlocs: dict[Any, Location] = {}
        if atype is AttrType.ENUM:
            if isinstance(values, dict):
                vals = tuple(values)
                names = {v: name_of(n, v) for v, n in values.items()}
                vlocs = {v: doc.locate_key((*path, "values", v)) for v in values}
            else:
                vals = tuple(values)
                vlocs = {v: doc.locate((*path, "values", i)) for i, v in enumerate(values)}
        elif atype is AttrType.BOOLEAN:
            vals = (False, True)
        attrs[aid] = Attribute(
            id=aid,
            type=atype,
            name=name_of(raw.get("name"), aid),
            values=vals,
            value_names=frozen_map(names),
            minimum=lo,
            maximum=hi,
            unit=raw.get("unit"),
            location=loc,
            value_locations=frozen_map(vlocs),
        )
    return attrs


def _day_range(key: str) -> list[int]:
    if "-" in key:
        a, b = key.split("-")
        i, j = _DAYS.index(a), _DAYS.index(b)
        out = [i]
        while i != j:
            i = (i + 1) % 7
            out.append(i)
        return out
    return [_DAYS.index(key)]


def compile_calendars(doc: Document | None, ctx: Context) -> dict[str, Calendar]:
    cals: dict[str, Calendar] = {}
    if doc is None:
        return cals
    for cid, raw in doc.data.get("calendars", {}).items():
        path: JsonPath = ("calendars", cid)
        tz = raw["timezone"]
        if tz not in _zones():
            try:
                zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                hint = did_you_mean(tz, _zones()) or "use an IANA name such as `Asia/Shanghai`"
                ctx.add(d.INVALID_CALENDAR(f"unknown time zone `{tz}`", doc.locate(path + ("timezone",)), help=hint))
                continue
        hours: dict[int, list[tuple[int, int]]] = {}
        seen_day: dict[int, str] = {}
        bad = False
        for key, spans in raw["hours"].items():
            kloc = doc.locate_key(path + ("hours", key))
            days = _day_range(key)
            for day in days:
                if day in seen_day:
                    ctx.add(
                        d.INVALID_CALENDAR(
                            f"`{_DAYS[day]}` is covered by both `{seen_day[day]}` and `{key}`",
                            kloc,
                            help="give each weekday its hours once",
                        )
                    )
                    bad = True
                seen_day[day] = key
            parsed: list[tuple[int, int]] = []
            for i, span in enumerate(as_list(spans)):
                m = _HOURS.match(span)
                assert m is not None  # the schema guarantees the form
                start = int(m.group(1)) * 60 + int(m.group(2))
                end = int(m.group(3)) * 60 + int(m.group(4))
                sloc = doc.locate(path + ("hours", key) + ((i,) if isinstance(spans, list) else ()))
                if end > 1440 or start >= end:
                    ctx.add(
                        d.INVALID_CALENDAR(
                            f"opening hours `{span}` end before they start",
                            sloc,
                            help="write `HH:MM-HH:MM` with the end after the start (24:00 at most)",
                        )
                    )
                    bad = True
                    continue
                parsed.append((start, end))
            parsed.sort()
            for (_a1, b1), (a2, _b2) in itertools.pairwise(parsed):
                if a2 < b1:
                    ctx.add(d.INVALID_CALENDAR(f"opening hours overlap in `{key}`", kloc, help="merge the intervals"))
                    bad = True
            for day in days:
                hours[day] = parsed
        dates: dict[str, frozenset[dt.date]] = {}
        for field_name in ("holidays", "workdays"):
            got: set[dt.date] = set()
            for i, text in enumerate(raw.get(field_name, [])):
                try:
                    got.add(dt.date.fromisoformat(text))
                except ValueError:
                    ctx.add(
                        d.INVALID_CALENDAR(
                            f"`{text}` is not a real date",
                            doc.locate(path + (field_name, i)),
                            help="write dates as YYYY-MM-DD",
                        )
                    )
                    bad = True
            dates[field_name] = frozenset(got)
        both = dates["holidays"] & dates["workdays"]
        if both:
            clash = sorted(both)[0]
            ctx.add(
                d.INVALID_CALENDAR(
                    f"`{clash}` is both a holiday and a working day",
                    doc.locate(path + ("workdays",)),
                )
            )
            bad = True
        if not any(hours.values()) and not dates["workdays"]:
            ctx.add(
                d.INVALID_CALENDAR(
                    f"calendar `{cid}` has no working hours at all",
                    doc.locate(path + ("hours",)),
                    help='give at least one day its opening hours, e.g. `mon-fri: "09:00-18:00"`',
                )
            )
            bad = True
        country = raw.get("holidays_from")
        if country is not None and not _known_country(country):
            ctx.add(
                d.INVALID_CALENDAR(
                    f"no public holidays are known for `{country}`",
                    doc.locate(path + ("holidays_from",)),
                    help=did_you_mean(country, _countries()) or "use an ISO 3166 country code such as `CN`",
                )
            )
            bad = True
        if bad:
            continue
        cals[cid] = Calendar(
            id=cid,
            timezone=tz,
            hours=frozen_map({k: tuple(v) for k, v in sorted(hours.items())}),
            holidays=dates["holidays"],
            workdays=dates["workdays"],
            name=name_of(raw["name"], cid) if "name" in raw else None,
            location=doc.locate_key(path),
            holidays_from=country,
        )
    return cals


@cache
def _countries() -> tuple[str, ...]:
    import holidays

    return tuple(sorted(holidays.list_supported_countries()))


def _known_country(code: str) -> bool:
    country, _, subdiv = code.partition("-")
    if country not in _countries():
        return False
    if not subdiv:
        return True
    import holidays

    return subdiv in holidays.list_supported_countries().get(country, [])
