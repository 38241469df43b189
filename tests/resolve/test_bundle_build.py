"""`rspp bundle build`: pins by digest, exactly the packages the pipeline runs, never invalid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rspp.cli.main import main
from rspp.commands.bundle import BundleOptions, build_bundle_document
from rspp.commands.resolve import ResolveOptions, resolve_target
from rspp.model.digest import pinned_ref
from rspp.resolve.gate import validate, validate_repository
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_artifacts

ARGS = ["--id", "livekit_next", "--version", "1.1.0", "--spec",
        "livekit_voice_assistant@1.0.0", "--profile", "simple/v1@1.0.0", "--policy",
        "default_voice_policy@1.0.0", "--packages-from", "livekit_voice_assistant_bundle@1.0.0",
        "--min-runtime", "1.4.0", "--max-runtime", "1.6.0", "--event-abi", "1.1.0"]


def _options(root: Path) -> BundleOptions:
    return BundleOptions(root=root, id="livekit_next", version="1.1.0",
                         spec="livekit_voice_assistant@1.0.0", profile="simple/v1@1.0.0",
                         policies=("default_voice_policy@1.0.0",),
                         packages_from=("livekit_voice_assistant_bundle@1.0.0",),
                         min_runtime="1.4.0", event_abi="1.1.0")


def test_pins_carry_digests_and_packages_match_the_pipeline() -> None:
    outcome = build_bundle_document(_options(REPO_ROOT))
    assert outcome.document is not None
    _, repo = validate_repository(ValidateOptions(root=REPO_ROOT))
    index = repo.index
    expected = [pinned_ref(index.get(k, i, v)) for k, i, v in (  # type: ignore[arg-type]
        ("PipelineSpec", "livekit_voice_assistant", "1.0.0"),
        ("ExecutionProfile", "simple/v1", "1.0.0"),
        ("PolicyOverlay", "default_voice_policy", "1.0.0"))]
    assert [p["ref"] for p in outcome.document["spec"]["pins"]] == expected
    view = resolve_target(ResolveOptions(REPO_ROOT, "livekit_voice_assistant_bundle@1.0.0")).view
    assert view is not None
    used = sorted({n["type"] for n in view["spec"]["nodes"]})
    packages = outcome.document["spec"]["nodePackages"]
    assert [p["type"] for p in packages] == used
    sentiment = next(p for p in packages if p["type"] == "custom.sentiment")
    assert sentiment["extension"] == "custom_sentiment_node@1.0.0"


@pytest.mark.slow
def test_built_bundle_validates_and_resolves_in_the_repository(tmp_path: Path) -> None:
    repo = copy_artifacts(tmp_path / "repo")
    out = repo / "pipelines" / "bundles" / "livekit_next.json"
    assert main(["bundle", "build", "--root", str(repo), *ARGS, "--out", str(out)]) == 0
    assert validate(ValidateOptions(root=repo)).findings == ()
    assert main(["fmt", "--check", "--root", str(repo)]) == 0  # written canonical
    view = resolve_target(ResolveOptions(repo, "livekit_next@1.1.0")).view
    old = resolve_target(ResolveOptions(repo, "livekit_voice_assistant_bundle@1.0.0")).view
    assert view is not None and old is not None
    assert view["spec"]["nodes"] == old["spec"]["nodes"]
    assert json.loads(out.read_text(encoding="utf-8"))["metadata"] == {
        "id": "livekit_next", "version": "1.1.0"}


def test_missing_packages_are_bnd002(capsys: pytest.CaptureFixture[str]) -> None:
    args = [a if a != "livekit_voice_assistant@1.0.0" else "sip_telephony_assistant@1.0.0"
            for a in ARGS]
    args = [a for a in args if a not in ("--policy", "default_voice_policy@1.0.0")]
    assert main(["bundle", "build", "--root", str(REPO_ROOT), *args]) == 1
    out = capsys.readouterr().out
    assert "BND002" in out and "llm.anthropic" in out and "transport.sip.input" in out


def test_broken_inputs_are_reported_not_built(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "pipelines", repo / "pipelines")
    profile = repo / "pipelines" / "profiles" / "simple_v1.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("priority: 300",
                                                                   "priority: 150"),
                       encoding="utf-8")
    assert main(["bundle", "build", "--root", str(repo), *ARGS]) == 1
    assert "LANE001" in capsys.readouterr().out


def test_unknown_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    args = [a if a != "simple/v1@1.0.0" else "simple/v9@1.0.0" for a in ARGS]
    assert main(["bundle", "build", "--root", str(REPO_ROOT), *args]) == 2
    assert "no ExecutionProfile simple/v9@1.0.0" in capsys.readouterr().err
