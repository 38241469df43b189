"""`rspp compat` and the `--today` of `rspp check` on the command line: usage errors are one
line on stderr with exit 2, never a report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.cli import TODAY, rspp


@pytest.mark.parametrize(("args", "needle"), [
    (("compat", "--format", "xml"), "unknown format 'xml' (use text, json, github, sarif or "
                                    "markdown)"),
    (("compat", "--today", "2026-02-30"), "--today '2026-02-30' is not a calendar date"),
    (("check", "--today", "26-1-1"), "--today '26-1-1' is not a calendar date"),
    pytest.param(("compat", "--against", "main"), "is not inside a usable git work tree",
                 marks=pytest.mark.slow),  # runs git
])
def test_usage_errors(capsys: pytest.CaptureFixture[str], examples: Path,
                      args: tuple[str, ...], needle: str) -> None:
    run = rspp(capsys, *args, "--root", str(examples))
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("rspp: error: ") and run.err.count("\n") == 1
    assert needle in run.err


def test_compat_on_the_examples_lists_every_version_and_passes(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    run = rspp(capsys, "compat", "--root", str(examples), "--today", TODAY)
    assert run.code == 0, run.out
    lines = run.out.splitlines()
    assert lines[0] == "compared with the working tree"
    assert ("PipelineSpec livekit_voice_assistant 0.9.0 -> 1.0.0 (BACKWARD_TRANSITIVE): "
            "requires major, made major - ok") in lines
    assert re.search(r"files checked: 0 errors, 2 warnings, \d+ notes\n\Z", run.out)
