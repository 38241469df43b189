"""The findings of the last whole run, by what they depend on (ADR 0013).

The rules (but those bound with ``reads_files``) and the resolved-graph checks of a whole run
are a function of the artifact files' contents and of the files that earlier stages found
broken, under one rspp (the cache's fingerprint). :func:`memo_key` hashes exactly that: every
file's repository-relative name with its content key (:meth:`FileCache.key_of`), or, for a
file that could not be read, its findings; and the broken files. A whole run whose key is the
recorded one takes those findings from the record (:data:`RECORD`, HMAC-authenticated like
every entry) instead of running the rules; the checks that read other files (fixtures) run
every time.

Record format (JSON): ``{"format": 1, "key": hex, "findings": [finding, ...]}`` with each
finding as :func:`rspp.validate.cache.finding_json` writes it. Anything else is no record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Final

from rspp.core.findings import Finding
from rspp.validate.cache import FileCache, finding_json, finding_of

RECORD: Final = "validation"
FORMAT: Final = 1
MAX_RECORD_BYTES: Final = 256 << 20


def memo_key(contents: Mapping[str, str], broken: Iterable[str], packs: str = "") -> str:
    """The key of a whole run: SHA-256 (hex) over ``contents`` (repository-relative name ->
    content key or the marker of an unreadable file), the ``broken`` file names, sorted, and
    ``packs``: what the enabled packs are (``Packs.fingerprint``; their rules run too)."""
    h = hashlib.sha256(f"format {FORMAT}\npacks {packs}\n".encode())
    for rel in sorted(contents):
        h.update(f"{rel}\0{contents[rel]}\n".encode("utf-8", "surrogateescape"))
    h.update(b"broken\n")
    for rel in sorted(set(broken)):
        h.update(f"{rel}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def read_memo(cache: FileCache, key: str) -> list[Finding] | None:
    """The findings recorded for ``key``, or None (no authentic record for that key)."""
    body = cache.get_blob(RECORD, MAX_RECORD_BYTES)
    if body is None:
        return None
    try:
        record = json.loads(body)
        if (type(record) is not dict or record.get("format") != FORMAT
                or record.get("key") != key or type(record.get("findings")) is not list):
            return None
        return [finding_of(item) for item in record["findings"]]
    except (ValueError, TypeError, KeyError, RecursionError):
        return None


def write_memo(cache: FileCache, key: str, findings: Iterable[Finding]) -> None:
    """Record ``findings`` as the outcome of the run whose key is ``key``."""
    record = {"format": FORMAT, "key": key, "findings": [finding_json(f) for f in findings]}
    try:
        body = json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    except (ValueError, TypeError, RecursionError):
        return
    cache.put_blob(RECORD, body)
