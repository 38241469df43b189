"""The repository's own examples under the compatibility gate: exactly the known warnings
(tests.helpers.cli.EXAMPLE_WARNINGS) on the pinned day, and the deprecation biting after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.cli import EXAMPLE_WARNINGS, TODAY, check_json, rspp
from tests.helpers.repos import artifact_count


def test_the_examples_carry_exactly_the_known_warnings(capsys: pytest.CaptureFixture[str],
                                                        examples: Path) -> None:
    code, findings = check_json(capsys, examples, baseline=True)
    assert code == 0
    assert {(f["code"], f["path"]) for f in findings} == EXAMPLE_WARNINGS
    assert all(f["severity"] == "warning" for f in findings)
    text = rspp(capsys, "check", "--root", str(examples), "--today", TODAY)
    count = artifact_count(examples)
    assert count > 20  # every example file is checked, none skipped
    assert text.out.endswith(f"{count} files checked: 0 errors, 2 warnings\n")


def test_this_repository_carries_the_same_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check_json(capsys, REPO_ROOT, baseline=True)
    assert code == 0
    assert {(f["code"], f["path"]) for f in findings} == set(EXAMPLE_WARNINGS)


def test_after_the_removal_date_the_deprecated_abi_fails_the_gate(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    code, findings = check_json(capsys, examples, "--today", "2027-04-02")
    assert code == 1
    [error] = [f for f in findings if f["severity"] == "error"]
    assert (error["code"], error["path"]) == (
        "DEP001", "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml")
    assert "removed after 2027-04-01" in error["message"]
