"""Everything rspp writes into a repository passes its own gate: `rspp fmt --check` and
`rspp validate` accept the files `bundle build`, `resolve --out`, `plan --out`, `build` and
`lock` write, exactly as they wrote them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rspp.cli.main import main
from rspp.commands.bundle import BundleOptions, build_bundle_document
from rspp.fmt import format_text
from tests.helpers import REPO_ROOT
from tests.helpers.fmt import load, typed
from tests.helpers.repos import copy_artifacts, copy_rule_base
from tests.helpers.resolve import bundle_refs, load_index

# Every test writes with rspp in a copy of the repository, then validates and format-checks
# the whole copy (about a second each).
pytestmark = pytest.mark.slow

BUNDLE = ["--id", "livekit_next", "--version", "1.1.0", "--spec",
          "livekit_voice_assistant@1.0.0", "--profile", "simple/v1@1.0.0",
          "--packages-from", "livekit_voice_assistant_bundle@1.0.0", "--min-runtime", "1.4.0",
          "--event-abi", "1.1.0"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of this repository's artifacts (and the example routing snapshot)."""
    root = copy_artifacts(tmp_path / "repo")
    (root / "docs" / "examples").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "docs" / "examples" / "routing_snapshot.yaml",
                    root / "docs" / "examples" / "routing_snapshot.yaml")
    return root


@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    """The rule tests' base repository: its bundles' pins carry no digests yet."""
    return copy_rule_base(tmp_path / "base")


def gate(root: Path, *written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rspp fmt --check` finds nothing to change, in the repository's artifacts and in the
    files named, and `rspp validate` finds nothing wrong."""
    capsys.readouterr()
    assert main(["fmt", "--check", "--root", str(root)]) == 0, capsys.readouterr().out
    if written:
        assert main(["fmt", "--check", "--root", str(root), *map(str, written)]) == 0, \
            capsys.readouterr().out
    assert main(["validate", "--root", str(root)]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("extra", [
    [],
    ["--max-runtime", "1.6.0"],
    ["--policy", "default_voice_policy@1.0.0"],
    ["--description", "The next LiveKit agent: yes, with a policy.", "--max-runtime", "2.0.0",
     "--policy", "default_voice_policy@1.0.0"],
], ids=["minimal", "max-runtime", "policy", "every-option"])
def test_a_built_bundle_passes_fmt_check_and_validate(
    repo: Path, extra: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    out = repo / "pipelines" / "bundles" / "livekit_next.json"
    assert main(["bundle", "build", "--root", str(repo), *BUNDLE, *extra, "--out", str(out)]) == 0
    gate(repo, capsys=capsys)
    written = json.loads(out.read_text(encoding="utf-8"))
    compatibility = {"minRuntime": "1.4.0", "eventAbi": "1.1.0"}
    if "--max-runtime" in extra:
        compatibility["maxRuntime"] = extra[extra.index("--max-runtime") + 1]
    assert written["spec"]["compatibility"] == compatibility


def test_the_bundle_on_stdout_is_the_canonical_text(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bundle", "build", "--root", str(repo), *BUNDLE, "--max-runtime", "1.6.0"]) == 0
    text = capsys.readouterr().out
    assert format_text(text, "json").text == text
    assert list(json.loads(text)["spec"]["compatibility"]) == [
        "minRuntime", "maxRuntime", "eventAbi"]


def test_a_bundle_written_as_yaml_passes_fmt_check_and_validate(
    repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = build_bundle_document(BundleOptions(
        repo, "livekit_next", "1.1.0", "livekit_voice_assistant@1.0.0", "simple/v1@1.0.0",
        ("default_voice_policy@1.0.0",), ("livekit_voice_assistant_bundle@1.0.0",), "1.4.0",
        "1.6.0", "1.1.0", "yes: a description a YAML 1.1 reader would misread"))
    assert outcome.document is not None
    out = repo / "pipelines" / "bundles" / "livekit_next.yaml"
    out.write_text(outcome.render("yaml"), encoding="utf-8")
    gate(repo, capsys=capsys)
    assert typed(load(out.read_text(encoding="utf-8"))) == typed(outcome.document)
    assert 'minRuntime: "1.4.0"' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["livekit_next.yaml", "livekit_next.yml"])
def test_bundle_build_out_yaml_writes_yaml(repo: Path, name: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`--out x.yaml` writes YAML (JSON text in a .yaml file would fail fmt --check)."""
    out = repo / "pipelines" / "bundles" / name
    assert main(["bundle", "build", "--root", str(repo), *BUNDLE, "--max-runtime", "1.6.0",
                 "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert not text.lstrip().startswith("{") and "kind: PipelineBundle" in text
    gate(repo, out, capsys=capsys)


def test_out_files_that_are_not_artifacts_are_refused(repo: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bundle = repo / "pipelines" / "bundles" / "livekit_next.txt"
    capsys.readouterr()
    assert main(["bundle", "build", "--root", str(repo), *BUNDLE, "--out", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert "PATH003" in err and "not an artifact file name" in err and not bundle.exists()
    view = repo / "view.yaml"
    assert main(["resolve", "livekit_voice_assistant_bundle@1.0.0", "--root", str(repo),
                 "--out", str(view)]) == 2
    assert "canonical JSON" in capsys.readouterr().err and not view.exists()


def test_resolved_views_pass_fmt_check(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Views are canonical JSON (RFC 8785); fmt leaves that form as it is."""
    out = repo / "docs" / "pipelines" / "livekit.resolved.json"
    out.parent.mkdir(parents=True)
    assert main(["resolve", "--root", str(repo), "livekit_voice_assistant_bundle@1.0.0",
                 "--out", str(out)]) == 0
    assert main(["resolve", "--root", str(repo), "--all", "--out-dir",
                 str(repo / "docs" / "views")]) == 0
    views = sorted((repo / "docs" / "views").glob("*.json"))
    assert [view.name for view in views] == sorted(
        ref.replace("/", "_") + ".json" for ref in bundle_refs(load_index(repo)[1]))
    gate(repo, out, *views, capsys=capsys)


def test_a_turn_plan_passes_fmt_check(repo: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)  # plan --out is checked against the repository found from here
    out = repo / "docs" / "plan.json"
    assert main(["plan", "--root", str(repo), "--bundle", "livekit_voice_assistant_bundle@1.0.0",
                 "--session", "s1", "--turn", "3", "--lease-epoch", "2", "--routing",
                 str(repo / "docs" / "examples" / "routing_snapshot.yaml"),
                 "--out", str(out)]) == 0
    gate(repo, out, capsys=capsys)


@pytest.mark.parametrize("as_yaml", [False, True], ids=["json-bundle", "yaml-bundle"])
def test_build_writes_pins_views_and_pages_that_pass_fmt_check(
    base_repo: Path, as_yaml: bool, capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = base_repo / "pipelines" / "bundles" / "agent.json"
    if as_yaml:  # the same bundle, written in canonical YAML
        from rspp.fmt import artifact_text

        yaml_bundle = bundle.with_suffix(".yaml")
        yaml_bundle.write_text(artifact_text(json.loads(bundle.read_text("utf-8")), "yaml"),
                               encoding="utf-8")
        bundle.unlink()
        bundle = yaml_bundle
    gate(base_repo, capsys=capsys)
    assert "#sha256:" not in bundle.read_text(encoding="utf-8")
    assert main(["build", "--root", str(base_repo)]) == 0
    assert "#sha256:" in bundle.read_text(encoding="utf-8")
    views = sorted((base_repo / "docs" / "pipelines").glob("*.json"))
    assert views
    gate(base_repo, *views, capsys=capsys)
    assert main(["status", "--root", str(base_repo)]) == 0  # fmt --check changed nothing


def test_the_lock_file_is_in_fmts_json_form(base_repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """rspp.lock is not an artifact (fmt does not take it), but it is written in the form
    fmt gives JSON: formatting its text changes nothing."""
    assert main(["build", "--root", str(base_repo)]) == 0
    assert main(["lock", "--root", str(base_repo)]) == 0
    text = (base_repo / "rspp.lock").read_text(encoding="utf-8")
    formatted = format_text(text, "json", "rspp.lock")
    assert formatted.ok and formatted.text == text
    gate(base_repo, capsys=capsys)
