"""The rules in force over time: ``--rules DIR@DATE`` repeated, each event judged by the
version in force at its time."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model.ruleset import Calendar, Policy, Sla, Workflow


class Profile(NamedTuple):
    """What applies to tickets of one workflow and one set of attribute values."""

    policies: tuple[Policy, ...]  # the compliance policies in scope
    slas: tuple[Sla, ...]  # the SLAs whose condition holds


@dataclass(frozen=True)
class Version:
    """One rules directory and the instant it took effect (None: from the beginning)."""

    label: str
    engine: Engine
    since: dt.datetime | None = None

    @cached_property
    def shortest_day(self) -> dict[str, int]:
        """Minutes of the shortest opening day per calendar: no working day passes faster."""
        from ..model.policies import shortest_working_day

        cals: dict[str, Calendar] = dict(self.engine.ruleset.calendars)
        return {cid: shortest_working_day([c]) or 0 for cid, c in cals.items()}

    @cached_property
    def _roles(self) -> dict[str, tuple[list[str], list[str]]]:
        return {}

    def roles_of(self, text: str) -> tuple[list[str], list[str]]:
        """The roles a log cell names (``a|b``), and those the rules do not know."""
        got = self._roles.get(text)
        if got is None:
            roles = [r for r in text.split("|") if r]
            got = (roles, [r for r in roles if r not in self.engine.ruleset.roles])
            if len(self._roles) < 10000:
                self._roles[text] = got
        return got

    @cached_property
    def _created(self) -> dict[tuple[tuple[str, str], ...], dict[str, Any] | Exception]:
        return {}

    def create(self, raw: dict[str, str]) -> dict[str, Any]:
        """``Engine.create`` for these attribute texts, remembered: tickets of one profile
        are created alike, and a log holds few profiles and many tickets."""
        key = tuple(sorted(raw.items()))
        got = self._created.get(key)
        if got is None:
            try:
                got = self.engine.create(raw)
            except Exception as exc:  # TransitionDenied: raised again for every such ticket
                got = exc
            if len(self._created) < 100000:
                self._created[key] = got
        if isinstance(got, Exception):
            raise got
        return {**got, "attributes": dict(got["attributes"])}

    @cached_property
    def _finals(self) -> dict[str, frozenset[str]]:
        return {
            w.id: frozenset(s for s, st in w.states.items() if st.final) for w in self.engine.ruleset.workflows.values()
        }

    def finals(self, wid: str) -> frozenset[str]:
        return self._finals[wid]

    @cached_property
    def _required(self) -> dict[str, tuple[str, ...]]:
        return {
            w.id: tuple(s for s, st in w.states.items() if st.required) for w in self.engine.ruleset.workflows.values()
        }

    @cached_property
    def _pauses(self) -> dict[str, frozenset[str]]:
        return {
            w.id: frozenset(s for s, st in w.states.items() if st.pause) for w in self.engine.ruleset.workflows.values()
        }

    def pauses(self, wid: str) -> frozenset[str]:
        """The states of the workflow where SLA clocks pause."""
        return self._pauses[wid]

    def required(self, wid: str) -> tuple[str, ...]:
        """The states a ticket of the workflow must pass before a final one, in order."""
        return self._required[wid]

    @cached_property
    def _profiles(self) -> dict[tuple[str, tuple[tuple[str, Any], ...]], Profile]:
        return {}

    def profile(self, wid: str, attrs: dict[str, Any]) -> Profile:
        """The policies and SLAs that apply to a ticket of workflow ``wid`` with these
        attributes, remembered: a log holds many tickets of few profiles, and the
        conditions were otherwise evaluated again for every ticket."""
        try:
            key = (wid, tuple(attrs.items()))
            got = self._profiles.get(key)
        except TypeError:  # an unhashable attribute value: no memo
            key, got = None, None
        if got is None:
            from ..model.policies import in_scope

            got = Profile(
                tuple(p for p in self.engine.ruleset.policies if in_scope(p, wid, attrs)),
                tuple(s for s in self.workflow(wid).slas if s.condition.matches(attrs)),
            )
            if key is not None and len(self._profiles) < 100000:
                self._profiles[key] = got
        return got

    @cached_property
    def state_limits(self) -> dict[str, dict[str, int]]:
        """Per workflow, the states (not final) with a time limit of their own, in minutes."""
        return {
            w.id: {s: st.sla.minutes for s, st in w.states.items() if st.sla is not None and not st.final}
            for w in self.engine.ruleset.workflows.values()
        }

    def workflow(self, wid: str) -> Workflow:
        return self.engine.ruleset.workflows[wid]


class VersionError(ValueError):
    """Versions that cannot be ordered (two from the beginning, two on one date)."""


def parse_since(text: str, tz: dt.tzinfo | None) -> dt.datetime:
    """``2026-04-01`` (midnight in ``tz``, else UTC) or a full ISO 8601 time."""
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=tz or dt.UTC)
    return t


class Versions:
    """Engines ordered by the instant they took effect; :meth:`at` picks the one in force."""

    def __init__(self, versions: list[Version]) -> None:
        if not versions:
            raise VersionError("give at least one rules directory")
        undated = [v for v in versions if v.since is None]
        if len(undated) > 1:
            raise VersionError("only one rules directory may be in force from the beginning: give the others @DATE")
        dated = sorted((v for v in versions if v.since is not None), key=lambda v: v.since)  # type: ignore[arg-type,return-value]
        for a, b in itertools.pairwise(dated):
            if a.since == b.since:
                raise VersionError(f"`{a.label}` and `{b.label}` both take effect at {a.since}")
        self.first = undated[0] if undated else None
        self.dated = dated
        self._stamps: list[dt.datetime] = [v.since for v in dated if v.since is not None]
        self.all = ([self.first] if self.first else []) + dated

    def at(self, t: dt.datetime) -> Version | None:
        """The version in force at ``t``; None before the first took effect."""
        if not self._stamps:
            return self.first
        i = bisect.bisect_right(self._stamps, t)
        return self.dated[i - 1] if i else self.first

    @property
    def attributes(self) -> set[str]:
        """Every ticket attribute any version declares (the columns to read)."""
        return {a for v in self.all for a in v.engine.ruleset.attributes}
