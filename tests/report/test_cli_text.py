"""Text the commands print for people (not reports) escapes hidden characters too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rspp.cli.main import main
from tests.helpers.repos import copy_rule_base

HOSTILE = "agent\x1b[2J\u202e\n::error file=README.md::x.yaml"


def test_digest_and_status_lines_escape_file_names(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_rule_base(tmp_path / "repo")
    spec = repo / "pipelines" / "specs" / HOSTILE
    shutil.copyfile(repo / "pipelines" / "specs" / "agent.yaml", spec)
    capsys.readouterr()
    assert main(["digest", "--root", str(repo), str(spec)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # one line per file: the name cannot add one
    assert "\x1b" not in out and "\u202e" not in out
    assert "agent\\x1b[2J\\u202e\\n::error file=README.md::x.yaml" in out


def test_fmt_lines_escape_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_rule_base(tmp_path / "repo")
    spec = repo / "pipelines" / "specs" / HOSTILE
    spec.write_text((repo / "pipelines/specs/agent.yaml").read_text(encoding="utf-8")
                    .replace("kind: PipelineSpec", "kind:   PipelineSpec", 1), encoding="utf-8")
    capsys.readouterr()
    assert main(["fmt", "--check", "--root", str(repo)]) == 1
    out = capsys.readouterr().out
    assert not any(line.startswith("::") for line in out.splitlines()), out
    assert "\x1b" not in out and "\u202e" not in out


def test_usage_errors_escape_what_the_command_line_held(
        capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["validate", "--x\x1b[2J\u202e"]) == 2
    err = capsys.readouterr().err
    # click may strip the ANSI sequence itself (its echo does off a terminal); what is left
    # is escaped, never raw
    assert "No such option" in err and "\\u202e" in err
    assert "\x1b" not in err and "\u202e" not in err
