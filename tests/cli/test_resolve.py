"""`rspp resolve` and `rspp explain-value` through the console entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rspp.cli.main import main
from rspp.core.canonical import pretty
from rspp.model.artifact import Index
from tests.helpers import REPO_ROOT, RULE_CASES
from tests.helpers.files import edit
from tests.helpers.repos import build_case_repo, copy_examples
from tests.helpers.resolve import BASE_SPEC, node, source, view_of

LIVEKIT = "livekit_voice_assistant_bundle@1.0.0"
LIVEKIT_FILE = REPO_ROOT / "pipelines/bundles/livekit_voice_assistant_bundle.json"
ROOT = ["--root", str(REPO_ROOT)]
Capture = pytest.CaptureFixture[str]


def _run(capsys: Capture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _explained(view: dict[str, Any], pointer: str, value: str) -> str:
    """The two lines `--explain` prints for one authored value."""
    src = source(view, pointer)
    who = {"spec": "spec", "profile": "profile", "policy": "policy overlay"}[src["kind"]]
    return (f"{pointer} = {value}\n    <- {who} {src['ref']} ({src['file']}:{src['line']}:"
            f"{src['column']}): {src['reason']}\n")


# ---------------------------------------------------------------------- resolve
def test_resolve_by_id_prints_the_pretty_view(capsys: Capture, example_index: Index) -> None:
    code, out, err = _run(capsys, "resolve", LIVEKIT, *ROOT)
    assert (code, err) == (0, "")
    assert out == pretty(view_of(example_index, LIVEKIT))
    assert json.loads(out)["kind"] == "ResolvedSpec"


def test_resolve_by_path_from_inside_the_repository(capsys: Capture, example_index: Index,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run(capsys, "resolve", str(LIVEKIT_FILE), *ROOT)[1] == pretty(
        view_of(example_index, LIVEKIT))
    monkeypatch.chdir(REPO_ROOT / "pipelines")
    code, out, _ = _run(capsys, "resolve", "bundles/livekit_voice_assistant_bundle.json")
    assert code == 0 and out == pretty(view_of(example_index, LIVEKIT))


def test_resolve_spec_with_profile_and_policy(capsys: Capture) -> None:
    code, out, err = _run(capsys, "resolve", "livekit_voice_assistant@1.0.0", "--profile",
                          "simple/v1@1.0.0", "--policy", "default_voice_policy@1.0.0", *ROOT)
    assert (code, err) == (0, "")
    view = json.loads(out)
    assert out == pretty(view)
    assert "bundle" not in view["spec"]
    assert [p.split("#")[0] for p in view["spec"]["policies"]] == ["default_voice_policy@1.0.0"]
    assert "contact_redact" in {n["id"] for n in view["spec"]["nodes"]}


def test_resolve_explain_with_a_pointer(capsys: Capture, example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    base, _ = node(view, "stt")
    code, out, _ = _run(capsys, "resolve", LIVEKIT, "--explain", "--pointer",
                        "/nodes/stt/params/model", *ROOT)
    assert code == 0
    assert out == _explained(view, f"{base}/params/model", '"nova-3"')
    code, out, _ = _run(capsys, "resolve", str(REPO_ROOT / "pipelines/specs/"
                                               "sip_telephony_assistant.yaml"),
                        "--profile", "low_latency/v1@1.0.0", "--explain", "-p",
                        "/nodes/turn/params/min_endpointing_delay", *ROOT)
    assert code == 0 and out.startswith("/spec/nodes/")
    assert "<- profile low_latency/v1@1.0.0 (pipelines/profiles/low_latency_v1.yaml:" in out
    whole = _run(capsys, "resolve", LIVEKIT, "--explain", *ROOT)[1]
    assert "no recorded source" not in whole
    lines = whole.splitlines()
    assert len(lines) > 600 and len(lines) % 2 == 0
    assert all(line.startswith("/") and " = " in line for line in lines[::2])
    assert all(line.startswith("    <- ") for line in lines[1::2])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of this repository's artifacts: ``--out`` writes only inside the repository."""
    return copy_examples(tmp_path / "repo")


def test_resolve_out_writes_the_view_atomically(capsys: Capture, repo: Path,
                                                example_index: Index) -> None:
    out_dir = repo / "views"
    out_dir.mkdir()
    target = out_dir / "view.json"
    target.write_text("old\n")
    target.chmod(0o600)
    here = ["--root", str(repo)]
    code, out, err = _run(capsys, "resolve", LIVEKIT, "--out", str(target), *here)
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == pretty(view_of(example_index, LIVEKIT))
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in out_dir.iterdir()) == ["view.json"]
    fresh = out_dir / "sub" / "fresh.json"
    fresh.parent.mkdir()
    assert _run(capsys, "resolve", LIVEKIT, "-o", str(fresh), *here)[0] == 0
    assert fresh.read_bytes() == target.read_bytes()


def test_resolve_out_outside_the_repository_is_refused(capsys: Capture, tmp_path: Path,
                                                       repo: Path) -> None:
    target = tmp_path / "view.json"
    code, out, err = _run(capsys, "resolve", LIVEKIT, "--out", str(target), "--root", str(repo))
    assert (code, out) == (2, "") and "IO001" in err and len(err.splitlines()) == 1
    assert not target.exists()


def test_resolve_out_never_leaves_a_half_written_file(capsys: Capture, repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = repo / "view.json"
    target.write_text("old\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    code, out, err = _run(capsys, "resolve", LIVEKIT, "--out", str(target), "--root", str(repo))
    assert (code, out) == (2, "") and "disk full" in err and len(err.splitlines()) == 1
    assert target.read_text() == "old\n"
    assert not [p.name for p in repo.iterdir() if p.name.startswith(".view.json")]


@pytest.mark.parametrize(("args", "message"), [
    (["nothing@1.0.0"], "rspp: error: no bundle or spec nothing@1.0.0 (`rspp validate` lists "
                        "what the repository defines)"),
    ([LIVEKIT, "--profile", "simple/v1@1.0.0"], "rspp: error: bundle "
     f"{LIVEKIT} pins its own profile and policies"),
    (["sip_telephony_assistant@1.0.0"], "rspp: error: spec sip_telephony_assistant@1.0.0 "
                                        "needs a profile"),
    (["sip_telephony_assistant@1.0.0", "--profile", "nope/v1@1.0.0"],
     "rspp: error: no ExecutionProfile nope/v1@1.0.0"),
    ([LIVEKIT, "--format", "yaml"], "rspp: error: unknown format 'yaml'"),
])
def test_resolve_usage_errors_exit_two_with_one_line(capsys: Capture, args: list[str],
                                                     message: str) -> None:
    code, out, err = _run(capsys, "resolve", *args, *ROOT)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(message)


def test_resolve_with_an_invalid_input_prints_findings(capsys: Capture, base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "to: llm.turn}", "to: llm.tern}")
    code, out, err = _run(capsys, "resolve", "agent_bundle@1.0.0", "--root", str(base_repo))
    assert code == 1 and err == ""
    assert "pipelines/specs/agent.yaml:43:29 DAG003 error: 'llm' (llm.openai) has no input " \
           "port 'tern'" in out
    assert '"kind": "ResolvedSpec"' not in out
    code, out, _ = _run(capsys, "resolve", "agent_bundle@1.0.0", "--format", "json",
                        "--root", str(base_repo))
    assert code == 1
    assert {f["code"] for f in json.loads(out)["findings"]} == {"DAG003", "DAG006"}


def test_resolve_time_problems_exit_one(capsys: Capture, tmp_path: Path) -> None:
    repo = build_case_repo(RULE_CASES / "POL003" / "insert_breaks_typing",
                           tmp_path / "repo")
    code, out, _ = _run(capsys, "resolve", "agent_policy_bundle@1.0.0", "--root", str(repo))
    assert code == 1
    assert [line.split(" error:")[0] for line in out.splitlines() if " POL003 " in line] == [
        "pipelines/policies/p.yaml:11:14 POL003", "pipelines/policies/p.yaml:12:15 POL003"]


def test_resolve_with_warnings_keeps_stdout_clean(capsys: Capture, base_repo: Path) -> None:
    # A profile outside the profiles folder is a warning (ENV003), not a blocking error.
    (base_repo / "pipelines/misc").mkdir()
    (base_repo / "pipelines/profiles/base.yaml").rename(base_repo / "pipelines/misc/base.yaml")
    code, out, err = _run(capsys, "resolve", "agent_bundle@1.0.0", "--root", str(base_repo))
    assert code == 0
    view = json.loads(out)
    assert view["kind"] == "ResolvedSpec" and out == pretty(view)
    assert source(view, "/spec/mode")["file"] == "pipelines/misc/base.yaml"
    assert "ENV003" not in out
    assert "pipelines/misc/base.yaml:" in err and " ENV003 warning: " in err


# ---------------------------------------------------------------------- explain-value
@pytest.fixture
def saved_view(tmp_path: Path, example_index: Index, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A saved view in a folder that is no repository (the working directory too)."""
    path = tmp_path / "view.json"
    path.write_text(pretty(view_of(example_index, LIVEKIT)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_explain_value_on_a_saved_view(capsys: Capture, saved_view: Path,
                                       example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    base, _ = node(view, "stt")
    code, out, err = _run(capsys, "explain-value", str(saved_view), "/nodes/stt/params/model")
    assert (code, err) == (0, "")
    assert out == _explained(view, f"{base}/params/model", '"nova-3"')
    code, out, _ = _run(capsys, "explain-value", "view.json", "/nodes/stt/params/model",
                        "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"pointer": f"{base}/params/model", "value": "nova-3",
                                "source": source(view, f"{base}/params/model")}]
    code, out, _ = _run(capsys, "explain-value", "view.json", "/budgets", "-f", "json")
    assert {e["pointer"] for e in json.loads(out)} == {
        f"/spec/budgets/{k}" for k in view["spec"]["budgets"]}


@pytest.mark.parametrize(("pointer", "message"), [
    ("/nodes/nope/model", "rspp: error: no node 'nope' in the resolved view"),
    ("/spec/nodes/0/nothing", "rspp: error: /spec/nodes/0/nothing: no such field"),
])
def test_explain_value_unknown_pointer_exits_two(capsys: Capture, saved_view: Path,
                                                 pointer: str, message: str) -> None:
    code, out, err = _run(capsys, "explain-value", str(saved_view), pointer)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(message)


def test_explain_value_refuses_finding_formats_for_a_saved_view(capsys: Capture,
                                                                saved_view: Path) -> None:
    code, _, err = _run(capsys, "explain-value", str(saved_view), "/mode", "--format", "sarif")
    assert code == 2 and "unknown format 'sarif'" in err


def test_explain_value_resolves_a_named_bundle(capsys: Capture, example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    code, out, _ = _run(capsys, "explain-value", LIVEKIT, "/spec/budgets/maxCostPerTurnUsd",
                        *ROOT)
    assert code == 0
    assert out == _explained(view, "/spec/budgets/maxCostPerTurnUsd", "0.02")
    # The policy caps the turn at 0.02 USD, no tighter than the profile: the profile stays.
    assert "<- profile simple/v1@1.0.0 (pipelines/profiles/simple_v1.yaml:" in out
    code, out, _ = _run(capsys, "explain-value", str(LIVEKIT_FILE), "/nodes/stt/params/model",
                        *ROOT)
    assert code == 0 and '= "nova-3"' in out


def test_resolve_all_writes_every_golden_view(capsys: Capture, repo: Path) -> None:
    views = repo / "views"
    code, out, _ = _run(capsys, "resolve", "--all", "--out-dir", str(views), "--root", str(repo))
    assert code == 0 and len(out.splitlines()) == 4
    golden = REPO_ROOT / "tests/golden/resolve"
    assert sorted(p.name for p in views.iterdir()) == sorted(p.name for p in golden.iterdir())
    for path in views.iterdir():
        assert path.read_bytes() == (golden / path.name).read_bytes()
    assert _run(capsys, "resolve", LIVEKIT, "--all", *ROOT)[0] == 2


# ---------------------------------------------------------------------- a real process
@pytest.mark.slow
def test_python_m_rspp_resolve(example_index: Index) -> None:
    proc = subprocess.run([sys.executable, "-m", "rspp", "resolve", "sip_telephony_bundle@1.0.0"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == pretty(view_of(example_index, "sip_telephony_bundle@1.0.0"))
