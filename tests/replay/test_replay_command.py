"""`rspp replay check` as a user runs it: on the example repository, with a bundle's budgets,
reading standard input, refusing traces it must not read, in every format."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.cli import rspp
from tests.helpers.repos import copy_examples, mark_checkout

CASES = REPO_ROOT / "tests" / "replay" / "cases"
BUNDLE = "livekit_voice_assistant_bundle@1.0.0"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = mark_checkout(copy_examples(tmp_path / "repo"))
    traces = root / "traces"
    traces.mkdir()
    for name in ("TRC012/quiet", "TRC012/fires", "TRC017/fires", "TRC010/fires"):
        shutil.copyfile(CASES / f"{name}.jsonl", traces / (name.replace("/", "_") + ".jsonl"))
    return root


def test_a_good_trace_passes_with_its_stage_table(repo: Path, capsys: pytest.CaptureFixture[str]
                                                  ) -> None:
    run = rspp(capsys, "replay", "check", str(repo / "traces/TRC012_quiet.jsonl"),
               "--bundle", BUNDLE, "--root", str(repo))
    assert run.code == 0, run.out + run.err
    assert "evidence: ReplayEvidenceManifest/or02_baseline@" in run.out
    assert "budgets: ExecutionProfile/simple/v1@1.0.0" in run.out
    assert "turn_latency" in run.out and "no findings" in run.out


def test_violations_fail_with_rule_session_turn_and_line(repo: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    run = rspp(capsys, "replay", "check", str(repo / "traces/TRC012_fires.jsonl"),
               "--root", str(repo))
    assert run.code == 1
    assert "traces/TRC012_fires.jsonl:19:1" in run.out
    assert "TRC012" in run.out and "session sess_a turn turn_0002" in run.out


def test_the_bundle_profile_budgets_are_enforced(repo: Path, capsys: pytest.CaptureFixture[str]
                                                 ) -> None:
    trace = str(repo / "traces/TRC017_fires.jsonl")
    without = rspp(capsys, "replay", "check", trace, "--root", str(repo))
    assert without.code == 0 and "budgets: none (pass --bundle)" in without.out
    run = rspp(capsys, "replay", "check", trace, "--bundle", BUNDLE, "--root", str(repo))
    assert run.code == 1
    assert "TRC017" in run.out and "ExecutionProfile/simple/v1@1.0.0" in run.out


def test_json_report_is_deterministic_and_carries_metrics(repo: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    args = ("replay", "check", str(repo / "traces/TRC010_fires.jsonl"),
            str(repo / "traces/TRC012_quiet.jsonl"), "--bundle", BUNDLE, "--format", "json",
            "--root", str(repo))
    first = rspp(capsys, *args)
    second = rspp(capsys, *args)
    assert first.code == 1 and first.out == second.out
    doc = json.loads(first.out)
    trace = doc["trace"]
    assert trace["findingsByCode"] == {"TRC010": 1}
    assert trace["metrics"]["illegal_transitions"] == 1
    assert trace["metrics"]["accepted_turns"] == 3
    assert trace["budgets"]["ms"]["turn_latency"] == 800
    assert trace["stages"][0]["stage"] == "turn_latency"


def test_sarif_names_the_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = rspp(capsys, "replay", "check", str(repo / "traces/TRC012_fires.jsonl"),
               "--format", "sarif", "--root", str(repo))
    sarif = json.loads(run.out)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["TRC012"]


def test_standard_input_is_read_when_named_dash(repo: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = (repo / "traces/TRC012_fires.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    run = rspp(capsys, "replay", "check", "-", "--root", str(repo))
    assert run.code == 1 and "<stdin>:19:1" in run.out


def test_traces_outside_the_repository_or_not_files_are_refused(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "incident.jsonl"
    outside.write_bytes((repo / "traces/TRC012_quiet.jsonl").read_bytes())
    run = rspp(capsys, "replay", "check", str(outside), "--root", str(repo))
    assert run.code == 2 and "PATH001" in run.err
    link = repo / "traces" / "link.jsonl"
    link.symlink_to(outside)
    run = rspp(capsys, "replay", "check", str(link), "--root", str(repo))
    assert run.code == 2 and "PATH001" in run.err and run.out == ""
    fifo = repo / "traces" / "pipe.jsonl"
    os.mkfifo(fifo)
    run = rspp(capsys, "replay", "check", str(fifo), "--root", str(repo))
    assert run.code == 2 and "PATH003" in run.err and "FIFO" in run.err
    run = rspp(capsys, "replay", "check", str(repo / "traces/none.jsonl"), "--root", str(repo))
    assert run.code == 2 and "PATH002" in run.err


def test_unknown_manifest_or_bundle_is_a_usage_error(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    trace = str(repo / "traces/TRC012_quiet.jsonl")
    run = rspp(capsys, "replay", "check", trace, "--bundle", "nope@1.0.0", "--root", str(repo))
    assert run.code == 2 and "no PipelineBundle nope@1.0.0" in run.err
    run = rspp(capsys, "replay", "check", trace, "--manifest", "nope@1.0.0", "--root", str(repo))
    assert run.code == 2 and "no ReplayEvidenceManifest nope@1.0.0" in run.err


def test_a_bundle_of_an_unsupported_event_abi_is_not_checked(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = repo / "pipelines/bundles/sip_telephony_bundle.yaml"
    text = bundle.read_text()
    assert 'eventAbi: "1.1.0"' in text
    bundle.write_text(text.replace('eventAbi: "1.1.0"', 'eventAbi: "2.0.0"'))
    run = rspp(capsys, "replay", "check", str(repo / "traces/TRC012_quiet.jsonl"),
               "--bundle", "sip_telephony_bundle@1.0.0", "--root", str(repo))
    assert run.code == 1
    assert "TRC003" in run.out and "this checker reads ABI 1.x" in run.out
    assert "turn_latency" not in run.out  # the trace was not checked
