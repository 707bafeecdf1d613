"""Key performance indicators of an audited log, overall and per role, person, category
and channel — the figures a centre manager reads against the plans' targets.

Each replayed ticket yields one :class:`TicketFacts`; :class:`Kpis` folds them into
aggregates that merge exactly (counts and sums) or through a relative-error sketch
(durations: DDSketch, 1% relative accuracy on median and p90), so the audit of a log
split into parts — by file, by month, by machine — merges into the audit of the whole.

Definitions (the README's audit section says the same):

* first response — clock time from creation to the first move a person makes;
* resolution — clock time from creation to the first final state;
* handling — resolution time less the time spent in states where SLA clocks pause;
* first-contact resolution — resolved by the person who first answered, with no
  transfer, no escalation and no reopening;
* transfers, escalations (a raise or a timer that hands the ticket over) and repeated
  contacts (reopenings of a final state) per ticket;
* SLA attainment — SLAs that applied to a ticket and were met, of those that applied
  and have ended (met or breached);
* satisfaction — the share of rated tickets rated satisfied (a score of 4 or 5 of 5,
  ``satisfied``/``yes``/``true``, or at least 80 of 100).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ddsketch import DDSketch
from ddsketch.mapping import LogarithmicMapping

ACCURACY = 0.01  # relative accuracy of the duration quantiles


@dataclass(frozen=True)
class TicketFacts:
    """What one ticket's replay tells the KPIs."""

    category: str | None
    channel: str | None
    role: str | None  # the role holding the ticket at its end (resolution or the log's end)
    person: str | None  # the person who made its last move
    first_response: dt.timedelta | None
    resolution: dt.timedelta | None
    handling: dt.timedelta | None
    resolved: bool
    first_contact: bool
    transfers: int
    escalations: int
    reopened: int
    slas_met: int
    slas_breached: int
    satisfied: bool | None  # None: not rated


def satisfaction_of(text: str) -> bool | None:
    """A rating as the log writes it: 1–5 stars, 0–100, or a word; None when unrated."""
    t = text.strip().lower()
    if not t:
        return None
    if t in ("satisfied", "yes", "true", "good", "满意"):
        return True
    if t in ("unsatisfied", "dissatisfied", "no", "false", "bad", "不满意"):
        return False
    try:
        x = float(t)
    except ValueError:
        return None
    if x != x:
        return None
    return x >= 4 if x <= 5 else x >= 80


_MAPPING = LogarithmicMapping(ACCURACY)  # the mapping ``DDSketch(ACCURACY)`` buckets values with
_US = dt.timedelta(microseconds=1)
ZERO = -(1 << 62)  # the bin of durations the sketch cannot tell from zero


def duration_key(d: dt.timedelta) -> tuple[int, int]:
    """(sketch bin, microseconds) of a duration: its bin is computed once per ticket and
    counted in every group the ticket belongs to, where ``DDSketch.add`` would compute
    it again for each (the KPIs' costliest step on a large log)."""
    micros = max(d // _US, 0)
    minutes = micros / 1_000_000 / 60.0  # as `total_seconds() / 60`: the same bin as before
    return (_MAPPING.key(minutes) if minutes > _MAPPING.min_possible else ZERO), micros


class Durations:
    """A mergeable distribution of durations (minutes): count, exact sum and the bins of
    a DDSketch (1% relative accuracy).

    The bins are plain counts of ``DDSketch``'s own keys and the sum is kept in whole
    microseconds, so merging the parts of a log gives exactly the figures of the whole
    (a float sum would depend on the order the parts are added in); :attr:`sketch`
    rebuilds the library's sketch from the bins for its quantiles.
    """

    __slots__ = ("bins", "count", "micros")

    def __init__(self) -> None:
        self.bins: dict[int, int] = {}
        self.count = 0
        self.micros = 0

    def add(self, d: dt.timedelta | None) -> None:
        if d is not None:
            self.add_key(*duration_key(d))

    def add_key(self, key: int, micros: int) -> None:
        bins = self.bins
        bins[key] = bins.get(key, 0) + 1
        self.count += 1
        self.micros += micros

    def merge(self, other: Durations) -> None:
        bins = self.bins
        for k, n in other.bins.items():
            bins[k] = bins.get(k, 0) + n
        self.count += other.count
        self.micros += other.micros

    @property
    def sketch(self) -> DDSketch:
        """The DDSketch holding these durations: each bin's count added at a value of
        that bin (the bins' order fixed, so equal bins give an equal sketch)."""
        sk = DDSketch(ACCURACY)
        for k in sorted(self.bins):
            sk.add(0.0 if k == ZERO else _MAPPING.value(k), float(self.bins[k]))
        return sk

    def to_json(self) -> dict[str, Any]:
        n = self.count
        if not n:
            return {"count": 0, "mean_minutes": None, "median_minutes": None, "p90_minutes": None}
        sk = self.sketch
        return {
            "count": n,
            "mean_minutes": round(self.micros / 60_000_000 / n, 2),
            "median_minutes": round(sk.get_quantile_value(0.5) or 0.0, 2),
            "p90_minutes": round(sk.get_quantile_value(0.9) or 0.0, 2),
        }


@dataclass
class Group:
    """The aggregates of one group of tickets (all of them, one role, one person…)."""

    tickets: int = 0
    resolved: int = 0
    first_contact: int = 0
    transfers: int = 0
    escalations: int = 0
    reopened: int = 0
    slas_met: int = 0
    slas_ended: int = 0
    rated: int = 0
    satisfied: int = 0
    first_response: Durations = field(default_factory=Durations)
    resolution: Durations = field(default_factory=Durations)
    handling: Durations = field(default_factory=Durations)

    def add(self, f: TicketFacts) -> None:
        self.add_keyed(f, _keys(f))

    def add_keyed(self, f: TicketFacts, keys: _Keys) -> None:
        """Add a ticket whose durations' bins :func:`_keys` has computed."""
        self.tickets += 1
        self.resolved += f.resolved
        self.first_contact += f.first_contact
        self.transfers += f.transfers
        self.escalations += f.escalations
        self.reopened += f.reopened
        self.slas_met += f.slas_met
        self.slas_ended += f.slas_met + f.slas_breached
        if f.satisfied is not None:
            self.rated += 1
            self.satisfied += f.satisfied
        first, resolution, handling = keys
        if first is not None:
            self.first_response.add_key(*first)
        if resolution is not None:
            self.resolution.add_key(*resolution)
        if handling is not None:
            self.handling.add_key(*handling)

    def merge(self, other: Group) -> None:
        for name in (
            "tickets",
            "resolved",
            "first_contact",
            "transfers",
            "escalations",
            "reopened",
            "slas_met",
            "slas_ended",
            "rated",
            "satisfied",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.first_response.merge(other.first_response)
        self.resolution.merge(other.resolution)
        self.handling.merge(other.handling)

    def to_json(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        def per(total: int) -> float | None:
            return round(total / self.tickets, 3) if self.tickets else None

        return {
            "tickets": self.tickets,
            "resolved": self.resolved,
            "first_response": self.first_response.to_json(),
            "resolution": self.resolution.to_json(),
            "handling": self.handling.to_json(),
            "first_contact_resolution": share(self.first_contact, self.resolved),
            "transfers_per_ticket": per(self.transfers),
            "escalations_per_ticket": per(self.escalations),
            "repeated_contacts_per_ticket": per(self.reopened),
            "sla_attainment": share(self.slas_met, self.slas_ended),
            "satisfaction": share(self.satisfied, self.rated),
            "rated": self.rated,
        }


DIMENSIONS = ("role", "person", "category", "channel")


@dataclass
class Kpis:
    """Every group's aggregates; :meth:`merge` combines the KPIs of two parts of a log."""

    overall: Group = field(default_factory=Group)
    by: dict[str, dict[str, Group]] = field(default_factory=lambda: {d: {} for d in DIMENSIONS})

    def add(self, f: TicketFacts) -> None:
        keys = _keys(f)
        self.overall.add_keyed(f, keys)
        by = self.by
        for dim, key in (("role", f.role), ("person", f.person), ("category", f.category), ("channel", f.channel)):
            if key is not None:
                groups = by[dim]
                g = groups.get(key)
                if g is None:
                    g = groups[key] = Group()
                g.add_keyed(f, keys)

    def extend(self, facts: Iterable[TicketFacts]) -> None:
        for f in facts:
            self.add(f)

    def merge(self, other: Kpis) -> None:
        self.overall.merge(other.overall)
        for dim, groups in other.by.items():
            mine = self.by.setdefault(dim, {})
            for key, g in groups.items():
                mine.setdefault(key, Group()).merge(g)

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_json(),
            **{f"by_{dim}": {k: g.to_json() for k, g in sorted(groups.items())} for dim, groups in self.by.items()},
        }


def facts_of(
    attributes: Mapping[str, Any],
    created: dt.datetime,
    steps: list[tuple[str, str | None, str | None, str]],
    entries: Sequence[tuple[str, dt.datetime]],
    finals: frozenset[str],
    pauses: frozenset[str],
    owner: str | None,
    slas: tuple[int, int],
    rating: str,
) -> TicketFacts:
    """The facts of one replayed ticket.

    ``steps`` are its moves after creation as (kind, role, person, target state) with
    kinds ``handle``/``coordinate``/``escalate``/``timer``; ``entries`` the states it
    entered with their times, creation first; ``slas`` (met, breached).
    """
    first_response = None
    persons = [p for _, _, p, _ in steps if p]
    for (_, _, person, _), (_, at) in zip(steps, entries[1:], strict=False):
        if person:
            first_response = at - created
            break
    resolved_at = next((at for state, at in entries[1:] if state in finals), None)
    resolution = resolved_at - created if resolved_at is not None else None
    handling = None
    if resolved_at is not None:
        paused = dt.timedelta()
        for (state, at), (_, nxt) in itertools.pairwise(entries):
            if at >= resolved_at:
                break
            if state in pauses:
                paused += min(nxt, resolved_at) - at
        handling = resolution - paused if resolution is not None else None
    transfers = sum(1 for k, *_ in steps if k == "coordinate")
    escalations = sum(1 for k, *_ in steps if k in ("escalate", "timer"))
    reopened = sum(1 for (s, _), (t, _) in itertools.pairwise(entries) if s in finals and t not in finals)
    first_person = persons[0] if persons else None
    resolved = resolved_at is not None
    fcr = resolved and not transfers and not escalations and not reopened and len(set(persons)) <= 1
    return TicketFacts(
        category=_text(attributes.get("category")),
        channel=_text(attributes.get("channel")),
        role=owner,
        person=persons[-1] if persons else first_person,
        first_response=first_response,
        resolution=resolution,
        handling=handling,
        resolved=resolved,
        first_contact=fcr,
        transfers=transfers,
        escalations=escalations,
        reopened=reopened,
        slas_met=slas[0],
        slas_breached=slas[1],
        satisfied=satisfaction_of(rating),
    )


_Keys = tuple[tuple[int, int] | None, tuple[int, int] | None, tuple[int, int] | None]


def _keys(f: TicketFacts) -> _Keys:
    """The sketch bins of a ticket's three durations (None: the ticket has none)."""
    return (
        None if f.first_response is None else duration_key(f.first_response),
        None if f.resolution is None else duration_key(f.resolution),
        None if f.handling is None else duration_key(f.handling),
    )


def _text(v: Any) -> str | None:
    return None if v is None else str(v)
