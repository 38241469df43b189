"""CHG012 on the examples: each changed profile default says what it changes in each bundle
pinning the previous profile, and only that."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import TODAY, rspp
from tests.helpers.files import edit
from tests.helpers.repos import new_version

pytestmark = pytest.mark.slow  # compares every version of the examples

PROFILE = "pipelines/profiles/low_latency_v1.yaml"
NEW = "pipelines/profiles/low_latency_v1_1.yaml"


def test_each_default_names_only_its_own_effects(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    new_version(examples, PROFILE, NEW, "1.1.0")
    edit(examples, NEW, "min_endpointing_delay: 0.4", "min_endpointing_delay: 0.6")
    edit(examples, NEW, "min_interruption_duration: 0.3", "min_interruption_duration: 0.5")
    run = rspp(capsys, "compat", "--root", str(examples), "--today", TODAY, "--format", "json")
    found = {f["message"].split(": ", 1)[1] for f in json.loads(run.out)["findings"]
             if f["code"] == "CHG012"}
    assert found == {
        "default turn.detector.min_endpointing_delay 0.4 -> 0.6; changes "
        "sip_telephony_bundle@1.0.0 node turn 0.4 -> 0.6 (breaking under BACKWARD_TRANSITIVE; "
        "requires a major bump)",
        # The sip spec sets min_interruption_duration itself: no bundle changes.
        "default control.interruption.min_interruption_duration 0.3 -> 0.5; no bundle pinning "
        "low_latency/v1@1.0.0 resolves differently (compatible under BACKWARD_TRANSITIVE; "
        "requires a minor bump)"}
    assert run.code == 1  # a minor bump for a breaking default change
