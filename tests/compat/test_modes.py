"""Modes end to end on the examples (versions compared within the working tree): NONE lists
changes without requiring a bump; BACKWARD and FORWARD judge the same change differently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TODAY, rspp
from tests.helpers.files import edit, read, write
from tests.helpers.repos import CONTRACT, new_version

pytestmark = pytest.mark.slow  # each run compares every version of the examples

LIVEKIT = "pipelines/specs/livekit_voice_assistant.yaml"
NEW = "pipelines/specs/livekit_voice_assistant_1_1.yaml"


def _without_sentiment(root: Path) -> None:
    new_version(root, LIVEKIT, NEW, "1.1.0")
    text = read(root, NEW)
    start, end = text.index("    - id: sentiment\n"), text.index("    - id: otel\n")
    write(root, NEW, (text[:start] + text[end:]).replace(
        "    - from: norm.text\n      to: sentiment.text\n      lane: data\n", ""))


def _run(capsys: pytest.CaptureFixture[str], root: Path, mode: str
         ) -> tuple[int, list[dict[str, Any]]]:
    edit(root, CONTRACT, "      PipelineSpec: BACKWARD_TRANSITIVE", f"      PipelineSpec: {mode}")
    run = rspp(capsys, "compat", "--root", str(root), "--today", TODAY, "--format", "json")
    assert run.err == ""
    doc = json.loads(run.out)
    return run.code, [f for f in doc["findings"] if f["path"] == NEW or f["code"] == "VER001"]


def test_none_lists_the_changes_and_requires_nothing(capsys: pytest.CaptureFixture[str],
                                                     examples: Path) -> None:
    _without_sentiment(examples)
    _, found = _run(capsys, examples, "NONE")
    # (The contract edited in place relaxes its own mode: its VER001 is not the spec's.)
    assert "VER001" not in {f["code"] for f in found if f["path"] == NEW}
    [removed] = [f for f in found if f["code"] == "CHG001"]
    assert removed["message"].endswith("node sentiment (custom.sentiment) removed (not "
                                       "checked: the mode is NONE)")


@pytest.mark.parametrize(("mode", "fails"), [("BACKWARD", True), ("FORWARD", False),
                                             ("FULL", True)])
def test_a_removal_breaks_backward_only(capsys: pytest.CaptureFixture[str], examples: Path,
                                        mode: str, fails: bool) -> None:
    _without_sentiment(examples)
    _, found = _run(capsys, examples, mode)
    assert ("VER001" in {f["code"] for f in found if f["path"] == NEW}) is fails
    [removed] = [f for f in found if f["code"] == "CHG001"]
    verdict = "breaking" if fails else "compatible"
    assert f"({verdict} under {mode}; requires a " in removed["message"]
