"""The exit-code contract, checked on real processes: 0, 1, 2, 3, 130 and 141, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MINI, ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX streams and signals")

CLI = str(ROOT / "cli.py")
BROKEN = str(ROOT / "examples" / "broken" / "escalation-into-gap")


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("RULESENGINE_DEBUG", "PYTHONIOENCODING")}
    out.update({"NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    out.update(extra)
    return out


def cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    kw.setdefault("capture_output", True)
    kw.setdefault("env", env())
    return subprocess.run([sys.executable, CLI, *args], text=True, timeout=120, **kw)


def patched(setup: str, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a child whose library was patched by ``setup`` first."""
    code = (
        f"import sys\nsys.argv = ['rulesengine', *{list(args)!r}]\n{setup}\nfrom rulesengine.cli import main\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env(**extra_env), cwd=ROOT
    )


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in (p.stdout or "") + (p.stderr or ""), p.stderr


def test_codes_0_1_2() -> None:
    assert cli("validate", str(MINI)).returncode == 0
    assert cli("check", BROKEN).returncode == 1
    p = cli("validate", "--format", "yaml")
    assert p.returncode == 2 and "Invalid value" in p.stderr
    assert cli("validate", "/nonexistent/rules").returncode == 2
    p = cli()
    assert p.returncode == 2 and "Usage" in p.stdout


CRASH = "import rulesengine.compile.compiler as c\ndef boom(path):\n    raise ZeroDivisionError('division by zero')\nc.load_rules = boom"


def test_internal_error_is_3_with_a_short_message() -> None:
    p = patched(CRASH, "validate", str(MINI))
    assert p.returncode == 3
    no_traceback(p)
    assert p.stderr.splitlines()[0] == "error: internal error: ZeroDivisionError: division by zero"
    assert "report" in p.stderr and "--debug" in p.stderr
    assert p.stdout == ""


@pytest.mark.parametrize("how", ["flag", "env"])
def test_internal_error_traceback_only_when_debugging(how: str) -> None:
    if how == "flag":
        p = patched(CRASH, "--debug", "validate", str(MINI))
    else:
        p = patched(CRASH, "validate", str(MINI), RULESENGINE_DEBUG="1")
    assert p.returncode == 3
    assert "Traceback" in p.stderr and "ZeroDivisionError" in p.stderr and "boom" in p.stderr


def test_unexpected_exit_1_from_a_library_exception_is_never_used() -> None:
    # an exception that a command line library would turn into "exit 1"
    p = patched(
        "import rulesengine.compile.compiler as c\ndef boom(path):\n    raise RuntimeError()\nc.load_rules = boom", "check"
    )
    assert p.returncode == 3
    assert p.stderr.splitlines()[0] == "error: internal error: RuntimeError"


def test_ctrl_c_during_imports_exits_130() -> None:
    # a finder that sends SIGINT to the process while `typer` is being imported
    setup = (
        "import os, signal, importlib.abc\n"
        "class Interrupt(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'typer':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())"
    )
    p = patched(setup, "validate", str(MINI))
    assert p.returncode == 130
    no_traceback(p)
    assert p.stderr.strip() == "interrupted"


def test_ctrl_c_during_work_exits_130_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    setup = (
        "import os, signal, time\n"
        "import rulesengine.rules.run as c\n"
        "real = c.run_check\n"
        "def slow(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "c.run_check = slow"
    )
    out = tmp_path / "report.json"
    p = patched(setup, "check", str(MINI), "--format", "json", "--output", str(out))
    assert p.returncode == 130
    no_traceback(p)
    assert p.stderr.strip() == "interrupted"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay", [0.3, 0.5, 0.8, 1.2])
def test_ctrl_c_at_a_real_moment(delay: float) -> None:
    proc = subprocess.Popen(
        [sys.executable, CLI, "check", str(ROOT), "--format", "html"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    # finished before the signal came: the run was clean and the signal was too late
    assert proc.returncode in (130, 0), err
    assert "Traceback" not in err
    if proc.returncode == 130:
        assert err.strip().endswith("interrupted")


def test_closed_stdout_is_exit_2_with_a_message() -> None:
    p = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" "{CLI}" rules >&-'], capture_output=True, text=True, env=env(), timeout=60
    )
    assert p.returncode == 2
    no_traceback(p)
    assert p.stderr.strip() == "error: cannot write to standard output: standard output is closed"


def test_closed_stdout_with_an_output_file_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    p = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" "{CLI}" check "{MINI}" -f json -o "{out}" >&-'],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert p.returncode == 1, p.stderr
    assert out.read_text().startswith("{")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["rules"], ["check", BROKEN], ["validate", str(MINI), "-f", "json"], ["rules", "RE201"]]
)
def test_stdout_on_a_full_device_is_exit_2_with_a_message(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        p = cli(*args, stdout=full, capture_output=False, stderr=subprocess.PIPE)
    assert p.returncode == 2
    no_traceback(p)
    assert p.stderr.strip().splitlines()[-1] == "error: cannot write to standard output: No space left on device"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_file_on_a_full_device_is_exit_2() -> None:
    p = cli("check", BROKEN, "-f", "json", "-o", "/dev/full")
    assert p.returncode == 2
    no_traceback(p)
    assert "cannot write `/dev/full`" in p.stderr + p.stdout


@pytest.mark.parametrize(
    "args", [["rules"], ["rules", "RE201"], ["check", str(ROOT), "-f", "json"], ["validate", str(MINI)]]
)
def test_closed_pipe_is_quiet_141(args: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), text=True
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader is gone before the first write
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141
    assert err == ""


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["rules", "RE201"], 0),
        (["check", BROKEN], 1),
        (["matrix", str(ROOT), "--lang", "zh"], 0),
        (["validate", str(ROOT / "examples" / "broken" / "loader" / "duplicate-key")], 2),
        (["explain", str(ROOT), "-w", "complaint", "-s", "received", "--set", "channel=phone"], 0),
    ],
)
def test_terminal_that_cannot_encode(encoding: str, args: list[str], code: int) -> None:
    p = subprocess.run(
        [sys.executable, CLI, *args],
        capture_output=True,
        env=env(PYTHONIOENCODING=encoding),
        timeout=120,
    )
    assert p.returncode == code, p.stderr
    out, err = p.stdout.decode(encoding), p.stderr.decode(encoding)
    assert "Traceback" not in out + err
    if args[0] != "validate":  # what the terminal cannot show is escaped, not dropped
        assert "\\u" in out or "\\x" in out
