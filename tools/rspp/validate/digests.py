"""Canonical digests of artifact contents, remembered between runs (ADR 0013).

The digest of an artifact (``sha256:`` over its RFC 8785 canonical JSON,
:func:`rspp.model.digest.document_digest`) depends on its file's content alone, under one
rspp. ``rspp check``, ``rspp lock`` and ``rspp build`` need every published version's
digest. At 1,000 specs, computing them took about a quarter of a ``check --against`` run
that changes one spec. The record keeps them by content key (:meth:`FileCache.key_of`, which
covers the bytes, the name, the syntax and the read limits). A run gives each artifact whose
content has a recorded digest that digest (:func:`recall`). An artifact deferred by a partial
or memoized run is then not loaded just to be hashed. Afterwards the run records the digests
of its artifacts (:func:`remember`).

Record format (JSON, HMAC-authenticated like every cache entry, under the fingerprint of
rspp's code): ``{"format": 1, "digests": {content key: "sha256:<64 hex>"}}``. Anything else
is no record. It holds the digests of the last run's artifacts only, so it does not grow with
history.
"""

from __future__ import annotations

import json
import re
from typing import Final

from rspp.model.artifact import DeferredArtifact
from rspp.validate.cache import FileCache
from rspp.validate.engine import Repository

RECORD: Final = "digests"
FORMAT: Final = 1
MAX_RECORD_BYTES: Final = 64 << 20
_DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")


def _read(cache: FileCache) -> dict[str, str]:
    body = cache.get_blob(RECORD, MAX_RECORD_BYTES)
    if body is None:
        return {}
    try:
        record = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    if type(record) is not dict or record.get("format") != FORMAT:
        return {}
    digests = record.get("digests")
    if type(digests) is not dict:
        return {}
    return {k: v for k, v in digests.items()
            if type(k) is str and type(v) is str and _DIGEST.fullmatch(v)}


def recall(repo: Repository) -> dict[str, str]:
    """Give every artifact of ``repo`` whose content has a recorded digest that digest (on
    its document, or on the deferred artifact without loading it); returns the record
    (content key -> digest), empty without a cache. Never raises for a bad record."""
    if repo.cache is None:
        return {}
    known = _read(repo.cache)
    for art in repo.index.artifacts:
        digest = known.get(repo.contents.get(art.path, ""))
        if digest is None:
            continue
        if isinstance(art, DeferredArtifact) and not art.loaded:
            art.digest = digest
        elif art.doc.digest is None:
            art.doc.digest = digest
    return known


def remember(repo: Repository, known: dict[str, str]) -> None:
    """Record the digests ``repo``'s artifacts have now (computed by the run or recalled),
    when they differ from ``known`` (what :func:`recall` read)."""
    if repo.cache is None:
        return
    now: dict[str, str] = {}
    for art in repo.index.artifacts:
        key = repo.contents.get(art.path)
        if isinstance(art, DeferredArtifact) and not art.loaded:
            digest = art.digest
        else:
            digest = art.doc.digest
        if key and digest:
            now[key] = digest
    if now == known:
        return
    body = json.dumps({"format": FORMAT, "digests": dict(sorted(now.items()))},
                      separators=(",", ":")).encode("ascii")
    repo.cache.put_blob(RECORD, body)
