"""The record of canonical content (ADR 0015): which file contents `rspp fmt` found canonical.

One named record, ``fmt_canonical``, of the per-repository cache (``rspp.validate.cache``,
ADR 0013): HMAC-authenticated with the repository's cache key, kept under the fingerprint of
the installed rspp (an edited formatter never reads the record of its former self), written
atomically. Its body is a header line and one key per line (64 lowercase hex digits); each
key is :func:`content_key` of a file content that this rspp loaded and formatted to exactly
its own bytes. A file whose key is in the record is not loaded nor formatted again.

The record only ever says "these bytes, at this path, with this syntax and these limits, are
canonical": a stale key names content that no longer exists and is never matched. A body
that is not exactly of this shape is read as an empty record.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from typing import Final

from rspp.load.document import Syntax
from rspp.load.reading import Limits
from rspp.validate.cache import FileCache, limit_parts, parts_key

NAME: Final = "fmt_canonical"
"""The record's name in the cache."""

FORMAT: Final = 1
"""The record and key format; part of every key and of the record's header line."""

MAX_KEYS: Final = 100_000
"""The most keys a record holds (6.5 MB): keys of the last run first, then earlier ones."""

_HEADER: Final = f"rspp fmt canonical {FORMAT}".encode("ascii")
_KEY = re.compile(rb"[0-9a-f]{64}")
_MAX_BYTES: Final = len(_HEADER) + 1 + MAX_KEYS * 65


@cache
def _ruamel_version() -> str:
    """The round-trip YAML library's version (its output is part of the canonical form; the
    cache's fingerprint covers rspp's own code, PyYAML and Python, not this library)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ruamel.yaml")
    except PackageNotFoundError:
        return "unknown"


def content_key(rel: str, syntax: Syntax, limits: Limits, raw: bytes) -> str:
    """The key of the content ``raw`` of the file ``rel`` (repository-relative) read as
    ``syntax`` under ``limits``: 64 hex digits, the SHA-256 of the format, the round-trip
    YAML library's version, the syntax, the path, the limits and the SHA-256 of ``raw``."""
    return parts_key(f"fmt {FORMAT}", _ruamel_version(), syntax, rel, *limit_parts(limits),
                     hashlib.sha256(raw).hexdigest())


def decode(body: bytes | None) -> tuple[str, ...]:
    """The keys in a record's ``body`` (None: no record), in order; an empty tuple for any
    body not exactly of the record's shape (a header line, then distinct keys, one a line,
    each ending with a newline)."""
    if body is None or len(body) > _MAX_BYTES:
        return ()
    lines = body.split(b"\n")
    if lines[0] != _HEADER or lines[-1] != b"":
        return ()
    keys = lines[1:-1]
    if len(keys) > MAX_KEYS or not all(_KEY.fullmatch(key) for key in keys):
        return ()
    if len(set(keys)) != len(keys):
        return ()
    return tuple(key.decode("ascii") for key in keys)


def encode(keys: Iterable[str]) -> bytes:
    """The body of a record of ``keys`` (each 64 lowercase hex digits, distinct)."""
    return b"".join([_HEADER, b"\n", *(key.encode("ascii") + b"\n" for key in keys)])


def read(store: FileCache) -> tuple[str, ...]:
    """The keys of the record in ``store`` (empty when it is missing, not authentic or not of
    this shape)."""
    return decode(store.get_blob(NAME, _MAX_BYTES))


def merged(seen: Iterable[str], prior: Iterable[str], keep_prior: bool) -> tuple[str, ...]:
    """The keys to record after a run: ``seen`` (found canonical in the run, sorted), then,
    with ``keep_prior``, the ``prior`` ones not among them; at most :data:`MAX_KEYS`."""
    out = dict.fromkeys(sorted(seen))
    if keep_prior:
        for key in prior:
            if len(out) >= MAX_KEYS:
                break
            out.setdefault(key)
    return tuple(out)[:MAX_KEYS]


def write(store: FileCache, keys: tuple[str, ...], prior: tuple[str, ...]) -> None:
    """Record ``keys`` in ``store`` unless the record holds exactly them already; a cache
    that cannot be written is left alone."""
    if keys != prior:
        store.put_blob(NAME, encode(keys))
