"""Which grants, transitions and timers the scenarios exercised — and which they never did.

A grant counts as exercised when it decided an allowed move, or when the owner held
the ticket by it at a state a scenario visited; a transition or a timer when a
scenario fired it.  What is left over is what no test says anything about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine.core import Engine
from ..engine.decision import Decision, GrantRef
from ..model.ruleset import Ruleset


@dataclass(frozen=True)
class Item:
    """One thing coverage counts: a grant, a transition or a timer, where it is written."""

    kind: str  # grant | transition | timer
    key: tuple[Any, ...]
    label: str
    file: str
    location: str | None


@dataclass
class Coverage:
    ruleset: Ruleset
    hit: set[tuple[Any, ...]] = field(default_factory=set)

    def __post_init__(self) -> None:
        items: list[Item] = []
        for role in self.ruleset.roles.values():
            for g in role.grants:
                loc = str(g.location) if g.location else None
                items.append(
                    Item("grant", ("grant", g.role, g.kind.value, g.index), f"{g.kind.value} grant", role.file, loc)
                )
        for wf in self.ruleset.workflows.values():
            for t in wf.transitions:
                loc = str(t.location) if t.location else None
                items.append(Item("transition", ("transition", wf.id, t.index), f"transition `{t.name}`", wf.file, loc))
            for e in wf.escalations:
                loc = str(e.location) if e.location else None
                items.append(Item("timer", ("timer", wf.id, e.index), f"timer after {e.delay_text}", wf.file, loc))
        self.items = items

    def _grant(self, g: GrantRef) -> None:
        self.hit.add(("grant", g.role, g.kind.value, g.index))

    def fired(self, d: Decision) -> None:
        for g in d.grants:
            self._grant(g)
        if d.transition is not None:
            kind = "timer" if d.transition.timer else "transition"
            self.hit.add((kind, d.transition.workflow, d.transition.index))

    def visit(self, engine: Engine, ticket: dict[str, Any]) -> None:
        for g in engine.holding_grants(ticket):
            self._grant(g)

    @property
    def covered(self) -> list[Item]:
        return [i for i in self.items if i.key in self.hit]

    @property
    def missed(self) -> list[Item]:
        return [i for i in self.items if i.key not in self.hit]

    @property
    def percent(self) -> float:
        return 100.0 * len(self.covered) / len(self.items) if self.items else 100.0

    def by_file(self) -> dict[str, tuple[int, int, list[Item]]]:
        """file -> (covered, total, missed items)."""
        out: dict[str, tuple[int, int, list[Item]]] = {}
        for i in self.items:
            c, t, m = out.get(i.file, (0, 0, []))
            hit = i.key in self.hit
            out[i.file] = (c + hit, t + 1, m if hit else [*m, i])
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "percent": round(self.percent, 1),
            "covered": len(self.covered),
            "total": len(self.items),
            "files": {
                f: {
                    "covered": c,
                    "total": t,
                    "missed": [{"kind": i.kind, "what": i.label, "location": i.location} for i in m],
                }
                for f, (c, t, m) in self.by_file().items()
            },
        }
