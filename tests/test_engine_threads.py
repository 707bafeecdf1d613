"""One engine shared by many threads while the rules are swapped under them."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

from rulesengine import EngineHolder, TransitionDenied, load

FIX = Path(__file__).parent / "fixtures" / "engine"

CASES: list[tuple[dict[str, Any], str, dict[str, Any] | None, str | None]] = []
for amount in (50, 500, 5000):
    for tier in ("normal", "vip"):
        attrs = {"category": "refund", "tier": tier, "amount": amount, "urgent": False}
        for state, owner in (("new", "agent"), ("working", "agent"), ("working", "lead"), ("new", "lead")):
            t = {"workflow": "service", "state": state, "owner": owner, "attributes": attrs}
            for event, target in (("start", None), ("finish", None), ("transfer", "expert_a"), ("raise", None)):
                CASES.append((t, event, {"id": "p", "roles": [owner]}, target))
            CASES.append((t, "timer:0", None, None))


def _answer(d: Any) -> tuple[Any, ...]:
    return (d.allowed, d.reason, d.next_state, d.owner_after)


def test_eight_threads_and_a_hundred_swaps(tmp_path: Path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    shutil.copytree(FIX, a)
    shutil.copytree(FIX, b)
    agent = b / "roles" / "agent.yaml"  # version b: the agent's transfers are capped lower
    agent.write_text(agent.read_text().replace("amount: 1000", "amount: 100"))
    broken = tmp_path / "broken"
    shutil.copytree(FIX, broken)
    (broken / "workflows" / "service.yaml").write_text("id: service\n")
    expected = {}
    for path in (a, b):
        e = load(path)
        expected[e.rules_hash] = [_answer(e.decide(*c)) for c in CASES]
    first, second = expected.values()
    assert first != second

    holder = EngineHolder(a)
    stop = threading.Event()
    seen: list[tuple[str, int, tuple[Any, ...]]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(offset: int) -> None:
        local = []
        try:
            i = offset
            while not stop.is_set():
                engine = holder.engine
                c = CASES[i % len(CASES)]
                d = engine.decide(*c)
                assert d.rules_hash == engine.rules_hash
                local.append((d.rules_hash, i % len(CASES), _answer(d)))
                try:
                    new, entry = engine.fire(*c)
                    assert entry["rules_hash"] == engine.rules_hash and new["version"] == 1
                except TransitionDenied as exc:
                    assert not d.allowed and _answer(exc.decision) == _answer(d)
                i += 7
        except BaseException as exc:  # reported below
            errors.append(exc)
        with lock:
            seen.extend(local)

    built = {p: load(p) for p in (a, b)}
    hashes: set[str] = set()

    def swap() -> None:
        try:
            for n in range(100):
                path = b if n % 2 == 0 else a
                if n % 10 == 0:  # from disk; invalid rules never replace the good ones
                    assert holder.reload(path) == []
                    before = holder.engine
                    assert holder.reload(broken) and holder.engine is before
                else:
                    holder.swap(built[path])
                hashes.add(holder.rules_hash)
        except BaseException as exc:
            errors.append(exc)
        stop.set()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    swapper = threading.Thread(target=swap)
    swapper.start()
    swapper.join()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert hashes == set(expected)
    assert len(seen) > 1000
    assert {h for h, _, _ in seen} == set(expected)
    for h, i, answer in seen:
        assert answer == expected[h][i]
