"""The fuzz suite: the bundled centre, mutated, through the library and the command line.

Briefly in the normal test suite (Hypothesis profile ``fuzz-quick``); at length with
``RULESENGINE_FUZZ=long .venv/bin/python -m pytest tests/fuzz -q`` (profile
``fuzz-long``, ``RULESENGINE_FUZZ_EXAMPLES`` examples per test) or with
``sh scripts/fuzz.sh N``, which counts crashes instead of stopping at the first.  A
failing example is written to ``.fuzz-crashes/<test>/`` to reproduce it with the
command line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given, note

from tests.fuzz.harness import fuzz_settings, run_cli, run_library, run_subprocess, save_case
from tests.fuzz.mutator import Case, cases


def _keeping(case: Case, name: str, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except BaseException:
        note(f"reproduce with the files in {save_case(case, name)}")
        raise


@fuzz_settings()
@given(cases())
def test_library_keeps_its_promises_on_a_mutated_centre(case: Case) -> None:
    _keeping(case, "library", lambda: run_library(case))


@fuzz_settings(0.5)
@given(cases(max_mutations=6, text_odds=1))
def test_text_mutations_give_located_diagnostics(case: Case) -> None:
    _keeping(case, "text", lambda: run_library(case))


@fuzz_settings(0.5)
@given(cases())
def test_command_line_exits_0_1_or_2_without_a_traceback(case: Case) -> None:
    with tempfile.TemporaryDirectory(prefix="rulesengine-fuzz-") as tmp:
        _keeping(case, "cli", lambda: run_cli(case, Path(tmp), count=2))


@fuzz_settings(0.05)
@given(cases())
def test_a_real_process_exits_0_1_or_2_without_a_traceback(case: Case) -> None:
    with tempfile.TemporaryDirectory(prefix="rulesengine-fuzz-") as tmp:
        _keeping(case, "process", lambda: run_subprocess(case, Path(tmp), count=1))
