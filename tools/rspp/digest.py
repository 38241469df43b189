"""Artifact digests: ``sha256:`` over the RFC 8785 canonical JSON of the parsed artifact.

Formatting and comments never change a digest; any change of meaning does. The same function
digests the working tree, files read from git at a base ref, and the pins bundles carry.
"""

from __future__ import annotations

from typing import Any

from rspp.load.document import Document
from rspp.model.artifact import Artifact

# Published artifacts are immutable; rollouts are the one mutable traffic-control surface.
MUTABLE_KINDS = frozenset({"RolloutManifest"})

_CACHE: dict[int, tuple[object, str]] = {}


def data_digest(data: Any) -> str:
    from rspp.canonical import sha256_digest  # hashing is not needed to validate

    return sha256_digest(data)


def document_digest(doc: Document) -> str:
    """The digest of a loaded document, remembered per document object."""
    hit = _CACHE.get(id(doc))
    if hit is None or hit[0] is not doc:
        if len(_CACHE) > 50_000:
            _CACHE.clear()
        hit = _CACHE[id(doc)] = (doc, data_digest(doc.data))
    return hit[1]


def artifact_digest(art: Artifact) -> str:
    return document_digest(art.doc)


def pinned_ref(art: Artifact) -> str:
    """``id@version#sha256:…``: how bundles and resolved views name an input."""
    return f"{art.ref}#{artifact_digest(art)}"


def lock_key(kind: str, ident: str, version: str) -> str:
    """``Kind/id@version``: the key of one published version in ``rspp.lock``."""
    return f"{kind}/{ident}@{version}"


def split_lock_key(key: str) -> tuple[str, str, str] | None:
    kind, sep, rest = key.partition("/")
    ident, at, version = rest.rpartition("@")
    if not (sep and at and kind and ident and version):
        return None
    return kind, ident, version
