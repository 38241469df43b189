"""Repositories with links in them, and what the tests compare."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.check.helpers import Run, rspp
from tests.conftest import RULE_BASE

__all__ = ["OUTSIDE_TEXT", "Run", "consumer_repo", "git_init", "one_error", "outside",
           "own_repo", "rspp", "snapshot"]

OUTSIDE_TEXT = b"belongs to someone else\n"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, link targets ("-> target"), folders ("/")."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "/"
            else:
                out[rel] = path.read_bytes()
    return out


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=60,
                   capture_output=True, stdin=subprocess.DEVNULL)


def consumer_repo(tmp_path: Path) -> Path:
    """A repository that uses rspp: the rule base, git, a project of another name."""
    root = Path(shutil.copytree(RULE_BASE, tmp_path / "consumer"))
    git_init(root)
    (root / "pyproject.toml").write_text('[project]\nname = "acme-voice-pipelines"\n'
                                         'version = "1.0.0"\n', encoding="utf-8")
    return root


def own_repo(tmp_path: Path) -> Path:
    """rspp's own repository in small: its project name and its package's source folder."""
    root = Path(shutil.copytree(RULE_BASE, tmp_path / "rspp"))
    git_init(root)
    (root / "pyproject.toml").write_text('[project]\nname = "rspp"\nversion = "0.1.0"\n',
                                         encoding="utf-8")
    (root / "tools" / "rspp").mkdir(parents=True)
    (root / "tools" / "rspp" / "__init__.py").write_text("", encoding="utf-8")
    return root


def outside(tmp_path: Path) -> Path:
    """A folder beside the repository with one file in it, which no test may change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_bytes(OUTSIDE_TEXT)
    return folder


def one_error(run: Run, code: str, *needles: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr with ``code`` and each needle."""
    assert run.code == 2, (run.out, run.err)
    assert run.err.startswith(f"rspp: error: {code} "), run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err, run.err
    for needle in needles:
        assert needle in run.err, (needle, run.err)
