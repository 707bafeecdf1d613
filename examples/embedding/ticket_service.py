"""A reference ticket service embedding rulesengine: SQLite, the decision log, optimistic versions.

Tickets and their history live in SQLite (the standard library's ``sqlite3``).  Every
change goes through ``Engine.fire``, which checks it against the rules and writes one
record to the decision log before it returns; the service then applies the change
with ``UPDATE … WHERE id = ? AND version = ?`` and inserts its history row in the same
transaction.  Two requests that read the same version of a ticket may both be
allowed by the engine, but only one of the two updates finds that version: the
other changes no row, is rolled back and answered with :class:`Conflict`, so a
ticket's history counts its versions 1, 2, 3, … without a gap.

Each history row keeps the number of the log record of its change (``log_record``),
and a lost update leaves its record's number in ``lost_updates``.  So every allowed
``fire`` record of the log is accounted for by the database — except when the service
stopped between writing the record and committing the change (a crash, a killed
process, a full disk).  :meth:`TicketService.reconcile` finds exactly those: it runs
``verify_log`` over the log's files (is the log itself intact?) and lists the
allowed records that no row names — decisions that never took effect — and the
history rows whose record is missing from the log — changes made without one.

    python examples/embedding/ticket_service.py          # a short demonstration in a temporary directory
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulesengine import DecisionLog, EngineHolder, TransitionDenied, verify_log

ROOT = Path(__file__).resolve().parents[2]  # the bundled customer-service centre

SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id          INTEGER PRIMARY KEY,
    workflow    TEXT NOT NULL,
    state       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    assignee    TEXT,
    attributes  TEXT NOT NULL,   -- JSON
    customer    TEXT,            -- JSON; personal data: the decision log keeps only its keyed hash
    version     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    version     INTEGER NOT NULL,           -- the ticket's version after the change
    at          TEXT NOT NULL,
    event       TEXT NOT NULL,
    actor       TEXT,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    owner_after TEXT NOT NULL,
    rules_hash  TEXT NOT NULL,
    log_record  INTEGER NOT NULL UNIQUE,    -- the decision log's record of this change
    entry       TEXT NOT NULL,              -- the engine's history entry, JSON
    PRIMARY KEY (ticket_id, version)
);
CREATE TABLE IF NOT EXISTS lost_updates (   -- allowed and logged, then refused by the version check
    log_record  INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL,
    version     INTEGER NOT NULL             -- the version the request had read
);
"""


class Conflict(Exception):
    """The ticket changed since it was read: read it again and decide again."""


class NotFound(KeyError):
    """No ticket with this id."""


@dataclass
class Reconciliation:
    """The log against the database: what the one says happened and the other does not hold."""

    verification: Any  # what rulesengine.verify_log answers
    not_applied: list[int] = field(default_factory=list)  # allowed fire records no row names
    unlogged: list[tuple[int, int]] = field(default_factory=list)  # (ticket, version) rows without a record
    gaps: list[int] = field(default_factory=list)  # tickets whose history skips a version

    @property
    def consistent(self) -> bool:
        return self.verification.intact and not (self.not_applied or self.unlogged or self.gaps)


class TicketService:
    """Tickets in SQLite, every change decided by the engine and recorded in the decision log."""

    def __init__(
        self,
        database: str | Path,
        log: str | Path,
        *,
        rules: str | Path = ROOT,
        checkpoint: str | Path | None = None,
        key: bytes | None = None,
    ) -> None:
        self.database = str(database)
        self.log_path = Path(log)
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.key = key
        log_ = DecisionLog(log, key=key, checkpoint=checkpoint, mask=["actor.id", "ticket.customer"])
        self.rules = EngineHolder(rules, decision_log=log_)  # one log across rule reloads
        with closing(self._connect()) as con:
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript(SCHEMA)

    def close(self) -> None:
        """Close the decision log (its final checkpoint is written)."""
        if self.rules.decision_log is not None:
            self.rules.decision_log.close()

    def _connect(self) -> sqlite3.Connection:
        # autocommit mode: every transaction below is an explicit BEGIN … COMMIT
        con = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        return con

    # -- reading -------------------------------------------------------------------------------
    def get(self, ticket_id: int) -> dict[str, Any]:
        """The ticket as the engine takes it (a plain mapping), with its id, customer and version."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise NotFound(ticket_id)
        ticket = {
            "id": row["id"],
            "workflow": row["workflow"],
            "state": row["state"],
            "owner": row["owner"],
            "attributes": json.loads(row["attributes"]),
            "customer": json.loads(row["customer"]) if row["customer"] else None,
            "version": row["version"],
        }
        if row["assignee"] is not None:
            ticket["assignee"] = row["assignee"]
        return ticket

    def history(self, ticket_id: int) -> list[dict[str, Any]]:
        with closing(self._connect()) as con:
            rows = con.execute("SELECT * FROM history WHERE ticket_id = ? ORDER BY version", (ticket_id,)).fetchall()
        return [dict(r) for r in rows]

    # -- changing --------------------------------------------------------------------------------
    def create(self, attributes: Mapping[str, Any], customer: Mapping[str, Any] | None = None) -> int:
        """A new ticket at its workflow's first state and owner (version 0, no history yet)."""
        t = self.rules.engine.create(attributes)
        with closing(self._connect()) as con:
            cur = con.execute(
                "INSERT INTO tickets (workflow, state, owner, attributes, customer, version) VALUES (?, ?, ?, ?, ?, 0)",
                (t["workflow"], t["state"], t["owner"], json.dumps(t["attributes"]), _json(customer)),
            )
            return int(cur.lastrowid or 0)

    def change(self, ticket_id: int, event: str, actor: Mapping[str, Any], target: str | None = None) -> dict[str, Any]:
        """Read the ticket and apply ``event`` by ``actor``; raises TransitionDenied or Conflict."""
        return self.apply(self.get(ticket_id), event, actor, target)

    def apply(
        self, ticket: Mapping[str, Any], event: str, actor: Mapping[str, Any], target: str | None = None
    ) -> dict[str, Any]:
        """Apply ``event`` to ``ticket`` as it was read: committed only if nobody changed it since.

        The engine decides and logs (``TransitionDenied`` when the rules refuse); the
        update and its history row then commit together, or neither does.
        """
        engine = self.rules.engine  # once per request: a reload never mixes two rule versions
        new, entry = engine.fire(ticket, event, actor, target)  # the log record is written here
        record = entry["log_record"]
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                cur = con.execute(
                    "UPDATE tickets SET workflow = ?, state = ?, owner = ?, assignee = ?, version = ? "
                    "WHERE id = ? AND version = ?",
                    (new["workflow"], new["state"], new["owner"], new.get("assignee"), new["version"],
                     ticket["id"], ticket["version"]),
                )  # fmt: skip
                if cur.rowcount != 1:
                    con.execute("ROLLBACK")
                    con.execute(
                        "INSERT INTO lost_updates (log_record, ticket_id, version) VALUES (?, ?, ?)",
                        (record, ticket["id"], ticket["version"]),
                    )
                    raise Conflict(f"ticket {ticket['id']} is no longer at version {ticket['version']}")
                con.execute(
                    "INSERT INTO history (ticket_id, version, at, event, actor, from_state, to_state, owner_after, "
                    "rules_hash, log_record, entry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (ticket["id"], new["version"], entry["at"], entry["event"], entry["actor"], entry["from"],
                     entry["to"], entry["owner_after"], entry["rules_hash"], record, json.dumps(entry)),
                )  # fmt: skip
                self._commit(con)
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        return new

    def _commit(self, con: sqlite3.Connection) -> None:
        con.execute("COMMIT")

    # -- reconciling the log with the database ---------------------------------------------------------
    def reconcile(self) -> Reconciliation:
        """Verify the decision log, then hold its allowed ``fire`` records against the database."""
        files = DecisionLog.files_of(self.log_path)
        result = Reconciliation(verify_log(files, key=self.key, checkpoint=self.checkpoint))
        allowed = set(_allowed_fires(files))
        with closing(self._connect()) as con:
            applied = {r[0] for r in con.execute("SELECT log_record FROM history")}
            lost = {r[0] for r in con.execute("SELECT log_record FROM lost_updates")}
            rows = con.execute("SELECT ticket_id, version, log_record FROM history ORDER BY ticket_id, version")
            seen: dict[int, int] = {}
            for ticket_id, version, record in rows:
                if version != seen.get(ticket_id, 0) + 1 and ticket_id not in result.gaps:
                    result.gaps.append(ticket_id)
                seen[ticket_id] = version
                if record not in allowed:
                    result.unlogged.append((ticket_id, version))
        result.not_applied = sorted(allowed - applied - lost)
        return result


def _allowed_fires(files: list[Path]) -> Iterator[int]:
    """The numbers of the log's allowed ``fire`` records."""
    for path in files:
        with path.open("rb") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["call"] == "fire" and rec["decision"]["allowed"]:
                    yield rec["chain"]["seq"]


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def demo(directory: Path) -> Reconciliation:
    """Two agents race on one refund; then a change whose commit never happens."""
    service = TicketService(directory / "tickets.db", directory / "decisions.jsonl", checkpoint=directory / "head.json")
    agent = {"id": "p-17", "roles": ["frontline_agent"]}
    ticket_id = service.create(
        {"category": "refund", "tier": "active", "channel": "phone", "priority": "P2", "amount": 150},
        customer={"name": "王伟", "phone": "13800000000"},
    )
    service.change(ticket_id, "verify", agent)
    read = service.get(ticket_id)
    outcome: dict[str, str] = {}

    def race(name: str) -> None:  # both submit the ticket they read: one of them is first
        try:
            service.apply(read, "submit", {"id": name, "roles": ["frontline_agent"]})
            outcome[name] = "submit: applied"
        except Conflict as exc:
            outcome[name] = f"submit: conflict ({exc})"

    threads = [threading.Thread(target=race, args=(n,)) for n in ("p-17", "p-18")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, said in sorted(outcome.items()):
        print(f"{name} {said}")
    try:
        service.change(ticket_id, "approve", {"id": "p-9", "roles": ["qa_inspector"]})
    except (TransitionDenied, Conflict) as exc:
        print(f"p-9 approve: {exc}")

    def crash(con: sqlite3.Connection) -> None:
        raise SystemExit("the process died before COMMIT")

    service._commit = crash  # type: ignore[method-assign]
    try:
        service.change(ticket_id, "approve", agent)
    except SystemExit as exc:
        print(f"p-17: {exc}")
    service.close()
    found = service.reconcile()
    print(found.verification.summary())
    print(f"history: versions {[h['version'] for h in service.history(ticket_id)]}")
    print(f"decisions that never took effect: log records {found.not_applied}")
    return found


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        demo(Path(tmp))
    sys.exit(0)
