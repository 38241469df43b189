"""A partial run (`rspp validate FILE...`) runs the rules only over the artifacts concerned
with the named files (`engine.concerned`), and reports exactly what running them over every
artifact reports for those files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.load.api import Limits
from rspp.model.artifact import Index
from rspp.report import REPORTERS
from rspp.resolve.gate import validate
from rspp.validate import engine
from rspp.validate.discover import scan
from rspp.validate.engine import ValidateOptions, concerned, load_repository
from tests.helpers.mutations import STEPS, apply_step, artifact_paths, generated
from tests.helpers.repos import copy_examples

SPEC = "pipelines/specs/livekit_voice_assistant.yaml"


def _partial(root: Path, targets: list[Path], monkeypatch: pytest.MonkeyPatch,
             every: bool) -> str:
    original = engine.run_rules
    with monkeypatch.context() as patch:
        if every:
            patch.setattr(engine, "run_rules", lambda repo, wanted, **kw: original(
                repo, wanted, every_artifact=True, **kw))
        report = validate(ValidateOptions(root=root, targets=tuple(targets), cache=False))
    return REPORTERS["json"](report)


def _index(root: Path) -> Index:
    return load_repository(root, list(scan(root).files), Limits()).index


def test_a_spec_concerns_its_imports_its_bundles_and_what_refers_to_them(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    chosen = {(a.kind, a.id, a.version) for a in concerned(_index(root), {SPEC})}
    # the spec and its other version; the bundles pinning either; what those pin (profile,
    # policy, module, extension); the rollout, gates and replay manifests naming them
    assert {("PipelineSpec", "livekit_voice_assistant", "1.0.0"),
            ("PipelineSpec", "livekit_voice_assistant", "0.9.0"),
            ("PipelineBundle", "livekit_voice_assistant_bundle", "1.0.0"),
            ("PipelineBundle", "livekit_voice_assistant_bundle", "0.9.0"),
            ("Module", "transcription_normalize", "1.0.0"),
            ("ExecutionProfile", "simple/v1", "1.0.0"),
            ("PolicyOverlay", "default_voice_policy", "1.0.0"),
            ("RolloutManifest", "canary_10pct", "1.0.0"),
            ("ConformanceGates", "mvp_gates", "1.2.0")} <= chosen
    # other pipelines, and what nothing concerned refers to, are left out
    assert not chosen & {("PipelineSpec", "sip_telephony_assistant", "1.0.0"),
                         ("PipelineBundle", "sip_telephony_bundle", "1.0.0"),
                         ("PipelineSpec", "simple_livekit_voice", "1.0.0"),
                         ("ExecutionProfile", "low_latency/v1", "1.0.0"),
                         ("CompatibilityContract", "version_skew_policy", "1.1.0")}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, seed=13)


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1,
                                   max_size=3))
def test_a_partial_run_reports_what_every_rule_over_every_artifact_reports(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        steps: list[tuple[str, int]], picks: list[int]) -> None:
    root = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(pristine, root)
    for op, pick in steps:
        apply_step(root, pristine, op, pick)
        files = artifact_paths(root)
        targets = sorted({files[p % len(files)] for p in picks})
        assert _partial(root, targets, monkeypatch, every=False) == \
            _partial(root, targets, monkeypatch, every=True)


def test_a_dangling_reference_is_reported_with_the_file_it_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec importing a version of a module that does not exist: `rspp validate` of the
    module's file reports it (the finding refers to the module), as a whole run does."""
    root = copy_examples(tmp_path / "repo")
    spec = root / SPEC
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("module: transcription_normalize@1.0.0",
                                 "module: transcription_normalize@9.9.9"), encoding="utf-8")
    module = [root / "pipelines/modules/transcription_normalize.yaml"]
    partial = _partial(root, module, monkeypatch, every=False)
    assert partial == _partial(root, module, monkeypatch, every=True)
    assert "transcription_normalize@9.9.9 is not defined" in partial
    assert SPEC in partial
