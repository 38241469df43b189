"""A run that finds no repository, or no artifact file, has checked nothing: it fails with
one line and exit 2 (REPO001, REPO002), in every command that would otherwise be green."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.cli import rspp_process

# Every test runs the console script.
pytestmark = pytest.mark.slow

# every command that validates the repository first
COMMANDS = [["validate"], ["check"], ["lock"], ["lock", "--check"], ["status"], ["build"]]


@pytest.fixture
def nowhere(tmp_path: Path) -> Path:
    """A folder with no repository at or above it."""
    folder = tmp_path / "nowhere"
    folder.mkdir()
    here = folder
    while here != here.parent:  # the test is meaningless if one exists above
        if (here / ".git").exists() or (here / "pipelines").is_dir():
            pytest.skip(f"{here} holds a repository")
        here = here.parent
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_repository_is_a_usage_error(nowhere: Path, command: list[str]) -> None:
    run = rspp_process(*command, cwd=nowhere)
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"rspp: error: REPO001 no repository found at or above {nowhere}: no "
                       "folder there holds .git or pipelines/ (run rspp inside a repository, "
                       "or pass --root)\n")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_repository_without_artifacts_is_a_usage_error(tmp_path: Path,
                                                         command: list[str]) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pipelines").mkdir()
    (repo / "pipelines" / "README.md").write_text("# artifacts go here\n", encoding="utf-8")
    run = rspp_process(*command, cwd=repo)
    assert (run.code, run.out) == (2, "")
    assert run.err == (f"rspp: error: REPO002 no artifact files in {repo}: pipelines/, compat/ "
                       "and rollouts/ hold no .yaml, .yml or .json file (point --root at the "
                       "repository that holds the artifacts)\n")


def test_a_root_that_is_not_a_repository(nowhere: Path) -> None:
    run = rspp_process("validate", "--root", nowhere)
    assert run.code == 2 and run.err.startswith("rspp: error: REPO002 no artifact files in ")


def test_a_missing_root(tmp_path: Path) -> None:
    run = rspp_process("validate", "--root", tmp_path / "gone")
    assert run.code == 2 and run.err.startswith("rspp: error: ")
    assert "internal error" not in run.err


def test_a_named_folder_without_artifacts(base_checkout: Path) -> None:
    (base_checkout / "pipelines" / "drafts").mkdir()
    run = rspp_process("validate", "pipelines/drafts", cwd=base_checkout)
    assert (run.code, run.out) == (2, "")
    assert run.err == ("rspp: error: REPO002 no artifact files in pipelines/drafts (artifact "
                       "files end in .yaml, .yml or .json)\n")


def test_a_repository_with_artifacts_still_validates(base_checkout: Path) -> None:
    # found from a subfolder
    run = rspp_process("validate", cwd=base_checkout / "pipelines" / "specs")
    assert run.code == 0, run.out + run.err
    assert run.out.endswith(" files checked: no findings\n")


def test_artifacts_in_one_managed_folder_are_enough(base_checkout: Path) -> None:
    shutil.rmtree(base_checkout / "pipelines")
    shutil.rmtree(base_checkout / "rollouts")
    run = rspp_process("validate", cwd=base_checkout)
    assert run.code == 0, run.out + run.err
    assert run.out == "1 file checked: no findings\n"
