"""The reference service of examples/embedding: one winner per race, no gap, the crash window found."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from rulesengine import TransitionDenied
from tests.decision_log_helpers import lines, save

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("ticket_service", ROOT / "examples" / "embedding" / "ticket_service.py")
assert _spec is not None and _spec.loader is not None
ts = importlib.util.module_from_spec(_spec)
sys.modules["ticket_service"] = ts
_spec.loader.exec_module(ts)

REFUND = {"category": "refund", "tier": "active", "channel": "phone", "priority": "P2", "amount": 150}
KEY = b"the service's key, 32 bytes long"


def agent(name: str) -> dict[str, Any]:
    return {"id": name, "roles": ["frontline_agent"]}


@pytest.fixture
def service(tmp_path: Path) -> Any:
    s = ts.TicketService(tmp_path / "t.db", tmp_path / "d.jsonl", checkpoint=tmp_path / "head.json", key=KEY)
    yield s
    s.close()


def race(service: Any, read: dict[str, Any], event: str, names: tuple[str, ...]) -> list[str]:
    """Each name applies ``event`` to the same ``read`` ticket at the same moment."""
    start = threading.Barrier(len(names))
    outcome: list[str] = []

    def attempt(name: str) -> None:
        start.wait()
        try:
            service.apply(read, event, agent(name))
            outcome.append("applied")
        except ts.Conflict:
            outcome.append("conflict")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcome)


def test_two_updates_of_one_ticket_one_wins(service: Any) -> None:
    ticket_id = service.create(REFUND, customer={"name": "王伟", "phone": "13800000000"})
    service.change(ticket_id, "verify", agent("p-1"))
    for _ in range(5):
        read = service.get(ticket_id)
        event = "ask_customer" if read["state"] == "verifying" else "customer_replied"
        assert race(service, read, event, ("p-1", "p-2")) == ["applied", "conflict"]
        assert service.get(ticket_id)["version"] == read["version"] + 1
    history = service.history(ticket_id)
    assert [h["version"] for h in history] == list(range(1, 7))
    service.close()
    found = service.reconcile()
    assert found.consistent, (found.verification.text_lines(), found.not_applied, found.unlogged, found.gaps)
    assert found.verification.records == 11  # 6 applied, 5 lost updates


def test_many_threads_retrying_leave_no_gap(service: Any) -> None:
    ticket_id = service.create(REFUND)
    service.change(ticket_id, "verify", agent("p-0"))
    conflicts = []

    def work(name: str) -> None:
        done = 0
        while done < 6:
            read = service.get(ticket_id)
            event = "ask_customer" if read["state"] == "verifying" else "customer_replied"
            try:
                service.apply(read, event, agent(name))
                done += 1
            except ts.Conflict:
                conflicts.append(name)

    threads = [threading.Thread(target=work, args=(f"p-{i}",)) for i in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [h["version"] for h in service.history(ticket_id)] == list(range(1, 26))
    service.close()
    found = service.reconcile()
    assert found.consistent and found.verification.records == 25 + len(conflicts)


def test_a_crash_between_the_log_and_the_commit_is_found(service: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket_id = service.create(REFUND)
    service.change(ticket_id, "verify", agent("p-1"))
    with pytest.raises(TransitionDenied):
        service.change(ticket_id, "approve", agent("p-1"))  # denied: logged, and nothing to apply

    def crash(con: sqlite3.Connection) -> None:
        raise SystemExit("killed before COMMIT")

    monkeypatch.setattr(service, "_commit", crash)
    with pytest.raises(SystemExit):
        service.change(ticket_id, "submit", agent("p-1"))
    monkeypatch.undo()
    assert service.get(ticket_id)["version"] == 1 and len(service.history(ticket_id)) == 1  # nothing applied
    service.change(ticket_id, "submit", agent("p-1"))
    service.close()
    found = service.reconcile()
    assert found.verification.intact and found.not_applied == [3]  # the record of the lost submit
    assert not found.unlogged and not found.gaps and not found.consistent


def test_the_log_masks_the_customer_and_the_actor(service: Any, tmp_path: Path) -> None:
    ticket_id = service.create(REFUND, customer={"name": "王伟", "phone": "13800000000"})
    service.change(ticket_id, "verify", agent("p-1"))
    service.close()
    text = (tmp_path / "d.jsonl").read_text(encoding="utf-8")
    assert "13800000000" not in text and "王伟" not in text and '"p-1"' not in text
    assert '"customer":"hmac:' in text


def test_a_tampered_log_or_a_row_behind_the_engine_is_found(service: Any, tmp_path: Path) -> None:
    ticket_id = service.create(REFUND)
    for event in ("verify", "ask_customer", "customer_replied"):
        service.change(ticket_id, event, agent("p-1"))
    with sqlite3.connect(tmp_path / "t.db") as con:  # a change written behind the engine's back
        con.execute(
            "INSERT INTO history (ticket_id, version, at, event, actor, from_state, to_state, owner_after, "
            "rules_hash, log_record, entry) VALUES (?, 5, '', 'close', 'p-1', 'verifying', 'closed', 'x', '', 99, '{}')",
            (ticket_id,),
        )
    service.close()
    found = service.reconcile()
    assert found.unlogged == [(ticket_id, 5)] and found.gaps == [ticket_id]
    rows = lines(tmp_path / "d.jsonl")
    save(tmp_path / "d.jsonl", [rows[0], rows[2]])  # a record deleted
    assert not service.reconcile().verification.intact


def test_the_demonstration_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = ts.demo(tmp_path)
    out = capsys.readouterr().out
    assert "applied" in out and "conflict" in out and "died before COMMIT" in out
    assert found.verification.intact and found.not_applied == [5]
