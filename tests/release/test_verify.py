"""`rspp bundle verify` and ``pull_verified``: every way a published bundle can be wrong is
refused with its own code, and nothing of it is handed out or extracted."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import tarfile
from typing import Any

import pytest

from rspp.commands.verify import keygen
from rspp.core.canonical import canonical_bytes
from rspp.core.errors import UsageError
from rspp.core.paths import PathError
from rspp.release import oci
from rspp.release.index import TrustState
from rspp.release.trust import load_policy
from rspp.release.verify import ArtifactStore, pull_verified, safe_title
from tests.helpers.cli import rspp
from tests.helpers.release import (
    BUNDLES,
    NOW,
    Release,
    codes,
    drop_signatures,
    manifest_of,
    republish,
    signed_statement,
)

pytestmark = pytest.mark.slow
REF = "livekit_voice_assistant_bundle@1.0.0"
SPEC = "PipelineSpec/livekit_voice_assistant@1.0.0"


def refused(release: Release, ref: str = REF, **extra: Any) -> list[str]:
    outcome = release.verify(ref, **extra)
    assert outcome.verified is None and outcome.files == ()
    return codes(outcome)


def test_every_published_bundle_verifies(release: Release,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    for ref in BUNDLES:
        outcome = release.verify(ref)
        assert outcome.verified is not None, outcome.report.findings
        assert outcome.verified.signer == f"key {release.keyid}"
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 0, run.out + run.err
    assert run.out.startswith(f"verified {REF} in layout:.rspp/store: manifest sha256:")


def test_the_runtime_api_hands_out_what_was_locked(release: Release) -> None:
    policy = load_policy(release.policy)
    store = ArtifactStore(release.layout(), policy)
    got = store.get_bundle(REF, runtime="1.5.0", now=NOW)
    lock = json.loads((release.root / "rspp.lock").read_text(encoding="utf-8"))["artifacts"]
    assert got.bundle_digest == lock[f"PipelineBundle/{REF}"]
    spec = got.members[SPEC]
    assert oci.sha256(canonical_bytes(spec)) == lock[SPEC]
    assert isinstance(got.view, dict) and got.view["kind"] == "ResolvedSpec"


def test_a_runtime_outside_the_window_is_refused(release: Release) -> None:
    assert refused(release, runtime="2.0.0") == ["VFY009"]
    assert refused(release, runtime="1.0.0") == ["VFY009"]
    assert refused(release, runtime="not-a-version") == ["VFY009"]
    assert release.verify(REF, runtime="1.5.0").verified is not None


def test_a_changed_byte_in_a_pinned_artifact(release: Release) -> None:
    store = release.layout()
    _, manifest = manifest_of(store, REF)
    layer = next(x for x in manifest["layers"] if x["annotations"][oci.TITLE] == SPEC)
    blob = release.root / ".rspp/store/blobs/sha256" / layer["digest"].removeprefix("sha256:")
    data = bytearray(blob.read_bytes())
    data[data.index(b"livekit")] ^= 0x20  # one byte
    blob.write_bytes(bytes(data))
    assert refused(release, extract=release.root / "out") == ["VFY004"]
    assert not (release.root / "out").exists()


def test_a_changed_byte_in_the_manifest_moves_it_off_the_index(release: Release) -> None:
    store = release.layout()
    digest, _ = manifest_of(store, REF)
    blob = release.root / ".rspp/store/blobs/sha256" / digest.removeprefix("sha256:")
    blob.write_bytes(blob.read_bytes().replace(b'"1.0.0"', b'"1.0.1"', 1))
    assert refused(release) == ["VFY004"]  # the store's bytes no longer hash to the name


def test_a_pin_that_does_not_match_its_layer(release: Release) -> None:
    """An insider with the signing key publishes a spec layer other than the pinned one:
    signature, index and provenance agree, the pin does not."""
    store = release.layout()
    _, manifest = manifest_of(store, REF)
    spec_layer = next(x for x in manifest["layers"] if x["annotations"][oci.TITLE] == SPEC)
    spec = json.loads(store.get_blob(spec_layer["digest"]))
    spec["metadata"]["description"] = "Something else."
    raw = canonical_bytes(spec)
    spec_layer.update(digest=oci.sha256(raw), size=len(raw))
    old_digest, _ = manifest_of(store, REF)
    statement = signed_statement(store, old_digest)
    for dep in statement["predicate"]["buildDefinition"]["resolvedDependencies"]:
        if dep["name"] == SPEC:
            dep["digest"]["sha256"] = oci.sha256(raw).removeprefix("sha256:")
    new = canonical_bytes(manifest)
    statement["subject"][0]["digest"]["sha256"] = oci.sha256(new).removeprefix("sha256:")
    republish(release, REF, manifest, (raw,), statement=statement)
    assert refused(release) == ["VFY005"]


def test_provenance_that_does_not_match(release: Release) -> None:
    store = release.layout()
    digest, manifest = manifest_of(store, REF)
    statement = signed_statement(store, digest)
    statement["predicate"]["buildDefinition"]["externalParameters"]["bundle"] = \
        "sip_telephony_bundle@1.0.0"
    manifest["annotations"]["org.opencontainers.image.description"] = "republished"
    new = canonical_bytes(manifest)
    statement["subject"][0]["digest"]["sha256"] = oci.sha256(new).removeprefix("sha256:")
    republish(release, REF, manifest, statement=statement)
    assert refused(release) == ["VFY006"]


def test_a_signature_over_other_content(release: Release) -> None:
    store = release.layout()
    digest, _ = manifest_of(store, REF)
    other, _ = manifest_of(store, "sip_telephony_bundle@1.0.0")
    drop_signatures(store, digest)
    statement = signed_statement(store, other)  # a valid signature, of another manifest
    from rspp.release.referrers import attach
    from rspp.release.sign import key_signer

    signer = key_signer(release.key)
    attach(store, oci.Descriptor(oci.MANIFEST, digest, 1), signer.media_type,
           signer.sign(canonical_bytes(statement)))
    assert refused(release) == ["VFY002"]


def test_a_tampered_envelope(release: Release) -> None:
    store = release.layout()
    digest, _ = manifest_of(store, REF)
    statement = signed_statement(store, digest)
    from rspp.release.referrers import attach, signatures

    envelope = json.loads(signatures(store, digest)[0].data)
    statement["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example/builder"
    import base64

    envelope["payload"] = base64.b64encode(canonical_bytes(statement)).decode()
    drop_signatures(store, digest)
    attach(store, oci.Descriptor(oci.MANIFEST, digest, 1), oci.DSSE, canonical_bytes(envelope))
    assert refused(release) == ["VFY002"]


def test_a_signer_the_policy_does_not_allow(release: Release) -> None:
    other = keygen(release.root, release.root / ".rspp/keys/intruder.key")
    store = release.layout()
    _, manifest = manifest_of(store, REF)
    manifest["annotations"]["org.opencontainers.image.description"] = "by an intruder"
    republish(release, REF, manifest, key=other.private)
    # the index is still signed by the trusted key; the bundle is not
    assert refused(release) == ["VFY003"]


def test_a_missing_signature(release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    store = release.layout()
    digest, _ = manifest_of(store, REF)
    drop_signatures(store, digest)
    assert refused(release) == ["VFY001"]
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 1
    assert "VFY001" in run.out and "is not signed" in run.out


def test_an_unsigned_index(release: Release) -> None:
    store = release.layout()
    index = store.resolve(oci.INDEX_TAG)
    assert index is not None
    drop_signatures(store, index)
    assert refused(release) == ["VFY001"]


def _archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("../../outside.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    return buffer.getvalue()


def test_a_layer_that_is_a_hostile_archive(release: Release) -> None:
    store = release.layout()
    _, manifest = manifest_of(store, REF)
    archive = _archive()
    manifest["layers"].insert(1, oci.Descriptor.of(
        "application/vnd.oci.image.layer.v1.tar", archive,
        {oci.TITLE: "../../outside"}).to_json())
    republish(release, REF, manifest, (archive,))
    assert refused(release, extract=release.root / "out") == ["VFY007"]
    assert not (release.root / "out").exists()
    assert not (release.root.parent / "outside.txt").exists()


@pytest.mark.parametrize("title", ["../../etc/passwd", "/abs@1", "Kind/a/../b@1",
                                   "Kind/id@", "Kind/i\nd@1", "Kind//x@1", "Kind/./x@1"])
def test_unsafe_titles(title: str) -> None:
    assert not safe_title(title)


def test_safe_titles() -> None:
    assert safe_title("ExecutionProfile/low_latency/v1@1.0.0")
    assert safe_title("PipelineBundle/b@1.0.0+build.1")


def test_a_moved_tag(release: Release) -> None:
    store = release.layout()
    other, _ = manifest_of(store, "sip_telephony_bundle@1.0.0")
    store.set_tag(REF.replace("@", "-"), other, oci.MANIFEST)
    assert refused(release) == ["IDX004"]
    assert refused(release, "nothing_like_it@1.0.0") == ["IDX004"]


def test_a_rolled_back_index(release: Release) -> None:
    store = release.layout()
    old = store.resolve(oci.INDEX_TAG)
    assert old is not None
    assert release.verify(REF).verified is not None  # remembers version 1
    _, manifest = manifest_of(store, REF)
    manifest["annotations"]["org.opencontainers.image.description"] = "again"
    republish(release, REF, manifest)  # index version 2
    assert release.verify(REF).verified is not None  # remembers version 2
    state = json.loads((release.root / ".rspp/trusted-index.json").read_text(encoding="utf-8"))
    assert state == {"indexes": {"layout:.rspp/store": 2}}
    store.set_tag(oci.INDEX_TAG, old, oci.MANIFEST)  # the attacker replays version 1
    assert refused(release) == ["IDX001"]
    # without the state, the replayed index still does not name what the tag names now
    assert refused(release, state=release.root / ".rspp/fresh.json") == ["IDX004"]


def test_an_expired_index(release: Release) -> None:
    later = NOW + dt.timedelta(days=31)
    assert refused(release, now=later) == ["IDX002"]
    # a refresh re-signs it with a new expiry, and nothing else changes
    outcome = release.publish(refresh_index=True, now=later)
    assert outcome.index is not None and outcome.index.version == 2 and outcome.index.written
    assert release.verify(REF, now=later).verified is not None


def test_the_state_is_not_written_on_failure(release: Release) -> None:
    store = release.layout()
    digest, manifest = manifest_of(store, REF)
    manifest["annotations"]["org.opencontainers.image.description"] = "again"
    republish(release, REF, manifest)  # index version 2, never verified here
    digest, _ = manifest_of(store, REF)
    drop_signatures(store, digest)
    assert refused(release) == ["VFY001"]
    state = TrustState.load(release.root / ".rspp/trusted-index.json", release.root)
    assert state.trusted("layout:.rspp/store") == 1  # what the publisher wrote, no more


def test_extract_writes_a_new_folder_only(release: Release) -> None:
    out = release.root / "out"
    outcome = release.verify(REF, extract=out)
    assert outcome.verified is not None
    names = sorted(p.relative_to(out).as_posix() for p in outcome.files)
    assert f"PipelineBundle/{REF}.json" in names and f"ResolvedSpec/{REF}.json" in names
    assert "ExecutionProfile/simple/v1@1.0.0.json" in names
    with pytest.raises(UsageError):  # an existing folder is never written into
        release.verify(REF, extract=out)
    (release.root / ".rspp/elsewhere").symlink_to(release.root.parent)
    for bad in (release.root / ".git/evil", release.root / ".rspp/elsewhere/out"):
        with pytest.raises(PathError):  # inside git's folder; out of the repository
            release.verify(REF, extract=bad)
        assert not bad.exists() and not (release.root.parent / "out").exists()


def test_pull_verified_directly(release: Release) -> None:
    policy = load_policy(release.policy)
    with pytest.raises(oci.ReleaseError) as caught:
        pull_verified(release.layout(), "not-a-ref", policy, now=NOW)
    assert caught.value.code == "VFY007"
    got = pull_verified(release.layout(), REF, policy, now=NOW)
    assert got.ref == REF and got.index_version == 1
    assert copy.deepcopy(dict(got.members)).keys() == got.members.keys()


def test_a_removed_tag(release: Release) -> None:
    path = release.root / ".rspp/store/index.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["manifests"] = [m for m in data["manifests"]
                         if m["annotations"][oci.REF_NAME] != REF.replace("@", "-")]
    path.write_text(json.dumps(data), encoding="utf-8")
    outcome = release.verify(REF)
    assert codes(outcome) == ["IDX004"]
    assert "is missing, though the signed index lists" in outcome.report.findings[0].message
