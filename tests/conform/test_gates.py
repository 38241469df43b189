"""`rspp gates run` end to end, as a real process on a copy of the rule base: a passing
manifest, every way a gate fails (threshold exceeded, implicit limit, missing trace, unreadable
line, command not allow-listed, command timing out with its retries counted, command failing),
the refusal of an invalid manifest, and the reports (JUnit parsed, JSON byte-identical across
runs apart from its timing key, content-addressed log blobs)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.cli import Run, rspp_process
from tests.helpers.git import commit, init

GOOD = Path(__file__).parent / "good_trace.jsonl"
HEAD = """apiVersion: rspp.dev/v1alpha1
kind: ConformanceGates
metadata:
  id: gates
  version: "1.0.0"
spec:
  bundle: agent_bundle@1.0.0
  replay: baseline@1.0.0
  gates:
"""
MVP = """    - {id: latency, type: latency, traces: [traces/good.jsonl], thresholds: {p95_turn_latency_ms: 800}}
    - {id: cancel, type: cancel_fence, traces: [traces/good.jsonl]}
    - {id: authority, type: authority, traces: [traces/good.jsonl]}
    - {id: replay, type: replay_completeness, traces: [traces/good.jsonl], thresholds: {baseline_completeness_pct: 100}}
    - {id: lifecycle, type: lifecycle, traces: [traces/good.jsonl]}
"""


def _repo(base_repo: Path, gates: str, allow: tuple[str, ...] = ("echo",)) -> Path:
    (base_repo / "traces").mkdir()
    shutil.copyfile(GOOD, base_repo / "traces/good.jsonl")
    (base_repo / "pipelines/tests/gates.yaml").write_text(HEAD + gates, encoding="utf-8")
    listed = ", ".join(f'"{a}"' for a in allow)
    (base_repo / "rspp.toml").write_text(f"[gates]\nallow-commands = [{listed}]\n",
                                         encoding="utf-8")
    return base_repo


# The package of this checkout, whatever the environment has installed.
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}


def _run(repo: Path, *extra: str) -> Run:
    return rspp_process("gates", "run", "pipelines/tests/gates.yaml", "--root", str(repo),
                        "--junit", "out/gates.xml", "--json", "out/gates.json",
                        "--markdown", "out/gates.md", *extra, cwd=repo, module=True, env=ENV)


def _cases(repo: Path) -> dict[str, ET.Element]:
    suite = ET.parse(repo / "out/gates.xml").getroot()
    assert suite.tag == "testsuite"
    cases = suite.findall("testcase")
    assert {c.get("classname") for c in cases} == {"rspp.gates.gates"}
    return {str(c.get("name")): c for c in cases}


def _problem(case: ET.Element) -> str:
    """The failure, error or skipped message of a test case, '' when it passed."""
    for tag in ("failure", "error", "skipped"):
        node = case.find(tag)
        if node is not None:
            return str(node.get("message"))
    return ""


@pytest.mark.slow
def test_a_passing_manifest_exits_0_and_its_reports_are_deterministic(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP + "    - {id: artifacts, type: artifact, paths: [pipelines]}\n"
                                  "    - {id: hello, type: command, command: [echo, hello]}\n")
    first = _run(repo)
    assert first.code == 0, first.out + first.err
    assert "## rspp gates: gates@1.0.0 passed" in first.out
    cases = _cases(repo)
    assert list(cases) == ["latency", "cancel", "authority", "replay", "lifecycle",
                           "artifacts", "hello"]
    assert all(_problem(c) == "" for c in cases.values())
    one = (repo / "out/gates.json").read_bytes()
    assert _run(repo).code == 0
    two = (repo / "out/gates.json").read_bytes()
    # "timing" sorts last: everything before it is byte-identical, and only it differs.
    assert one.split(b'"timing"')[0] == two.split(b'"timing"')[0]
    doc = json.loads(one)
    assert set(doc) == {"budgets", "environment", "evidence", "format", "gates", "manifest",
                        "passed", "summary", "timing"}
    assert doc["evidence"] == "ReplayEvidenceManifest/baseline@1.0.0"
    assert doc["budgets"] == "ExecutionProfile/base/v1@1.0.0"
    assert set(doc["environment"]) == {"python", "rspp", "lockSha256", "platform"}
    latency = doc["gates"][0]
    assert latency["measures"][0] == {"metric": "p95_turn_latency_ms", "threshold": 800,
                                      "direction": "max", "measured": 300, "ok": True,
                                      "origin": "manifest"}
    # The command's output is a content-addressed blob.
    logs = doc["gates"][6]["logs"]
    assert [(log["stream"], log["size"]) for log in logs] == [("stdout", 6), ("stderr", 0)]
    for log in logs:
        blob = repo / ".rspp/gates/blobs/sha256" / log["sha256"]
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
    assert (repo / ".rspp/gates/blobs/sha256" / logs[0]["sha256"]).read_bytes() == b"hello\n"
    assert "| latency | latency | yes | pass | p95_turn_latency_ms 300 <= 800 |" in \
        (repo / "out/gates.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_way_a_gate_fails(base_repo: Path) -> None:
    bad = base_repo / "traces/bad.jsonl"
    repo = _repo(base_repo, MVP + """\
    - {id: tight, type: latency, traces: [traces/good.jsonl], thresholds: {p95_turn_latency_ms: 200}}
    - {id: missing, type: lifecycle, traces: [traces/none.jsonl]}
    - {id: garbage, type: lifecycle, traces: [traces/bad.jsonl]}
    - {id: unlisted, type: command, command: ['true']}
    - {id: failing, type: command, command: ['false'], retries: 1}
    - {id: optional, type: latency, required: false, traces: [traces/good.jsonl], thresholds: {soak_sessions: 500}}
""", allow=("false",))
    lines = GOOD.read_bytes().splitlines(keepends=True)
    # An unreadable line, and a turn never closed (TRC010: the implicit limit of 0).
    bad.write_bytes(b"".join(lines[:8]) + b"{not json\n")
    run = _run(repo)
    assert run.code == 1, run.out + run.err
    cases = _cases(repo)
    problems = {name: _problem(case) for name, case in cases.items()}
    assert all(problems[g] == "" for g in ("latency", "cancel", "authority", "replay",
                                           "lifecycle")), problems
    assert cases["tight"].find("failure") is not None
    assert "p95_turn_latency_ms 300 > threshold 200" in problems["tight"]
    assert cases["missing"].find("error") is not None
    assert problems["missing"] == "trace traces/none.jsonl does not exist"
    assert "1 unreadable line(s) (first: traces/bad.jsonl:9:1 TRC001" in problems["garbage"]
    assert "illegal_transitions 1 > implicit threshold 0" in problems["garbage"]
    assert problems["unlisted"].startswith("true is not an allowed command (allowed: false)")
    assert problems["failing"] == "attempt 1: exit status 1; attempt 2: exit status 1"
    # An optional failing gate is a skipped test case: CI checks stay green for it.
    assert problems["optional"] == "optional gate failed: soak_sessions 1 < threshold 500"
    assert cases["optional"].find("failure") is None
    suite = ET.parse(repo / "out/gates.xml").getroot()
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("3", "2", "1")
    doc = json.loads((repo / "out/gates.json").read_text(encoding="utf-8"))
    by_id = {g["id"]: g for g in doc["gates"]}
    assert by_id["failing"]["attempts"] == 2 and len(by_id["failing"]["logs"]) == 4
    assert by_id["unlisted"]["attempts"] == 0 and by_id["unlisted"]["status"] == "error"
    assert doc["passed"] is False and doc["summary"]["blocking"] == 5
    assert "### garbage: fail" in run.out and "### optional: fail (optional)" in run.out


@pytest.mark.slow
def test_an_optional_failing_gate_does_not_fail_the_run(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP + "    - {id: soak, type: latency, required: false, "
                                  "traces: [traces/good.jsonl], thresholds: {soak_sessions: 2}}\n")
    run = _run(repo)
    assert run.code == 0, run.out
    case = _cases(repo)["soak"]
    assert _problem(case) == "optional gate failed: soak_sessions 1 < threshold 2"
    assert case.find("skipped") is not None and case.find("failure") is None
    assert "soak_sessions: measured 1, >= 2 (manifest) NOT MET" in str(
        case.findtext("system-out"))
    suite = ET.parse(repo / "out/gates.xml").getroot()
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "1")


@pytest.mark.slow
def test_a_command_that_times_out_is_retried_and_each_attempt_counted(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP + "    - {id: slow, type: command, command: [sleep, '30'], "
                                  "timeoutSeconds: 1, retries: 2}\n", allow=("sleep",))
    run = _run(repo)
    assert run.code == 1
    assert _problem(_cases(repo)["slow"]) == ("attempt 1: timed out after 1 s; attempt 2: timed "
                                              "out after 1 s; attempt 3: timed out after 1 s")
    doc = json.loads((repo / "out/gates.json").read_text(encoding="utf-8"))
    assert doc["gates"][5]["attempts"] == 3
    assert 3000 <= doc["timing"]["gates"]["slow"] < 20000


@pytest.mark.slow
def test_trace_gates_without_a_trace_fail(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP.replace("traces: [traces/good.jsonl], ", "")
                 .replace("traces: [traces/good.jsonl]", ""))
    text = (repo / "pipelines/tests/gates.yaml").read_text(encoding="utf-8")
    (repo / "pipelines/tests/gates.yaml").write_text(
        text.replace("  replay: baseline@1.0.0\n", ""), encoding="utf-8")
    run = _run(repo)
    assert run.code == 1
    assert _problem(_cases(repo)["lifecycle"]).startswith("no trace to check")
    # --trace gives the trace gates their trace.
    assert _run(repo, "--trace", "traces/good.jsonl").code == 0


@pytest.mark.slow
def test_an_invalid_manifest_is_not_run(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP.replace("p95_turn_latency_ms: 800", "p95_turn_latncy_ms: 800"))
    run = _run(repo)
    assert run.code == 2
    assert "GAT004 error: a gate of type latency measures no metric 'p95_turn_latncy_ms'" \
        in run.out
    assert "no gate was run" in run.out
    assert not (repo / "out").exists()


@pytest.mark.slow
def test_reports_are_never_written_over_managed_files(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP)
    run = rspp_process("gates", "run", "pipelines/tests/gates.yaml", "--root", str(repo),
                       "--junit", "rspp.lock", cwd=repo, module=True, env=ENV)
    assert run.code == 2 and "refusing to write rspp.lock" in run.err


@pytest.mark.slow
@pytest.mark.parametrize(("script", "status", "problem"), [
    # The command exits 0 at once; a daemon it leaves in another session holds its output open.
    ("setsid sleep 25 & exit 0", "pass", ""),
    # The command itself outlives its timeout; so does the daemon, which the kill cannot reach.
    ("setsid sleep 25 & sleep 30", "fail", "attempt 1: timed out after 2 s"),
])
def test_a_command_gate_is_judged_by_its_own_exit_and_never_outlives_its_timeout(
        base_repo: Path, script: str, status: str, problem: str) -> None:
    repo = _repo(base_repo, MVP + "    - {id: daemon, type: command, command: [sh, -c, "
                                  f"'{script}'], timeoutSeconds: 2}}\n", allow=("sh",))
    began = time.monotonic()
    run = _run(repo)
    took = time.monotonic() - began
    assert took < 15, f"the run took {took:.1f} s"
    assert run.code == (0 if status == "pass" else 1), run.out + run.err
    assert _problem(_cases(repo)["daemon"]) == problem
    doc = json.loads((repo / "out/gates.json").read_text(encoding="utf-8"))
    assert doc["gates"][5]["status"] == status


@pytest.mark.slow
def test_a_gate_passing_on_a_retry_has_no_reasons_and_keeps_its_attempts(
        base_repo: Path) -> None:
    repo = _repo(base_repo, MVP + "    - {id: flaky, type: command, command: [sh, -c, "
                                  "'test -e flag || { touch flag; exit 3; }'], retries: 2}\n",
                 allow=("sh",))
    run = _run(repo)
    assert run.code == 0, run.out + run.err
    flaky = json.loads((repo / "out/gates.json").read_text(encoding="utf-8"))["gates"][5]
    assert flaky["status"] == "pass" and flaky["reasons"] == [] and flaky["attempts"] == 2
    assert flaky["history"] == ["attempt 1: exit status 3", "attempt 2: exit status 0"]
    assert "### flaky" not in run.out


@pytest.mark.slow
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_a_manifest_that_does_not_load_shows_its_findings(base_repo: Path, value: str) -> None:
    repo = _repo(base_repo, MVP.replace("p95_turn_latency_ms: 800",
                                        f"p95_turn_latency_ms: {value}"))
    run = _run(repo)
    assert run.code == 2, run.out + run.err
    assert "pipelines/tests/gates.yaml:" in run.out and "LOAD010" in run.out, run.out
    assert "not a ConformanceGates manifest" not in run.out + run.err
    assert "no gate was run" in run.out
    assert not (repo / "out").exists()


@pytest.mark.slow
def test_a_trace_option_that_cannot_be_read_stops_the_run_with_one_line(
        base_repo: Path, tmp_path: Path) -> None:
    repo = _repo(base_repo, MVP.replace("traces: [traces/good.jsonl], ", "")
                 .replace("traces: [traces/good.jsonl]", ""))
    (tmp_path / "elsewhere.jsonl").write_bytes(GOOD.read_bytes())
    (repo / "traces/out.jsonl").symlink_to(tmp_path / "elsewhere.jsonl")
    (repo / "traces/zero.jsonl").symlink_to("/dev/zero")
    os.mkfifo(repo / "traces/fifo.jsonl")
    (repo / "traces/folder.jsonl").mkdir()
    for name, expected in (("traces/out.jsonl", "PATH001"), ("traces/zero.jsonl", "PATH001"),
                           ("/dev/zero", "PATH001"), ("traces/none.jsonl", "PATH002"),
                           ("traces/fifo.jsonl", "a FIFO, not a regular file"),
                           ("traces/folder.jsonl", "a folder, not a regular file"),
                           ("-", "gates read traces from files only")):
        run = _run(repo, "--trace", "traces/good.jsonl", "--trace", name)
        assert run.code == 2, (name, run.out, run.err)
        assert run.out == "" and len(run.err.splitlines()) == 1, (name, run.out, run.err)
        assert expected in run.err, (name, run.err)
        assert not (repo / "out").exists()
    assert "rspp replay check -" in run.err
    # A good --trace is read.
    assert _run(repo, "--trace", "traces/good.jsonl").code == 0


@pytest.mark.slow
def test_manifest_traces_that_are_not_files_say_what_they_are(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP + """\
    - {id: folder, type: lifecycle, traces: [traces/folder.jsonl]}
    - {id: fifo, type: lifecycle, traces: [traces/fifo.jsonl]}
    - {id: missing, type: lifecycle, traces: [traces/none.jsonl]}
    - {id: empty, type: lifecycle, traces: []}
""")
    (repo / "traces/folder.jsonl").mkdir()
    os.mkfifo(repo / "traces/fifo.jsonl")
    run = _run(repo, "--trace", "traces/good.jsonl")
    assert run.code == 1, run.out + run.err
    cases = _cases(repo)
    assert _problem(cases["folder"]) == "trace traces/folder.jsonl is a folder, not a regular file"
    assert _problem(cases["fifo"]) == "trace traces/fifo.jsonl is a FIFO, not a regular file"
    assert _problem(cases["missing"]) == "trace traces/none.jsonl does not exist"
    # An empty list never falls back to --trace: the gate fails.
    assert cases["empty"].find("failure") is not None
    assert _problem(cases["empty"]).startswith("no trace named: the gate's traces list is empty")


@pytest.mark.slow
def test_reports_are_never_written_over_tracked_files(base_repo: Path) -> None:
    repo = _repo(base_repo, MVP)
    (repo / "notes.md").write_text("tracked\n", encoding="utf-8")
    init(repo)
    commit(repo, message="base")
    for target in ("notes.md", "pipelines/tests/gates.yaml"):
        before = (repo / target).read_bytes()
        run = rspp_process("gates", "run", "pipelines/tests/gates.yaml", "--root", str(repo),
                           "--junit", target, cwd=repo, module=True, env=ENV)
        assert run.code == 2 and len(run.err.splitlines()) == 1, run.err
        assert "refusing to write" in run.err
        assert (repo / target).read_bytes() == before
    assert "notes.md is a file git tracks in the repository" in \
        rspp_process("gates", "run", "pipelines/tests/gates.yaml", "--root", str(repo),
                     "--junit", "notes.md", cwd=repo, module=True, env=ENV).err
    # An untracked previous report is overwritten.
    (repo / "report.xml").write_text("old\n", encoding="utf-8")
    run = rspp_process("gates", "run", "pipelines/tests/gates.yaml", "--root", str(repo),
                       "--junit", "report.xml", cwd=repo, module=True, env=ENV)
    assert run.code == 0, run.out + run.err
    assert (repo / "report.xml").read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.slow  # the run's fingerprint asks the platform (a process)
def test_a_pack_gate_is_judged_by_its_verdict_and_never_crashes_the_run(tmp_path: Path) -> None:
    """Pack gate types (ADR 0024): the verdict decides pass or fail; a raise, an answer that
    is not a verdict, or a type no pack provides is the gate's error."""
    from rspp.conform.gates import GateInputs, run_gates
    from rspp.conform.trace import Evidence
    from rspp.model.views import Gate
    from rspp.rules.packs import GateRequest, GateVerdict, PackGate

    seen: list[GateRequest] = []

    def judge(request: GateRequest) -> GateVerdict:
        seen.append(request)
        return GateVerdict(request.thresholds.get("limit", 0) >= 1, ("judged",))

    def explode(request: GateRequest) -> GateVerdict:
        raise RuntimeError("soak store unreachable")

    def wrong(request: GateRequest) -> GateVerdict:
        return "yes"  # type: ignore[return-value]  # what a careless pack returns

    packs = {"acme.pass": PackGate("acme.pass", "", judge),
             "acme.boom": PackGate("acme.boom", "", explode),
             "acme.wrong": PackGate("acme.wrong", "", wrong)}
    gates: tuple[Gate, ...] = (
        {"id": "ok", "type": "acme.pass", "thresholds": {"limit": 1}, "paths": ["a.log"]},
        {"id": "no", "type": "acme.pass"},
        {"id": "boom", "type": "acme.boom"},
        {"id": "wrong", "type": "acme.wrong"},
        {"id": "missing", "type": "acme.gone"},
    )
    run = run_gates(GateInputs(tmp_path, "g@1.0.0", "g", gates, Evidence((), "none"),
                               pack_gates=packs))
    assert [(r.id, r.status, r.reasons) for r in run.gates] == [
        ("ok", "pass", ("judged",)),
        ("no", "fail", ("judged",)),
        ("boom", "error", ("the pack's gate raised RuntimeError: soak store unreachable",)),
        ("wrong", "error", ("the pack's gate answered str, not a GateVerdict",)),
        ("missing", "error", ("no enabled pack provides gate type acme.gone",)),
    ]
    assert seen[0] == GateRequest(tmp_path, "ok", {"limit": 1}, ("a.log",))
    assert not run.passed
