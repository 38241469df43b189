"""Rollouts bound to releases (ROL004-ROL008): the sides the fixture cases do not show."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers.cli import rspp
from tests.helpers.files import edit

ROLLOUT = "rollouts/canary.yaml"


def _codes(repo: Path) -> list[str]:
    return [f.code for f in validate(ValidateOptions(root=repo)).findings]


def test_a_pin_to_the_bundles_own_digest_is_quiet(capsys: pytest.CaptureFixture[str],
                                                  base_repo: Path) -> None:
    digest = rspp(capsys, "digest", str(base_repo / "pipelines/bundles/agent.json"))
    pinned = f"agent_bundle@1.0.0#{digest.out.split()[0]}"
    edit(base_repo, ROLLOUT, "bundle: agent_bundle@1.0.0", f"bundle: {pinned}")
    assert _codes(base_repo) == []


def test_a_cohort_rollout_with_a_rollback_and_distinct_tenants_is_quiet(base_repo: Path) -> None:
    edit(base_repo, ROLLOUT,
         "    type: canary\n    steps: [{weight: 10, pauseSeconds: 600}, {weight: 50}, "
         "{weight: 100}]",
         "    type: cohort\n    cohorts:\n      - {name: pilot, tenants: [acme]}\n"
         "      - {name: rest, tenants: [globex, initech]}")
    assert _codes(base_repo) == []


def test_an_older_rollback_of_the_same_pipeline_is_quiet(base_repo: Path) -> None:
    # The rule base rolls agent_bundle 1.0.0 back to 0.9.0, which pins the same spec.
    assert _codes(base_repo) == []
