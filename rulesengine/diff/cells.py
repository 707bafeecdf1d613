"""Cell by cell: which role gained or lost which permission, and whose tickets changed owner.

A cell is (workflow, state, refined ticket class).  For every cell we read, in each
version, the grants that cover it — from the permission index, the one permission
function of the engine — and the roles that may own a ticket there — from
``Engine.owners``, the holders the exploration reaches, exactly what ``check`` proves.
A state or workflow missing from a version has no permissions and no owners there, so
adding a workflow shows who takes its tickets, and removing one shows who lost them.

Cells that changed the same way are grouped back into readable statements: one per
role, permission kind, targets and set of tickets, listing the states; one per state
and owner change, listing the tickets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..analysis.index import PermissionIndex, WorkflowIndex
from ..diagnostics import Diagnostic, Location
from ..engine import Engine
from ..model.ruleset import Grant, Kind, Ruleset
from .model import Direction, OwnerChange, PermissionChange, Side, TicketSet
from .refine import Placement, Refinement, refine

_KIND_ORDER = {k: i for i, k in enumerate(Kind)}


@dataclass
class Version:
    """One compiled, valid version of the rules: its engine, permission index and findings."""

    label: str
    ruleset: Ruleset
    engine: Engine
    index: PermissionIndex
    findings: list[Diagnostic] = field(default_factory=list)  # what `rulesengine check` reports

    def workflow(self, wid: str) -> WorkflowIndex | None:
        return self.index.workflow(wid) if wid in self.ruleset.workflows else None


class _Owners:
    """``engine.owners`` per (workflow, state, version class), asked once per class."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.cache: dict[tuple[str, str, int], tuple[str, ...]] = {}

    def at(self, wid: str, state: str, place: Placement) -> tuple[str, ...]:
        wf = self.version.ruleset.workflows.get(wid)
        if place.k is None or wf is None or state not in wf.states:
            return ()
        key = (wid, state, place.k)
        got = self.cache.get(key)
        if got is None:
            ticket = {"workflow": wid, "state": state, "attributes": dict(place.ticket)}
            got = tuple(sorted(self.version.engine.owners(ticket)))
            self.cache[key] = got
        return got


def _states(old: Version, new: Version, wid: str) -> list[str]:
    """The states of either version, in the new version's order then the old's."""
    out: dict[str, None] = {}
    for v in (new, old):
        wf = v.ruleset.workflows.get(wid)
        if wf is not None:
            out.update(dict.fromkeys(wf.states))
    return list(out)


def _ticket_set(ref: Refinement, classes: Iterable[int]) -> TicketSet:
    chosen = frozenset(classes)
    ordered = sorted(chosen)
    return TicketSet(chosen, tuple(ref.classes[i].ticket for i in ordered), ref.describe(chosen))


_Key = tuple[str, str, Kind, str | None]  # state, role, kind, target


def _permissions(idx: WorkflowIndex | None, ref: Refinement, side: Side) -> dict[_Key, dict[int, list[Grant]]]:
    """(state, role, kind, target) → refined class → the grants of this version covering it."""
    out: dict[_Key, dict[int, list[Grant]]] = defaultdict(dict)
    if idx is None:
        return out
    for c in ref.classes:
        place = c.old if side is Side.OLD else c.new
        if place.k is None:
            continue
        sig = idx.sig(place.k)
        for kind in Kind:
            for state, refs in idx.grants[kind].items():
                for g, cid in refs:
                    if cid not in sig:
                        continue
                    for target in g.targets if kind is not Kind.HANDLE else (None,):
                        out[(state, g.role, kind, target)].setdefault(c.index, []).append(g)
    return out


def _locations(grants: dict[int, list[Grant]], classes: Iterable[int]) -> set[Location]:
    return {g.location for c in classes for g in grants.get(c, ()) if g.location is not None}


def permission_changes(old: Version, new: Version, wid: str, ref: Refinement) -> list[PermissionChange]:
    """Which role gained or lost which permission in workflow ``wid``, for which tickets."""
    before = _permissions(old.workflow(wid), ref, Side.OLD)
    after = _permissions(new.workflow(wid), ref, Side.NEW)
    order = {s: i for i, s in enumerate(_states(old, new, wid))}
    # stage 1: per (role, kind, target, direction, tickets), the states it happens at
    by_target: dict[tuple[str, Kind, str | None, Direction, frozenset[int]], tuple[list[str], set[Location]]] = {}
    for key in sorted(
        set(before) | set(after), key=lambda k: (order.get(k[0], 0), k[1], _KIND_ORDER[k[2]], k[3] or "")
    ):
        state, role, kind, target = key
        was, now = before.get(key, {}), after.get(key, {})
        for direction, changed, grants in (
            (Direction.GAINED, set(now) - set(was), now),
            (Direction.LOST, set(was) - set(now), was),
        ):
            if not changed:
                continue
            slot = by_target.setdefault((role, kind, target, direction, frozenset(changed)), ([], set()))
            slot[0].append(state)
            slot[1].update(_locations(grants, changed))
    # stage 2: targets that changed for the same tickets at the same states go together
    grouped: dict[tuple[str, Kind, Direction, frozenset[int], tuple[str, ...]], tuple[list[str], set[Location]]] = {}
    for (role, kind, target, direction, classes), (states, locs) in by_target.items():
        slot = grouped.setdefault((role, kind, direction, classes, tuple(states)), ([], set()))
        if target is not None:
            slot[0].append(target)
        slot[1].update(locs)
    out = [
        PermissionChange(
            wid,
            states,
            role,
            kind,
            tuple(sorted(targets)),
            direction,
            _ticket_set(ref, classes),
            tuple(sorted(locs)),
        )
        for (role, kind, direction, classes, states), (targets, locs) in grouped.items()
    ]
    out.sort(key=lambda p: (p.role, _KIND_ORDER[p.kind], order[p.states[0]], p.direction.value, min(p.tickets.classes)))
    return out


def owner_changes(old: _Owners, new: _Owners, wid: str, ref: Refinement, states: list[str]) -> list[OwnerChange]:
    """The (state, tickets) cells whose possible owners differ; states that changed alike go together."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...], frozenset[int]], list[str]] = {}
    for state in states:
        per_state: dict[tuple[tuple[str, ...], tuple[str, ...]], list[int]] = {}
        for c in ref.classes:
            was = old.at(wid, state, c.old)
            now = new.at(wid, state, c.new)
            if was != now:
                per_state.setdefault((was, now), []).append(c.index)
        for (was, now), classes in per_state.items():
            groups.setdefault((was, now, frozenset(classes)), []).append(state)
    order = {s: i for i, s in enumerate(states)}
    out = [
        OwnerChange(wid, tuple(ss), was, now, _ticket_set(ref, classes)) for (was, now, classes), ss in groups.items()
    ]
    out.sort(key=lambda o: (order[o.states[0]], min(o.tickets.classes)))
    return out


def cell_changes(old: Version, new: Version) -> tuple[list[PermissionChange], list[OwnerChange], dict[str, Refinement]]:
    """Permission and owner changes over every workflow of either version, and the refinements."""
    perms: list[PermissionChange] = []
    owners: list[OwnerChange] = []
    refinements: dict[str, Refinement] = {}
    old_owners, new_owners = _Owners(old), _Owners(new)
    for wid in sorted(set(old.ruleset.workflows) | set(new.ruleset.workflows)):
        oi, ni = old.workflow(wid), new.workflow(wid)
        ref = refine(wid, old.ruleset if oi else None, new.ruleset if ni else None, oi, ni)
        refinements[wid] = ref
        perms.extend(permission_changes(old, new, wid, ref))
        owners.extend(owner_changes(old_owners, new_owners, wid, ref, _states(old, new, wid)))
    return perms, owners, refinements
