"""Fixtures for the read-policy tests: a repository copy, a folder outside it, and runs of
the real console script (optionally without the capabilities that let root read anything)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, RULE_BASE

RSPP = str(Path(sys.executable).parent / "rspp")
SETPRIV = shutil.which("setpriv")
STRACE = shutil.which("strace")
# root reads files whatever their mode bits; without these capabilities it cannot
DROP_READ_CAPS = ["--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search"]


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    out: str
    err: str


def rspp(*args: str | Path, cwd: Path | None = None, unprivileged: bool = False,
         trace: Path | None = None) -> Run:
    """Run the console script; ``unprivileged``: as a user the mode bits apply to (root
    without its read-anything capabilities); ``trace``: record every file system call."""
    cmd = [RSPP, *map(str, args)]
    if unprivileged and os.geteuid() == 0:
        assert SETPRIV is not None
        cmd = [SETPRIV, *DROP_READ_CAPS, *cmd]
    if trace is not None:
        assert STRACE is not None
        cmd = [STRACE, "-f", "-qq", "-e", "trace=%file,%desc", "-o", str(trace), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def touched(trace: Path, folder: Path) -> list[str]:
    """The lines of a system call trace that name ``folder`` or a path under it."""
    needle = f'"{folder}'
    return [line for line in trace.read_text(encoding="utf-8", errors="replace").splitlines()
            if needle in line]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the repository holding a valid artifact and a fixture file."""
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copyfile(RULE_BASE / "pipelines/profiles/base.yaml", folder / "base.yaml")
    (folder / "turn.jsonl").write_text('{"turn": 1}\n', encoding="utf-8")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A clean copy of the rule base with a .git folder (so it is found from inside)."""
    root = Path(shutil.copytree(RULE_BASE, tmp_path / "repo"))
    (root / ".git").mkdir()
    return root


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of the repository's example artifacts (they include bundles to plan)."""
    root = tmp_path / "examples"
    for name in ("pipelines", "compat", "rollouts"):
        shutil.copytree(REPO_ROOT / name, root / name)
    shutil.copyfile(REPO_ROOT / "rspp.lock", root / "rspp.lock")
    (root / ".git").mkdir()
    return root


needs_setpriv = pytest.mark.skipif(
    os.geteuid() == 0 and SETPRIV is None,
    reason="running as root without setpriv: root reads files whatever their mode bits")
needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed")
