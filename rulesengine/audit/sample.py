"""The QA sample: tickets picked for the inspectors (内部审计抽查), reproducibly.

``--sample 30% --seed 7`` picks, within every stratum (category × channel), the 30%
of its tickets (rounded up) with the smallest keyed hash of their id.  The pick
depends only on the seed and the ticket ids — not on the log's order, nor on how the
log was split — so the same command picks the same tickets again, and every stratum is
represented as in the log.  Tickets with a violation can be added on top.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

ANY = "-"  # a ticket without the attribute falls in this value of the stratum


def parse_rate(text: str) -> float:
    """``30%`` or ``0.3`` as a share in (0, 1]; ValueError otherwise."""
    t = text.strip()
    value = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    if not 0 < value <= 1 or value != value:
        raise ValueError(f"`{text}` is not a share between 0 and 100%")
    return value


@dataclass
class Sampler:
    """Collects (ticket, stratum) pairs and picks the sample at the end."""

    rate: float
    seed: int = 0
    with_violations: bool = False
    strata: dict[tuple[str, str], list[tuple[bytes, str]]] = field(default_factory=dict)
    flagged: dict[str, tuple[str, str]] = field(default_factory=dict)

    def key(self, ticket: str) -> bytes:
        return hashlib.blake2b(
            ticket.encode("utf-8", "surrogatepass"), key=str(self.seed).encode(), digest_size=8
        ).digest()

    where: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add(self, ticket: str, category: str | None, channel: str | None) -> None:
        stratum = (category or ANY, channel or ANY)
        self.strata.setdefault(stratum, []).append((self.key(ticket), ticket))
        if self.with_violations:
            self.where[ticket] = stratum

    def fresh(self) -> Sampler:
        """An empty sampler with this one's share, seed and choice (for one shard)."""
        return Sampler(self.rate, self.seed, self.with_violations)

    def merge(self, other: Sampler) -> None:
        """Add the tickets another shard's sampler collected: the pick sorts each
        stratum by hash, so it does not depend on which shard saw which ticket."""
        for stratum, members in other.strata.items():
            self.strata.setdefault(stratum, []).extend(members)
        self.where.update(other.where)

    def flag(self, tickets: set[str]) -> None:
        """Add the tickets with a violation (when the sample takes them)."""
        if self.with_violations:
            for t in tickets:
                if t in self.where:
                    self.flagged[t] = self.where[t]

    def pick(self) -> list[dict[str, Any]]:
        """The sampled tickets, stratum by stratum, each with why it was picked."""
        out: list[dict[str, Any]] = []
        picked: set[str] = set()
        for (category, channel), members in sorted(self.strata.items()):
            n = math.ceil(self.rate * len(members))
            for _, ticket in sorted(members)[:n]:
                picked.add(ticket)
                out.append(
                    {
                        "ticket": ticket,
                        "category": category,
                        "channel": channel,
                        "stratum_size": len(members),
                        "reason": "sampled",
                    }
                )
        for ticket, (category, channel) in sorted(self.flagged.items()):
            if ticket not in picked:
                size = len(self.strata[(category, channel)])
                out.append(
                    {
                        "ticket": ticket,
                        "category": category,
                        "channel": channel,
                        "stratum_size": size,
                        "reason": "violation",
                    }
                )
        return out
