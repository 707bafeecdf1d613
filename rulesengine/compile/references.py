"""Stage 3: the resolver every later stage compiles through — names resolved (with
"did you mean"), conditions, limits, hours and durations built and checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import diagnostics as d
from ..model.conditions import Condition, Constraint, Interval, ValueSet
from ..model.durations import DURATION_HELP, parse_duration
from ..model.durations import out_of_range as duration_out_of_range
from ..model.ruleset import Attribute, AttrType, Calendar, Duration, hours_attribute
from ..numbers import RANGE_HELP, shorten
from ..source.loader import Document, JsonPath
from .context import Context, as_list, unknown
from .flow import FlowChecks


class References(FlowChecks):
    def __init__(
        self,
        ctx: Context,
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
                unknown(self.ctx, "attribute", attr_id, self.attrs, doc.locate_key(apath), ctx_hint)
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
        items = spec["not"] if negate else as_list(spec)
        ipath = path + ("not",) if negate else path
        good = True
        for i, v in enumerate(items):
            if v not in attr.values:
                where = doc.locate(ipath + (i,)) if isinstance(spec, list) or negate else loc
                unknown(self.ctx, "value", str(v), attr.values, where, f" of attribute `{attr.id}`")
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
                unknown(self.ctx, "attribute", attr_id, self.attrs, kloc)
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
                unknown(self.ctx, "calendar", cal, self.calendars, doc.locate(path + (key,)), hint)
                continue
            self.hour_calendars.add(cal)
            tests.append((hours_attribute(cal), ValueSet(frozenset({key == "within_hours"}))))
        return Condition.of(tests)

    # -- references ------------------------------------------------------------------
    def role_ref(self, doc: Document, path: JsonPath, rid: str, context: str = "") -> bool:
        if rid in self.role_docs:
            return True
        unknown(self.ctx, "role", rid, self.role_docs, doc.locate(path), context)
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
