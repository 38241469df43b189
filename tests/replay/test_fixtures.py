"""The replay fixtures (pipelines/replay/fixtures): the good ones listed by the OR-02 manifest
pass the trace checker with no finding; each bad one breaks exactly the one rule its README row
names (the expected codes are read from that table, so the README and the traces cannot
drift apart)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from rspp.commands.replay import TraceInputs, trace_inputs
from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.load.api import load_file
from rspp.model.gates import STAGE_BUDGETS
from tests.helpers import REPO_ROOT

FIXTURES = "pipelines/replay/fixtures"
MANIFEST = "pipelines/replay/or02_baseline.yaml"
PROFILE = "pipelines/profiles/simple_v1.yaml"
BUNDLE_REF = "livekit_voice_assistant_bundle@1.0.0"
# A README row: | `file` | what it records | good/bad | `CODE` or empty |
ROW = re.compile(r"^\| `(?P<file>[^`]+\.jsonl)` \| (?P<what>.+?) \| (?P<verdict>good|bad) \| "
                 r"(?:`(?P<code>TRC\d{3})`)? *\|$")


def _readme_rows() -> tuple[tuple[str, str, str | None], ...]:
    text = (REPO_ROOT / FIXTURES / "README.md").read_text(encoding="utf-8")
    rows = [(m["file"], m["verdict"], m["code"])
            for m in map(ROW.match, text.splitlines()) if m]
    return tuple(rows)


ROWS = _readme_rows()
GOOD = tuple(f for f, verdict, _ in ROWS if verdict == "good")
BAD = tuple((f, code) for f, verdict, code in ROWS if verdict == "bad")


def _data(rel: str) -> Any:
    loaded = load_file(REPO_ROOT / rel, REPO_ROOT)
    assert loaded.document is not None, loaded.findings
    return loaded.document.data


@pytest.fixture(scope="module")
def manifest() -> Any:
    return _data(MANIFEST)


@pytest.fixture(scope="module")
def inputs() -> TraceInputs:
    """What `rspp replay check --manifest or02_baseline@1.1.0 --bundle ...` checks against."""
    found, _ = trace_inputs(REPO_ROOT, manifest="or02_baseline@1.1.0", bundle=BUNDLE_REF)
    assert found.problems == ()
    return found


@pytest.fixture(scope="module")
def evidence(inputs: TraceInputs, manifest: Any) -> Evidence:
    assert inputs.evidence.fields == tuple(manifest["spec"]["requiredFields"])
    assert {"routing_snapshot_ref", "lane"} <= set(inputs.evidence.fields)
    return inputs.evidence


@pytest.fixture(scope="module")
def budgets(inputs: TraceInputs) -> Budgets:
    assert inputs.budgets is not None
    profile = _data(PROFILE)["spec"]["budgets"]
    assert dict(inputs.budgets.ms) == {stage: profile[field]
                                       for stage, field in STAGE_BUDGETS.items()}
    return inputs.budgets


def _check(rel: str, evidence: Evidence, budgets: Budgets | None) -> TraceResult:
    with (REPO_ROOT / rel).open("rb") as stream:
        return check_traces([TraceSource(rel, stream)], evidence=evidence, budgets=budgets)


def _shown(result: TraceResult) -> list[str]:
    return [f"{f.line} {f.code} {f.message}" for f in result.findings]


def test_the_readme_table_names_every_fixture_once() -> None:
    on_disk = sorted(p.relative_to(REPO_ROOT / FIXTURES).as_posix()
                     for p in (REPO_ROOT / FIXTURES).rglob("*.jsonl"))
    assert sorted(f for f, _, _ in ROWS) == on_disk
    assert len({f for f, _, _ in ROWS}) == len(ROWS)
    assert len(GOOD) >= 5 and len(BAD) >= 9
    # A good trace breaks nothing; a bad one names the one rule it breaks, and only bad
    # traces live in bad/.
    assert all(code is None and not f.startswith("bad/") for f, v, code in ROWS if v == "good")
    assert all(code is not None and f.startswith("bad/") for f, code in BAD)


def test_the_manifest_lists_exactly_the_good_fixtures(manifest: Any) -> None:
    listed = [entry["path"] for entry in manifest["spec"]["fixtures"]]
    assert listed == [f"{FIXTURES}/{name}" for name in GOOD]
    assert manifest["metadata"]["version"] == "1.1.0"


@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_passes_with_no_finding(name: str, evidence: Evidence,
                                             budgets: Budgets) -> None:
    result = _check(f"{FIXTURES}/{name}", evidence, budgets)
    assert _shown(result) == []
    assert result.events == result.lines > 0
    assert result.accepted_turns >= 1
    assert result.complete_turns == result.closed_turns == result.accepted_turns
    assert result.metrics["baseline_completeness_pct"] == 100.0


@pytest.mark.parametrize("name", GOOD)
def test_good_fixture_follows_the_event_abi(name: str) -> None:
    """Contract names (ABI 1.1.0), one compact object a line, a monotonic clock, the frozen
    plan at turn open, and every stage of the budgets timed."""
    lines = (REPO_ROOT / FIXTURES / name).read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    common = ["event", "session_id", "turn_id", "correlation_id", "lease_epoch", "lane",
              "ts_mono_ns"]
    for line, event in zip(lines, events, strict=True):
        assert list(event)[:7] == common
        assert line == json.dumps(event, separators=(",", ":"))
        assert isinstance(event["turn_id"], str) and "ts_ns" not in event
    stamps = [e["ts_mono_ns"] for e in events]
    assert stamps == sorted(stamps)
    opens = [e for e in events if e["event"] == "turn_open"]
    assert opens and all(e["bundle_ref"] == BUNDLE_REF and e["routing_snapshot_ref"]
                         and re.fullmatch(r"sha256:[0-9a-f]{64}", e["plan_hash"])
                         for e in opens)
    marks = {e["stage"] for e in events if e["event"] == "stage_mark"}
    assert marks == {"speech_end", "stt_final", "llm_request", "llm_first_token",
                     "tts_first_byte"}


@pytest.mark.parametrize(("name", "code"), BAD)
def test_bad_fixture_breaks_exactly_its_rule(name: str, code: str, evidence: Evidence,
                                             budgets: Budgets) -> None:
    result = _check(f"{FIXTURES}/{name}", evidence, budgets)
    assert result.failed
    assert set(result.counts) == {code}, _shown(result)
    assert {f.code for f in result.findings} == {code}
    assert all(f.path == f"{FIXTURES}/{name}" for f in result.findings)


def test_latency_needs_the_budgets(evidence: Evidence) -> None:
    """Without a bundle there are no budgets: the slow turn is measured, not judged."""
    result = _check(f"{FIXTURES}/bad/over_latency_budget.jsonl", evidence, None)
    assert _shown(result) == []
    latency = next(s for s in result.stages if s.stage == "turn_latency")
    assert latency.count == 1 and latency.max_ms is not None and latency.max_ms > 2000


def test_lease_handover_rejects_the_stale_output(evidence: Evidence, budgets: Budgets) -> None:
    """The good handover has the late epoch-12 output the bad one accepts, rejected."""
    rel = f"{FIXTURES}/lease_handover.jsonl"
    events = [json.loads(x) for x in (REPO_ROOT / rel).read_text(encoding="utf-8").splitlines()]
    leases = [(e["event"], e["worker"], e["lease_epoch"]) for e in events if "worker" in e]
    assert leases == [("lease_acquired", "worker-a", 12), ("lease_acquired", "worker-b", 13),
                      ("lease_released", "worker-b", 13)]
    stale = [e for e in events if e["event"] == "output_rejected"]
    assert [(e["lease_epoch"], e["reason"]) for e in stale] == [(12, "stale_epoch")]
    result = _check(rel, evidence, budgets)
    assert result.metrics["stale_epoch_outputs"] == result.metrics["split_brain_turns"] == 0


def test_readme_row_pattern_reads_a_row() -> None:
    """The table parser is not vacuous: a row of each kind, and a malformed one, are read."""
    good = "| `a.jsonl` | one turn | good | |"
    bad = "| `bad/b.jsonl` | a cancel | bad | `TRC012` |"
    assert (m := ROW.match(good)) and m["verdict"] == "good" and m["code"] is None
    assert (m := ROW.match(bad)) and m["code"] == "TRC012"
    assert ROW.match("| `c.jsonl` | x | maybe | |") is None
