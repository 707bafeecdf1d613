"""Files that are not regular files where rules are expected: reported as what they are."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rulesengine.compile.compiler import load_rules
from tests.conftest import MINI, ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX special files")


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "r")
    return tmp_path / "r"


def problems(path: Path) -> list[tuple[str, str, str]]:
    result = load_rules(path)
    return [(x.name, x.location.file if x.location else "", x.message) for x in result.diagnostics]


def test_ticket_yaml_that_is_a_directory_is_named_as_such(rules: Path) -> None:
    (rules / "ticket.yaml").unlink()
    (rules / "ticket.yaml").mkdir()
    result = load_rules(rules)
    assert not result.ok and result.stage == "load"
    assert problems(rules) == [
        ("not-a-regular-file", "ticket.yaml", "`ticket.yaml` is a directory, not a YAML file"),
    ]


def test_dangling_ticket_link_says_so_instead_of_unknown_attributes(rules: Path) -> None:
    (rules / "ticket.yaml").unlink()
    (rules / "ticket.yaml").symlink_to("../shared/ticket.yaml")
    assert problems(rules) == [
        (
            "not-a-regular-file",
            "ticket.yaml",
            "`ticket.yaml` is a symbolic link to `../shared/ticket.yaml`, which does not exist",
        )
    ]


def test_looping_link(rules: Path) -> None:
    (rules / "roles" / "a.yaml").symlink_to("b.yaml")
    (rules / "roles" / "b.yaml").symlink_to("a.yaml")
    got = problems(rules)
    assert [(n, f) for n, f, _ in got] == [
        ("not-a-regular-file", "roles/a.yaml"),
        ("not-a-regular-file", "roles/b.yaml"),
    ]
    assert all("loops back on itself" in m for _, _, m in got)


def test_link_to_a_regular_file_is_followed(rules: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared.yaml"
    shutil.move(rules / "ticket.yaml", shared)
    (rules / "ticket.yaml").symlink_to(shared)
    result = load_rules(rules)
    assert result.ok and "amount" in result.ruleset.attributes


def test_fifo_is_reported_and_never_read(rules: Path) -> None:
    os.mkfifo(rules / "roles" / "pipe.yaml")
    os.mkfifo(rules / "workflows" / "notes")
    # in a child process, so that a read that blocked would fail the test rather than hang it
    code = (
        "import sys; from rulesengine.compile.compiler import load_rules; "
        "[print(x.name, x.location.file, x.message, sep='|') for x in load_rules(sys.argv[1]).diagnostics]"
    )
    p = subprocess.run([sys.executable, "-c", code, str(rules)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "not-a-regular-file|roles/pipe.yaml|`roles/pipe.yaml` is a named pipe (FIFO), not a YAML file",
        "stray-file|workflows/notes|`workflows/notes` is a named pipe (FIFO), not a YAML file, and is ignored",
    ]


def test_directory_named_like_a_rule_file(rules: Path) -> None:
    (rules / "roles" / "old.yaml").mkdir()
    assert problems(rules) == [
        ("not-a-regular-file", "roles/old.yaml", "`roles/old.yaml` is a directory, not a YAML file")
    ]


def test_roles_that_is_a_file(rules: Path) -> None:
    shutil.rmtree(rules / "roles")
    (rules / "roles").write_text("id: agent\n")
    got = problems(rules)
    assert ("not-a-regular-file", "roles", "`roles` is a file, not a directory") in got


def test_character_device_linked_as_a_rule_file(rules: Path) -> None:
    (rules / "roles" / "zero.yaml").symlink_to("/dev/zero")
    assert problems(rules) == [
        (
            "not-a-regular-file",
            "roles/zero.yaml",
            "`roles/zero.yaml` is a symbolic link to `/dev/zero`, a character device, not a YAML file",
        )
    ]


def test_hidden_entries_are_still_skipped(rules: Path) -> None:
    (rules / "roles" / ".draft.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(rules / "roles" / ".pipe")
    assert load_rules(rules).ok


def test_load_file_refuses_a_pipe(tmp_path: Path) -> None:
    from rulesengine.source.loader import load_file

    os.mkfifo(tmp_path / "p.yaml")
    r = load_file(tmp_path / "p.yaml", tmp_path)
    assert [(x.name, x.message) for x in r.diagnostics] == [("not-a-regular-file", "`p.yaml` is not a regular file")]


def test_unreadable_folder_is_an_error(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_walk = os.walk

    def walk(top, onerror=None, **kw):  # type: ignore[no-untyped-def]
        if Path(top).name == "workflows":  # as if `chmod 000 workflows`, which root ignores
            onerror(PermissionError(13, "Permission denied", str(top)))
            return iter(())
        return real_walk(top, onerror=onerror, **kw)

    monkeypatch.setattr(os, "walk", walk)
    got = problems(rules)
    assert ("unreadable-file", "workflows", "cannot read directory `workflows`: Permission denied") in got
