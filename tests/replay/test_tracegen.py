"""benchmarks/tracegen.py: large synthetic traces are valid by construction, deterministic,
and the same whether written plain or gzip-compressed."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import ModuleType

import pytest

from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from tests.helpers.repos import load_benchmark

EVENTS, SESSIONS = 20_000, 200
# The OR-02 baseline with this repository's additions (pipelines/replay/or02_baseline.yaml)
# and the simple/v1 budgets (pipelines/profiles/simple_v1.yaml); tests/replay/test_fixtures.py
# reads both from the artifacts.
EVIDENCE = Evidence(("session_id", "turn_id", "correlation_id", "lease_epoch", "bundle_ref",
                     "plan_hash", "turn_open_ts", "turn_close_ts", "terminal_outcome",
                     "cancel_events", "routing_snapshot_ref", "lane"),
                    "ReplayEvidenceManifest/or02_baseline@1.1.0")
BUDGETS = Budgets({"turn_latency": 800, "first_audio": 600, "stt_final": 200,
                   "first_token": 350, "tts_first_byte": 150},
                  "ExecutionProfile/simple/v1@1.0.0")


@pytest.fixture(scope="module")
def tracegen() -> ModuleType:
    return load_benchmark("tracegen")


@pytest.fixture(scope="module")
def trace(tracegen: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tracegen") / "trace.jsonl"
    assert tracegen.generate(path, EVENTS, SESSIONS, seed=3) == EVENTS
    return path


def _check(path: Path, name: str = "trace.jsonl") -> TraceResult:
    with path.open("rb") as stream:
        return check_traces([TraceSource(name, stream)], evidence=EVIDENCE, budgets=BUDGETS)


def test_generated_trace_passes_with_no_finding(trace: Path) -> None:
    result = _check(trace)
    assert [f"{f.line} {f.code} {f.message}" for f in result.findings] == []
    assert result.lines == result.events == EVENTS
    assert result.sessions == SESSIONS
    assert result.accepted_turns == result.closed_turns == result.complete_turns > 1000
    # Every stage is measured, under budget, and the trace has what it is meant to exercise.
    assert all(s.count > 0 and s.over == 0 for s in result.stages if s.budget_ms is not None)
    text = trace.read_text(encoding="ascii")
    for needle in ('"event":"cancel_accepted"', '"reason":"provider_error"',
                   '"reason":"stale_epoch"', '"event":"reject"', '"event":"defer"',
                   '"event":"lease_released"'):
        assert text.count(needle) >= 10, needle
    assert text.count('"event":"lease_released"') == SESSIONS
    assert text.count('"event":"lease_acquired"') > SESSIONS  # handovers


def test_generated_trace_is_interleaved_and_monotonic(trace: Path) -> None:
    lines = trace.read_text(encoding="ascii").splitlines()
    stamps = [int(line.rsplit('"ts_mono_ns":', 1)[1].split(",", 1)[0].rstrip("}"))
              for line in lines]
    assert stamps == sorted(stamps)
    first_hundred = {line.split('"session_id":"', 1)[1][:13] for line in lines[:100]}
    assert len(first_hundred) > 50


def test_the_checker_catches_a_broken_generated_trace(trace: Path, tmp_path: Path) -> None:
    """Not vacuous: one turn_close dropped from the generated trace leaves its turn open."""
    lines = trace.read_bytes().splitlines(keepends=True)
    drop = next(i for i, line in enumerate(lines) if b'"event":"turn_close"' in line)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(lines[:drop] + lines[drop + 1:]))
    result = _check(broken)
    assert set(result.counts) == {"TRC010"}
    assert result.counts["TRC010"] >= 1


def test_same_seed_same_bytes(tracegen: ModuleType, trace: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again.jsonl", tmp_path / "other.jsonl"
    tracegen.generate(again, EVENTS, SESSIONS, seed=3)
    tracegen.generate(other, EVENTS, SESSIONS, seed=4)
    assert again.read_bytes() == trace.read_bytes()
    assert other.read_bytes() != trace.read_bytes()


@pytest.mark.slow
def test_gzip_variant_gives_the_same_result(tracegen: ModuleType, trace: Path,
                                            tmp_path: Path) -> None:
    packed = tmp_path / "trace.jsonl.gz"
    assert tracegen.generate(packed, EVENTS, SESSIONS, seed=3, gzip=True) == EVENTS
    raw = packed.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == trace.read_bytes()
    plain, compressed = _check(trace), _check(packed)
    assert compressed.findings == plain.findings == ()
    assert compressed.counts == plain.counts
    assert (compressed.lines, compressed.events, compressed.sessions) == (
        plain.lines, plain.events, plain.sessions)
    assert compressed.stages == plain.stages
    assert dict(compressed.metrics) == dict(plain.metrics)
    again = tmp_path / "again.jsonl.gz"
    tracegen.generate(again, EVENTS, SESSIONS, seed=3, gzip=True)
    assert again.read_bytes() == raw


def test_exact_count_and_too_small_a_quota(tracegen: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    assert tracegen.generate(path, 1_003, 7, seed=1) == 1_003
    assert len(path.read_bytes().splitlines()) == 1_003
    assert _check(path).findings == ()
    with pytest.raises(ValueError, match="at least 14 events a session"):
        tracegen.generate(path, 13 * 7, 7)
