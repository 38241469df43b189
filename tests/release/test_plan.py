"""`rspp rollout plan`: the schedule a rollout sets out, for each strategy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import rspp
from tests.helpers.files import edit

CANARY = "rollouts/canary_10pct.yaml"


def test_the_example_canary(capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    run = rspp(capsys, "rollout", "plan", str(examples / CANARY), "--root", str(examples))
    assert run.code == 0, run.out + run.err
    assert run.out.splitlines()[:5] == [
        "rollout canary_10pct@1.0.0: canary of livekit_voice_assistant_bundle@1.0.0",
        "  stage 1 at +0m00s: 10 % of new sessions, hold 30m00s",
        "  stage 2 at +30m00s: 25 % of new sessions, hold 1h00m00s",
        "  stage 3 at +1h30m00s: 50 % of new sessions, hold 2h00m00s",
        "  stage 4 at +3h30m00s: 100 % of new sessions"]
    assert run.out.endswith("  rollback to livekit_voice_assistant_bundle@0.9.0 when: error "
                            "rate above 2 %; p95 turn latency above 1000 ms\n")
    doc = json.loads(rspp(capsys, "rollout", "plan", "canary_10pct@1.0.0", "--root",
                          str(examples), "--format", "json").out)
    assert [(s["stage"], s["startsAtSeconds"], s["weight"]) for s in doc["stages"]] == [
        (1, 0, 10), (2, 1800, 25), (3, 5400, 50), (4, 12600, 100)]
    assert [g["id"] for g in doc["gates"] if not g["required"]] == ["soak_latency"]
    assert doc["rollback"]["triggers"] == [
        {"metric": "error rate", "above": 2.0, "unit": "%"},
        {"metric": "p95 turn latency", "above": 1000.0, "unit": "ms"}]


def test_a_cohort_rollout_moves_tenants_cumulatively(capsys: pytest.CaptureFixture[str],
                                                     examples: Path) -> None:
    text = (examples / CANARY).read_text(encoding="utf-8")
    start, end = text.index("  strategy:\n"), text.index("  admission:\n")
    (examples / CANARY).write_text(
        text[:start] + "  strategy:\n    type: cohort\n    cohorts:\n"
        "      - {name: pilot, tenants: [acme]}\n      - {name: rest, tenants: [globex]}\n"
        + text[end:], encoding="utf-8")
    run = rspp(capsys, "rollout", "plan", str(examples / CANARY), "--root", str(examples))
    assert run.code == 0, run.out
    assert "  stage 1: cohort pilot (tenants so far: acme)" in run.out
    assert "  stage 2: cohort rest (tenants so far: acme, globex)" in run.out


def test_a_rollout_the_gate_refuses_gets_no_plan(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    edit(examples, CANARY, "      - weight: 100\n        pauseSeconds: 0\n", "")
    run = rspp(capsys, "rollout", "plan", str(examples / CANARY), "--root", str(examples))
    assert run.code == 1
    assert "ROL004" in run.out and "stage" not in run.out


@pytest.mark.parametrize("target", ["pipelines/specs/sip_telephony_assistant.yaml",
                                    "nosuch@1.0.0"])
def test_only_a_rollout_has_a_plan(capsys: pytest.CaptureFixture[str], examples: Path,
                                   target: str) -> None:
    named = str(examples / target) if target.endswith(".yaml") else target
    run = rspp(capsys, "rollout", "plan", named, "--root", str(examples))
    assert (run.code, run.out) == (2, "")
    assert "not a rollout of this repository" in run.err
