"""Fresh derived files, remembered between runs by the stamps of what they were judged on.

Judging a derived file fresh (:func:`rspp.lifecycle.provenance.assess`) reads it, reads and
hashes every input it names, and compares the digests with its provenance. At 5,000 bundles
that is 10,000 files and 680 MB read on every ``rspp status``, ``build`` and ``check``.

The record keeps, for each derived file last judged fresh: its generator, the generator's
fingerprint, the stamp of the file (:func:`rspp.validate.headers.stamp_of`: device, inode,
size, modification and change time in ns, taken before its bytes were read) and the stamp of
each input, taken before that input was read. A later run that finds the same generator and
fingerprint, the same input list and every stamp unchanged judges the file fresh without
reading anything: the bytes the verdict was made from are still there (the change time
cannot be set back, and a stamp is recorded only once a file's change time has settled,
ADR 0013). Anything else (a stamp changed or missing, another input list, another rspp, no
record) is judged from the files as before, so the record can only save work, never turn a
verdict green.

Record format (JSON, HMAC-authenticated like every cache entry, under the fingerprint of
rspp's code): ``{"format": 1, "fresh": {path: [generator, generatorFingerprint, stamp,
[[input, stamp], ...]]}}``, paths sorted; decoded by msgspec into exactly these types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import msgspec

from rspp.validate.cache import FileCache
from rspp.validate.headers import Stamp, stamp_of

RECORD: Final = "derived"
FORMAT: Final = 1
MAX_RECORD_BYTES: Final = 256 << 20
"""A record longer than this is not read."""


class Judged(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One derived file judged fresh: by ``generator`` at ``fingerprint``, its ``stamp``,
    and each input (repository-relative path) with its stamp, in the order of the node's
    inputs."""

    generator: str
    fingerprint: str
    stamp: Stamp
    inputs: tuple[tuple[str, Stamp], ...]


class Record(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Derived files judged fresh, by path."""

    format: int = 1
    fresh: dict[str, Judged] = msgspec.field(default_factory=dict)


_DECODER: Final = msgspec.json.Decoder(Record)


class Stamps:
    """The stamps of one pass, each taken once, before the first read of its file
    (repository-relative path -> stamp or None)."""

    __slots__ = ("_root", "_taken")

    def __init__(self, root: Path) -> None:
        self._root = root
        self._taken: dict[str, Stamp | None] = {}

    def of(self, rel: str) -> Stamp | None:
        """The stamp of ``rel`` as first taken in this pass (None: not a settled regular
        file)."""
        if rel not in self._taken:
            self._taken[rel] = stamp_of(self._root / rel)
        return self._taken[rel]


def read_record(cache: FileCache | None) -> Record:
    """The record in ``cache``; empty without a cache or an authentic record of this
    format (never raises)."""
    if cache is None:
        return Record()
    body = cache.get_blob(RECORD, MAX_RECORD_BYTES)
    if body is None:
        return Record()
    try:
        record = _DECODER.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return Record()
    return record if record.format == FORMAT else Record()


def still_fresh(judged: Judged | None, generator: str, fingerprint: str,
                inputs: tuple[str, ...], stamps: Stamps, path: str) -> bool:
    """Whether the record ``judged`` of ``path`` still holds: same generator and
    fingerprint, same inputs, and every stamp (the file's and each input's, taken now) the
    recorded one."""
    if judged is None or judged.generator != generator or judged.fingerprint != fingerprint:
        return False
    if len(judged.inputs) != len(inputs) or stamps.of(path) != judged.stamp:
        return False
    return all(rel == want and stamps.of(rel) == stamp
               for (rel, stamp), want in zip(judged.inputs, inputs, strict=True))


def judged(generator: str, fingerprint: str, inputs: tuple[str, ...], stamps: Stamps,
           path: str) -> Judged | None:
    """The record of ``path`` just judged fresh from the files whose stamps ``stamps``
    took before reading them; None when one of them has no stamp (it changed too recently,
    or is not a regular file): that verdict is not remembered."""
    mine = stamps.of(path)
    taken = [(rel, stamps.of(rel)) for rel in inputs]
    if mine is None or any(stamp is None for _, stamp in taken):
        return None
    return Judged(generator, fingerprint, mine,
                  tuple((rel, stamp) for rel, stamp in taken if stamp is not None))


def write_record(cache: FileCache | None, record: Record, known: Record) -> None:
    """Write ``record`` to ``cache`` when it differs from ``known`` (what
    :func:`read_record` gave), replacing the former record."""
    if cache is None or record == known:
        return
    body = Record(FORMAT, dict(sorted(record.fresh.items())))
    cache.put_blob(RECORD, msgspec.json.encode(body))
