"""`rspp bundle publish` into the embedded OCI image layout: what is published, that it is
published once, refusals, and an independent OCI client reading it back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from rspp.core.constants import LOCK_FILE
from rspp.release import oci
from rspp.release.layout import LayoutStore
from tests.helpers.cli import TODAY, rspp
from tests.helpers.git import commit, git
from tests.helpers.release import BUNDLES, Release, codes, index_json, release_repo, states

pytestmark = pytest.mark.slow
STORE = ".rspp/store"


@pytest.fixture
def release(tmp_path: Path) -> Release:
    return release_repo(tmp_path / "repo")


def test_publish_then_publish_again_is_a_no_op(release: Release) -> None:
    first = release.publish()
    assert codes(first) == []
    assert states(first) == dict.fromkeys(BUNDLES, "published")
    assert first.index is not None and first.index.version == 1 and first.index.written
    store = release.root / STORE
    files = {p: p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}
    again = release.publish()
    assert codes(again) == []
    assert states(again) == dict.fromkeys(BUNDLES, "already published")
    assert again.index is not None and not again.index.written and again.index.version == 1
    after = {p: p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}
    assert after == files  # not one byte changed


def test_the_artifact_is_what_the_issue_names(release: Release) -> None:
    release.publish()
    store = LayoutStore(release.root)
    digest = store.resolve("livekit_voice_assistant_bundle-1.0.0")
    assert digest is not None
    manifest = json.loads(store.get_manifest(digest))
    assert manifest["artifactType"] == oci.BUNDLE_TYPE
    assert manifest["config"]["mediaType"] == oci.EMPTY
    notes = manifest["annotations"]
    head = git(release.root, "rev-parse", "HEAD")
    assert notes["dev.rspp.id"] == "livekit_voice_assistant_bundle"
    assert notes["dev.rspp.version"] == notes["org.opencontainers.image.version"] == "1.0.0"
    assert notes["org.opencontainers.image.revision"] == head
    lock = json.loads((release.root / LOCK_FILE).read_text(encoding="utf-8"))["artifacts"]
    key = "PipelineBundle/livekit_voice_assistant_bundle@1.0.0"
    assert notes["dev.rspp.digest"] == lock[key]
    titles = [layer["annotations"][oci.TITLE] for layer in manifest["layers"]]
    assert titles[0] == key and titles[-1] == "ResolvedSpec/livekit_voice_assistant_bundle@1.0.0"
    assert "PipelineSpec/livekit_voice_assistant@1.0.0" in titles
    assert "Module/transcription_normalize@1.0.0" in titles  # imported by the spec
    # every artifact layer is the locked content: its digest is the lock's
    for layer in manifest["layers"][:-1]:
        assert layer["digest"] == lock[layer["annotations"][oci.TITLE]]


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    one, two = release_repo(tmp_path / "one"), release_repo(tmp_path / "two")
    # the same commit (same tree, time and author) in both
    git(two.root, "fetch", "-q", str(one.root), "main")
    git(two.root, "reset", "-q", "--hard", "FETCH_HEAD")
    one.publish(), two.publish()
    a, b = LayoutStore(one.root), LayoutStore(two.root)
    for tag in (t.replace("@", "-") for t in BUNDLES):
        digest = a.resolve(tag)
        assert digest is not None and digest == b.resolve(tag)
        assert a.get_manifest(digest) == b.get_manifest(digest)


def test_other_content_for_a_published_version_is_refused(release: Release,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    assert codes(release.publish()) == []
    # history is rewritten: 1.0.0 of the simple bundle gets another description, relocked
    path = release.root / "pipelines/examples/simple_livekit_voice/bundle.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description:", "description: Changed.", 1), encoding="utf-8")
    lock = json.loads((release.root / LOCK_FILE).read_text(encoding="utf-8"))
    del lock["artifacts"]["PipelineBundle/simple_livekit_voice_bundle@1.0.0"]
    (release.root / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(release.root)).code == 0
    assert rspp(capsys, "lock", "--root", str(release.root)).code == 0
    commit(release.root, message="amend 1.0.0")
    outcome = release.publish()
    assert codes(outcome) == ["REL001"]
    assert states(outcome)["simple_livekit_voice_bundle@1.0.0"] == "refused"
    refused = next(f for f in outcome.report.findings if f.code == "REL001")
    assert "already published" in refused.message
    assert refused.path == "pipelines/examples/simple_livekit_voice/bundle.yaml"
    summary = outcome.markdown()  # the job summary says it too
    assert "| `simple_livekit_voice_bundle@1.0.0` | refused \\(REL001\\) |" in summary
    assert "1 error(s): see the job log." in summary
    # the published version is untouched and still verifies
    assert release.verify("simple_livekit_voice_bundle@1.0.0").verified is not None
    run = rspp(capsys, "bundle", "publish", "--key", str(release.key), "--today", TODAY,
               "--root", str(release.root))
    assert run.code == 1 and "REL001" in run.out


def test_a_tag_naming_another_bundle_is_refused(release: Release) -> None:
    assert codes(release.publish()) == []
    store = LayoutStore(release.root)
    other = store.resolve("sip_telephony_bundle-1.0.0")
    assert other is not None
    store.set_tag("simple_livekit_voice_bundle-1.0.0", other, oci.MANIFEST)
    outcome = release.publish()
    assert codes(outcome) == ["REL002"]
    refused = next(f for f in outcome.report.findings if f.code == "REL002")
    assert "names sip_telephony_bundle@1.0.0" in refused.message


def test_uncommitted_changes_are_not_published(release: Release,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec = release.root / "pipelines/specs/livekit_voice_assistant.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# a local edit\n", encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(release.root)).code == 0  # the gate is green
    outcome = release.publish()
    assert codes(outcome) == ["REL005"]
    assert outcome.outcomes == ()
    assert not (release.root / STORE / "index.json").exists()


def test_a_failing_check_publishes_nothing(release: Release) -> None:
    lock = release.root / LOCK_FILE
    data = json.loads(lock.read_text(encoding="utf-8"))
    data["artifacts"] = {k: v for k, v in data["artifacts"].items() if "sip_" not in k}
    lock.write_text(json.dumps(data), encoding="utf-8")
    commit(release.root, message="drop entries")
    outcome = release.publish()
    assert "LCK001" in codes(outcome)
    assert outcome.outcomes == () and not (release.root / STORE).exists()


def test_a_layout_outside_the_repository_is_refused(release: Release, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    run = rspp(capsys, "bundle", "publish", "--to", f"layout:{tmp_path / 'elsewhere'}",
               "--key", str(release.key), "--root", str(release.root), "--today", TODAY)
    assert run.code == 2 and "PATH001" in run.err
    assert not (tmp_path / "elsewhere").exists()


def test_skopeo_reads_the_layout(release: Release, tmp_path: Path) -> None:
    skopeo = shutil.which("skopeo")
    if skopeo is None:
        pytest.skip("skopeo is not installed (.ci/run installs it)")
    release.publish()
    store = LayoutStore(release.root)
    for ref in BUNDLES:
        tag = ref.replace("@", "-")
        raw = subprocess.run([skopeo, "inspect", "--raw", f"oci:{release.root / STORE}:{tag}"],
                             capture_output=True, check=True, timeout=60).stdout
        assert oci.sha256(raw) == store.resolve(tag)
    subprocess.run([skopeo, "copy", "-q", f"oci:{release.root / STORE}:sip_telephony_bundle-1.0.0",
                    f"oci:{tmp_path / 'copy'}:x"], check=True, timeout=60, capture_output=True)
    copied = {p.name for p in (tmp_path / "copy/blobs/sha256").iterdir()}
    digest = store.resolve("sip_telephony_bundle-1.0.0")
    assert digest is not None
    manifest = json.loads(store.get_manifest(digest))
    assert {layer["digest"].removeprefix("sha256:") for layer in manifest["layers"]} <= copied


def test_index_json_names_every_bundle(release: Release) -> None:
    release.publish()
    names = {m["annotations"][oci.REF_NAME]
             for m in index_json(release.root / STORE)["manifests"]}
    assert {r.replace("@", "-") for r in BUNDLES} | {oci.INDEX_TAG} <= names


def test_a_repository_inside_a_larger_work_tree(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """git names paths from the work tree's top: an uncommitted change is still seen when
    the rspp repository is a folder inside it."""
    from rspp.commands.publish import PublishOptions, publish
    from rspp.commands.verify import keygen
    from tests.helpers.git import init
    from tests.helpers.release import DAY, NOW
    from tests.helpers.repos import copy_examples

    outer = tmp_path / "outer"
    root = copy_examples(outer / "sub")
    init(outer)
    (outer / ".gitignore").write_text(".rspp/\n", encoding="utf-8")
    commit(outer, message="base")
    key = keygen(root, root / ".rspp/keys/k.key").private
    spec = root / "pipelines/specs/livekit_voice_assistant.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# a local edit\n", encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(root)).code == 0
    outcome = publish(PublishOptions(root, None, "key", key, today=DAY, now=NOW))
    assert "REL005" in codes(outcome) and outcome.outcomes == ()
    refused = [f.path for f in outcome.report.findings if f.code == "REL005"]
    assert "pipelines/specs/livekit_voice_assistant.yaml" in refused
    commit(outer, message="commit the edit")
    assert codes(publish(PublishOptions(root, None, "key", key, today=DAY, now=NOW))) == []
