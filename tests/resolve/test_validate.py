"""`rspp validate` resolves bundles: what only the resolved graph shows, full and partial runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.cli.main import main
from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers import RULE_CASES
from tests.helpers.files import edit
from tests.helpers.repos import build_case_repo
from tests.helpers.resolve import BASE_SPEC

POLICY = "pipelines/policies/p.yaml"
PROFILE = "pipelines/profiles/base.yaml"
RESOLVE_CODES = {"TYP003", "POL003", "POL005", "POL006"}

# case -> (a file the case's resolve findings sit in, the codes)
CASE_FILES = {
    "TYP003/profile_default_changes_rate": (BASE_SPEC, {"TYP003"}),
    "POL003/insert_breaks_typing": (POLICY, {"POL003"}),
    "POL005/insert_clashes_and_needs_input": (POLICY, {"POL005"}),
    "POL006/prefers_unavailable_type": (POLICY, {"POL006"}),
}


def _repo(tmp_path: Path, case: str) -> Path:
    return build_case_repo(RULE_CASES / case, tmp_path / "repo")


def _resolve_findings(root: Path, *targets: str) -> list[tuple[str, str, int, int]]:
    result = validate(ValidateOptions(root=root, targets=tuple(root / t for t in targets)))
    return sorted((f.code, f.path, f.line, f.col) for f in result.findings
                  if f.code in RESOLVE_CODES)


@pytest.mark.parametrize("case", sorted(CASE_FILES))
def test_full_run_reports_resolve_problems_once(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, case)
    path, codes = CASE_FILES[case]
    got = _resolve_findings(repo)
    assert got and {c for c, *_ in got} == codes and {p for _, p, *_ in got} == {path}
    assert len(got) == len(set(got))  # two bundles pair the same inputs: reported once


@pytest.mark.parametrize("case", sorted(CASE_FILES))
def test_partial_run_on_an_involved_file_reports_them(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, case)
    everything = _resolve_findings(repo)
    involved = [BASE_SPEC, PROFILE, "pipelines/modules/clean.yaml"]
    if case.startswith("POL"):
        involved += [POLICY, "pipelines/bundles/with_policy.json"]
    for named in involved:
        assert _resolve_findings(repo, named) == everything, named


@pytest.mark.parametrize("case", sorted(CASE_FILES))
def test_partial_run_on_an_unrelated_file_reports_none(tmp_path: Path, case: str) -> None:
    repo = _repo(tmp_path, case)
    for named in ("rollouts/canary.yaml", "pipelines/replay/baseline.yaml",
                  "pipelines/extensions/scorer.yaml", "pipelines/profiles/fast.yaml"):
        assert _resolve_findings(repo, named) == [], named


def test_typ003_names_the_profile(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "TYP003/profile_default_changes_rate")
    result = validate(ValidateOptions(root=repo, targets=(repo / PROFILE,)))
    messages = [f.message for f in result.findings if f.code == "TYP003"]
    assert messages == [
        "edge mic.audio -> vad.audio: audio/pcm16;rate=16000;channels=1 does not satisfy "
        "audio/pcm16;rate=8000;channels=1 once the defaults of profile base/v1@1.0.0 apply",
        "edge vad.audio -> stt.audio: audio/pcm16;rate=8000;channels=1 does not satisfy "
        "audio/pcm16;rate=16000;channels=1 once the defaults of profile base/v1@1.0.0 apply"]


def test_bundles_with_broken_inputs_are_not_resolved(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "POL003/insert_breaks_typing")
    edit(repo, BASE_SPEC, "to: llm.turn}", "to: llm.tern}")
    result = validate(ValidateOptions(root=repo))
    codes = {f.code for f in result.findings}
    assert "DAG003" in codes and not codes & RESOLVE_CODES
    # Partial runs too: the broken spec is not named, the policy is.
    assert _resolve_findings(repo, POLICY) == []


def test_cli_partial_run_on_a_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, "POL003/insert_breaks_typing")
    (repo / ".git").mkdir()
    monkeypatch.chdir(repo)
    assert main(["validate", POLICY]) == 1
    out = capsys.readouterr().out
    assert [line.split(" error:")[0] for line in out.splitlines() if " error: " in line] == [
        f"{POLICY}:11:14 POL003", f"{POLICY}:12:15 POL003"]
    assert out.endswith("1 file checked: 2 errors, 0 warnings\n")
    assert main(["validate", "rollouts/canary.yaml"]) == 0
    assert capsys.readouterr().out == "1 file checked: no findings\n"


def test_unknown_node_default_parameter_is_reported(base_repo: Path) -> None:
    edit(base_repo, PROFILE, "  budgets:\n",
         "  nodeDefaults:\n    llm.openai: {temprature: 0.3}\n  budgets:\n")
    result = validate(ValidateOptions(root=base_repo))
    assert [(f.path, f.pointer) for f in result.findings] == [
        (PROFILE, "/spec/nodeDefaults/llm.openai/temprature")]
