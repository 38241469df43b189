"""fmt never skips silently: what discovery cannot walk is reported and fails the run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rspp.cli.main import main
from tests.helpers.repos import copy_rule_base


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_rule_base(tmp_path / "repo")


def _fmt(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["fmt", "--check", "--root", str(repo), *args])
    return code, capsys.readouterr().out


def test_a_folder_named_like_an_artifact_is_reported(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pipelines" / "specs" / "x.yaml").mkdir()
    code, out = _fmt(capsys, repo)
    assert code == 1
    assert "pipelines/specs/x.yaml:1:1 FILE003" in out and "1 file not formatted" in out


def test_a_linked_folder_out_of_the_repository_is_reported(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    away = tmp_path / "away"
    away.mkdir()
    shutil.copyfile(repo / "pipelines" / "specs" / "agent.yaml", away / "agent.yaml")
    (repo / "pipelines" / "more").symlink_to(away, target_is_directory=True)
    code, out = _fmt(capsys, repo)
    assert code == 1 and "pipelines/more:1:1 FILE002" in out


def test_a_clean_repository_stays_quiet(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _fmt(capsys, repo)
    assert code == 0 and "not formatted" not in out
