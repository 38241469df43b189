"""Real git repositories for the tests: no network, no user or system configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Identity and signing are passed on every call, so the user's configuration cannot change
# what the tests build (rspp's own git calls still read it: see ``init``).
_IDENTITY = (("user.name", "rspp tests"), ("user.email", "tests@rspp.invalid"),
             ("commit.gpgsign", "false"), ("tag.gpgsign", "false"))
_CONFIG = (*(arg for key, value in _IDENTITY for arg in ("-c", f"{key}={value}")),
           "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false")


def git_env() -> dict[str, str]:
    """The environment without ``GIT_*`` variables, with prompts and system config off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    return env


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; its stdout without the trailing newline. Fails the test on error."""
    proc = subprocess.run(["git", *_CONFIG, *args], cwd=cwd, env=git_env(), capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.rstrip("\n")


def init(path: Path, *, bare: bool = False) -> Path:
    """A repository on branch ``main`` whose own configuration holds the test identity with
    signing off (for the git that rspp and other tools run in it)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))
    for key, value in _IDENTITY:
        git(path, "config", key, value)
    return path


def commit(repo: Path, files: Mapping[str, str | bytes] | None = None,
           message: str = "change") -> str:
    """Write ``files`` (path -> content), commit every change of the work tree, return the
    new commit id."""
    for rel, content in (files or {}).items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def clone(source: Path | str, target: Path, *extra: str) -> Path:
    git(target.parent, "clone", "-q", *extra, str(source), str(target))
    return target
