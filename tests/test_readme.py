"""The README's embedding example runs, and prints what the README says it prints."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

from rulesengine import Reason

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else None]


def test_the_embedding_example_runs_and_its_output_is_current() -> None:
    section = _section("## Embedding")
    blocks = re.findall(r"```(python|text)\n(.*?)```", section, re.S)
    code = [b for kind, b in blocks if kind == "python"]
    shown = next(b for kind, b in blocks if kind == "text")
    namespace: dict[str, object] = {}
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            for block in code:
                exec(compile(block, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert out.getvalue() == shown


def test_the_reason_table_lists_every_reason_as_documented() -> None:
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (.+) \|$", _section("## Embedding"), re.M))
    assert rows == {r.value: r.description for r in Reason}


def test_the_scenario_example_is_the_shipped_one() -> None:
    import yaml

    block = re.search(r"```yaml\n# scenarios/refund_limits.yaml\n(.*?)```", README, re.S)
    assert block is not None
    (shown,) = yaml.safe_load(block.group(1))["scenarios"]
    shipped = yaml.safe_load((ROOT / "scenarios" / "refund_limits.yaml").read_text(encoding="utf-8"))
    assert shown in shipped["scenarios"]
