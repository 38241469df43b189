"""Signatures attached to a manifest as OCI referrers (ADR 0008).

A signature is an artifact manifest whose ``subject`` is the signed manifest, whose
``artifactType`` and one layer are the envelope's media type (:data:`oci.DSSE` or
:data:`oci.SIGSTORE`), with the empty config (OCI image spec v1.1, ``manifest.md``,
"subject"). It is found through the referrers *fallback tag schema* of the OCI distribution
spec v1.1: the tag ``sha256-<hex>`` of the signed digest names an image index listing every
referrer, which :func:`attach` rewrites (under the store's exclusive section) with the new one
added.
"""

from __future__ import annotations

from dataclasses import dataclass

from rspp.core.canonical import canonical_bytes
from rspp.release import oci

SIGNATURE_TYPES = (oci.DSSE, oci.SIGSTORE)
MAX_REFERRERS = 64


@dataclass(frozen=True, slots=True)
class Envelope:
    """One attached signature: its media type and bytes, and the digest of the signature
    manifest that carries it."""

    media_type: str
    data: bytes
    manifest: str


def attach(store: oci.Store, subject: oci.Descriptor, media_type: str, envelope: bytes) -> str:
    """Push ``envelope`` as a referrer of ``subject`` and list it under the fallback tag;
    returns the signature manifest's digest. Idempotent for the same envelope bytes.

    Raises StoreError (REL003, REL004)."""
    blob = oci.Descriptor.of(media_type, envelope)
    store.put_blob(envelope, blob.digest)
    store.put_blob(oci.EMPTY_DATA, oci.EMPTY_DIGEST)
    manifest = oci.artifact_manifest(media_type, [blob], subject=subject)
    digest = oci.sha256(manifest)
    store.put_manifest(manifest, digest, oci.MANIFEST)
    entry = oci.Descriptor(oci.MANIFEST, digest, len(manifest), artifact_type=media_type)
    with store.exclusive():
        listed = _listed(store, subject.digest)
        if any(d.digest == digest for d in listed):
            return digest
        manifests = sorted([*listed, entry], key=lambda d: d.digest)
        index = canonical_bytes({"schemaVersion": 2, "mediaType": oci.INDEX,
                                 "manifests": [d.to_json() for d in manifests]})
        index_digest = oci.sha256(index)
        store.put_manifest(index, index_digest, oci.INDEX)
        store.set_tag(oci.referrers_tag(subject.digest), index_digest, oci.INDEX)
    return digest


def _listed(store: oci.Store, digest: str) -> list[oci.Descriptor]:
    found = store.resolve(oci.referrers_tag(digest))
    if found is None:
        return []
    data = oci.load_json(store.get_manifest(found), f"the referrers index of {digest}")
    manifests = data.get("manifests") if isinstance(data, dict) else None
    if not isinstance(manifests, list):
        raise oci.StoreError("REL004", f"the referrers index of {digest} has no manifests")
    return [oci.Descriptor.from_json(m) for m in manifests[:MAX_REFERRERS]]


def signatures(store: oci.Store, subject: str) -> list[Envelope]:
    """Every signature attached to the manifest ``subject`` (a digest), oldest listing order
    kept (sorted by signature-manifest digest). A referrer that is not a signature, or whose
    ``subject`` is another manifest, is skipped; a signature manifest that is malformed
    raises StoreError REL004."""
    out: list[Envelope] = []
    for desc in _listed(store, subject):
        if desc.artifact_type not in SIGNATURE_TYPES:
            continue
        manifest = oci.load_json(store.get_manifest(desc.digest),
                                 f"signature manifest {desc.digest}")
        if not isinstance(manifest, dict):
            raise oci.StoreError("REL004", f"signature manifest {desc.digest} is not an object")
        target = manifest.get("subject")
        if not isinstance(target, dict) or target.get("digest") != subject:
            continue
        layers = manifest.get("layers")
        if not isinstance(layers, list) or len(layers) != 1:
            raise oci.StoreError("REL004", f"signature manifest {desc.digest} does not hold "
                                 "exactly one envelope")
        layer = oci.Descriptor.from_json(layers[0])
        if layer.media_type != desc.artifact_type:
            continue
        out.append(Envelope(layer.media_type, store.get_blob(layer.digest, 1 << 20),
                            desc.digest))
    return out
