"""Every trace rule fires on its case and stays quiet on the correct trace beside it.

A case folder ``tests/replay/cases/<CODE>/`` holds ``fires*.jsonl`` (traces that break exactly
that rule, each differing from a correct trace by one edit) and ``quiet*.jsonl`` (correct
traces); ``budgets.json`` (stage -> ms) gives the profile budgets for TRC017. The evidence is
the OR-02 baseline plus the two fields ``pipelines/replay/or02_baseline.yaml`` adds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.core.catalogue import ENTRIES
from rspp.rules.replay import OR02_BASELINE

CASES = Path(__file__).parent / "cases"
EVIDENCE = Evidence((*OR02_BASELINE, "routing_snapshot_ref", "lane"), "test evidence")
TRACE_CODES = sorted(e.code for e in ENTRIES if e.emitted_by == "trace")
# TRC003 judges a bundle's event ABI, not a trace line: tests/replay/test_replay_command.py.
NOT_TRACE_LINES = {"TRC003"}


def check(path: Path) -> TraceResult:
    budgets_file = path.parent / "budgets.json"
    budgets = (Budgets(json.loads(budgets_file.read_text()), "ExecutionProfile/test@1.0.0")
               if budgets_file.exists() else None)
    with path.open("rb") as stream:
        return check_traces([TraceSource(path.name, stream)], evidence=EVIDENCE,
                            budgets=budgets)


def _cases(prefix: str) -> list[Path]:
    return sorted(CASES.glob(f"TRC*/{prefix}*.jsonl"))


@pytest.mark.parametrize("case", _cases("fires"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_fires_only_its_rule(case: Path) -> None:
    result = check(case)
    codes = {f.code for f in result.findings}
    assert codes == {case.parent.name}, [str(f) for f in result.findings]
    assert all(f.path == case.name and f.line >= 1 and f.col == 1 for f in result.findings)


@pytest.mark.parametrize("case", _cases("quiet"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_quiet_case_is_clean(case: Path) -> None:
    result = check(case)
    assert result.findings == (), [str(f) for f in result.findings]
    assert result.events > 0 and result.unreadable == 0


def test_every_trace_rule_has_a_firing_and_a_quiet_case() -> None:
    folders = {p.name: {c.stem.split("_")[0] for c in p.glob("*.jsonl")}
               for p in CASES.iterdir() if p.is_dir()}
    for code in TRACE_CODES:
        if code in NOT_TRACE_LINES:
            continue
        assert folders.get(code, set()) >= {"fires", "quiet"}, code
    assert set(folders) <= set(TRACE_CODES)


def test_findings_name_session_turn_and_the_events_involved() -> None:
    result = check(CASES / "TRC012" / "fires.jsonl")
    (found,) = result.findings
    assert "session sess_a turn turn_0002" in found.message
    assert found.line == 19  # the playback_started after the accepted cancel
    assert [r.line for r in found.related] == [18]  # the cancel_accepted


def test_latency_budget_reports_quantiles_and_the_slowest_turn() -> None:
    result = check(CASES / "TRC017" / "fires.jsonl")
    # The slow turn's first audio is late too (600 ms after its commit).
    assert [f.message.split(":")[0] for f in result.findings] == ["first_audio", "turn_latency"]
    found = result.findings[1]
    assert found.message.startswith("turn_latency: p95 ")
    assert "above the budget of 800 ms (ExecutionProfile/test@1.0.0)" in found.message
    assert "1 of 2 turns over budget" in found.message
    assert "slowest: session sess_a turn turn_0002, 1,450.0 ms" in found.message
    assert found.line == 12  # the slow turn's turn_open
    stage = next(s for s in result.stages if s.stage == "turn_latency")
    assert stage.count == 2 and stage.max_ms == 1450.0 and stage.over == 1
    assert stage.p50_ms is not None and abs(stage.p50_ms - 420.0) <= 420.0 * 0.01
    assert result.metrics["turns_over_budget"] == 1
