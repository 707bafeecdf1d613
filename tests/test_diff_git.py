"""``rulesengine diff --git``: a rules directory in a repository against its revisions, and the README's example."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MINI
from tests.test_diff import _readme_section, centre, copy, edit, run


# -- git revisions ---------------------------------------------------------------------------------
def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose rules live in `rules/`: a first commit, a second that narrows a limit."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    copy(MINI, top / "rules")
    (top / "README.md").write_text("not rules\n")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "first")
    edit(top / "rules" / "roles" / "agent.yaml", "amount: 200", "amount: 100")
    git(top, "commit", "-q", "-am", "narrow the agent's limit")
    return top


def test_git_compares_the_working_tree_with_a_revision(repo: Path) -> None:
    rules = repo / "rules"
    code, out = run(str(rules), "--git", "HEAD")
    assert code == 0 and "no changes" in out
    edit(rules / "workflows" / "service.yaml", "resolution: {target: 1wd,", "resolution: {target: 2wd,")
    code, out = run(str(rules), "--git", "HEAD", "-f", "json")
    doc = json.loads(out)
    assert code == 0 and doc["old"]["label"] == "HEAD" and doc["new"]["label"] == f"{rules} (working tree)"
    assert [t["detail"] for t in doc["timing"]] == ["target: 1wd on office → 2wd on office"]
    assert doc["permissions"] == []
    code, out = run(str(rules), "--git", "HEAD~1", "-f", "json")
    doc = json.loads(out)
    assert [(p["role"], p["change"]) for p in doc["permissions"]] == [("agent", "lost")]
    assert len(doc["timing"]) == 1


def test_git_from_inside_the_rules_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "rules")
    code, out = run("--git", "HEAD~1")
    assert code == 0 and "agent lost handle at service: new, working" in out


def test_git_usage_errors_are_exit_2(repo: Path, tmp_path: Path) -> None:
    code, out = run(str(repo / "rules"), "--git", "no-such-branch")
    assert code == 2 and "unknown revision `no-such-branch`" in out
    code, out = run(str(repo / "rules"), "--git", "--upload-pack=x")
    assert code == 2 and "unknown revision" in out
    outside = copy(MINI, tmp_path / "loose")
    code, out = run(str(outside), "--git", "HEAD")
    assert code == 2 and "is not inside a git work tree" in out
    (repo / "later").mkdir()
    copy(MINI, repo / "later" / "rules")
    code, out = run(str(repo / "later" / "rules"), "--git", "HEAD")
    assert code == 2 and "`later/rules` does not exist at `HEAD`" in out


def test_git_an_invalid_revision_says_it_is_the_old_side(repo: Path) -> None:
    rules = repo / "rules"
    edit(rules / "roles" / "agent.yaml", "reports_to: lead", "reports_to: leed")
    git(repo, "commit", "-q", "-am", "a typo")
    edit(rules / "roles" / "agent.yaml", "reports_to: leed", "reports_to: lead")
    code, out = run(str(rules), "--git", "HEAD")
    assert code == 2
    assert "the old rules (HEAD) are invalid" in out and "roles/agent.yaml:3:13: error[RE040]" in out


def apply_patch(root: Path, patch: str) -> None:
    """Apply a unified diff with exact context (all the README's example needs)."""
    path: Path | None = None
    hunks: list[list[str]] = []

    def flush() -> None:
        assert path is not None
        for h in hunks:
            old = "".join(line[1:] + "\n" for line in h if line[0] in " -")
            new = "".join(line[1:] + "\n" for line in h if line[0] in " +")
            edit(path, old, new)
        hunks.clear()

    for line in patch.splitlines():
        if line.startswith("--- "):
            if path is not None:
                flush()
        elif line.startswith("+++ "):
            path = root / line[len("+++ b/") :]
        elif line.startswith("@@"):
            hunks.append([])
        else:
            hunks[-1].append(line)
    flush()


def test_the_readme_example_is_real_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regenerate the README's output block with the command it shows if this fails."""
    section = _readme_section()
    patch = section.split("```diff\n", 1)[1].split("```", 1)[0]
    shown = section.split("$ rulesengine diff --git HEAD\n", 1)[1].split("```", 1)[0]
    top = centre(tmp_path, "centre")
    git(top, "init", "-q")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "the bundled centre")
    apply_patch(top, patch)
    monkeypatch.chdir(top)
    code, out = run("--git", "HEAD")
    assert code == 1
    assert out == shown
