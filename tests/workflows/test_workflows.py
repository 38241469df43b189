"""The pull-request workflow: lint-clean on a supported runtime, and the right base on a push."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.helpers.cli import check_json, rspp
from tests.helpers.files import edit
from tests.helpers.git import commit, git
from tests.helpers.repos import CONTRACT, example_repo, lock_entries, write_lock

BIN = Path(sys.executable).parent
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pr-gate.yaml"
ZEROS = "0" * 40


def _steps() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {step.get("id") or step.get("name", ""): step for step in doc["jobs"]["gate"]["steps"]}


def _base_ref(repo: Path, tmp_path: Path, **event: str) -> str:
    """Run the workflow's own "Base of the change" script for ``event``; the ref it chose."""
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, **event, "GITHUB_OUTPUT": str(output)}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", _steps()["base"]["run"]], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("ref="), lines
    return lines[0].removeprefix("ref=")


@pytest.mark.slow
def test_workflows_pass_actionlint() -> None:
    """actionlint knows the runtimes of the actions: a deprecated one (node20) fails here."""
    workflows = sorted(str(p) for p in WORKFLOW.parent.glob("*.y*ml"))
    proc = subprocess.run([str(BIN / "actionlint"), "-no-color", *workflows], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_actionlint_fails_on_a_deprecated_runtime(tmp_path: Path) -> None:
    """The lint really runs: the node20 checkout this workflow used to pin is refused."""
    old = tmp_path / "old.yaml"
    old.write_text(WORKFLOW.read_text(encoding="utf-8").replace("actions/checkout@v5",
                                                                 "actions/checkout@v4"),
                   encoding="utf-8")
    proc = subprocess.run([str(BIN / "actionlint"), "-no-color", str(old)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "node20" in proc.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example artifacts in git: `main` (tagged v1) and `feature` checked out on it."""
    return example_repo(tmp_path / "repo")


@pytest.mark.slow
def test_push_to_main_is_checked_against_the_commit_before_the_push(
        capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path) -> None:
    """An in-place edit of a published version, with its lock entry rewritten, fails on push."""
    before = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, CONTRACT, "description: Platform-wide", "description: Company-wide")
    entries = lock_entries(repo)
    key = "CompatibilityContract/version_skew_policy@1.1.0"
    entries[key] = rspp(capsys, "digest", str(repo / CONTRACT)).out.split()[0]
    write_lock(repo, entries)
    commit(repo, message="rewrite a published version and its lock entry")

    base = _base_ref(repo, tmp_path, EVENT="push", PUSH_BEFORE=before, PR_BASE="")
    assert base == before
    code, findings = check_json(capsys, repo, "--against", base)
    assert code == 1 and "IMM001" in {f["code"] for f in findings}


@pytest.mark.slow
def test_base_of_a_pull_request_and_of_a_first_push(repo: Path, tmp_path: Path) -> None:
    assert _base_ref(repo, tmp_path, EVENT="pull_request", PR_BASE="main",
                     PUSH_BEFORE="") == "origin/main"
    first = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, CONTRACT, "description: Platform-wide", "description: Company-wide")
    commit(repo, message="second commit")
    # A new branch's first push has no "before": its parent commit is the base.
    assert _base_ref(repo, tmp_path, EVENT="push", PUSH_BEFORE=ZEROS, PR_BASE="") == first


def test_sarif_upload_is_skipped_for_forks() -> None:
    """A fork's token cannot upload SARIF; the step must not run (and fail the gate) there."""
    condition = _steps()["Upload SARIF"]["if"]
    assert "head.repo.full_name == github.repository" in condition
