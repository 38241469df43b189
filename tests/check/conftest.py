"""Fixtures of the check tests; the helpers they use live in tests/check/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.helpers import copy_examples, copy_rule_base, example_repo


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of this repository's artifacts, lock and derived pages (no git)."""
    return copy_examples(tmp_path / "examples")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example artifacts in git: `main` (tagged v1) and `feature` checked out on it."""
    return example_repo(tmp_path / "repo")


@pytest.fixture
def rule_base(tmp_path: Path) -> Path:
    """The small rule base: no lock, no derived pages, pins without digests."""
    return copy_rule_base(tmp_path / "base")
