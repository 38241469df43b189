"""Fixtures of the resolve tests (helpers live in tests/resolve/helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.resolve.helpers")

from rspp.model.artifact import Index  # noqa: E402
from tests.conftest import REPO_ROOT  # noqa: E402
from tests.resolve.helpers import clean_index, copy_examples  # noqa: E402


@pytest.fixture(scope="module")
def examples() -> Index:
    """The index of this repository's own examples (read, never written)."""
    return clean_index(REPO_ROOT)


@pytest.fixture
def examples_repo(tmp_path: Path) -> Path:
    """A writable copy of this repository's examples."""
    return copy_examples(tmp_path / "examples")
