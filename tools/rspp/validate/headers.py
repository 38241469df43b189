"""Headers of artifact files (ADR 0013): what a partial run needs of a file it does not check.

A header names one clean artifact file by the key of its content (:meth:`FileCache.key_of`:
its path, syntax, read limits and bytes): its kind, id, version, the references it makes
(:func:`rspp.rules.refs.references`: pointer, kind and text, so that a bundle's inputs and
the files a view depends on are found without the documents) and the summary of its body
(:func:`rspp.model.artifact.summary_of`: the few fields repository-wide checks read). Only a file that loaded with no
finding at all gets one, so a header stands for a schema-valid artifact; a file with findings
is always loaded whole. The headers of a repository live in one named record of the cache
(:data:`RECORD`, HMAC-authenticated like every entry): a partial run reads every file's bytes,
hashes them, and takes the header of an unchanged file instead of parsing it.

A header may also carry the file's **stamp** (:func:`stamp_of`: device, inode, size,
modification and change time in ns, taken before its bytes were read), as git's index does: a
later run that finds the same stamp on a regular file (no link) trusts the header without
reading the file. A stamp is recorded only for a file whose change time was at least
:data:`SETTLED_NS` old when it was taken, so a write in the same clock tick as the stat (file
times advance in coarse ticks) cannot hide behind an unchanged stamp: any later write gives a
newer change time, and the change time cannot be set back.

Record format (JSON): ``{"format": 3, "headers": {key: [path, kind, id, version,
[[pointer, kind, text], ...], {field: value}, stamp or null], ...}}``, keys sorted. It is decoded by msgspec into exactly
these types (a string where a string belongs, five integers in a stamp...); anything else is
no record.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import msgspec

from rspp.model.artifact import Artifact, summary_of
from rspp.model.ids import parse_ref
from rspp.rules.refs import links, references
from rspp.validate.cache import FileCache

RECORD: Final = "headers"
FORMAT: Final = 3
MAX_RECORD_BYTES: Final = 256 << 20
"""A record longer than this is not read (about a million headers)."""
SETTLED_NS: Final = 2_000_000_000
"""How old a file's change time must be, in ns, for its stamp to be recorded."""

Stamp = tuple[int, int, int, int, int]
"""(device, inode, size in bytes, modification time ns, change time ns) of a regular file."""


class Header(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One clean artifact file: its repository-relative ``path``, ``kind``, ``id``,
    ``version``, the references it makes (``links``: (pointer, kind, text) in document
    order), the ``summary`` of its body, and its ``stamp`` or None."""

    path: str
    kind: str
    id: str
    version: str
    links: tuple[tuple[str, str, str], ...]
    summary: dict[str, Any]
    stamp: Stamp | None = None


class _Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: int
    headers: dict[str, Header]


_DECODER: Final = msgspec.json.Decoder(_Record)


def stamp_of(path: Path) -> Stamp | None:
    """The stamp of the regular file at ``path`` (not following a link), or None: not a
    regular file, unreadable metadata, or changed less than :data:`SETTLED_NS` ago. Take it
    before reading the bytes the stamp will stand for."""
    now = time.time_ns()
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_ctime_ns > now - SETTLED_NS:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def unchanged(path: Path, stamp: Stamp) -> bool:
    """Whether ``path`` is still the regular file ``stamp`` describes."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and stamp == (
        info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def referred_ids(art: Artifact) -> set[tuple[str, str]]:
    """The (kind, id) pairs ``art`` refers to (:func:`rspp.rules.refs.links`, versions
    left out)."""
    refs: set[tuple[str, str]] = set()
    for _, kind, text in links(art):
        ref = parse_ref(text)
        if ref is not None:
            refs.add((kind, ref.id))
    return refs


def header_of(art: Artifact) -> Header:
    """The header of a schema-valid artifact whose document is loaded (no stamp)."""
    return Header(art.path, art.kind, art.id, art.version, tuple(references(art)),
                  summary_of(art))


def with_stamp(header: Header, stamp: Stamp | None) -> Header:
    """``header`` carrying ``stamp``."""
    return header if header.stamp == stamp else msgspec.structs.replace(header, stamp=stamp)


def read_headers(cache: FileCache) -> dict[str, Header]:
    """The headers recorded in ``cache`` by key; empty when there is no authentic record of
    this format (never raises)."""
    body = cache.get_blob(RECORD, MAX_RECORD_BYTES)
    if body is None:
        return {}
    try:
        record = _DECODER.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return {}
    return record.headers if record.format == FORMAT else {}


def write_headers(cache: FileCache, headers: Mapping[str, Header]) -> None:
    """Record ``headers`` (key -> header) in ``cache``, replacing the former record."""
    record = _Record(FORMAT, dict(sorted(headers.items())))
    cache.put_blob(RECORD, msgspec.json.encode(record))
