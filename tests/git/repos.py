"""Build real git repositories for the gitio tests: no network, no user configuration."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Identity and signing are passed on every call, so the user's configuration cannot change
# what the tests build (gitio itself still reads it).
_CONFIG = ("-c", "user.name=rspp tests", "-c", "user.email=tests@rspp.invalid",
           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
           "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1")
    return env


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; its stdout without the trailing newline. Fails the test on error."""
    proc = subprocess.run(["git", *_CONFIG, *args], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.rstrip("\n")


def init(path: Path, *, bare: bool = False) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))
    return path


def commit(repo: Path, files: Mapping[str, str | bytes], message: str = "change") -> str:
    """Write ``files`` (path -> content), commit everything, return the new commit id."""
    for rel, content in files.items():
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
