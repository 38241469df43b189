"""Schema findings quote a value briefly: a huge value never comes back whole in a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import rspp
from tests.helpers.files import edit


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_value_too_long_is_quoted_briefly(capsys: pytest.CaptureFixture[str],
                                           examples: Path, fmt: str) -> None:
    edit(examples, "compat/waivers.yaml", "  waivers: []\n",
         "  waivers:\n    - rule: VER001\n      artifact: livekit_voice_assistant@1.0.0\n"
         "      owner: me\n      reason: " + "x" * 200_000 + "\n"
         "      expires: \"2027-01-01\"\n")
    run = rspp(capsys, "validate", "--root", str(examples), "--format", fmt)
    assert run.code == 1
    assert len(run.out) < 4_000
    assert "is longer than 4000 characters" in run.out
    if fmt == "json":
        [found] = json.loads(run.out)["findings"]
        assert (found["code"], found["pointer"]) == ("SCH001", "/spec/waivers/0/reason")
        assert len(found["message"]) <= 250


def test_a_number_where_a_string_is_wanted_names_the_files_syntax(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    """YAML reads an unquoted 1.0 as a number; in JSON the author wrote a number."""
    bundle = "pipelines/bundles/livekit_voice_assistant_bundle.json"
    edit(examples, bundle, '"version": "1.0.0"', '"version": 1.0', first=True)
    run = rspp(capsys, "validate", "--root", str(examples), str(examples / bundle))
    assert run.code == 1
    assert ("/metadata/version must be a string but JSON has 1.0 as the number 1.0; quote it: "
            "\"1.0\"") in run.out
    assert "YAML" not in run.out
