"""The fixtures every test folder shares, and the discipline of the ``slow`` marker.

Helpers (plain functions) live in ``tests.helpers``; this file holds only fixtures and hooks.

A test that starts a process (rspp's console script, git, pre-commit, check-jsonschema, a
wheel build; also through rspp's own git calls) or is a hypothesis property test must be
marked ``slow``: the fast lane (``pytest -m "not slow"``) is for the edit loop. The hooks of
``tests/helpers/slow.py``, installed here, fail a test that breaks the rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

# The helpers assert; rewritten, their failures show the values compared.
pytest.register_assert_rewrite("tests.helpers")

from rspp.load.api import Limits, LoadResult, load_file  # noqa: E402
from rspp.model.artifact import Index  # noqa: E402
from tests.helpers import REPO_ROOT, RULE_BASE  # noqa: E402
from tests.helpers.files import LoadText, WriteFile  # noqa: E402
from tests.helpers.repos import (  # noqa: E402
    copy_examples,
    copy_rule_base,
    example_repo,
    mark_checkout,
)
from tests.helpers.resolve import clean_index  # noqa: E402

# --- the slow marker --------------------------------------------------------------------------
# pytest finds hooks by name in this module, so importing them installs them. pytester runs
# them on tests written for the purpose (tests/test_slow_marker.py).
from tests.helpers.slow import (  # noqa: E402, F401
    pytest_runtest_call,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)

pytest_plugins = ("pytester",)


# --- repositories ---------------------------------------------------------------------------

@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    """The small rule base: no lock, no derived pages, pins without digests."""
    return copy_rule_base(tmp_path / "repo")


@pytest.fixture
def base_checkout(tmp_path: Path) -> Path:
    """The rule base with a ``.git`` folder, so rspp finds it from inside (git never runs)."""
    return mark_checkout(copy_rule_base(tmp_path / "repo"))


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of this repository's artifacts, lock and derived pages (no git)."""
    return copy_examples(tmp_path / "examples")


@pytest.fixture
def example_git_repo(tmp_path: Path) -> Path:
    """The example artifacts in git: `main` (tagged v1) and `feature` checked out on it."""
    return example_repo(tmp_path / "repo")


@pytest.fixture(scope="module")
def example_index() -> Index:
    """The index of this repository's own examples (read, never written)."""
    return clean_index(REPO_ROOT)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the repository holding a valid artifact and a fixture file."""
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copyfile(RULE_BASE / "pipelines/profiles/base.yaml", folder / "base.yaml")
    (folder / "turn.jsonl").write_text('{"turn": 1}\n', encoding="utf-8")
    return folder


# --- single files (the loader tests) --------------------------------------------------------

@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    """An empty folder standing for a repository root."""
    root = tmp_path / "repo"
    root.mkdir()
    return root


@pytest.fixture
def write_file(empty_repo: Path) -> WriteFile:
    """Write text or bytes to ``empty_repo/NAME``; the path written."""

    def _write(name: str, content: str | bytes) -> Path:
        path = empty_repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def load_text(empty_repo: Path, write_file: WriteFile) -> LoadText:
    """Write ``content`` to ``empty_repo/name`` and load it with ``load_file``."""

    def _load(name: str, content: str | bytes, limits: Limits | None = None) -> LoadResult:
        return load_file(write_file(name, content), empty_repo, limits=limits or Limits())

    return _load
