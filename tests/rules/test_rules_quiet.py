"""Valid edge cases that rules must not flag (the other side of the fixture cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers.files import edit

QUIET = {
    "percentage rollout at zero": (
        "rollouts/canary.yaml",
        "    type: canary\n    steps: [{weight: 10, pauseSeconds: 600}, {weight: 50}, {weight: 100}]",
        "    type: percentage\n    percentage: 0"),
    "fixture path with a harmless dot segment": (
        "pipelines/replay/baseline.yaml", "path: pipelines/replay/fixtures/turn.jsonl",
        "path: ./pipelines/replay/fixtures/turn.jsonl"),
    "explicit complete edge buffer overriding the profile": (
        "pipelines/specs/agent.yaml", "{from: llm.text, to: tts.text}",
        "{from: llm.text, to: tts.text, lane: data, buffer: {capacity: 8, lowWatermark: 1, "
        "highWatermark: 8, shedding: drop_newest}}"),
    "event traffic on the control lane": (
        "pipelines/specs/agent.yaml", "{from: vad.events, to: turn.vad}",
        "{from: vad.events, to: turn.vad, lane: control}"),
    "optional extra gate beside the required ones": (
        "pipelines/tests/gates.yaml", "    - {id: lifecycle, type: lifecycle}",
        "    - {id: lifecycle, type: lifecycle}\n    - {id: soak, type: latency, required: false}"),
    "thresholds at the edge of their range and at the profile budget (GAT003, GAT005)": (
        "pipelines/tests/gates.yaml", "    - {id: replay, type: replay_completeness}",
        "    - {id: replay, type: replay_completeness, thresholds: {baseline_completeness_pct: 100,"
        " incomplete_turns: 0}}\n"
        "    - {id: soak, type: latency, required: false, thresholds: {p50_turn_latency_ms: 800,"
        " p99_turn_latency_ms: 5000, soak_sessions: 500}}"),
    "every metric name of its own gate type (GAT004)": (
        "pipelines/tests/gates.yaml", "    - {id: authority, type: authority}",
        "    - {id: authority, type: authority, thresholds: {stale_epoch_outputs: 0,"
        " split_brain_turns: 0.0}}"),
    "artifact, command and trace gates with their own fields (GAT006)": (
        "pipelines/tests/gates.yaml", "    - {id: lifecycle, type: lifecycle}",
        "    - {id: lifecycle, type: lifecycle, traces: [pipelines/replay/fixtures/turn.jsonl]}\n"
        "    - {id: artifacts, type: artifact, paths: [pipelines]}\n"
        "    - {id: lint, type: command, command: [ruff, check, .], retries: 3,"
        " timeoutSeconds: 60}"),
    "violations held to 0 on required gates, tolerated on optional ones (GAT007)": (
        "pipelines/tests/gates.yaml", "    - {id: lifecycle, type: lifecycle}",
        "    - {id: lifecycle, type: lifecycle, thresholds: {illegal_transitions: 0,"
        " pre_turn_terminal_markers: 0.0}}\n"
        "    - {id: lifecycle_trend, type: lifecycle, required: false,"
        " thresholds: {illegal_transitions: 1000, pre_turn_terminal_markers: 3}}\n"
        "    - {id: replay_trend, type: replay_completeness, required: false,"
        " thresholds: {baseline_completeness_pct: 90, incomplete_turns: 10}}\n"
        "    - {id: over, type: latency, thresholds: {p95_turn_latency_ms: 800,"
        " turns_over_budget: 5}}"),
    "latency gates held to the profile budgets or to their own percentiles (GAT008)": (
        "pipelines/tests/gates.yaml",
        "    - {id: latency, type: latency, thresholds: {p95_turn_latency_ms: 800}}",
        "    - {id: latency, type: latency}\n"
        "    - {id: soak, type: latency, thresholds: {soak_sessions: 500}}"),
    "no bundle, a required latency gate with its own percentile threshold (GAT008)": (
        "pipelines/tests/gates.yaml",
        "  bundle: agent_bundle@1.0.0\n  gates:\n"
        "    - {id: latency, type: latency, thresholds: {p95_turn_latency_ms: 800}}",
        "  gates:\n"
        "    - {id: latency, type: latency, thresholds: {p99_turn_latency_ms: 1200}}\n"
        "    - {id: fast, type: latency, thresholds: {p50_first_token_ms: 300}}"),
    "unquoted-looking strings stay strings": (
        "pipelines/specs/agent.yaml", "      type: stt.deepgram\n",
        "      type: stt.deepgram\n      params: {language: no, model: 2024-01-01}\n"),
}


@pytest.mark.parametrize("name", sorted(QUIET))
def test_rule_stays_quiet(base_repo: Path, name: str) -> None:
    edit(base_repo, *QUIET[name])
    result = validate(ValidateOptions(root=base_repo))
    assert [f"{f.location()} {f.code} {f.message}" for f in result.findings] == []


def test_consistent_parameter_declarations_stay_quiet(base_repo: Path) -> None:
    """EXT005's other side: typed and untyped declarations of a v1beta1 manifest, defaults at
    the edges of their ranges, an empty list, a declaration without a default."""
    edit(base_repo, "pipelines/extensions/scorer.yaml", "apiVersion: rspp.dev/v1alpha1",
         "apiVersion: rspp.dev/v1beta1")
    edit(base_repo, "pipelines/extensions/scorer.yaml", "  trustLevel:", "  params:\n"
         "    threshold: {type: number, minimum: 0, maximum: 1, default: 1}\n"
         "    window: {type: integer, unit: turns, minimum: 1, maximum: 1, default: 1}\n"
         "    labels: {type: array, items: string, default: []}\n"
         "    mode: {type: string, enum: [fast, exact]}\n"
         "    anything: {default: {nested: [1, two]}}\n  trustLevel:")
    result = validate(ValidateOptions(root=base_repo))
    assert [f"{f.location()} {f.code} {f.message}" for f in result.findings] == []
