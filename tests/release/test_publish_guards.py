"""What a publisher refuses to sign: a store changed outside rspp (a moved tag, an unsigned
or rolled-back index), and how a signing key is rotated."""

from __future__ import annotations

import json

import pytest

from rspp.commands.verify import keygen
from rspp.core.canonical import canonical_bytes
from rspp.release import oci
from tests.helpers.release import (
    BUNDLES,
    Release,
    codes,
    drop_signatures,
    manifest_of,
    states,
)

pytestmark = pytest.mark.slow
REF = "livekit_voice_assistant_bundle@1.0.0"


def test_a_tag_moved_to_an_unsigned_copy_is_not_re_signed(release: Release) -> None:
    """Same layers, another commit in the annotations, no signature: a publisher must not
    call that 'already published' and list it in a freshly signed index."""
    store = release.layout()
    index_before = store.resolve(oci.INDEX_TAG)
    _, manifest = manifest_of(store, REF)
    manifest["annotations"]["org.opencontainers.image.revision"] = "0" * 40
    raw = canonical_bytes(manifest)
    store.put_manifest(raw, oci.sha256(raw), oci.MANIFEST)
    store.set_tag(REF.replace("@", "-"), oci.sha256(raw), oci.MANIFEST)
    outcome = release.publish(refresh_index=True)
    assert codes(outcome) == ["REL002"]
    assert "no trusted signature covers" in next(
        f.message for f in outcome.report.findings if f.code == "REL002")
    assert states(outcome)[REF] == "refused"
    # the new index does not list the forged manifest; verification refuses the tag
    index = json.loads(store.get_blob(json.loads(store.get_manifest(
        store.resolve(oci.INDEX_TAG) or ""))["layers"][0]["digest"]))
    assert index["bundles"].get(REF) != oci.sha256(raw)
    assert store.resolve(oci.INDEX_TAG) != index_before
    assert codes(release.verify(REF)) == ["IDX004"]


def test_an_unsigned_index_is_not_extended(release: Release) -> None:
    store = release.layout()
    index = store.resolve(oci.INDEX_TAG)
    assert index is not None
    drop_signatures(store, index)
    outcome = release.publish(refresh_index=True)
    assert codes(outcome) == ["VFY001"] and outcome.outcomes == ()
    assert store.resolve(oci.INDEX_TAG) == index  # nothing re-signed


def test_a_removed_index_is_not_restarted_at_version_1(release: Release) -> None:
    assert release.verify(REF).verified is not None  # this machine trusts version 1
    store = release.layout()
    data = json.loads((release.root / ".rspp/store/index.json").read_text(encoding="utf-8"))
    data["manifests"] = [m for m in data["manifests"]
                         if m["annotations"][oci.REF_NAME] != oci.INDEX_TAG]
    (release.root / ".rspp/store/index.json").write_text(json.dumps(data), encoding="utf-8")
    outcome = release.publish()
    assert codes(outcome) == ["IDX003"] and outcome.outcomes == ()
    assert store.resolve(oci.INDEX_TAG) is None


def test_a_rolled_back_index_is_not_extended(release: Release) -> None:
    store = release.layout()
    old = store.resolve(oci.INDEX_TAG)
    assert old is not None
    assert release.publish(refresh_index=True).index is not None  # version 2, remembered
    store.set_tag(oci.INDEX_TAG, old, oci.MANIFEST)
    outcome = release.publish(refresh_index=True)
    assert codes(outcome) == ["IDX001"]
    assert store.resolve(oci.INDEX_TAG) == old


def test_rotating_the_signing_key(release: Release) -> None:
    """Publish with the new key and a policy trusting both: every bundle gets a signature by
    the new key and the index is re-signed; consumers then drop the old key."""
    new = keygen(release.root, release.root / ".rspp/keys/new.key",
                 release.root / ".rspp/new-only.yaml")
    both = release.root / ".rspp/both.yaml"
    old_key = release.policy.read_text(encoding="utf-8").split("keys:\n", 1)[1]
    both.write_text((release.root / ".rspp/new-only.yaml").read_text(encoding="utf-8")
                    + old_key, encoding="utf-8")
    # without a policy trusting the old key, the index it signed is not extended
    refused = release.publish(key=new.private)
    assert codes(refused) == ["VFY003"]
    rotated = release.publish(key=new.private, policy=both, refresh_index=True)
    assert codes(rotated) == [] and set(states(rotated).values()) == {"already published"}
    for ref in BUNDLES:
        got = release.verify(ref, policy=release.root / ".rspp/new-only.yaml")
        assert got.verified is not None, got.report.findings
        assert got.verified.signer == f"key {new.keyid}"


def test_hostile_json_in_the_store_is_a_coded_error(release: Release,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Nesting that would exhaust the parser, and duplicate keys, in the store's own files:
    one line with a code, never an internal error."""
    from tests.helpers.cli import TODAY, rspp

    deep = b"[" * 200_000 + b"]" * 200_000
    index = release.root / ".rspp/store/index.json"
    good = index.read_bytes()
    for bad in (deep, b'{"manifests": [], "manifests": []}'):
        index.write_bytes(bad)
        run = rspp(capsys, "bundle", "verify", REF, "--policy", str(release.policy),
                   "--root", str(release.root))
        assert run.code in (1, 2) and "internal error" not in run.err + run.out
        assert "REL004" in run.err + run.out or "VFY004" in run.out
        run = rspp(capsys, "bundle", "publish", "--key", str(release.key), "--today", TODAY,
                   "--root", str(release.root))
        assert run.code == 1 and "internal error" not in run.err and "REL004" in run.out
    index.write_bytes(good)
    store = release.layout()
    digest, _ = manifest_of(store, REF)
    store.put_manifest(deep, oci.sha256(deep), oci.INDEX)
    store.set_tag(oci.referrers_tag(digest), oci.sha256(deep), oci.INDEX)
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 1 and "VFY004" in run.out and "nested too deeply" in run.out
    state = release.root / ".rspp/trusted-index.json"
    state.write_bytes(b'{"indexes": {"layout:.rspp/store": 5, "layout:.rspp/store": 0}}')
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 2 and "IDX003" in run.err


def test_a_layout_is_never_made_inside_a_folder_of_other_files(
        release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.cli import TODAY, rspp

    before = sorted(p.name for p in (release.root / "pipelines").iterdir())
    run = rspp(capsys, "bundle", "publish", "--to", f"layout:{release.root / 'pipelines'}",
               "--key", str(release.key), "--today", TODAY, "--root", str(release.root))
    assert run.code == 2 and "is not an OCI image layout" in run.err
    assert sorted(p.name for p in (release.root / "pipelines").iterdir()) == before


def test_bundles_whose_tags_collide_are_not_published(release: Release,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    from tests.helpers.cli import rspp
    from tests.helpers.git import commit

    source = release.root / "pipelines/bundles/sip_telephony_bundle.yaml"
    text = source.read_text(encoding="utf-8")
    for name, ident in (("a.yaml", "team/sip"), ("b.yaml", "team_sip")):
        (release.root / "pipelines/bundles" / name).write_text(
            text.replace("id: sip_telephony_bundle", f"id: {ident}"), encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(release.root)).code == 0
    assert rspp(capsys, "lock", "--root", str(release.root)).code == 0
    commit(release.root, message="two bundles, one tag")
    outcome = release.publish()
    assert codes(outcome) == ["REL002", "REL002"] and outcome.outcomes == ()
    assert "all publish as tag team_sip-1.0.0" in outcome.report.findings[0].message


def test_the_published_bundle_must_be_the_locked_one(release: Release) -> None:
    from rspp.commands.rollout import RolloutVerifyOptions, verify_rollout
    from tests.helpers.release import NOW

    lock = release.root / "rspp.lock"
    data = json.loads(lock.read_text(encoding="utf-8"))
    data["artifacts"][f"PipelineBundle/{REF}"] = "sha256:" + "0" * 64
    lock.write_text(json.dumps(data), encoding="utf-8")
    report = verify_rollout(RolloutVerifyOptions(release.root, "canary_10pct@1.0.0",
                                                 release.policy, now=NOW))
    found = [(f.code, f.message) for f in report.findings if f.is_error]
    assert [c for c, _ in found] == ["ROL010"]
    assert "rspp.lock records sha256:000" in found[0][1]


def test_a_trusted_root_is_never_echoed(release: Release,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.cli import rspp

    secret = release.root / ".rspp/token.txt"
    secret.write_text("ghp_SECRETSECRETSECRET1234567890\n", encoding="utf-8")
    policy = release.root / ".rspp/rooted.yaml"
    policy.write_text(release.policy.read_text(encoding="utf-8")
                      + "trustedRoot: token.txt\n", encoding="utf-8")
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(policy),
               "--root", str(release.root))
    assert run.code == 2 and "VFY008" in run.err
    assert "SECRET" not in run.err + run.out


def test_a_policy_that_is_a_fifo_does_not_hang(release: Release,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from tests.helpers.cli import rspp

    fifo = release.root / ".rspp/policy.fifo"
    os.mkfifo(fifo)
    run = rspp(capsys, "bundle", "verify", REF, "--policy", str(fifo),
               "--root", str(release.root))
    assert run.code == 2 and "VFY008" in run.err and "not a regular file" in run.err


def test_keygen_leaves_nothing_when_the_policy_cannot_be_written(
        release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.cli import rspp

    (release.root / ".rspp/away").symlink_to(release.root.parent)
    run = rspp(capsys, "keygen", "-o", str(release.root / ".rspp/k7/a.key"), "--policy",
               str(release.root / ".rspp/away/p.yaml"), "--root", str(release.root))
    assert run.code == 2
    assert not (release.root / ".rspp/k7/a.key").exists()
    assert not (release.root / ".rspp/k7/a.pub").exists()
    assert not (release.root.parent / "p.yaml").exists()
    # an existing pair gets the policy it lacks with --keep-existing
    policy = release.root / ".rspp/again.yaml"
    run = rspp(capsys, "keygen", "-o", str(release.key), "--policy", str(policy),
               "--keep-existing", "--root", str(release.root))
    assert run.code == 0 and f"keyid: {release.keyid}" in policy.read_text(encoding="utf-8")
