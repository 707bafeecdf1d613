"""Compare two versions of a rules directory: compile both, check both, diff everything.

Each version is compiled and given an :class:`~rulesengine.engine.Engine` (whose
``owners`` are the holders ``check`` explores) and its ``check`` findings, suppressions
honoured.  A version that does not compile is returned as an :class:`InvalidSide` with
its located errors: there is nothing meaningful to compare against broken rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..analysis.index import PermissionIndex
from ..compile.compiler import CompileResult, compile_files, load_rules
from ..diagnostics import Diagnostic
from ..engine import Engine
from .cells import Version, cell_changes
from .gitrev import read_revision
from .model import FindingChange, FindingDiff, InvalidSide, RulesDiff, Side
from .structure import structure_changes, timing_changes

# files that are not rules (a README among the roles) say nothing about the rules, and a
# git revision is read without them: they are not compared
_NOT_COMPARED = frozenset({"RE022"})


def open_version(side: Side, label: str, result: CompileResult, root: str | None = None) -> Version | InvalidSide:
    """Compile result → an engine and ``check`` findings, or the side's located errors."""
    if result.ruleset is None:
        return InvalidSide(side, label, result.stage, tuple(result.diagnostics), root)
    engine = Engine.from_ruleset(result.ruleset, result.suppressions)
    res = engine.check()
    if not res.ok:
        return InvalidSide(side, label, "suppressions", tuple(res.invalid), root)
    findings = [d for d in result.diagnostics if d.code not in _NOT_COMPARED] + list(res.findings)
    return Version(label, result.ruleset, engine, PermissionIndex(result.ruleset), findings)


def _key(f: Diagnostic) -> tuple[str, str | None, str | None, str | None]:
    return (f.code, f.workflow, f.state, f.role)


def finding_changes(old: Iterable[Diagnostic], new: Iterable[Diagnostic]) -> list[FindingDiff]:
    """Findings present in one version only, matched by (code, workflow, state, role).

    Line numbers and message texts move with every edit, so they never decide a match;
    when a key has more findings on one side, the extra ones shown are those whose
    message the other side lacks.
    """
    before: dict[tuple[str, str | None, str | None, str | None], list[Diagnostic]] = {}
    after: dict[tuple[str, str | None, str | None, str | None], list[Diagnostic]] = {}
    for src, dst in ((old, before), (new, after)):
        for f in src:
            dst.setdefault(_key(f), []).append(f)
    out: list[FindingDiff] = []
    for change, mine, theirs in (
        (FindingChange.DISAPPEARED, before, after),
        (FindingChange.APPEARED, after, before),
    ):
        for key, found in mine.items():
            others = theirs.get(key, [])
            extra = len(found) - len(others)
            if extra <= 0:
                continue
            known = {f.message for f in others}
            ranked = sorted(found, key=lambda f: (f.message in known, f.sort_key()))
            out += [FindingDiff(change, f) for f in ranked[:extra]]
    out.sort(key=lambda x: (x.change.value, x.finding.sort_key()))
    return out


def diff_versions(old: Version, new: Version) -> RulesDiff:
    """Everything that changed from ``old`` to ``new``."""
    perms, owners, _ = cell_changes(old, new)
    return RulesDiff(
        old_label=old.label,
        new_label=new.label,
        old_hash=old.ruleset.digest,
        new_hash=new.ruleset.digest,
        permissions=tuple(perms),
        owners=tuple(owners),
        structure=tuple(structure_changes(old.ruleset, new.ruleset)),
        timing=tuple(timing_changes(old.ruleset, new.ruleset)),
        findings=tuple(finding_changes(old.findings, new.findings)),
    )


def diff_results(
    old: CompileResult,
    new: CompileResult,
    labels: tuple[str, str] = ("old", "new"),
    roots: tuple[str | None, str | None] = (None, None),
) -> RulesDiff | list[InvalidSide]:
    """Diff two compile results; the invalid sides instead when either does not compile."""
    a = open_version(Side.OLD, labels[0], old, roots[0])
    b = open_version(Side.NEW, labels[1], new, roots[1])
    bad = [x for x in (a, b) if isinstance(x, InvalidSide)]
    if bad:
        return bad
    assert isinstance(a, Version) and isinstance(b, Version)
    return diff_versions(a, b)


def diff_dirs(old: Path, new: Path) -> RulesDiff | list[InvalidSide]:
    """Diff two rules directories on disk."""
    return diff_results(load_rules(old), load_rules(new), (str(old), str(new)), (str(old), str(new)))


def diff_git(directory: Path, rev: str) -> RulesDiff | list[InvalidSide]:
    """Diff ``directory`` at git revision ``rev`` (old) with its working tree (new).

    Raises :class:`~rulesengine.diff.gitrev.GitError` for usage errors (no repository,
    unknown revision).
    """
    files, _commit = read_revision(directory, rev)
    return diff_results(
        compile_files(files, root=rev),
        load_rules(directory),
        (rev, f"{directory} (working tree)"),
        (None, str(directory)),
    )
