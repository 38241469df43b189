"""``rspp.cli.fast`` (ADR 0014): a command line it reads reaches the command with exactly the
arguments Typer would hand it, and every other command line is left to Typer."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from rspp.cli import fast
from rspp.cli import main as cli_main

SPEC = "pipelines/specs/agent.yaml"

READ_HERE = [
    ["validate", SPEC],
    ["validate"],
    ["--debug", "validate", SPEC],
    ["validate", "-f", "json", "--strict", SPEC, "-j", "2", "other.yaml"],
    ["validate", "--format=sarif", "--no-cache", "--jobs=3", "--jobs", "0", SPEC],
    ["validate", "--format", "xml", SPEC],  # the command refuses the format, not the parser
    ["validate", "--root", ".", SPEC],
    ["validate", "--root=missing-folder", SPEC],
    ["validate", "--strict", "--strict", SPEC],
    ["fmt", SPEC],
    ["fmt"],
    ["fmt", "--check", "--diff", SPEC, "--root", "."],
    ["validate", "--quiet", SPEC],
    ["validate", "-q", "-f", "json", SPEC],
    ["fmt", "--check", "--no-cache", SPEC],
]

LEFT_TO_TYPER = [
    [], ["--help"], ["--version"], ["validate", "--help"], ["fmt", "--help"],
    ["rules", "list"], ["check"], ["validate", "--bogus"], ["validate", "-fjson", SPEC],
    ["validate", "-f"], ["validate", "--format"], ["validate", "--format=", SPEC],
    ["validate", "--format", "--strict", SPEC], ["validate", "--jobs", "-1", SPEC],
    ["validate", "--jobs", "x", SPEC], ["validate", "-j", "\u0663", SPEC],
    ["validate", "--strict=1", SPEC], ["validate", "--", SPEC], ["validate", "-", SPEC],
    ["validate", "--debug", SPEC], ["--debug", "--debug", "validate", SPEC],
    ["fmt", "--check=yes", SPEC], ["fmt", "--format", "json", SPEC],
    ["validate", "--check", SPEC], ["fmt", "--strict", SPEC],
]


def _recorder(target: Any, calls: list[dict[str, Any]]) -> Any:
    signature = inspect.signature(target)

    def record(*args: Any, **kwargs: Any) -> int:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        got = dict(bound.arguments)
        got["paths"] = tuple(got["paths"] or ())
        calls.append(got)
        return 0
    return record


@pytest.mark.parametrize("args", READ_HERE, ids=" ".join)
def test_read_here_as_typer_reads_it(args: list[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # --root . and a missing folder are judged from here
    monkeypatch.delenv("_RSPP_COMPLETE", raising=False)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(fast, "validate", _recorder(fast.validate, calls))
    monkeypatch.setattr(fast, "fmt", _recorder(fast.fmt, calls))
    assert fast.parse(args) is not None
    assert cli_main.main(args) == 0
    assert cli_main._typer_main(args) == 0  # the same command line through the Typer app
    assert len(calls) == 2
    assert calls[0] == calls[1]


@pytest.mark.parametrize("args", LEFT_TO_TYPER, ids=lambda a: " ".join(a) or "(none)")
def test_everything_else_is_left_to_typer(args: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_RSPP_COMPLETE", raising=False)
    assert fast.parse(args) is None


def test_shell_completion_is_left_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_RSPP_COMPLETE", "bash_complete")
    assert fast.parse(["validate", SPEC]) is None


def test_an_unreadable_root_is_left_to_typer(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.access", lambda *_: False)
    assert fast.parse(["validate", "--root", str(tmp_path), SPEC]) is None
    assert fast.parse(["validate", "--root", str(tmp_path / "missing"), SPEC]) is not None
