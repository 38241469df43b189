"""Traces a reviewer wrote that the checker once passed (wrong greens) or misreported, each
with what it must find. Budgets are those of simple/v1 (ExecutionProfile spec.budgets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.rules.replay import OR02_BASELINE

HERE = Path(__file__).parent / "regressions"
EVIDENCE = Evidence((*OR02_BASELINE, "routing_snapshot_ref", "lane"), "test evidence")
SIMPLE_V1 = Budgets({"turn_latency": 800, "first_audio": 600, "stt_final": 200,
                     "first_token": 350, "tts_first_byte": 150}, "ExecutionProfile/simple/v1")


def check(name: str) -> TraceResult:
    with (HERE / name).open("rb") as stream:
        return check_traces([TraceSource(name, stream)], evidence=EVIDENCE, budgets=SIMPLE_V1)


def test_a_stage_just_over_its_budget_in_every_turn_fails() -> None:
    # every turn: first audio 601 ms (budget 600), first token 351 (350), TTS 150.3 (150)
    result = check("just_over_budget.jsonl")
    assert sorted(f.message.split(":")[0] for f in result.findings) == [
        "first_audio", "first_token", "tts_first_byte"]
    stages = {s.stage: s for s in result.stages}
    for stage, budget in (("first_audio", 600), ("first_token", 350), ("tts_first_byte", 150)):
        p95 = stages[stage].p95_ms
        assert p95 is not None and p95 > budget  # a percentile is an upper bound, never below
        assert stages[stage].over == stages[stage].count == 100


@pytest.mark.parametrize("budget", [600, 601])
def test_a_stage_at_its_budget_passes(budget: int) -> None:
    # the same turns against a budget they meet: the percentile is not pushed over it
    with (HERE / "just_over_budget.jsonl").open("rb") as stream:
        result = check_traces([TraceSource("t", stream)], evidence=EVIDENCE, budgets=Budgets(
            {"first_audio": budget + 1}, "test"))
    first_audio = next(s for s in result.stages if s.stage == "first_audio")
    assert result.findings == () and first_audio.p95_ms == 601.0


def test_repeated_stage_marks_count_once_per_turn() -> None:
    # 10 turns; one takes 500 ms to its final transcript, the nine others mark stt_final 20
    # times each: still 10 samples, and the slow turn is the p95
    result = check("repeated_stage_marks.jsonl")
    stt = next(s for s in result.stages if s.stage == "stt_final")
    assert stt.count == 10 and stt.over == 1
    assert [f.message.split(":")[0] for f in result.findings] == ["stt_final"]


def test_the_lease_epoch_is_kept_between_turns_without_a_lease() -> None:
    # turn 1 at epoch 13, then turn 2's output accepted at epoch 12 (no lease events)
    result = check("epoch_between_turns.jsonl")
    assert {f.code for f in result.findings} == {"TRC013"} and result.counts["TRC013"] == 2


def test_a_lower_epoch_acquired_after_a_release_is_stale() -> None:
    # epoch 13 acquired and released; a stale worker then acquires 12 and runs a turn
    result = check("lease_reacquired_lower.jsonl")
    assert {f.code for f in result.findings} == {"TRC013"}
    assert any("lease_acquired with epoch 12" in f.message for f in result.findings)


def test_events_before_gzip_trailing_junk_are_checked() -> None:
    result = check("gzip_trailing_junk.jsonl.gz")
    assert result.events > 0
    (bad,) = [f for f in result.findings if f.code == "TRC001"]
    assert bad.line == result.lines + 1
    assert f"after line {result.lines}" in bad.message
    assert "TRC004" not in result.counts
