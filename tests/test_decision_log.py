"""The decision log's writer: what `fire` and `decide` record, masking, keys, rotation, checkpoints, threads."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
import rfc8785

import rulesengine
from rulesengine import Engine, TransitionDenied
from rulesengine.decisionlog import DecisionLog, DecisionLogError, MaskStyle, canonical, log_files, verify_log
from tests.decision_log_helpers import AGENT, ATTRS, ROOT, lines, link, make_log, write_log

FIX = Path(__file__).parent / "fixtures" / "engine"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return rulesengine.load(ROOT)


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in lines(path)]


def test_fire_records_every_call_and_the_entry_names_its_record(engine: Engine, tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "d.jsonl")
    logged = Engine.from_ruleset(engine.ruleset, decision_log=log)
    ticket = logged.create(ATTRS)
    ticket, entry = logged.fire(ticket, "verify", AGENT)
    assert entry["log_record"] == 1
    with pytest.raises(TransitionDenied):
        logged.fire(ticket, "approve", AGENT)  # not yet: the agent must submit first
    logged.decide(ticket, "submit", AGENT)  # not recorded: the log does not ask for decide
    log.close()
    first, second = records(tmp_path / "d.jsonl")
    assert first["call"] == "fire" and first["chain"] == {"alg": "sha256", "prev": None, "seq": 1}
    assert first["decision"] == {
        "allowed": True,
        "grants": ["roles/frontline_agent.yaml:30:5"],
        "next_state": "verifying",
        "owner_after": ["frontline_agent"],
        "reason": "allowed",
        "rules_hash": engine.rules_hash,
        "version": 1,
    }
    assert first["at"] == entry["at"] and first["at"].endswith("+00:00")
    assert first["input"] == {"actor": AGENT, "event": "verify", "target": None, "ticket": logged.create(ATTRS)}
    assert second["decision"]["allowed"] is False and second["decision"]["reason"] == "not-from-state"
    assert second["chain"]["prev"] == link(lines(tmp_path / "d.jsonl")[0])


def test_decide_is_untouched_without_decision_logging(engine: Engine, tmp_path: Path) -> None:
    assert "decide" not in vars(engine)
    with DecisionLog(tmp_path / "d.jsonl") as log:
        logged = Engine.from_ruleset(engine.ruleset, decision_log=log)
        assert "decide" not in vars(logged)  # the class's own decide: no check, no wrapper
    with DecisionLog(tmp_path / "e.jsonl", log_decisions=True) as log:
        logged = Engine.from_ruleset(engine.ruleset, decision_log=log)
        ticket = logged.create(ATTRS)
        assert logged.decide(ticket, "verify", AGENT).allowed
        logged.allowed_events(ticket, AGENT)  # asks decide many times: not the service's decisions
        logged.fire(ticket, "verify", AGENT)  # one record, of the fire
    calls = [r["call"] for r in records(tmp_path / "e.jsonl")]
    assert calls == ["decide", "fire"]


def test_records_are_canonical_whatever_the_ticket_holds(engine: Engine, tmp_path: Path) -> None:
    odd: dict[str, Any] = {
        "float": 99.5,
        "whole_float": 1500.0,
        "big": 2**60,
        "emoji_key_\U0001f600": "x",
        "\ue000": "private use sorts after the emoji in UTF-16",
        "control": "a\x01b\u2028c",
        "numbers": {1: "int key", "1": "str key"},
        "set": {3, 1, 2},
        "nested": [[[{"z": None, "a": True}]]],
        "object": object(),
    }
    with DecisionLog(tmp_path / "d.jsonl") as log:
        ticket = engine.create(ATTRS)
        for extra in ({}, {"customer": odd}, {"attributes": {**ATTRS, "amount": 1499.99}}):
            t = {**ticket, **extra}
            log.append_fire(t, "verify", AGENT, None, engine.decide(t, "verify", AGENT), None)
    for line in lines(tmp_path / "d.jsonl"):
        assert rfc8785.dumps(json.loads(line)) == line
    assert verify_log([tmp_path / "d.jsonl"]).intact


def test_a_lone_surrogate_among_other_text_is_logged_escaped() -> None:
    # the surrogate cannot be UTF-8: it is written as its escape, the rest as it is
    assert canonical({"name": "王\ud800"}) == rfc8785.dumps({"name": "王\\ud800"})


def test_personal_fields_are_masked_by_path(engine: Engine, tmp_path: Path) -> None:
    ticket = {**engine.create(ATTRS), "customer": {"name": "王伟", "phone": "13800000000"}}
    actor = {"id": "p-17", "roles": ["frontline_agent"]}
    d = engine.decide(ticket, "verify", actor)
    paths = ["actor.id", "ticket.customer.*", "ticket.nowhere.phone"]
    with DecisionLog(tmp_path / "h.jsonl", key="k" * 32, mask=paths) as log:
        log.append_fire(ticket, "verify", actor, None, d, None)
        log.append_fire(ticket, "verify", actor, None, d, None)
    with DecisionLog(tmp_path / "r.jsonl", mask=paths) as log:
        log.append_fire(ticket, "verify", actor, None, d, None)
    hashed, again = (r["input"] for r in records(tmp_path / "h.jsonl"))
    (redacted,) = (r["input"] for r in records(tmp_path / "r.jsonl"))
    assert hashed["actor"]["id"].startswith("hmac:") and hashed["actor"]["id"] == again["actor"]["id"]
    assert hashed["ticket"]["customer"]["phone"] != hashed["ticket"]["customer"]["name"]
    assert "13800000000" not in (tmp_path / "h.jsonl").read_text(encoding="utf-8")
    assert redacted["actor"] == {"id": "***", "roles": ["frontline_agent"]}
    assert redacted["ticket"]["customer"] == {"name": "***", "phone": "***"}
    assert hashed["ticket"]["attributes"] == ATTRS | {"amount": 1500}
    assert ticket["customer"]["phone"] == "13800000000" and actor["id"] == "p-17"  # the input is never changed
    with pytest.raises(ValueError, match="must start with"):
        DecisionLog(tmp_path / "x.jsonl", mask=["customer.phone"])
    with pytest.raises(ValueError, match="needs a key"):
        DecisionLog(tmp_path / "y.jsonl", mask=["actor.id"], mask_with=MaskStyle.HASH)


def test_a_reopened_log_continues_its_chain(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    for _ in range(3):
        with DecisionLog(path, key=b"key") as log:
            write_log(engine, log, 4)
    assert [r["chain"]["seq"] for r in records(path)] == list(range(1, 13))
    assert verify_log([path], key=b"key").intact
    with pytest.raises(DecisionLogError, match="written with hmac-sha256"):
        DecisionLog(path)  # unkeyed: the chain would break
    with pytest.raises(DecisionLogError, match="key"):
        DecisionLog(path, key=b"another key")


def test_one_writer_at_a_time_and_a_torn_tail_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    log = DecisionLog(path)
    with pytest.raises(DecisionLogError, match="another DecisionLog"):
        DecisionLog(path)
    log.close()
    DecisionLog(path).close()  # closed: free again
    path.write_bytes(b'{"at":"2026-01-01T00:00:00+00:00","chain":{"seq":1')
    with pytest.raises(DecisionLogError, match="incomplete record"):
        DecisionLog(path)


def test_keys_come_from_the_environment_or_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DL_TEST_KEY", "s3cret")
    (tmp_path / "key").write_bytes(b"s3cret\n")
    with DecisionLog(tmp_path / "a.jsonl", key_env="DL_TEST_KEY") as a:
        pass
    with DecisionLog(tmp_path / "a.jsonl", key_file=tmp_path / "key") as b:  # the same key: accepted
        assert b.head == a.head
    with pytest.raises(DecisionLogError, match="not set"):
        DecisionLog(tmp_path / "b.jsonl", key_env="DL_NO_SUCH_KEY")
    with pytest.raises(DecisionLogError, match="cannot read the key file"):
        DecisionLog(tmp_path / "b.jsonl", key_file=tmp_path / "missing")


def test_rotation_continues_the_chain_across_files(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, 50, rotate_records=20)
    assert [f.name for f in files] == ["decisions.000001.jsonl", "decisions.000002.jsonl", "decisions.jsonl"]
    assert [len(lines(f)) for f in files] == [20, 20, 10]
    first = records(files[1])[0]["chain"]
    assert first["prev_file"] == "decisions.000001.jsonl" and first["prev"] == link(lines(files[0])[-1])
    assert verify_log(list(reversed(files)), checkpoint=checkpoint).intact
    with DecisionLog(tmp_path / "decisions.jsonl", rotate_records=20) as log:  # reopened: the count goes on
        write_log(engine, log, 15)
    assert [len(lines(f)) for f in log_files(tmp_path / "decisions.jsonl")] == [20, 20, 20, 5]
    by_size = tmp_path / "size"
    files, _ = make_log(engine, by_size, 30, rotate_bytes=4000)
    assert len(files) > 3 and all(f.stat().st_size <= 4000 for f in files)
    assert verify_log(files).intact


def test_checkpoints_every_n_records_and_on_close(engine: Engine, tmp_path: Path) -> None:
    checkpoint = tmp_path / "cp" / "head.json"
    checkpoint.parent.mkdir()
    log = DecisionLog(tmp_path / "d.jsonl", checkpoint=checkpoint, checkpoint_every=10)
    write_log(engine, log, 25)
    doc = json.loads(checkpoint.read_text())
    assert doc["count"] == 20 and doc["head"] == link(lines(tmp_path / "d.jsonl")[19])
    head = log.head
    log.close()
    doc = json.loads(checkpoint.read_text())
    assert (doc["count"], doc["head"]) == (head.records, head.hash) == (25, link(lines(tmp_path / "d.jsonl")[-1]))
    assert sorted(p.name for p in checkpoint.parent.iterdir()) == ["head.json"]  # no temporary file left
    with pytest.raises(DecisionLogError, match="closed"):
        log.append_decide({}, "x", None, None, engine.decide({}, "x"))


def test_fsync_when_asked(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    with DecisionLog(tmp_path / "d.jsonl", fsync=True) as log:
        write_log(engine, log, 3)
    assert len(synced) >= 3
    synced.clear()
    with DecisionLog(tmp_path / "e.jsonl") as log:
        write_log(engine, log, 3)
    assert synced == []


def test_a_failed_write_refuses_every_later_record(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = DecisionLog(tmp_path / "d.jsonl")
    logged = Engine.from_ruleset(engine.ruleset, decision_log=log)
    ticket = logged.create(ATTRS)

    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DecisionLogError, match="No space left"):
        logged.fire(ticket, "verify", AGENT)  # the move is refused: the service commits nothing
    monkeypatch.undo()
    with pytest.raises(DecisionLogError, match="failed"):
        logged.fire(ticket, "verify", AGENT)
    log.close()


def test_eight_threads_ten_thousand_records_never_interleave(engine: Engine, tmp_path: Path) -> None:
    checkpoint = tmp_path / "head.json"
    log = DecisionLog(tmp_path / "d.jsonl", checkpoint=checkpoint, checkpoint_every=500, rotate_bytes=2_000_000)
    logged = Engine.from_ruleset(engine.ruleset, decision_log=log)
    ticket = logged.create(ATTRS)
    numbers: list[list[int]] = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def work(i: int) -> None:
        actor = {"id": f"p-{i}", "roles": ["frontline_agent"]}
        start.wait()
        for _ in range(1250):
            numbers[i].append(logged.fire(ticket, "verify", actor).history["log_record"])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    assert sorted(n for ns in numbers for n in ns) == list(range(1, 10_001))
    files = log_files(tmp_path / "d.jsonl")
    assert len(files) > 1
    result = verify_log(files, checkpoint=checkpoint)
    assert result.intact and result.records == 10_000, result.text_lines()
    for f in files:
        for line in lines(f):
            assert rfc8785.dumps(json.loads(line)) == line  # whole records, one a line


def test_the_holder_keeps_one_log_across_reloads(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(FIX, rules)
    holder = rulesengine.EngineHolder(rules, decision_log=tmp_path / "d.jsonl")
    log = holder.decision_log
    assert log is not None and holder.engine.decision_log is log
    ticket = {"workflow": "service", "state": "new", "owner": "agent", "attributes": {"category": "refund",
              "tier": "normal", "amount": 50, "urgent": False}}  # fmt: skip
    agent = {"id": "p", "roles": ["agent"]}
    holder.engine.fire(ticket, "start", agent)
    qa = rules / "roles" / "qa.yaml"
    qa.write_text(qa.read_text() + "# changed\n")
    assert holder.reload() == []
    assert holder.engine.decision_log is log
    holder.engine.fire(ticket, "start", agent)
    log.close()
    result = verify_log([tmp_path / "d.jsonl"])
    assert result.intact and result.records == 2 and len(result.rules) == 2


def test_load_takes_a_path_and_opens_the_log(tmp_path: Path) -> None:
    engine = rulesengine.load(FIX, decision_log=str(tmp_path / "d.jsonl"))
    assert isinstance(engine.decision_log, DecisionLog)
    engine.decision_log.close()
    with pytest.raises(rulesengine.RulesInvalid):
        rulesengine.load(tmp_path / "no-rules", decision_log=tmp_path / "e.jsonl")
    assert not (tmp_path / "e.jsonl").exists()  # invalid rules: no log was opened
