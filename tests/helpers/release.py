"""Publishing in the tests: the example repository in git with an offline key pair and a
trust policy that trusts it, and what a store holds."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rspp.commands.publish import PublishOptions, PublishOutcome, publish
from rspp.commands.verify import VerifyOptions, VerifyOutcome, keygen
from rspp.core.canonical import canonical_bytes
from rspp.release import oci
from rspp.release.layout import LayoutStore
from rspp.release.publish import update_index
from rspp.release.referrers import attach, signatures
from rspp.release.sign import key_signer
from tests.helpers.cli import TODAY
from tests.helpers.repos import example_repo

BUNDLES = ("livekit_voice_assistant_bundle@0.9.0", "livekit_voice_assistant_bundle@1.0.0",
           "simple_livekit_voice_bundle@1.0.0", "sip_telephony_bundle@1.0.0")
DAY = dt.date.fromisoformat(TODAY)
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Release:
    """A git repository of the examples, its key pair and its trust policy."""

    root: Path
    key: Path
    policy: Path
    keyid: str

    def publish(self, to: str | None = None, **extra: Any) -> PublishOutcome:
        options = PublishOptions(self.root, to, "key", self.key, today=DAY, now=NOW)
        return publish(replace(options, **extra))

    def verify(self, ref: str, source: str | None = None, **extra: Any) -> VerifyOutcome:
        from rspp.commands.verify import verify_bundle

        options = VerifyOptions(self.root, ref, self.policy, source, now=NOW)
        return verify_bundle(replace(options, **extra))

    def layout(self) -> LayoutStore:
        return LayoutStore(self.root)


def release_repo(target: Path) -> Release:
    """The examples in git (main at one commit) with ``.rspp/keys/rspp.key`` and a policy
    ``.rspp/trust.yaml`` trusting it (``.rspp/`` is outside git's view: ignored)."""
    root = example_repo(target)
    (root / ".git" / "info" / "exclude").write_text("/.rspp/\n", encoding="utf-8")
    made = keygen(root, root / ".rspp" / "keys" / "rspp.key", root / ".rspp" / "trust.yaml")
    return Release(root, made.private, root / ".rspp" / "trust.yaml", made.keyid)


def copy_release(template: Release, target: Path) -> Release:
    """A copy of ``template``'s repository (git, keys, policy and store) at ``target``."""
    shutil.copytree(template.root, target, symlinks=True)
    return Release(target, target / template.key.relative_to(template.root),
                   target / template.policy.relative_to(template.root), template.keyid)


def states(outcome: PublishOutcome) -> dict[str, str]:
    return {o.candidate.packed.ref: o.state for o in outcome.outcomes}


def codes(outcome: PublishOutcome | VerifyOutcome) -> list[str]:
    return [f.code for f in outcome.report.findings if f.is_error]


def index_json(store: Path) -> dict[str, Any]:
    data = json.loads((store / "index.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def manifest_of(store: LayoutStore, ref: str) -> tuple[str, dict[str, Any]]:
    """The manifest digest and JSON the store's tag of ``ref`` names."""
    digest = store.resolve(ref.replace("@", "-"))
    assert digest is not None
    data = json.loads(store.get_manifest(digest))
    assert isinstance(data, dict)
    return digest, data


def signed_statement(store: LayoutStore, digest: str) -> dict[str, Any]:
    """The statement of the first signature on ``digest`` (unverified: for building
    tampered copies)."""
    envelope = json.loads(signatures(store, digest)[0].data)
    data = json.loads(base64.b64decode(envelope["payload"]))
    assert isinstance(data, dict)
    return data


def republish(release: Release, ref: str, manifest: dict[str, Any],
              blobs: tuple[bytes, ...] = (), *, statement: dict[str, Any] | None = None,
              key: Path | None = None) -> str:
    """An insider with a signing key: push ``manifest`` (and ``blobs``) for ``ref``, sign
    ``statement`` (default: the original's, its subject moved to the new manifest) with
    ``key`` (default: the trusted one), move the tag and rewrite the signed index so it
    lists the new manifest. Returns the new manifest digest."""
    store = release.layout()
    old, _ = manifest_of(store, ref)
    for blob in blobs:
        store.put_blob(blob, oci.sha256(blob))
    raw = canonical_bytes(manifest)
    digest = oci.sha256(raw)
    store.put_manifest(raw, digest, oci.MANIFEST)
    body = statement if statement is not None else signed_statement(store, old)
    if statement is None:
        body["subject"][0]["digest"]["sha256"] = digest.removeprefix("sha256:")
    signer = key_signer(key or release.key)
    attach(store, oci.Descriptor(oci.MANIFEST, digest, len(raw)), signer.media_type,
           signer.sign(canonical_bytes(body)))
    store.set_tag(ref.replace("@", "-"), digest, oci.MANIFEST)
    update_index(store, {ref: digest}, key_signer(release.key), now=NOW, refresh=True)
    return digest


def drop_signatures(store: LayoutStore, digest: str) -> None:
    """Point the referrers tag of ``digest`` at an empty index."""
    empty = canonical_bytes({"schemaVersion": 2, "mediaType": oci.INDEX, "manifests": []})
    store.put_manifest(empty, oci.sha256(empty), oci.INDEX)
    store.set_tag(oci.referrers_tag(digest), oci.sha256(empty), oci.INDEX)
