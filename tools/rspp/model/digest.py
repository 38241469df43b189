"""Artifact digests: ``sha256:`` over the RFC 8785 canonical JSON of the parsed artifact.

Formatting and comments never change a digest; any change of meaning does. The same function
digests the working tree, files read from git at a base ref, and the pins bundles carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from rspp.core.findings import Finding
from rspp.load.document import Document
from rspp.model.artifact import Artifact, DeferredArtifact


def data_digest(data: object) -> str:
    from rspp.core.canonical import sha256_digest  # hashing is not needed to validate

    return sha256_digest(data)


def document_digest(doc: Document) -> str:
    """The digest of a loaded document (``sha256:<hex>`` over its RFC 8785 canonical JSON),
    computed once and kept on the document."""
    if doc.digest is None:
        doc.digest = data_digest(doc.held)
    return doc.digest


def artifact_digest(art: Artifact) -> str:
    """The digest of ``art``'s document; a deferred artifact's recorded digest when it has
    one and its document is not loaded (the record is keyed by the file's content)."""
    if isinstance(art, DeferredArtifact) and art.digest is not None and not art.loaded:
        return art.digest
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


class FileDigest(msgspec.Struct, frozen=True):
    """One file named to `rspp digest`: its digest, or the findings that refused it."""

    path: Path  # as named
    digest: str | None
    findings: tuple[Finding, ...] = ()


def digest_files(paths: Sequence[Path], root: Path | None = None) -> list[FileDigest]:
    """The digest of each named artifact file, read under the policy of :mod:`rspp.core.paths`.

    Each file is read inside ``root`` when it is in it, else inside the repository holding
    it (else its folder): a link out of that base, a link loop, a folder, a FIFO, a device,
    an unreadable or oversized file is a FILE finding, never followed or read.
    Raises ``rspp.core.paths.PathError`` PATH002 for a name that does not exist.
    """
    from rspp.core.paths import Resolver, base_of
    from rspp.load.api import load_file

    out = []
    resolvers: dict[Path, Resolver] = {}
    for path in paths:
        base = base_of(path, root)
        resolver = resolvers.setdefault(base, Resolver(base))
        resolver.named_file(path)
        problem = resolver.refusal(path)
        if problem is not None:
            out.append(FileDigest(path, None, (problem,)))
            continue
        loaded = load_file(path, base)
        doc = loaded.document
        out.append(FileDigest(path, data_digest(doc.data) if doc is not None else None,
                              loaded.findings))
    return out
