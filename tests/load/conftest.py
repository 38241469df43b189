"""Fixtures for the loader tests: a fake repository root in tmp_path and a writer/loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rspp.load.api import Limits, LoadResult, load_file

LoadText = Callable[..., LoadResult]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def write(repo: Path) -> Callable[[str, str | bytes], Path]:
    def _write(name: str, content: str | bytes) -> Path:
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def load_text(repo: Path, write: Callable[[str, str | bytes], Path]) -> LoadText:
    """Write ``content`` to ``repo/name`` and load it with ``load_file``."""

    def _load(name: str, content: str | bytes, limits: Limits | None = None) -> LoadResult:
        return load_file(write(name, content), repo, limits=limits or Limits())

    return _load
