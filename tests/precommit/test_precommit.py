"""Real pre-commit runs: the hook blocks a commit that breaks an artifact, with its location."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_rule_base

# Real pre-commit, git and check-jsonschema runs.
pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PRE_COMMIT = str(BIN / "pre-commit")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp / "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_hook_manifest_and_config_are_valid() -> None:
    for cmd in (["validate-manifest", ".pre-commit-hooks.yaml"],
                ["validate-config", ".pre-commit-config.yaml"]):
        proc = subprocess.run([PRE_COMMIT, *cmd], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_commit_with_broken_artifact_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = copy_rule_base(tmp_path / "repo")
    config = (REPO_ROOT / ".pre-commit-config.yaml").read_text()
    (repo / ".pre-commit-config.yaml").write_text(config)
    _git(repo, env, "init", "-q", "-b", "main")
    _git(repo, env, "add", "-A")
    assert _git(repo, env, "commit", "-qm", "base").returncode == 0
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True,
                             text=True, timeout=120)
    assert install.returncode == 0, install.stderr

    spec = repo / "pipelines/specs/agent.yaml"
    spec.write_text(spec.read_text().replace("{from: llm.text, to: tts.text}",
                                             "{from: llm.text, to: tts.text, lane: control}"))
    _git(repo, env, "add", "-A")
    refused = _git(repo, env, "commit", "-m", "route text on the control lane")
    assert refused.returncode != 0
    out = refused.stdout + refused.stderr
    assert "pipelines/specs/agent.yaml:44:44 LANE002 error: text/plain traffic may not ride " \
           "the control lane (allowed: data)" in out
    assert _git(repo, env, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    spec.write_text(spec.read_text().replace(", lane: control}", ", lane: data}"))
    _git(repo, env, "add", "-A")
    accepted = _git(repo, env, "commit", "-m", "text rides the data lane")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert _git(repo, env, "rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_workflows_match_the_github_workflow_schema() -> None:
    workflows = sorted(str(p) for p in (REPO_ROOT / ".github" / "workflows").glob("*.yaml"))
    assert workflows
    proc = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", *workflows],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
