"""OCI vocabulary shared by the stores, publish and verify (ADR 0008).

Media types, descriptors and the :class:`Store` protocol, after the OCI Image Format
Specification v1.1 (``descriptor.md``, ``manifest.md``, ``image-layout.md``) and the OCI
Distribution Specification v1.1 (the referrers tag schema, "Referrers Tag Schema"). Two
stores implement the protocol: an OCI image layout folder (:mod:`rspp.release.layout`) and a
registry speaking the distribution API (:mod:`rspp.release.registry`, through oras-py).

Referrers (signatures of a manifest) are found through the distribution spec's *fallback tag
schema* on both stores: the tag ``sha256-<hex>`` names an image index whose ``manifests``
list every referrer of ``sha256:<hex>``. Registries without the referrers API (distribution
2.8) and layouts need it; registries with the API keep it as an ordinary tag.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Final, Protocol

from rspp.core.canonical import canonical_bytes
from rspp.core.errors import RsppError

MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
INDEX: Final = "application/vnd.oci.image.index.v1+json"
EMPTY: Final = "application/vnd.oci.empty.v1+json"
EMPTY_DATA: Final = b"{}"
EMPTY_DIGEST: Final = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

BUNDLE_TYPE: Final = "application/vnd.rspp.bundle.v1+json"
"""``artifactType`` of a published bundle version."""
ARTIFACT_LAYER: Final = "application/vnd.rspp.artifact.v1+json"
"""A layer holding one artifact (the bundle or a pinned artifact) as RFC 8785 JSON."""
VIEW_LAYER: Final = "application/vnd.rspp.view.v1+json"
"""The layer holding the bundle's resolved view as RFC 8785 JSON."""
INDEX_TYPE: Final = "application/vnd.rspp.index.v1+json"
"""``artifactType`` of the signed index of published bundles (tag :data:`INDEX_TAG`)."""
INDEX_TAG: Final = "rspp-index"
DSSE: Final = "application/vnd.dsse.envelope.v1+json"
"""A DSSE envelope (offline key signature) over an in-toto Statement v1."""
SIGSTORE: Final = "application/vnd.dev.sigstore.bundle.v0.3+json"
"""A sigstore bundle (keyless signature) over an in-toto Statement v1 (DSSE inside)."""
IN_TOTO: Final = "application/vnd.in-toto+json"
"""DSSE payloadType of an in-toto Statement."""

TITLE: Final = "org.opencontainers.image.title"
REF_NAME: Final = "org.opencontainers.image.ref.name"

MAX_MANIFEST: Final = 4 * 1024 * 1024
"""Largest manifest or index read (bytes), as the distribution spec lets registries refuse."""
MAX_BLOB: Final = 64 * 1024 * 1024
"""Largest blob read (bytes); rspp's layers are artifacts of at most 1 MiB each."""

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")


class ReleaseError(RsppError):
    """A release refused: ``code`` is the catalogue code (REL, VFY, IDX), the message one
    line (cause and remedy)."""

    def __init__(self, code: str, cause: str, remedy: str = "") -> None:
        super().__init__(cause, remedy)
        self.code = code


class StoreError(ReleaseError):
    """A store could not be used: ``code`` is ``REL003`` (unreachable, refused, I/O) or
    ``REL004`` (it answered with something that is not what was asked for: a digest that
    does not match, an oversized or malformed document)."""


def sha256(data: bytes) -> str:
    """``sha256:<hex>`` of ``data`` (OCI descriptor digest, ``descriptor.md#digests``)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def is_digest(text: str) -> bool:
    return _DIGEST.fullmatch(text) is not None


def is_tag(text: str) -> bool:
    """OCI tag grammar (distribution spec: ``[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}``)."""
    return _TAG.fullmatch(text) is not None


def safe_tag(text: str) -> str:
    """``text`` as an OCI tag: every character outside the grammar becomes ``_`` and the
    result is cut to 128 characters. ``"a/b-1.0.0+x"`` -> ``"a_b-1.0.0_x"``."""
    out = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in text)
    if not out or out[0] in ".-":
        out = "_" + out
    return out[:128]


def referrers_tag(digest: str) -> str:
    """The fallback tag listing the referrers of ``digest``: ``sha256-<hex>``."""
    return digest.replace(":", "-", 1)


@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor (``descriptor.md``): ``size`` in bytes."""

    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)
    artifact_type: str | None = None

    @classmethod
    def of(cls, media_type: str, data: bytes, annotations: Mapping[str, str] | None = None,
           artifact_type: str | None = None) -> Descriptor:
        return cls(media_type, sha256(data), len(data), dict(annotations or {}), artifact_type)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"mediaType": self.media_type, "digest": self.digest,
                                  "size": self.size}
        if self.artifact_type is not None:
            out["artifactType"] = self.artifact_type
        if self.annotations:
            out["annotations"] = dict(sorted(self.annotations.items()))
        return out

    @classmethod
    def from_json(cls, value: object) -> Descriptor:
        """Parse a descriptor; StoreError REL004 when it is not one."""
        if not isinstance(value, dict):
            raise StoreError("REL004", "a descriptor is not a JSON object")
        media, digest, size = value.get("mediaType"), value.get("digest"), value.get("size")
        notes = value.get("annotations", {})
        kind = value.get("artifactType")
        if not (isinstance(media, str) and isinstance(digest, str) and is_digest(digest)
                and isinstance(size, int) and not isinstance(size, bool) and size >= 0
                and isinstance(notes, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in notes.items())
                and (kind is None or isinstance(kind, str))):
            raise StoreError("REL004", f"malformed descriptor {str(value)[:120]!r}")
        return cls(media, digest, size, dict(notes), kind)


class Store(Protocol):
    """Where published bundles live: content-addressed blobs and manifests plus tags.

    Every getter checks what it read against the digest it asked for and refuses more than
    its limit (StoreError REL004); transport and I/O failures raise StoreError REL003.
    ``set_tag`` is the publication point: content reachable by no tag is not published.
    """

    @property
    def location(self) -> str:
        """How a user names this store (``layout:.rspp/store``, ``oci://host:port/repo``)."""
        ...

    def has_blob(self, digest: str) -> bool: ...

    def put_blob(self, data: bytes, digest: str) -> None:
        """Store ``data`` under ``digest`` (which the caller computed); idempotent."""
        ...

    def get_blob(self, digest: str, limit: int = MAX_BLOB) -> bytes: ...

    def put_manifest(self, data: bytes, digest: str, media_type: str) -> None:
        """Store a manifest or index by digest, no tag; idempotent."""
        ...

    def get_manifest(self, digest: str, limit: int = MAX_MANIFEST) -> bytes: ...

    def resolve(self, tag: str) -> str | None:
        """The manifest digest ``tag`` names now, or None when there is no such tag."""
        ...

    def set_tag(self, tag: str, digest: str, media_type: str) -> None:
        """Point ``tag`` at the manifest ``digest`` (already stored), replacing any target."""
        ...

    def tags(self) -> list[str]:
        """Every tag, sorted."""
        ...

    def exclusive(self) -> AbstractContextManager[None]:
        """A section no other publisher of this store runs at the same time (a layout's
        ``flock``); a registry cannot offer one and returns a context that does nothing."""
        ...



def unique_keys(items: list[tuple[str, object]]) -> dict[str, object]:
    """``json.loads`` ``object_pairs_hook`` refusing a repeated key (ValueError): RFC 8259
    section 4 leaves duplicates undefined, and parsers disagree on which one wins."""
    out = dict(items)
    if len(out) != len(items):
        raise ValueError("a key is repeated")
    return out


def load_json(data: bytes, what: str, code: str = "REL004") -> object:
    """``data`` parsed as JSON (RFC 8259), refusing what a hostile store could send: bytes
    that are not UTF-8 JSON, duplicate keys (:func:`unique_keys`), nesting deep enough to
    exhaust the parser. Raises ReleaseError ``code`` naming ``what``.
    """
    error = StoreError if code in ("REL003", "REL004") else ReleaseError
    try:
        return json.loads(data, object_pairs_hook=unique_keys)
    except RecursionError:
        raise error(code, f"{what} is nested too deeply to be read") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise error(code, f"{what} is not valid JSON: {str(exc)[:80]}") from None


def artifact_manifest(artifact_type: str, layers: Sequence[Descriptor], *,
                      annotations: Mapping[str, str] | None = None,
                      subject: Descriptor | None = None) -> bytes:
    """An OCI image manifest v1.1 for an artifact (``manifest.md``, "Guidelines for Artifact
    Usage"): ``artifactType``, the empty config, ``layers``, optional ``annotations`` and
    ``subject`` (its media type, digest and size only); RFC 8785 canonical bytes."""
    manifest: dict[str, object] = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": artifact_type,
        "config": {"mediaType": EMPTY, "digest": EMPTY_DIGEST, "size": len(EMPTY_DATA)},
        "layers": [layer.to_json() for layer in layers],
    }
    if annotations is not None:
        manifest["annotations"] = dict(annotations)
    if subject is not None:
        manifest["subject"] = Descriptor(subject.media_type, subject.digest,
                                         subject.size).to_json()
    return canonical_bytes(manifest)
