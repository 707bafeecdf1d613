"""`verify-log`: every kind of tampering found at its record, an intact log says so, bad input is exit 2."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import rulesengine
from rulesengine import Engine
from rulesengine.cli.app import app
from rulesengine.decisionlog import DecisionLog, LogUnreadable, NeedsKey, Problem, verify_log
from tests.decision_log_helpers import ROOT, edited, forged_after, lines, make_log, relinked, save, write_log

KEY = b"a key of the service, 32 bytes!!"
N = 40

Tamper = Callable[[list[Path]], None]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return rulesengine.load(ROOT)


def on_file(i: int, change: Callable[[list[bytes]], list[bytes]]) -> Tamper:
    def tamper(files: list[Path]) -> None:
        save(files[i], change(lines(files[i])))

    return tamper


def edit(k: int, field: str = "decision.reason", value: object = "allowed") -> Tamper:
    return on_file(0, lambda r: [*r[: k - 1], edited(r[k - 1], field, value), *r[k:]])


def delete(k: int, m: int = 1) -> Tamper:
    return on_file(0, lambda r: r[: k - 1] + r[k - 1 + m :])


def swap(k: int) -> Tamper:
    return on_file(0, lambda r: [*r[: k - 1], r[k], r[k - 1], *r[k + 1 :]])


def move(k: int, to: int) -> Tamper:
    def change(r: list[bytes]) -> list[bytes]:
        row = r.pop(k - 1)
        r.insert(to - 1, row)
        return r

    return on_file(0, change)


def insert_forged(after: int) -> Tamper:
    """A new record linked to line ``after`` (without the key, the link is plain SHA-256)."""
    return on_file(0, lambda r: [*r[:after], forged_after(r[after - 1], after + 1), *r[after:]])


def insert_copy(of: int, after: int) -> Tamper:
    return on_file(0, lambda r: [*r[:after], r[of - 1], *r[after:]])


def truncate(m: int) -> Tamper:
    return on_file(0, lambda r: r[:-m])


def rewrite_from(k: int) -> Tamper:
    """Edit record ``k`` and recompute every link from there on, without the key."""

    def change(r: list[bytes]) -> list[bytes]:
        return r[: k - 1] + relinked([*r[: k - 1], edited(r[k - 1]), *r[k:]])[k - 1 :]

    return on_file(0, change)


CASES: dict[str, tuple[Tamper, Problem, int, dict[str, object]]] = {
    # name: (tampering, problem, line, make_log options)
    "edit the first": (edit(1), Problem.EDITED, 1, {}),
    "edit the second": (edit(2), Problem.EDITED, 2, {}),
    "edit one in the middle": (edit(20), Problem.EDITED, 20, {}),
    "edit the ticket": (edit(20, "input.ticket.attributes.amount"), Problem.EDITED, 20, {}),
    "edit the actor": (edit(20, "input.actor.id"), Problem.EDITED, 20, {}),
    "edit the time": (edit(20, "at", "2020-01-01T00:00:00+00:00"), Problem.EDITED, 20, {}),
    "edit the number": (edit(20, "chain.seq", 99), Problem.EDITED, 20, {}),
    "edit the link": (edit(20, "chain.prev", "0" * 64), Problem.EDITED, 20, {}),
    "edit the one before the last": (edit(N - 1), Problem.EDITED, N - 1, {}),
    "edit the last": (edit(N), Problem.EDITED, N, {}),
    "edit keyed": (edit(20), Problem.EDITED, 20, {"key": KEY}),
    "delete the first": (delete(1), Problem.DELETED, 1, {}),
    "delete one": (delete(20), Problem.DELETED, 20, {}),
    "delete five": (delete(20, 5), Problem.DELETED, 20, {}),
    "insert a forged record": (insert_forged(20), Problem.INSERTED, 21, {}),
    "insert a forged first": (on_file(0, lambda r: [forged_after(r[0], 1), *r]), Problem.INSERTED, 1, {}),
    "insert a copy": (insert_copy(5, 20), Problem.INSERTED, 21, {}),
    "insert a copy next to it": (insert_copy(20, 20), Problem.INSERTED, 21, {}),
    "insert keyed": (insert_forged(20), Problem.INSERTED, 21, {"key": KEY}),
    "append keyed": (insert_forged(N), Problem.EDITED, N + 1, {"key": KEY}),
    "move one back": (move(30, 10), Problem.REORDERED, 10, {}),
    "move one forward": (move(10, 30), Problem.REORDERED, 30, {}),
    "truncate one": (truncate(1), Problem.TRUNCATED, N - 1, {}),
    "truncate ten": (truncate(10), Problem.TRUNCATED, N - 10, {}),
    "rewrite without the key": (rewrite_from(1), Problem.REWRITTEN, 2, {"key": KEY}),
    "rewrite the tail without the key": (rewrite_from(25), Problem.REWRITTEN, 25, {"key": KEY}),
    "tear the last line": (
        lambda files: files[0].write_bytes(files[0].read_bytes()[:-50]),
        Problem.TORN,
        N,
        {},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_tampering_is_found_at_its_record(engine: Engine, tmp_path: Path, name: str) -> None:
    tamper, problem, line, options = CASES[name]
    files, checkpoint = make_log(engine, tmp_path, N, **options)  # type: ignore[arg-type]
    tamper(files)
    result = verify_log(files, key=options.get("key"), checkpoint=checkpoint)  # type: ignore[arg-type]
    assert not result.intact
    got = {(f.problem, f.line) for f in result.findings}
    assert (problem, line) in got, result.text_lines()
    if problem is not Problem.TORN:
        assert len(result.findings) == 1, result.text_lines()


@pytest.mark.parametrize("k", [1, 20, N - 1])
def test_a_swap_names_one_of_the_two(engine: Engine, tmp_path: Path, k: int) -> None:
    files, checkpoint = make_log(engine, tmp_path, N)
    swap(k)(files)
    (finding,) = verify_log(files, checkpoint=checkpoint).findings
    assert finding.problem is Problem.REORDERED and finding.line in (k, k + 1)


def test_edits_are_found_without_a_checkpoint_too(engine: Engine, tmp_path: Path) -> None:
    files, _ = make_log(engine, tmp_path, N)
    original = lines(files[0])
    for k in (1, 2, 17, N - 1):
        edit(k)(files)
        (finding,) = verify_log(files).findings
        assert (finding.problem, finding.line) == (Problem.EDITED, k)
        save(files[0], original)
    truncate(3)(files)
    result = verify_log(files)
    assert result.intact and result.head_source is None  # a cut tail needs the head to be seen
    assert not verify_log(files, head=json.loads((tmp_path / "head.json").read_text())["head"]).intact


def test_random_tampering_is_always_found(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, N)
    original = lines(files[0])
    rng = random.Random(8785)
    for _ in range(120):
        kind = rng.choice(["edit", "delete", "insert", "copy", "swap", "truncate"])
        k = rng.randint(1, N - 1)
        tamper, problem, where = {
            "edit": (edit(k, rng.choice(["decision.reason", "input.event", "input.actor.id"])), Problem.EDITED, {k}),
            "delete": (delete(k), Problem.DELETED, {k}),
            "insert": (insert_forged(k), Problem.INSERTED, {k + 1}),
            "copy": (insert_copy(rng.randint(1, N), k), Problem.INSERTED, {k + 1}),
            "swap": (swap(k), Problem.REORDERED, {k, k + 1}),
            "truncate": (truncate(k), Problem.TRUNCATED, {N - k}),
        }[kind]
        tamper(files)
        findings = verify_log(files, checkpoint=checkpoint).findings
        assert len(findings) == 1 and findings[0].problem is problem and findings[0].line in where, (kind, k, findings)
        save(files[0], original)


def test_rotated_files_in_any_order(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, 50, rotate_records=20)
    assert verify_log(files[::-1], checkpoint=checkpoint).intact
    only_last = verify_log(files[-1:], checkpoint=checkpoint)
    assert only_last.intact and only_last.starts_after == "decisions.000002.jsonl"
    original = [lines(f) for f in files]

    def restore() -> None:
        for f, rows in zip(files, original):
            save(f, rows)

    on_file(1, lambda r: [*r[:4], edited(r[4]), *r[5:]])(files)
    (finding,) = verify_log(files, checkpoint=checkpoint).findings
    assert (finding.problem, finding.file, finding.line) == (Problem.EDITED, str(files[1]), 5)
    restore()
    on_file(0, lambda r: r[:-1])(files)  # the last record of the first file
    (finding,) = verify_log(files, checkpoint=checkpoint).findings
    assert (finding.problem, finding.file, finding.line, finding.seq) == (Problem.DELETED, str(files[1]), 1, 20)
    restore()
    (finding,) = verify_log([files[0], files[2]], checkpoint=checkpoint).findings  # a whole file gone
    assert (finding.problem, finding.file, finding.line) == (Problem.DELETED, str(files[2]), 1)
    assert "#21–#40" in finding.message


def test_a_wrong_key_or_none(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, N, key=KEY)
    assert verify_log(files, key=KEY, checkpoint=checkpoint).intact
    with pytest.raises(NeedsKey):
        verify_log(files, checkpoint=checkpoint)
    wrong = verify_log(files, key=b"another key", checkpoint=checkpoint)
    assert [f.problem for f in wrong.findings] == [Problem.REWRITTEN]
    assert "the wrong key" in wrong.findings[0].message
    unkeyed, _ = make_log(engine, tmp_path / "plain", N)
    said = verify_log(unkeyed, key=KEY).findings
    assert [f.problem for f in said] == [Problem.REWRITTEN] and "sha256" in said[0].message


def test_a_reformatted_record_is_not_an_edit(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, N)
    rows = lines(files[0])
    for k in (5, N - 1):
        rows[k] = json.dumps(json.loads(rows[k]), indent=None, ensure_ascii=True).encode()
    save(files[0], rows)
    result = verify_log(files, checkpoint=checkpoint)
    assert result.intact and result.noncanonical == 2, result.text_lines()


def test_unreadable_input_is_located(engine: Engine, tmp_path: Path) -> None:
    files, _ = make_log(engine, tmp_path, 5)
    rows = lines(files[0])
    save(files[0], [*rows[:2], b"{not json", *rows[3:]])
    with pytest.raises(LogUnreadable) as info:
        verify_log(files)
    assert (info.value.line, info.value.path) == (3, str(files[0]))
    save(files[0], [*rows[:2], b'{"chain": {}}', *rows[3:]])
    with pytest.raises(LogUnreadable, match="not a decision-log record"):
        verify_log(files)
    with pytest.raises(LogUnreadable, match="cannot read"):
        verify_log([tmp_path / "missing.jsonl"])
    for k in (2, 4):  # a record's front intact, the rest of the line not JSON: in the middle, at the end
        broken = rows[k][: len(rows[k]) // 2] + b"}"
        save(files[0], [*rows[:k], broken, *rows[k + 1 :]])
        with pytest.raises(LogUnreadable) as info:
            verify_log(files)
        assert (info.value.line, "not JSON" in info.value.message) == (k + 1, True)
    save(files[0], [*rows[:2], b"[" * 100_000 + b"]" * 100_000, *rows[3:]])
    with pytest.raises(LogUnreadable, match="not JSON"):
        verify_log(files)


# -- the command ---------------------------------------------------------------------------
runner = CliRunner()


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["verify-log", *args], env={"COLUMNS": "400", "NO_COLOR": "1", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_the_command_exit_codes_and_formats(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, N, key=KEY)
    (tmp_path / "key").write_bytes(KEY)
    names = [str(f) for f in files]
    code, out = cli(*names, "--checkpoint", str(checkpoint), "--key-file", str(tmp_path / "key"))
    assert code == 0 and out.count("\n") == 1 and out.startswith(f"intact: {N} records (#1–#{N}) in 1 file, ")
    assert f"rules {engine.rules_hash[:15]} ({N})" in out
    code, out = cli(*names, "--key-env", "DL_KEY", "--format", "json", env={"DL_KEY": KEY.decode()})
    doc = json.loads(out)
    assert code == 0 and doc["intact"] and doc["records"] == N and doc["findings"] == []
    edit(7)(files)
    code, out = cli(*names, "--checkpoint", str(checkpoint), "--key-env", "DL_KEY", env={"DL_KEY": KEY.decode()})
    assert code == 1 and out.splitlines()[0].startswith(f"{files[0]}:7: edited: ")
    code, out = cli(*names, "--key-env", "DL_KEY", "-f", "json", env={"DL_KEY": KEY.decode()})
    assert code == 1 and json.loads(out)["findings"][0]["line"] == 7


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["{log}"], "keyed"),
        (["{log}", "--key-env", "DL_NO_SUCH_VARIABLE"], "not set"),
        (["{log}", "--head", "abc"], "not a hash"),
        (["{log}", "--head", "0" * 64, "--checkpoint", "{log}"], "not both"),
        (["{log}", "--checkpoint", "{dir}/missing.json"], "cannot read the checkpoint"),
        (["{dir}/missing.jsonl"], "cannot read"),
        (["{dir}"], "cannot read"),
        (["{bad}"], "bad.jsonl:2: not JSON"),
    ],
)
def test_the_command_refuses_bad_input_with_2(engine: Engine, tmp_path: Path, args: list[str], says: str) -> None:
    files, _ = make_log(engine, tmp_path, 3, key=KEY)
    plain, _ = make_log(engine, tmp_path / "plain", 3)
    (tmp_path / "bad.jsonl").write_bytes(lines(plain[0])[0] + b"\nnot json\n")
    fill = {"log": str(files[0]), "dir": str(tmp_path), "bad": str(tmp_path / "bad.jsonl")}
    code, out = cli(*[a.format(**fill) for a in args])
    assert code == 2 and says in out, out


def test_a_log_opened_again_after_verification_goes_on(engine: Engine, tmp_path: Path) -> None:
    files, checkpoint = make_log(engine, tmp_path, 5)
    with DecisionLog(files[0], checkpoint=checkpoint) as log:
        write_log(engine, log, 5)
    assert verify_log(files, checkpoint=checkpoint).records == 10
