"""Compile schema-checked documents into the immutable :class:`~rulesengine.model.ruleset.Ruleset`.

Compilation runs in named stages; a stage that reports an error stops the pipeline,
because later stages would only report the same mistake again in other words:

1. ``attributes`` — ticket attributes and business-hours calendars (``ticket.yaml``);
2. ``identities`` — role and workflow ids: unique, matching their file names;
3. ``references`` — every name used anywhere resolves (with "did you mean"), every
   condition, limit, duration and SLA makes sense; the model is built here.
4. ``policies`` — compliance policies (``policies/*.yaml``) name only roles, workflows,
   states, transitions, SLAs and values that exist.

The number of errors reported is capped so a badly broken directory stays readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .. import diagnostics as d
from ..diagnostics import Diagnostic, Location
from ..model.conditions import Condition, Constraint, Interval, ValueSet
from ..model.durations import DURATION_HELP, parse_duration
from ..model.durations import out_of_range as duration_out_of_range
from ..model.ruleset import (
    ESCALATED,
    Attribute,
    AttrType,
    Calendar,
    Duration,
    Grant,
    Kind,
    Name,
    Ownership,
    Policy,
    Role,
    Ruleset,
    Sla,
    SlaKind,
    State,
    TimedEscalation,
    Transition,
    Workflow,
    frozen_map,
    hours_attribute,
)
from ..numbers import RANGE_HELP, shorten
from ..source.files import Sources, as_bytes, load_sources, read_rules_dir
from ..source.loader import Document, JsonPath
from ..text import did_you_mean
from .flow import FlowChecks

MAX_ERRORS = 100
STAGES = ("load", "schema", "attributes", "identities", "references", "policies")


@dataclass
class CompileResult:
    """What loading a rules directory produced: a ruleset, or the reasons why not."""

    ruleset: Ruleset | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stage: str = "done"
    suppressions: Document | None = None

    @property
    def ok(self) -> bool:
        return self.ruleset is not None


class _Stop(Exception):
    pass


class _Ctx:
    """Collects diagnostics and enforces the error cap."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []

    def add(self, diag: Diagnostic) -> None:
        self.diags.append(diag)
        if sum(1 for x in self.diags if x.severity is d.Severity.ERROR) >= MAX_ERRORS:
            raise _Stop

    @property
    def errors(self) -> bool:
        return d.has_errors(self.diags)


def _name(raw: Any, fallback: str) -> Name:
    if isinstance(raw, dict) and "en" in raw:
        return Name(raw["en"], raw.get("zh"))
    return Name(fallback)


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _unknown(
    ctx: _Ctx,
    what: str,
    value: str,
    choices: Iterable[str],
    loc: Location,
    context: str = "",
) -> None:
    choices = list(choices)
    hint = did_you_mean(value, choices)
    if not hint:
        known = ", ".join(f"`{c}`" for c in sorted(choices)[:12])
        hint = f"known {what}s: {known}" if known else f"no {what} is defined"
    ctx.add(d.UNKNOWN_REFERENCE(f"unknown {what} `{value}`{context}", loc, help=hint))


# --------------------------------------------------------------------------------------
# stage 1: attributes and calendars
# --------------------------------------------------------------------------------------
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _compile_attributes(doc: Document | None, ctx: _Ctx) -> dict[str, Attribute]:
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
                names = {v: _name(n, v) for v, n in values.items()}
                vlocs = {v: doc.locate_key((*path, "values", v)) for v in values}
            else:
                vals = tuple(values)
                vlocs = {v: doc.locate((*path, "values", i)) for i, v in enumerate(values)}
        elif atype is AttrType.BOOLEAN:
            vals = (False, True)
        attrs[aid] = Attribute(
            id=aid,
            type=atype,
            name=_name(raw.get("name"), aid),
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


def _compile_calendars(doc: Document | None, ctx: _Ctx) -> dict[str, Calendar]:
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
            for i, span in enumerate(_as_list(spans)):
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
            name=_name(raw["name"], cid) if "name" in raw else None,
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


# --------------------------------------------------------------------------------------
# stage 2: identities
# --------------------------------------------------------------------------------------
def _check_identities(docs: list[Document], what: str, ctx: _Ctx) -> dict[str, Document]:
    by_id: dict[str, Document] = {}
    for doc in docs:
        rid = doc.data["id"]
        loc = doc.locate(("id",))
        if rid in by_id:
            first = by_id[rid].locate(("id",))
            ctx.add(
                d.DUPLICATE_ID(
                    f"{what} id `{rid}` is already used",
                    loc,
                    help=f"the first `{rid}` is in {first}; ids must be unique",
                    related=(first,),
                )
            )
            continue
        stem = Path(doc.file).name.rsplit(".", 1)[0]
        if stem != rid:
            ctx.add(
                d.ID_MISMATCH(
                    f"{what} id `{rid}` differs from its file name `{Path(doc.file).name}`",
                    loc,
                    help=f"rename the file to `{rid}.yaml` so that it can be found by id",
                )
            )
        by_id[rid] = doc
    return by_id


# --------------------------------------------------------------------------------------
# stage 3: references, conditions and the model
# --------------------------------------------------------------------------------------
class _Resolver(FlowChecks):
    def __init__(
        self,
        ctx: _Ctx,
        attrs: Mapping[str, Attribute],
        calendars: Mapping[str, Calendar],
        role_docs: Mapping[str, Document],
        wf_docs: Mapping[str, Document],
    ) -> None:
        self.ctx = ctx
        self.attrs = attrs
        self.calendars = calendars
        self.role_docs = role_docs
        self.wf_docs = wf_docs
        self.wf_states: dict[str, dict[str, dict[str, Any]]] = {wid: doc.data["states"] for wid, doc in wf_docs.items()}
        self.hour_calendars: set[str] = set()  # calendars whose opening hours scope a grant
        self.reads_escalated = False  # a grant is valid only after an escalation

    # -- conditions ------------------------------------------------------------------
    def condition(self, doc: Document, path: JsonPath, raw: Mapping[str, Any] | None) -> Condition:
        if not raw:
            return Condition()
        tests: list[tuple[str, Constraint]] = []
        groups: list[tuple[Condition, ...]] = []
        for attr_id, spec in raw.items():
            apath = path + (attr_id,)
            if attr_id == "any_of" and isinstance(spec, list):
                groups.append(
                    tuple(
                        self.condition(doc, apath + (j,), alt if isinstance(alt, dict) else None)
                        for j, alt in enumerate(spec)
                    )
                )
                continue
            attr = self.attrs.get(attr_id)
            if attr is None:
                ctx_hint = "" if self.attrs else " (there is no `ticket.yaml` declaring attributes)"
                _unknown(self.ctx, "attribute", attr_id, self.attrs, doc.locate_key(apath), ctx_hint)
                continue
            c = self._constraint(doc, apath, attr, spec)
            if c is not None:
                tests.append((attr_id, c))
        return Condition.of(tests, groups)

    def _constraint(self, doc: Document, path: JsonPath, attr: Attribute, spec: Any) -> Constraint | None:
        loc = doc.locate(path)
        if attr.type is AttrType.BOOLEAN:
            if not isinstance(spec, bool):
                self.ctx.add(
                    d.INVALID_CONDITION(
                        f"`{attr.id}` is a boolean attribute; compare it with true or false",
                        loc,
                    )
                )
                return None
            return ValueSet(frozenset({spec}))
        if attr.type.numeric:
            if not isinstance(spec, dict) or "not" in spec:
                self.ctx.add(
                    d.INVALID_CONDITION(
                        f"`{attr.id}` is a number attribute; compare it with `gt`, `gte`, `lt` or `lte`",
                        loc,
                        help=f"for example `{attr.id}: {{gt: 200, lte: 2000}}`",
                    )
                )
                return None
            iv = Interval()
            for op, bound in spec.items():
                if op == "gt":
                    iv = iv.intersect(Interval(lo=bound))
                elif op == "gte":
                    iv = iv.intersect(Interval(lo=bound, lo_closed=True))
                elif op == "lt":
                    iv = iv.intersect(Interval(hi=bound))
                elif op == "lte":
                    iv = iv.intersect(Interval(hi=bound, hi_closed=True))
            return iv
        # enum
        if isinstance(spec, bool) or (isinstance(spec, dict) and "not" not in spec):
            self.ctx.add(
                d.INVALID_CONDITION(
                    f"`{attr.id}` is an enum attribute; give one of its values or a list",
                    loc,
                    help="known values: " + ", ".join(f"`{v}`" for v in attr.values),
                )
            )
            return None
        negate = isinstance(spec, dict)
        items = spec["not"] if negate else _as_list(spec)
        ipath = path + ("not",) if negate else path
        good = True
        for i, v in enumerate(items):
            if v not in attr.values:
                where = doc.locate(ipath + (i,)) if isinstance(spec, list) or negate else loc
                _unknown(self.ctx, "value", str(v), attr.values, where, f" of attribute `{attr.id}`")
                good = False
        if not good:
            return None
        chosen = frozenset(items)
        return ValueSet(frozenset(attr.values) - chosen if negate else chosen)

    def limits(self, doc: Document, path: JsonPath, raw: Mapping[str, Any] | None) -> Condition:
        if not raw:
            return Condition()
        tests: list[tuple[str, Constraint]] = []
        for attr_id, bound in raw.items():
            attr = self.attrs.get(attr_id)
            kloc = doc.locate_key(path + (attr_id,))
            if attr is None:
                _unknown(self.ctx, "attribute", attr_id, self.attrs, kloc)
                continue
            if not attr.type.numeric:
                self.ctx.add(
                    d.INVALID_CONDITION(
                        f"limit on `{attr_id}`, which is not a number attribute",
                        kloc,
                        help="limits cap number attributes such as `amount`; use `when` for other attributes",
                    )
                )
                continue
            tests.append((attr_id, Interval(hi=bound, hi_closed=True)))
        return Condition.of(tests)

    def hours(self, doc: Document, path: JsonPath, raw: Mapping[str, Any]) -> Condition:
        """``within_hours`` / ``outside_hours`` of a grant: a test of whether the named calendar
        is open, kept as one more (boolean) attribute of the ticket's situation."""
        tests: list[tuple[str, Constraint]] = []
        given = [k for k in ("within_hours", "outside_hours") if k in raw]
        if len(given) > 1:
            self.ctx.add(
                d.INVALID_CONDITION(
                    "a grant is valid `within_hours` or `outside_hours` of a calendar, not both",
                    doc.locate_key(path + (given[1],)),
                    help="write two grants for a role that works in hours and out of hours",
                )
            )
            return Condition()
        for key in given:
            cal = raw[key]
            if cal not in self.calendars:
                hint = " (calendars are declared in `ticket.yaml`)" if not self.calendars else ""
                _unknown(self.ctx, "calendar", cal, self.calendars, doc.locate(path + (key,)), hint)
                continue
            self.hour_calendars.add(cal)
            tests.append((hours_attribute(cal), ValueSet(frozenset({key == "within_hours"}))))
        return Condition.of(tests)

    # -- references ------------------------------------------------------------------
    def role_ref(self, doc: Document, path: JsonPath, rid: str, context: str = "") -> bool:
        if rid in self.role_docs:
            return True
        _unknown(self.ctx, "role", rid, self.role_docs, doc.locate(path), context)
        return False

    def duration(self, doc: Document, path: JsonPath, text: str, allow_wd: bool, why: str = "") -> Duration | None:
        if duration_out_of_range(text):
            self.ctx.add(
                d.INVALID_NUMBER(f"duration `{shorten(text)}` is out of range", doc.locate(path), help=RANGE_HELP)
            )
            return None
        dur = parse_duration(text)
        if dur is None:
            self.ctx.add(d.INVALID_DURATION(f"`{text}` is not a valid duration", doc.locate(path), help=DURATION_HELP))
            return None
        if dur.is_working_days and not allow_wd:
            self.ctx.add(
                d.INVALID_DURATION(
                    f"working days `{text}` need a calendar{why}",
                    doc.locate(path),
                    help="use clock time (`8h`, `1d`), or put the target in an SLA with a `calendar`",
                )
            )
            return None
        return dur

    # -- roles -----------------------------------------------------------------------
    def role(self, rid: str, doc: Document) -> Role | None:
        data = doc.data
        grants: list[Grant] = []
        # with `handles_tickets: false` the role never owns a ticket; its handle grants say
        # where it may fire the transitions that do not need the owner (`owner_only: false`)
        handles = data.get("handles_tickets", True)
        reports_to = data.get("reports_to")
        if reports_to is not None:
            if reports_to == rid:
                self.ctx.add(d.INVALID_ROLE(f"role `{rid}` reports to itself", doc.locate(("reports_to",))))
            else:
                self.role_ref(doc, ("reports_to",), reports_to)
        for kind in Kind:
            for i, raw in enumerate(data.get(kind.value, [])):
                g = self.grant(rid, doc, kind, i, raw)
                if g is not None:
                    grants.append(g)
        return Role(
            id=rid,
            name=_name(data["name"], rid),
            file=doc.file,
            description=data.get("description"),
            reports_to=reports_to,
            headcount=data.get("headcount"),
            handles_tickets=handles,
            grants=tuple(grants),
            location=doc.locate(("id",)),
        )

    def grant(self, rid: str, doc: Document, kind: Kind, i: int, raw: dict[str, Any]) -> Grant | None:
        path: JsonPath = (kind.value, i)
        errors_before = len(self.ctx.diags)
        wf_ids: list[str]
        if "workflows" in raw:
            wf_ids = []
            wlist = _as_list(raw["workflows"])
            for j, wid in enumerate(wlist):
                wpath = path + ("workflows",) + ((j,) if isinstance(raw["workflows"], list) else ())
                if wid in self.wf_docs:
                    wf_ids.append(wid)
                else:
                    _unknown(self.ctx, "workflow", wid, self.wf_docs, doc.locate(wpath))
        else:
            wf_ids = sorted(self.wf_docs)
        cells: dict[str, frozenset[str]] = {}
        if "states" in raw:
            wanted = _as_list(raw["states"])
            for j, sid in enumerate(wanted):
                if not any(sid in self.wf_states[w] for w in wf_ids):
                    spath = path + ("states",) + ((j,) if isinstance(raw["states"], list) else ())
                    pool = sorted({s for w in wf_ids for s in self.wf_states[w]})
                    scope = f" in workflow `{wf_ids[0]}`" if len(wf_ids) == 1 else " in the grant's workflows"
                    _unknown(self.ctx, "state", sid, pool, doc.locate(spath), scope)
            for w in wf_ids:
                got = frozenset(s for s in wanted if s in self.wf_states[w])
                if got:
                    cells[w] = got
        else:
            for w in wf_ids:
                cells[w] = frozenset(s for s, st in self.wf_states[w].items() if not st.get("final", False))
        cond = self.condition(doc, path + ("when",), raw.get("when"))
        limits = self.limits(doc, path + ("limits",), raw.get("limits"))
        cond = cond.conjoin(limits).conjoin(self.hours(doc, path, raw))
        if raw.get("after_escalation"):
            self.reads_escalated = True
            cond = cond.conjoin(Condition.of([(ESCALATED, ValueSet(frozenset({True})))]))
        targets: tuple[str, ...] = ()
        if kind is Kind.COORDINATE:
            tl = _as_list(raw.get("with"))
            for j, t in enumerate(tl):
                tpath = path + ("with",) + ((j,) if isinstance(raw["with"], list) else ())
                if t == rid:
                    self.ctx.add(
                        d.INVALID_ROLE(
                            f"role `{rid}` lists itself as a transfer target",
                            doc.locate(tpath),
                            help="a transfer hands the ticket to another role",
                        )
                    )
                else:
                    self.role_ref(doc, tpath, t)
            targets = tuple(tl)
        elif kind is Kind.ESCALATE:
            t = raw["to"]
            if t == rid:
                self.ctx.add(
                    d.INVALID_ROLE(
                        f"role `{rid}` escalates to itself",
                        doc.locate(path + ("to",)),
                        help="escalate to a higher role, such as the one this role reports to",
                    )
                )
            else:
                self.role_ref(doc, path + ("to",), t)
            targets = (t,)
        if len(self.ctx.diags) > errors_before and d.has_errors(self.ctx.diags[errors_before:]):
            return None
        return Grant(
            kind=kind,
            role=rid,
            index=i,
            cells=frozen_map(dict(sorted(cells.items()))),
            condition=cond,
            limits=limits,
            targets=targets,
            location=doc.locate(path),
            note=raw.get("note"),
            after_escalation=bool(raw.get("after_escalation", False)),
        )

    # -- workflows -------------------------------------------------------------------
    def workflow(self, wid: str, doc: Document, roles: Mapping[str, dict[str, Any]]) -> Workflow | None:
        data = doc.data
        states_raw: dict[str, dict[str, Any]] = data["states"]
        state_ids = list(states_raw)

        def state_ref(path: JsonPath, sid: str) -> bool:
            if sid in states_raw:
                return True
            _unknown(self.ctx, "state", sid, state_ids, doc.locate(path), f" in workflow `{wid}`")
            return False

        states: dict[str, State] = {}
        for sid, sraw in states_raw.items():
            spath: JsonPath = ("states", sid)
            sla = None
            if "sla" in sraw:
                sla = self.duration(
                    doc, spath + ("sla",), sraw["sla"], allow_wd=False, why=" (per-state SLAs run on clock time)"
                )
            states[sid] = State(
                id=sid,
                name=_name(sraw["name"], sid) if "name" in sraw else None,
                final=bool(sraw.get("final", False)),
                required=bool(sraw.get("required", False)),
                sla=sla,
                pause=bool(sraw.get("pause", False)),
                description=sraw.get("description"),
                location=doc.locate_key(spath),
                reopen=frozenset(_as_list(sraw.get("reopen"))),
            )
        initial, starts = self.starts(doc, data["initial"], state_ref)
        if not any(s.final for s in states.values()):
            self.ctx.add(
                d.INVALID_WORKFLOW(
                    f"workflow `{wid}` has no final state",
                    doc.locate_key(("states",)),
                    help="mark the state where tickets end with `final: true`",
                )
            )
        else:
            entries: list[tuple[str, JsonPath]] = [(st.state, ("initial", j, "state")) for j, st in enumerate(starts)]
            entries = entries or [(initial, ("initial",))]
            # a ticket may be recorded already closed (one of several creation states), but
            # not every ticket
            if all(sid in states and states[sid].final for sid, _ in entries):
                sid, ipath = entries[0]
                self.ctx.add(
                    d.INVALID_WORKFLOW(
                        f"the initial state `{sid}` of workflow `{wid}` is final",
                        doc.locate(ipath),
                        help="a ticket must have at least one step to go through",
                    )
                )
        nonfinal = [s for s, st in states.items() if not st.final]

        transitions: list[Transition] = []
        for i, traw in enumerate(data["transitions"]):
            tpath: JsonPath = ("transitions", i)
            src = traw["from"]
            ok = True
            if src == "*":
                sources = tuple(nonfinal)  # every non-final state, its own target included
            else:
                sources = tuple(_as_list(src))
                for j, s in enumerate(sources):
                    ok &= state_ref(tpath + ("from",) + ((j,) if isinstance(src, list) else ()), s)
            ok &= state_ref(tpath + ("to",), traw["to"])
            troles = None
            if "roles" in traw:
                rl = _as_list(traw["roles"])
                for j, r in enumerate(rl):
                    ok &= self.role_ref(doc, tpath + ("roles",) + ((j,) if isinstance(traw["roles"], list) else ()), r)
                troles = frozenset(rl)
            cond = self.condition(doc, tpath + ("when",), traw.get("when"))
            if ok:
                transitions.append(
                    Transition(
                        name=traw["name"],
                        sources=sources,
                        target=traw["to"],
                        by=Kind(traw["by"]),
                        condition=cond,
                        roles=troles,
                        index=i,
                        label=_name(traw["label"], traw["name"]) if "label" in traw else None,
                        location=doc.locate(tpath),
                        owner_only=bool(traw.get("owner_only", True)),
                        take_over=bool(traw.get("take_over", False)),
                        sets=frozen_map(self.sets(doc, tpath, traw.get("set"), data.get("applies_when"))),
                    )
                )
                self.non_owner_flags(doc, tpath, traw, roles)
        self.reopenings(doc, wid, states, data["transitions"])

        slas: list[Sla] = []
        for name, sraw in data.get("sla", {}).items():
            spath = ("sla", name)
            cal = sraw.get("calendar")
            if cal is not None and cal not in self.calendars:
                hint = " (calendars are declared in `ticket.yaml`)" if not self.calendars else ""
                _unknown(self.ctx, "calendar", cal, self.calendars, doc.locate(spath + ("calendar",)), hint)
            target = self.duration(
                doc, spath + ("target",), sraw["target"], allow_wd=cal is not None, why=f" (SLA `{name}` has none)"
            )
            start = sraw.get("start")
            if start is not None:
                state_ref(spath + ("start",), start)
            stops = _as_list(sraw.get("stop"))
            for j, s in enumerate(stops):
                state_ref(spath + ("stop",) + ((j,) if isinstance(sraw.get("stop"), list) else ()), s)
            pauses = _as_list(sraw.get("pause_in"))
            for j, s in enumerate(pauses):
                state_ref(spath + ("pause_in",) + ((j,) if isinstance(sraw.get("pause_in"), list) else ()), s)
            if start is not None and start in stops:
                self.ctx.add(
                    d.INVALID_SLA(
                        f"SLA `{name}` starts and stops in the same state `{start}`",
                        doc.locate(spath + ("start",)),
                    )
                )
            cond = self.condition(doc, spath + ("when",), sraw.get("when"))
            kind = SlaKind(
                sraw.get("kind")
                or ("first_response" if name.startswith("first_response") else "")
                or ("resolution" if name.startswith("resolution") else "other")
            )
            if target is not None:
                pause_all = tuple(dict.fromkeys(list(pauses) + [s for s, st in states.items() if st.pause]))
                slas.append(
                    Sla(
                        name=name,
                        target=target,
                        kind=kind,
                        start=start,
                        stop=tuple(stops) or tuple(s for s, st in states.items() if st.final),
                        pause_in=pause_all,
                        calendar=cal,
                        condition=cond,
                        location=doc.locate_key(spath),
                    )
                )
        sla_names = [s for s in data.get("sla", {})]

        escalations: list[TimedEscalation] = []
        for i, eraw in enumerate(data.get("escalations", [])):
            epath: JsonPath = ("escalations", i)
            ok = True
            ins = _as_list(eraw["in"])
            for j, s in enumerate(ins):
                ok &= state_ref(epath + ("in",) + ((j,) if isinstance(eraw["in"], list) else ()), s)
            if "to" in eraw:
                ok &= self.role_ref(doc, epath + ("to",), eraw["to"])
                if roles.get(eraw["to"], {}).get("handles_tickets", True) is False:
                    self.ctx.add(
                        d.INVALID_ROLE(
                            f"the timer hands the ticket to `{eraw['to']}`, which never handles tickets",
                            doc.locate(epath + ("to",)),
                            help="escalate to a role that may own the ticket",
                        )
                    )
                    ok = False
            elif "goto" not in eraw:
                self.ctx.add(
                    d.SCHEMA(
                        "a timer needs `to` (the role it escalates to), `goto` (the state it moves the ticket to), "
                        "or both",
                        doc.locate(epath),
                        help="for example `goto: closed` to close a ticket left pending, or `to: supervisor`",
                    )
                )
                ok = False
            if "goto" in eraw:
                ok &= state_ref(epath + ("goto",), eraw["goto"])
            after = None
            at_pct = None
            has_after, has_at, has_of = "after" in eraw, "at" in eraw, "of" in eraw
            if has_after == (has_at or has_of) or has_at != has_of:
                self.ctx.add(
                    d.SCHEMA(
                        "a timed escalation needs either `after`, or both `at` and `of`",
                        doc.locate(epath),
                        help="for example `after: 3m`, or `at: 80%` with `of: resolution`",
                    )
                )
                ok = False
            elif has_after:
                after = self.duration(
                    doc, epath + ("after",), eraw["after"], allow_wd=False, why=" (timers run on clock time)"
                )
                ok &= after is not None
            else:
                at_pct = int(eraw["at"].rstrip("%"))
                if eraw["of"] not in sla_names:
                    _unknown(
                        self.ctx, "SLA", eraw["of"], sla_names, doc.locate(epath + ("of",)), f" in workflow `{wid}`"
                    )
                    ok = False
            cond = self.condition(doc, epath + ("when",), eraw.get("when"))
            if ok:
                escalations.append(
                    TimedEscalation(
                        states=tuple(ins),
                        to=eraw.get("to"),
                        after=after,
                        at_percent=at_pct,
                        of_sla=eraw.get("of"),
                        goto=eraw.get("goto"),
                        condition=cond,
                        index=i,
                        location=doc.locate(epath),
                    )
                )

        assign = tuple(data.get("assign", []))
        for j, r in enumerate(assign):
            if self.role_ref(doc, ("assign", j), r) and roles[r].get("handles_tickets", True) is False:
                self.ctx.add(
                    d.INVALID_ROLE(
                        f"role `{r}` is in the assignment order but never handles tickets",
                        doc.locate(("assign", j)),
                        help=f"remove `{r}` from `assign`",
                    )
                )
        applies = self.condition(doc, ("applies_when",), data.get("applies_when"))
        return Workflow(
            id=wid,
            name=_name(data["name"], wid),
            file=doc.file,
            initial=initial,
            starts=starts,
            states=frozen_map(states),
            transitions=tuple(transitions),
            applies_when=applies,
            ownership=Ownership(data.get("ownership", "single")),
            assign=assign,
            escalations=tuple(escalations),
            slas=tuple(slas),
            description=data.get("description"),
            location=doc.locate(("id",)),
        )


def _reporting_cycles(roles: Mapping[str, Role], ctx: _Ctx) -> None:
    reported: set[frozenset[str]] = set()
    for start in sorted(roles):
        seen: list[str] = []
        cur: str | None = start
        while cur is not None and cur in roles and cur not in seen:
            seen.append(cur)
            cur = roles[cur].reports_to
        if cur is not None and cur in seen:
            cycle = seen[seen.index(cur) :]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            first = min(cycle)
            chain = " → ".join(cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first])
            ctx.add(
                d.INVALID_ROLE(
                    f"reporting line loops: {chain}",
                    roles[first].location,
                    help="every reporting line must end at a role that reports to no one",
                )
            )


def compile_sources(src: Sources, prior: list[Diagnostic] | None = None) -> CompileResult:
    """Compile loaded documents; stops after the first stage that reports errors."""
    ctx = _Ctx()
    ctx.diags.extend(prior or [])
    stage = "attributes"
    try:
        if not src.roles and not any(f.startswith("roles/") for f in src.files):
            ctx.add(
                d.EMPTY_RULES(
                    "no roles: the rules directory has no `roles/*.yaml` files",
                    Location(src.root),
                    help="add one YAML file per role under `roles/`",
                )
            )
        if not src.workflows and not any(f.startswith("workflows/") for f in src.files):
            ctx.add(
                d.EMPTY_RULES(
                    "no workflows: the rules directory has no `workflows/*.yaml` files",
                    Location(src.root),
                    help="add one YAML file per workflow under `workflows/`",
                )
            )
        if ctx.errors:
            return CompileResult(None, _finish(ctx), "load")
        attrs = _compile_attributes(src.ticket, ctx)
        calendars = _compile_calendars(src.ticket, ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        stage = "identities"
        role_docs = _check_identities(src.roles, "role", ctx)
        wf_docs = _check_identities(src.workflows, "workflow", ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        stage = "references"
        res = _Resolver(ctx, attrs, calendars, role_docs, wf_docs)
        roles: dict[str, Role] = {}
        for rid in sorted(role_docs):
            role = res.role(rid, role_docs[rid])
            if role is not None:
                roles[rid] = role
        raw_roles = {rid: doc.data for rid, doc in role_docs.items()}
        workflows: dict[str, Workflow] = {}
        for wid in sorted(wf_docs):
            wf = res.workflow(wid, wf_docs[wid], raw_roles)
            if wf is not None:
                workflows[wid] = wf
        _reporting_cycles(roles, ctx)
        if ctx.errors:
            return CompileResult(None, _finish(ctx), stage)
        if res.reads_escalated and ESCALATED not in attrs:
            attrs[ESCALATED] = Attribute(
                ESCALATED,
                AttrType.BOOLEAN,
                Name("escalated", "已升级"),
                values=(False, True),
            )
        elif res.reads_escalated and attrs[ESCALATED].type is not AttrType.BOOLEAN:
            ctx.add(
                d.INVALID_CONDITION(
                    f"`{ESCALATED}` is written by escalations as true or false, but ticket.yaml declares it "
                    f"as {attrs[ESCALATED].type.value}",
                    attrs[ESCALATED].location,
                    help=f"declare `{ESCALATED}` as a boolean attribute, or rename this attribute",
                )
            )
            return CompileResult(None, _finish(ctx), stage)
        for cal in sorted(res.hour_calendars):
            aid = hours_attribute(cal)
            attrs[aid] = Attribute(
                aid,
                AttrType.BOOLEAN,
                Name(f"within the hours of `{cal}`", f"在 `{cal}` 工作时间内"),
                values=(False, True),
                location=calendars[cal].location,
            )
        policies: tuple[Policy, ...] = ()
        if src.policies:
            from .policies import compile_policies

            stage = "policies"
            policies = compile_policies(src.policies, res, workflows, calendars)
            if ctx.errors:
                return CompileResult(None, _finish(ctx), stage)
    except _Stop:
        diags = _finish(ctx)
        diags.append(
            d.TOO_MANY_ERRORS(
                f"stopped after {MAX_ERRORS} errors",
                None,
                help="fix these first; more may follow",
            )
        )
        return CompileResult(None, diags, stage)
    ruleset = Ruleset(
        root=src.root,
        attributes=frozen_map(dict(sorted(attrs.items()))),
        calendars=frozen_map(dict(sorted(calendars.items()))),
        roles=frozen_map(roles),
        workflows=frozen_map(workflows),
        files=tuple(sorted(src.files)),
        policies=policies,
    )
    return CompileResult(ruleset, _finish(ctx), "done", src.suppressions)


def _finish(ctx: _Ctx) -> list[Diagnostic]:
    return d.sort_diagnostics(ctx.diags)


def compile_files(files: Mapping[str, bytes | str], root: str = ".") -> CompileResult:
    """Load, schema-check and compile an in-memory rules directory."""
    src, diags = load_sources(files, root)
    if d.has_errors(diags):
        capped = d.sort_diagnostics(diags)
        errors = [x for x in capped if x.severity is d.Severity.ERROR]
        if len(errors) > MAX_ERRORS:
            keep = set(map(id, errors[:MAX_ERRORS]))
            capped = [x for x in capped if x.severity is not d.Severity.ERROR or id(x) in keep]
            capped.append(d.TOO_MANY_ERRORS(f"stopped after {MAX_ERRORS} errors", None, help="fix these first"))
        stage = "load" if any(x.code < "RE030" for x in errors) else "schema"
        return CompileResult(None, capped, stage)
    result = compile_sources(src, diags)
    if result.ruleset is not None:
        result.ruleset = dataclasses.replace(result.ruleset, digest=content_digest(files))
    return result


def content_digest(files: Mapping[str, bytes | str]) -> str:
    """The content hash of a rules directory: every file's path and bytes, in path order.

    Decisions carry it so that an auditor can tell which version of the rules decided;
    it changes with any byte of any file and with nothing else (not the directory's
    location, not file times).
    """
    h = hashlib.sha256()
    for path in sorted(files):
        raw = as_bytes(files[path])
        name = path.replace("\\", "/").encode("utf-8", "surrogateescape")
        h.update(b"%d:%s\0%d:" % (len(name), name, len(raw)))
        h.update(raw)
    return "sha256:" + h.hexdigest()


def load_rules(path: str | Path) -> CompileResult:
    """Load, check and compile a rules directory from disk."""
    files, diags = read_rules_dir(Path(path))
    if d.has_errors(diags):
        return CompileResult(None, d.sort_diagnostics(diags), "load")
    result = compile_files(files, root=str(path))
    result.diagnostics = d.sort_diagnostics(diags + result.diagnostics)
    return result
