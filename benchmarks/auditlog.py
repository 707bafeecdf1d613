"""Ticket-history logs of the bundled centre, with violations planted at known rates.

Simulated agents work tickets through ``Engine.fire``: each ticket is created with
random attributes and walked through moves the engine allows, the person who first
works it for its owning role keeping it (一单到底), with realistic gaps between steps
that keep every SLA.  A clean ticket therefore breaks nothing.  A planted ticket
breaks exactly one thing, of one kind, at a known row — and the generator records
which violations the audit must find there (a skipped follow-up of a complaint is
also a breach of the `follow-up-before-close` policy; QA closing a ticket is both an
unauthorized actor and a breach of `qa-never-handles`).

    .venv/bin/python benchmarks/auditlog.py --tickets 200 --seed 7 --output examples/audit/tickets.csv

The rows are sorted by time, as ticket systems export them (ties by ticket, then
step); ``line`` of a row is its line in the CSV (the header is line 1).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import rulesengine  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
ATTRS = ("category", "tier", "channel", "priority", "amount")
COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:role", *ATTRS)
LIVE = ("phone", "chat", "social")
PLANTS = (
    "illegal-transition",
    "unauthorized-actor",
    "unknown-activity",
    "unknown-actor-or-role",
    "required-step-skipped",
    "sla-breach",
    "duplicate-handling",
    "transfer-loop",
    "policy-violation",
    "never-closed",
)
# what the audit must report for each plant, at the planted row
EXPECT = {
    "illegal-transition": ("RE601",),
    "unauthorized-actor": ("RE602",),
    "unknown-activity": ("RE603",),
    "unknown-actor-or-role": ("RE604",),
    "required-step-skipped": ("RE605", "RE609"),
    "sla-breach": ("RE606",),
    "duplicate-handling": ("RE607",),
    "transfer-loop": ("RE608",),
    "policy-violation": ("RE602", "RE609"),
    "never-closed": ("RE610",),
}
MAX_STEPS = 20


@dataclass
class Log:
    """Generated rows (time order) and the violations planted in them."""

    rows: list[dict[str, str]] = field(default_factory=list)
    expected: list[tuple[str, str, int]] = field(default_factory=list)  # (code, ticket, row index)
    planted: dict[str, int] = field(default_factory=dict)
    tickets: int = 0

    def expected_lines(self, first_line: int = 2) -> set[tuple[str, str, int]]:
        """(code, ticket, line) with row i on line ``first_line + i`` (CSV: 2, JSON Lines: 1)."""
        return {(c, t, first_line + i) for c, t, i in self.expected}

    def write_csv(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(COLUMNS)
            for r in self.rows:
                w.writerow([r.get(c, "") for c in COLUMNS])

    def write_jsonl(self, path: Path, case_prefix: bool = True) -> None:
        with path.open("w", encoding="utf-8") as fh:
            for r in self.rows:
                obj = {(f"case:{k}" if case_prefix and k in ATTRS else k): v for k, v in r.items() if v != ""}
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


class _Walk:
    def __init__(self, engine: Any, rng: random.Random) -> None:
        self.engine = engine
        self.rng = rng
        rs = engine.ruleset
        self.pools = {r.id: [f"{r.id}-{i:02d}" for i in range(min(r.headcount or 3, 8))] for r in rs.roles.values()}
        self.roles = sorted(r for r in rs.roles if r != "qa_inspector")

    def person(self, role: str) -> str:
        return self.rng.choice(self.pools[role])


def _attributes(rng: random.Random, plant: str | None) -> dict[str, Any]:
    cats = ["product_inquiry", "order_status", "technical", "logistics", "policy", "refund", "complaint"]
    if plant == "illegal-transition":
        cats = ["refund", "technical", "logistics", "policy"]
    elif plant == "required-step-skipped":
        cats = ["complaint"]
    elif plant == "transfer-loop":
        cats = ["technical", "logistics", "policy"]
    tiers = ["new", "active", "enterprise", "vip", "returning"]
    if plant == "transfer-loop":
        tiers = ["new", "active", "returning"]
    channel = rng.choice(LIVE if plant == "sla-breach" else ("phone", "email", "chat", "social"))
    return {
        "category": rng.choice(cats),
        "tier": rng.choice(tiers),
        "channel": channel,
        "priority": rng.choice(["P1", "P2", "P3", "P4"]),
        "amount": rng.choice([0, 50, 150, 199, 800, 1500, 3000, 4800, 9000, 12000]),
    }


def _kind(d: Any) -> str:
    if d.transition is not None and d.transition.timer:
        return "timer"
    return d.grants[0].kind.value if d.grants else "handle"


def _ticket(w: _Walk, log: Log, tid: str, plant: str | None, created: dt.datetime) -> list[dict[str, Any]]:
    """The rows of one ticket (with the expected violations at row positions within it)."""
    rng, engine = w.rng, w.engine
    attrs = _attributes(rng, plant)
    ticket = engine.create(attrs)
    wf = engine.ruleset.workflows[ticket["workflow"]]
    stops = {s for sla in wf.slas if sla.kind.value == "first_response" for s in sla.stop}
    text = {k: str(v) for k, v in attrs.items()}
    rows: list[dict[str, Any]] = [{"activity": "create", "time": created, "resource": "", "role": "", "expect": ()}]
    t = created
    gave_away: set[str] = set()
    visited = {ticket["state"]}
    plant_at = rng.randint(1, 3)
    steps = 0
    while not wf.states[ticket["state"]].final:
        owner = ticket["owner"]
        person = ticket.get("assignee") or w.person(owner)
        actor = {"id": person, "roles": [owner]}
        options = list(engine.allowed_events(ticket, actor))
        if steps == 0:
            options = [d for d in options if d.next_state in stops] or options
        loop = [d for d in options if _kind(d) != "handle" and d.owner_after[0] in gave_away]
        steer = {"summarizing": "raise_to_supervisor", "supervisor_intervention": "transfer_to_expert"}
        steer["expert_handling"] = "request_review"
        if plant == "transfer-loop" and ticket["state"] in steer:
            options = [d for d in options if d.event == steer[ticket["state"]]] or options
        elif plant == "transfer-loop" and loop:
            options = loop
        else:
            options = [d for d in options if d not in loop]
        if not options or steps >= MAX_STEPS:
            raise _Retry
        weights = [
            (0.3 if d.event in ("ask_customer", "reopen") or _kind(d) != "handle" else 1.0)
            * (1 + steps if d.next_state in ("follow_up", "closed") else 1)
            for d in options
        ]
        d = rng.choices(options, weights)[0]
        paused = wf.states[ticket["state"]].pause
        gap = rng.uniform(0.3, 2.5) if steps == 0 else rng.uniform(3, 10) if paused else rng.uniform(1, 6)
        expect: tuple[str, ...] = ()
        row = {"activity": d.event, "resource": person, "role": owner}
        mover = actor  # who makes the move in the engine's eyes
        keep = True  # the actor works the ticket: they become its assignee
        if plant == "sla-breach" and steps == 0:
            gap = 3 + rng.uniform(1, 20)
            expect = EXPECT[plant]
        elif plant == "never-closed" and steps >= plant_at and not paused:
            break
        elif plant == "unknown-activity" and steps == plant_at:
            t += dt.timedelta(minutes=rng.uniform(0.2, 1))
            extra = {"activity": "update_notes", "time": t, "resource": person, "role": owner}
            rows.append({**extra, "expect": EXPECT[plant]})
            plant = None
        elif plant == "unknown-actor-or-role" and steps == plant_at:
            row = {**row, "resource": "trainee-01", "role": "trainee"}
            expect, keep = EXPECT[plant], False
        elif plant == "unauthorized-actor" and steps == plant_at:
            other = rng.choice([r for r in w.roles if r != owner])
            row = {**row, "resource": w.person(other), "role": other}
            expect, keep = EXPECT[plant], False
        elif plant == "duplicate-handling" and steps >= plant_at and "assignee" in ticket:
            colleagues = [p for p in w.pools[owner] if p != ticket["assignee"]]
            if colleagues:
                row = {**row, "resource": rng.choice(colleagues)}
                expect, keep = EXPECT[plant], False
                plant = None
        elif plant == "policy-violation" and ticket["state"] == "follow_up" and d.event == "close":
            row = {**row, "resource": w.person("qa_inspector"), "role": "qa_inspector"}
            expect, keep = EXPECT[plant], False
        elif plant == "illegal-transition" and steps >= plant_at and ticket["state"] != "follow_up":
            t += dt.timedelta(minutes=gap)
            rows.append({**row, "activity": "close", "time": t, "expect": EXPECT[plant]})
            break
        elif plant == "required-step-skipped" and ticket["state"] == "resolving" and "follow_up" not in visited:
            t += dt.timedelta(minutes=gap)
            rows.append({**row, "activity": "close", "time": t, "expect": EXPECT[plant]})
            break
        t += dt.timedelta(minutes=gap)
        before = ticket["owner"]
        new = engine.fire(ticket, d.event, mover, d.target, at=t).ticket
        if keep and new["owner"] == before and "assignee" not in new:
            new["assignee"] = person
        if _kind(d) != "handle" and new["owner"] != before and new["owner"] in gave_away:
            expect = EXPECT["transfer-loop"] if plant == "transfer-loop" else ("unplanned",)
        if _kind(d) == "coordinate" and new["owner"] != before:
            gave_away.add(before)
        ticket = new
        visited.add(ticket["state"])
        rows.append({**row, "time": t, "expect": expect})
        steps += 1
    if plant == "never-closed" and wf.states[ticket["state"]].final:
        raise _Retry
    if plant == "never-closed":
        rows[-1]["expect"] = EXPECT[plant]
    for r in rows:
        r.update(text)
    return rows


class _Retry(Exception):
    """The walk went nowhere useful (too long, or the plant could not be made): draw again."""


def generate(
    tickets: int,
    seed: int = 0,
    rates: Mapping[str, float] | None = None,
    days: float = 20.0,
    engine: Any = None,
) -> Log:
    """A log of ``tickets`` tickets; ``rates`` maps a plant kind to the share of tickets
    that carry it (default: 3% each)."""
    engine = engine or rulesengine.load(ROOT)
    rng = random.Random(seed)
    w = _Walk(engine, rng)
    rates = dict(rates) if rates is not None else dict.fromkeys(PLANTS, 0.03)
    unknown = set(rates) - set(PLANTS)
    if unknown:
        raise ValueError(f"unknown plants: {sorted(unknown)}")
    staged: list[tuple[dt.datetime, int, int, dict[str, Any]]] = []
    log = Log(tickets=tickets)
    for n in range(tickets):
        tid = f"T{n + 1:06d}"
        x, plant = rng.random(), None
        for k, r in rates.items():
            if x < r:
                plant = k
                break
            x -= r
        for _ in range(50):
            span = days / 3 if plant == "never-closed" else days
            created = START + dt.timedelta(seconds=int(rng.uniform(0, span) * 86400))
            try:
                rows = _ticket(w, log, tid, plant, created)
            except _Retry:
                continue
            if plant is None or any(r["expect"] for r in rows):
                break
        else:
            raise RuntimeError(f"could not generate ticket {tid} with plant {plant}")
        got = [c for r in rows for c in r["expect"]]
        if "unplanned" in got:
            raise RuntimeError(f"ticket {tid}: an unplanned transfer loop")
        if plant is not None:
            log.planted[plant] = log.planted.get(plant, 0) + 1
        for i, r in enumerate(rows):
            staged.append((r["time"].replace(microsecond=0), n, i, {**r, "ticket": tid}))
    staged.sort(key=lambda s: s[:3])
    for idx, (t, _, _, r) in enumerate(staged):
        log.rows.append(
            {
                "case:concept:name": r["ticket"],
                "concept:name": r["activity"],
                "time:timestamp": t.isoformat(),
                "org:resource": r["resource"],
                "org:role": r["role"],
                **{k: r[k] for k in ATTRS},
            }
        )
        log.expected.extend((c, r["ticket"], idx) for c in r["expect"])
    return log


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0.03, help="share of tickets per planted kind")
    ap.add_argument("--days", type=float, default=20.0)
    ap.add_argument("--output", type=Path, required=True, help="a .csv or .jsonl file")
    ap.add_argument("--expected", type=Path, help="write the planted violations here (JSON)")
    args = ap.parse_args()
    log = generate(args.tickets, args.seed, dict.fromkeys(PLANTS, args.rate), args.days)
    if args.output.suffix == ".jsonl":
        log.write_jsonl(args.output)
        first = 1
    else:
        log.write_csv(args.output)
        first = 2
    if args.expected:
        exp = sorted(log.expected_lines(first), key=lambda x: (x[2], x[0]))
        args.expected.write_text(json.dumps([{"code": c, "ticket": t, "line": n} for c, t, n in exp], indent=1) + "\n")
    print(f"{len(log.rows)} rows, {args.tickets} tickets, planted: {dict(sorted(log.planted.items()))}")


if __name__ == "__main__":
    main()
