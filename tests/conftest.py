"""Shared test helpers."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
RULE_BASE = REPO_ROOT / "tests" / "rules" / "base"


def build_case_repo(case: Path, target: Path) -> Path:
    """The base repository with a case's files laid over it.

    A case folder mirrors the repository layout; ``expected.txt`` lists the findings and
    ``delete.txt`` (optional) lists base files to remove.
    """
    shutil.copytree(RULE_BASE, target)
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_dir() or rel.as_posix() in ("expected.txt", "delete.txt"):
            continue
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    deletions = case / "delete.txt"
    if deletions.is_file():
        for line in deletions.read_text(encoding="utf-8").split():
            (target / line).unlink()
    return target


def load_generator() -> ModuleType:
    """benchmarks/generate.py as a module (it is a script, not part of the package)."""
    name = "rspp_benchmarks_generate"
    if name in sys.modules:
        return sys.modules[name]
    path = REPO_ROOT / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(RULE_BASE, tmp_path / "repo"))
