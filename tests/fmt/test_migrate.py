"""`rspp migrate` and the in-memory upgrade of older API versions (ADR 0023): golden files per
migration, resolved views identical before and after, published versions kept, an unknown
path refused at the apiVersion, and a property over the repository's example manifests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.commands.migrate import migrate
from rspp.commands.resolve import resolve_all
from rspp.core.jsontypes import JsonObject
from rspp.fmt.migrate import MigrateOptions, MigrateStatus, migrate_file, run
from rspp.fmt.scan import comment_texts
from rspp.load.api import load_bytes
from rspp.load.document import Syntax
from rspp.model.digest import artifact_digest
from rspp.model.migrations import V1ALPHA1, V1BETA1, MigrationError, path, upgrade
from rspp.resolve.gate import validate, validate_repository
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.files import edit, write

GOLDEN = REPO_ROOT / "tests/golden/migrate/ExtensionManifest"
# the example manifests written at v1alpha1 (the ones the migration applies to)
EXAMPLE_MANIFESTS = sorted(p for p in (REPO_ROOT / "pipelines/extensions").glob("*.yaml")
                           if "apiVersion: rspp.dev/v1alpha1\n" in p.read_text(encoding="utf-8"))
SENTIMENT = "pipelines/extensions/custom_sentiment_node.yaml"


def _data(raw: bytes, syntax: Syntax) -> JsonObject:
    doc = load_bytes(raw, "x", syntax=syntax).document
    assert doc is not None
    return doc.data


def _unpublished(root: Path) -> MigrateOptions:
    """Options that migrate every file, the published ones too (the lock is not read)."""
    return MigrateOptions(root=root)


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_golden_migration_of_each_syntax(suffix: str) -> None:
    syntax: Syntax = "json" if suffix == "json" else "yaml"
    before = (GOLDEN / f"before.{suffix}").read_bytes()
    outcome, new = migrate_file(f"before.{suffix}", before, suffix, _unpublished(REPO_ROOT))
    assert outcome.status is MigrateStatus.MIGRATED and outcome.findings == ()
    assert (outcome.source, outcome.target) == (V1ALPHA1, V1BETA1)
    assert new == (GOLDEN / f"after.{suffix}").read_bytes()
    # the new file holds exactly the in-memory upgrade of the old one
    assert _data(new, syntax) == upgrade(_data(before, syntax), "ExtensionManifest")
    again, rewritten = migrate_file(f"after.{suffix}", new, suffix, _unpublished(REPO_ROOT))
    assert again.status is MigrateStatus.UNCHANGED and rewritten is None


def test_golden_keeps_every_comment_and_the_authors_scalar_text() -> None:
    before = (GOLDEN / "before.yaml").read_text(encoding="utf-8")
    after = (GOLDEN / "after.yaml").read_text(encoding="utf-8")
    assert comment_texts(after) == comment_texts(before)
    # a wrapped value keeps the text it was written with, and its end-of-line comment
    assert "      default: 0x3E80\n" in after
    assert "      default: gpt-4o-mini # pinned by the platform team\n" in after
    assert "      default: {region: eu-west-1, fallback: null}\n" in after


def _view_bodies(root: Path) -> dict[str, object]:
    """Each bundle's resolved view, without the source lines and columns of its defaults
    (a rewritten file moves them; what they say and where they point stays)."""
    outcome = resolve_all(root, jobs=1)
    assert not outcome.report.failed, [f.message for f in outcome.report.findings]
    views: dict[str, object] = {}
    for resolved in outcome.bundles:
        assert resolved.text is not None
        view = json.loads(resolved.text)
        for source in view["spec"]["defaultingSources"].values():
            source.pop("line", None)
            source.pop("column", None)
        views[resolved.bundle] = view
    return views


def test_migrating_the_examples_keeps_every_resolved_view(examples: Path) -> None:
    before = _view_bodies(examples)
    result = run(_unpublished(examples))
    migrated = sorted(o.path for o in result.files if o.status is MigrateStatus.MIGRATED)
    assert migrated == ["pipelines/extensions/custom_sentiment_node.yaml",
                        "pipelines/extensions/external_llm_gateway.yaml"]
    assert not result.failed
    for rel in migrated:
        assert (examples / rel).read_text(encoding="utf-8").count(V1BETA1) == 1
    assert _view_bodies(examples) == before


def test_published_versions_are_kept_and_check_passes(examples: Path) -> None:
    manifest = examples / SENTIMENT
    raw = manifest.read_bytes()
    outcome = migrate(MigrateOptions(root=examples, check=True))
    assert outcome.result is not None and not outcome.failed
    kept = [o.path for o in outcome.result.files if o.status is MigrateStatus.PUBLISHED]
    assert SENTIMENT in kept
    migrate(MigrateOptions(root=examples))
    assert manifest.read_bytes() == raw  # a published version is never rewritten


def test_an_unpublished_older_file_fails_check_then_migrates(examples: Path) -> None:
    shutil.copy(GOLDEN / "before.yaml", examples / "pipelines/extensions/gateway.yaml")
    checked = migrate(MigrateOptions(root=examples, check=True))
    assert checked.failed and checked.result is not None
    assert [o.path for o in checked.result.files if o.status is MigrateStatus.WOULD_MIGRATE] \
        == ["pipelines/extensions/gateway.yaml"]
    assert (examples / "pipelines/extensions/gateway.yaml").read_bytes() == \
        (GOLDEN / "before.yaml").read_bytes()
    done = migrate(MigrateOptions(root=examples))
    assert not done.failed
    assert (examples / "pipelines/extensions/gateway.yaml").read_bytes() == \
        (GOLDEN / "after.yaml").read_bytes()
    assert not migrate(MigrateOptions(root=examples, check=True)).failed


def test_no_path_backwards_is_one_located_finding(examples: Path) -> None:
    target = examples / "pipelines/extensions/gateway.yaml"
    shutil.copy(GOLDEN / "after.yaml", target)
    outcome = migrate(MigrateOptions(root=examples, targets=(target,), to=V1ALPHA1))
    assert outcome.failed and outcome.result is not None
    failed = [o for o in outcome.result.files if o.status is MigrateStatus.FAILED]
    assert len(failed) == 1 and len(failed[0].findings) == 1
    problem = failed[0].findings[0]
    assert (problem.code, problem.path, problem.line, problem.col) == (
        "MIG001", "pipelines/extensions/gateway.yaml", 3, 13)
    assert "no migration path from rspp.dev/v1beta1 down to rspp.dev/v1alpha1" in problem.message
    assert target.read_bytes() == (GOLDEN / "after.yaml").read_bytes()


def test_the_registry_refuses_unknown_versions() -> None:
    with pytest.raises(MigrationError, match=r"has no API version 'rspp\.dev/v2'"):
        path("ExtensionManifest", V1ALPHA1, "rspp.dev/v2")
    with pytest.raises(MigrationError, match="PipelineSpec has no API version"):
        path("PipelineSpec", V1ALPHA1, V1BETA1)
    assert [m.target for m in path("ExtensionManifest", V1ALPHA1, V1BETA1)] == [V1BETA1]
    assert path("PipelineSpec", V1ALPHA1, V1ALPHA1) == ()


def test_a_schema_invalid_file_is_not_migrated(examples: Path) -> None:
    target = examples / "pipelines/extensions/gateway.yaml"
    shutil.copy(GOLDEN / "before.yaml", target)
    edit(examples, "pipelines/extensions/gateway.yaml", "  type: external_node",
         "  type: external_nod")
    outcome = run(_unpublished(examples))
    failed = [o for o in outcome.files if o.status is MigrateStatus.FAILED]
    assert [o.path for o in failed] == ["pipelines/extensions/gateway.yaml"]
    assert [f.code for f in failed[0].findings] == ["SCH001"]


def test_older_files_are_read_with_their_own_positions_and_digest(examples: Path) -> None:
    """A v1alpha1 manifest is read as v1beta1 in memory; what the resolver takes from it
    points at its own line and column, and its digest is the file's, so the lock holds."""
    result, repo = validate_repository(ValidateOptions(root=examples))
    assert result.findings == ()
    art = repo.index.get("ExtensionManifest", "custom_sentiment_node", "1.0.0")
    assert art is not None and art.doc.data["apiVersion"] == V1BETA1
    assert art.spec["params"] == {"finals_only": {"default": True},
                                  "window_turns": {"default": 3},
                                  "labels": {"default": ["negative", "neutral", "positive"]}}
    lock = json.loads((examples / "rspp.lock").read_text(encoding="utf-8"))
    assert artifact_digest(art) == \
        lock["artifacts"]["ExtensionManifest/custom_sentiment_node@1.0.0"]
    views = {v.bundle: v.text for v in resolve_all(examples, jobs=1).bundles}
    text = views["livekit_voice_assistant_bundle@1.0.0"]
    assert text is not None
    source = json.loads(text)["spec"]["defaultingSources"]["/spec/nodes/9/params/labels"]
    line = (examples / SENTIMENT).read_text(encoding="utf-8").splitlines().index(
        "    labels: [negative, neutral, positive]") + 1
    assert (source["file"], source["line"], source["column"], source["pointer"]) == (
        SENTIMENT, line, 13, "/spec/params/labels/default")


def test_an_older_file_keeps_its_own_schema(examples: Path) -> None:
    """A v1alpha1 file is validated against the v1alpha1 schema (a declaration there is
    refused), a v1beta1 file against its own (a bare default there is refused)."""
    edit(examples, SENTIMENT, "    window_turns: 3", "    window_turns: {default: 3}")
    assert validate(ValidateOptions(root=examples)).findings == ()  # any value at v1alpha1
    shutil.copy(GOLDEN / "after.yaml", examples / "pipelines/extensions/gateway.yaml")
    edit(examples, "pipelines/extensions/gateway.yaml", "      default: 0.2", "      deflt: 0.2")
    found = [(f.path, f.line, f.code) for f in validate(ValidateOptions(root=examples)).findings]
    assert found == [("pipelines/extensions/gateway.yaml", 22, "SCH001")]


def test_cli_migrate_check_and_unknown_version(examples: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from rspp.cli.main import main

    write(examples, "pipelines/extensions/gateway.yaml",
          (GOLDEN / "before.yaml").read_text(encoding="utf-8"))
    assert main(["migrate", "--check", "--root", str(examples)]) == 1
    out = capsys.readouterr().out
    assert ("pipelines/extensions/gateway.yaml: would migrate rspp.dev/v1alpha1 -> "
            "rspp.dev/v1beta1") in out
    assert "1 file would be migrated" in out and "2 files kept (published)" in out
    assert main(["migrate", "--to", "v7", "--root", str(examples)]) == 2
    assert "no kind has API version rspp.dev/v7" in capsys.readouterr().err
    assert main(["migrate", "--to", "v1beta1", "--root", str(examples)]) == 0
    assert main(["migrate", "--check", "--root", str(examples)]) == 0


_JSON_SCALARS = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
                 | st.floats(-1e6, 1e6, allow_nan=False, width=32)
                 | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                           max_size=12))
_JSON = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                                       inner, max_size=3), max_leaves=6)
_PARAMS = st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), _JSON,
                          min_size=1, max_size=5)


def _with_params(text: str, params: JsonObject) -> str:
    """``text`` (an example manifest) with its ``params`` block (and the comments inside it)
    replaced by ``params`` in block style; every other line, comments too, as it was."""
    from rspp.fmt.write import artifact_text

    lines = text.splitlines(keepends=True)
    start = lines.index("  params:\n")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("   ") or lines[end].startswith("    #")):
        end += 1
    block = artifact_text({"params": params}, "yaml")
    return "".join(lines[:start]) + "".join(
        f"  {line}" for line in block.splitlines(keepends=True)) + "".join(lines[end:])


def test_the_property_runs_over_every_v1alpha1_example() -> None:
    assert [p.name for p in EXAMPLE_MANIFESTS] == ["custom_sentiment_node.yaml",
                                                   "external_llm_gateway.yaml"]


@pytest.mark.slow
@pytest.mark.parametrize("manifest", EXAMPLE_MANIFESTS, ids=lambda p: p.name)
@settings(deadline=None, max_examples=20,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_PARAMS)
def test_migration_property_over_the_examples(manifest: Path, params: JsonObject) -> None:
    """Any parameter defaults in an example manifest (its comments kept): the migrated file
    loads to exactly the in-memory upgrade, keeps every comment, is canonical (a second
    migration changes nothing), and a manifest with other parameters is left alone."""
    source = _with_params(manifest.read_text(encoding="utf-8"), params)
    raw = source.encode()
    original = _data(raw, "yaml")
    outcome, new = migrate_file("m.yaml", raw, "yaml", _unpublished(REPO_ROOT))
    assert outcome.status is MigrateStatus.MIGRATED, [f.message for f in outcome.findings]
    assert new is not None
    assert _data(new, "yaml") == upgrade(original, "ExtensionManifest")
    assert comment_texts(new.decode()) == comment_texts(source)
    again, rewritten = migrate_file("m.yaml", new, "yaml", _unpublished(REPO_ROOT))
    assert again.status is MigrateStatus.UNCHANGED and rewritten is None
