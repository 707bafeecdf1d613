"""The multi-site benchmark shape: sharing runs changes no result there either.

The generated rulesets of ``test_analysis`` are small; this is the shape sharing was
built for — thousands of classes, desks shared by every site, timers per site.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rulesengine.compile.compiler import load_rules
from tests.conftest import ROOT
from tests.test_analysis import assert_sharing_changes_nothing

sys.path.insert(0, str(ROOT / "benchmarks"))

from synth_sites import make_sites


def test_sharing_on_two_sites(tmp_path: Path) -> None:
    make_sites(tmp_path, 2)
    result = load_rules(tmp_path)
    assert result.ok
    assert_sharing_changes_nothing(result.ruleset)
