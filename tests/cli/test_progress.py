"""Progress on a terminal only, and ``--quiet``: a real ``rspp validate`` process with its
standard error on a pseudo-terminal or a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rspp.cli.progress import wanted
from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_examples

pytestmark = pytest.mark.slow  # processes


def _run(root: Path, *args: str, terminal: bool, ci: str | None = None) -> tuple[int, str, str]:
    """(exit, stdout, stderr) of ``rspp validate ARGS`` on ``root``; stderr on a
    pseudo-terminal when ``terminal``; ``CI`` set to ``ci`` (unset when None)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(REPO_ROOT / "tools")
    env["TERM"] = "xterm-256color"  # a terminal that can draw (rich draws nothing on "dumb")
    if ci is not None:
        env["CI"] = ci
    cmd = [sys.executable, "-m", "rspp", "validate", "--root", str(root), *args]
    if not terminal:
        done = subprocess.run(cmd, capture_output=True, env=env, timeout=300, check=False)
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    leader, follower = os.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=follower, env=env,
                            stdin=subprocess.DEVNULL)
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    out = proc.communicate(timeout=300)[0]
    return proc.returncode, out.decode(), err.decode(errors="replace")


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("progress") / "repo")


def test_a_terminal_shows_progress_and_the_output_stays_the_same(examples: Path) -> None:
    code, out, err = _run(examples, "--no-cache", terminal=True)
    assert code == 0
    assert "files" in err and "rules" in err  # the two stages, drawn on standard error
    piped = _run(examples, "--no-cache", terminal=False)
    assert piped == (0, out, "")  # a pipe: no progress, the same output


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_never_shows_progress(examples: Path, ci: str) -> None:
    assert _run(examples, terminal=True, ci=ci)[2] == ""


@pytest.mark.parametrize("args", [("--quiet",), ("-q",), ("--format", "json"),
                                  ("--format", "sarif")])
def test_quiet_and_machine_formats_show_no_progress(examples: Path,
                                                    args: tuple[str, ...]) -> None:
    assert _run(examples, *args, terminal=True)[2] == ""


def test_quiet_prints_the_findings_only(examples: Path) -> None:
    assert _run(examples, "--quiet", terminal=False) == (0, "", "")
    spec = examples / "pipelines/specs/livekit_voice_assistant.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("kind: PipelineSpec", "kind: PipelineSpecs", 1),
                    encoding="utf-8")
    try:
        code, full, _ = _run(examples, terminal=False)
        quiet = _run(examples, "-q", terminal=False)
    finally:
        spec.write_text(text, encoding="utf-8")
    assert code == 1 and quiet[0] == 1
    summary = full.rstrip("\n").rsplit("\n", 1)[1]
    assert "files checked" in summary
    assert quiet[1] and "files checked" not in quiet[1]
    assert full.startswith(quiet[1].rstrip("\n"))  # the same findings, without the summary


def test_wanted_follows_the_format_quiet_and_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert wanted("text", False)
    assert not wanted("text", True)
    assert not wanted("json", False)
    for value, shows in (("true", False), ("1", False), ("0", True), ("false", True)):
        monkeypatch.setenv("CI", value)
        assert wanted("text", False) is shows, value
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not wanted("text", False)
