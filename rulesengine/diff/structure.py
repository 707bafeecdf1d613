"""Elements added, removed or changed: attributes, roles, workflows, states, transitions, timing.

Elements are compared by what they mean, never by where or how they are written:
by id (roles, workflows, states, SLAs, calendars), by what they do (a transition is
its name, source, target and kind; a timer its states and condition), with sets for
lists whose order means nothing.  Display names, descriptions, notes, comments, key
order and file layout are not compared, so renaming or reordering reports nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from ..model.conditions import Condition
from ..model.ruleset import Duration, Role, Ruleset, Sla, State, TimedEscalation, Transition, Workflow
from .model import ChangeKind, ItemChange, Subject

T = TypeVar("T")
ADDED, REMOVED, CHANGED = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED


def _dur(d: Duration | None) -> tuple[int, int] | None:
    return None if d is None else (d.minutes, d.working_days)


def _text(d: Duration | None) -> str:
    return "none" if d is None else d.text


def _cond(c: Condition) -> str:
    return c.describe()


def _list(items: Iterable[object]) -> str:
    got = [str(x) for x in items]
    return ", ".join(got) if got else "none"


def _field(label: str, old: object, new: object, show: Callable[[object], str] = str) -> list[str]:
    return [] if old == new else [f"{label}: {show(old)} → {show(new)}"]


def _ids(
    subject: Subject,
    old: Mapping[str, T],
    new: Mapping[str, T],
    where: Callable[[T], object],
    workflow: str | None = None,
) -> list[ItemChange]:
    out = [ItemChange(subject, ADDED, k, workflow, "", where(v)) for k, v in new.items() if k not in old]  # type: ignore[arg-type]
    out += [ItemChange(subject, REMOVED, k, workflow, "", where(v)) for k, v in old.items() if k not in new]  # type: ignore[arg-type]
    return out


def attribute_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    out = _ids(Subject.ATTRIBUTE, old.attributes, new.attributes, lambda a: a.location)
    for aid, a in new.attributes.items():
        o = old.attributes.get(aid)
        if o is None:
            continue
        detail = _field("type", o.type.value, a.type.value)
        added = [str(v) for v in a.values if v not in o.values]
        removed = [str(v) for v in o.values if v not in a.values]
        if added:
            detail.append("values added: " + ", ".join(added))
        if removed:
            detail.append("values removed: " + ", ".join(removed))
        detail += _field("minimum", o.minimum, a.minimum) + _field("maximum", o.maximum, a.maximum)
        if detail:
            out.append(ItemChange(Subject.ATTRIBUTE, CHANGED, aid, None, "; ".join(detail), a.location))
    return out


def role_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    out = _ids(Subject.ROLE, old.roles, new.roles, lambda r: r.location)
    for rid, r in new.roles.items():
        o: Role | None = old.roles.get(rid)
        if o is None:
            continue
        detail = _field("reports to", o.reports_to, r.reports_to, lambda x: str(x or "nobody"))
        detail += _field("handles tickets", o.handles_tickets, r.handles_tickets, lambda x: "yes" if x else "no")
        if detail:
            out.append(ItemChange(Subject.ROLE, CHANGED, rid, None, "; ".join(detail), r.location))
    return out


def _state_flags(s: State) -> list[str]:
    return [f for f in ("final", "required", "pause") if getattr(s, f)]


def workflow_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    """Workflows and their settings, states and transitions."""
    out = _ids(Subject.WORKFLOW, old.workflows, new.workflows, lambda w: w.location)
    for wid, w in new.workflows.items():
        o = old.workflows.get(wid)
        if o is None:
            continue
        for label, a, b in (
            ("applies to", _cond(o.applies_when), _cond(w.applies_when)),
            ("ownership", o.ownership.value, w.ownership.value),
            ("assign order", _list(o.assign), _list(w.assign)),
            ("initial state", o.initial, w.initial),
        ):
            if a != b:
                out.append(ItemChange(Subject.WORKFLOW, CHANGED, wid, wid, f"{label}: {a} → {b}", w.location))
        out += _ids(Subject.STATE, o.states, w.states, lambda s: s.location, wid)
        for sid, s in w.states.items():
            os_ = o.states.get(sid)
            if os_ is None:
                continue
            flags, was = _state_flags(s), _state_flags(os_)
            if flags != was:
                detail = f"flags: {_list(was)} → {_list(flags)}"
                out.append(ItemChange(Subject.STATE, CHANGED, sid, wid, detail, s.location))
        out += transition_changes(o, w)
    return out


_Edge = tuple[str, str, str, str]  # name, source, target, kind


def _edges(wf: Workflow) -> dict[_Edge, list[Transition]]:
    out: dict[_Edge, list[Transition]] = {}
    for t in wf.transitions:
        for s in t.sources:
            out.setdefault((t.name, s, t.target, t.by.value), []).append(t)
    return out


def _guard(t: Transition) -> tuple[Condition, frozenset[str] | None]:
    return (t.condition, t.roles)


def _guard_text(g: tuple[Condition, frozenset[str] | None]) -> str:
    cond, roles = g
    text = "always" if cond.always else f"when {cond.describe()}"
    return text + ("" if roles is None else f", only {_list(sorted(roles))}")


def transition_changes(old: Workflow, new: Workflow) -> list[ItemChange]:
    """Transitions per (name, source, target, kind); sources that changed alike are grouped."""
    before, after = _edges(old), _edges(new)
    order = {s: i for i, s in enumerate([*new.states, *old.states])}
    raw: dict[tuple[ChangeKind, str, str, str, str], tuple[list[str], Transition]] = {}
    for key in sorted(set(before) | set(after), key=lambda k: (order.get(k[1], 0), k[0], k[2], k[3])):
        name, source, target, kind = key
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            guards = sorted({_guard_text(_guard(t)) for t in now})
            change, detail, where = ADDED, "" if guards == ["always"] else "; ".join(guards), now[0]
        elif now is None and was is not None:
            change, detail, where = REMOVED, "", was[0]
        else:
            assert was is not None and now is not None
            gw, gn = Counter(map(_guard, was)), Counter(map(_guard, now))
            if gw == gn:
                continue
            detail = f"{_list(sorted(map(_guard_text, gw)))} → {_list(sorted(map(_guard_text, gn)))}"
            change, where = CHANGED, now[0]
        slot = raw.setdefault((change, name, target, kind, detail), ([], where))
        slot[0].append(source)
    return [
        ItemChange(
            Subject.TRANSITION, change, f"{name}: {', '.join(sources)} → {target} [{kind}]", new.id, detail, t.location
        )
        for (change, name, target, kind, detail), (sources, t) in raw.items()
    ]


def _sla_fields(s: Sla) -> list[tuple[str, Hashable, str]]:
    return [
        ("target", _dur(s.target), s.target.text + (f" on {s.calendar}" if s.calendar else "")),
        ("kind", s.kind, s.kind),
        ("starts at", s.start, s.start or "creation"),
        ("stops at", frozenset(s.stop), _list(sorted(s.stop))),
        ("pauses in", frozenset(s.pause_in), _list(sorted(s.pause_in))),
        ("calendar", s.calendar, s.calendar or "none"),
        ("applies to", s.condition, _cond(s.condition)),
    ]


def _timer_key(e: TimedEscalation) -> tuple[frozenset[str], Condition]:
    return (frozenset(e.states), e.condition)


def _timer_value(e: TimedEscalation) -> tuple[Hashable, ...]:
    delay = ("after", _dur(e.after)) if e.after is not None else ("at", e.at_percent, e.of_sla)
    return (delay, e.to, e.goto)


def _timer_text(e: TimedEscalation) -> str:
    if e.to is None:
        return f"after {e.delay_text}, moves to {e.goto}"
    return f"after {e.delay_text} → {e.to}" + (f", moves to {e.goto}" if e.goto else "")


def _timer_id(states: frozenset[str], cond: Condition) -> str:
    return "in " + ", ".join(sorted(states)) + ("" if cond.always else f" when {cond.describe()}")


def timing_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    """SLA targets, state time limits, timed escalations and calendars of shared workflows."""
    out: list[ItemChange] = []
    for wid, w in new.workflows.items():
        o = old.workflows.get(wid)
        if o is None:
            continue
        olds, news = {s.name: s for s in o.slas}, {s.name: s for s in w.slas}
        out += _ids(Subject.SLA, olds, news, lambda s: s.location, wid)
        for name, s in news.items():
            if name not in olds:
                continue
            fields = [
                f"{label}: {ta} → {tb}"
                for (label, a, ta), (_, b, tb) in zip(_sla_fields(olds[name]), _sla_fields(s), strict=True)
                if a != b
            ]
            if fields:
                out.append(ItemChange(Subject.SLA, CHANGED, name, wid, "; ".join(fields), s.location))
        for sid, st in w.states.items():
            ost = o.states.get(sid)
            if ost is not None and _dur(ost.sla) != _dur(st.sla):
                limit = f"{_text(ost.sla)} → {_text(st.sla)}"
                out.append(ItemChange(Subject.STATE_SLA, CHANGED, sid, wid, limit, st.location))
        out += _timer_changes(o, w)
    out += _calendar_changes(old, new)
    return out


def _timer_changes(old: Workflow, new: Workflow) -> list[ItemChange]:
    out: list[ItemChange] = []
    before: dict[tuple[frozenset[str], Condition], list[TimedEscalation]] = {}
    after: dict[tuple[frozenset[str], Condition], list[TimedEscalation]] = {}
    for src, dst in ((old, before), (new, after)):
        for e in src.escalations:
            dst.setdefault(_timer_key(e), []).append(e)
    for key in sorted(set(before) | set(after), key=lambda k: _timer_id(*k)):
        was, now = before.get(key, []), after.get(key, [])
        tid = _timer_id(*key)
        if len(was) == 1 and len(now) == 1:
            a, b = was[0], now[0]
            if _timer_value(a) != _timer_value(b):
                out.append(
                    ItemChange(Subject.TIMER, CHANGED, tid, new.id, f"{_timer_text(a)} → {_timer_text(b)}", b.location)
                )
            continue
        gone = Counter(map(_timer_value, was)) - Counter(map(_timer_value, now))
        came = Counter(map(_timer_value, now)) - Counter(map(_timer_value, was))
        for e in was:
            if gone[_timer_value(e)] > 0:
                gone[_timer_value(e)] -= 1
                out.append(ItemChange(Subject.TIMER, REMOVED, tid, new.id, _timer_text(e), e.location))
        for e in now:
            if came[_timer_value(e)] > 0:
                came[_timer_value(e)] -= 1
                out.append(ItemChange(Subject.TIMER, ADDED, tid, new.id, _timer_text(e), e.location))
    return out


def _calendar_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    out = _ids(Subject.CALENDAR, old.calendars, new.calendars, lambda c: c.location)
    for cid, c in new.calendars.items():
        o = old.calendars.get(cid)
        if o is None:
            continue
        detail = _field("time zone", o.timezone, c.timezone)
        if dict(o.hours) != dict(c.hours):
            detail.append("opening hours changed")
        for label, a, b in (("holidays", o.holidays, c.holidays), ("extra working days", o.workdays, c.workdays)):
            plus = sorted(str(x) for x in b - a)
            minus = sorted(str(x) for x in a - b)
            if plus or minus:
                detail.append(f"{label}: " + ", ".join([*("+" + x for x in plus), *("-" + x for x in minus)]))
        if detail:
            out.append(ItemChange(Subject.CALENDAR, CHANGED, cid, None, "; ".join(detail), c.location))
    return out


def structure_changes(old: Ruleset, new: Ruleset) -> list[ItemChange]:
    """Attributes, roles, workflows, states and transitions added, removed or changed."""
    return attribute_changes(old, new) + role_changes(old, new) + workflow_changes(old, new)
