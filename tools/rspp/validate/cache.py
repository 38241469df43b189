"""The per-file cache of validation (ADR 0013): what loading one file found, by its content.

One entry per artifact file, under ``.rspp/cache/files/<fingerprint>/<kk>/<key>.json`` in the
work area: the parsed data, the artifact kind, and the loader, envelope and schema findings
of that file. ``key`` is the SHA-256 of the entry format, the file's repository-relative
path, its syntax, the read limits and the SHA-256 of its bytes; ``fingerprint`` names the
rspp that wrote it (its version and the size and modification time of every file of the
installed package, so an edited checkout of rspp never reads entries of its former self).

The cache is an optimisation only:

- an entry is used only when its HMAC-SHA256 verifies and it decodes to exactly the expected
  shape; anything else (truncated, corrupted, foreign, over :data:`MAX_ENTRY_BYTES`, a link
  or special file anywhere on its path) is a miss, and the file is loaded from its bytes
  again;
- the HMAC key is the random secret in ``.rspp/cache/key`` together with that file's device,
  inode number and change time in nanoseconds. A cache that arrives with its files (committed
  to git, restored by a CI cache step, copied from another machine) has a key file created
  anew on this machine, so none of its entries verify: a pull request cannot hand CI its own
  findings. Forging one needs the inode number and the nanosecond change time of a file made
  on the machine that checks;
- entries are written atomically (:func:`rspp.core.files.write_atomic`: a temporary file
  renamed over the target), so concurrent runs never see half an entry, and two runs writing
  the same key write the same bytes;
- a cache that cannot be written (read-only checkout, a link in the way) is skipped silently.

Data goes through the standard library's JSON, which keeps every value the loader can produce
exactly (integers of any size up to the loader's digit bound, floats by their shortest
repr, key order, ``True`` against ``1``). Nothing in an entry is executed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
from functools import cache
from pathlib import Path
from typing import Any, Final

import msgspec

from rspp import __version__
from rspp.core import sink
from rspp.core.errors import RsppError
from rspp.core.files import read_existing, remove, write_atomic
from rspp.core.findings import Finding, Related
from rspp.load.document import Document, Syntax
from rspp.load.reading import Limits, decode

CACHE_DIR: Final = ".rspp/cache"
"""The cache's folder, inside the work area (git-ignored; a ``.gitignore`` of ``*`` inside it
keeps it out of ``git status`` in repositories that do not ignore ``.rspp/``)."""

FORMAT: Final = 1
"""The entry format; a new format never reads an old one (it is part of the key)."""

MAX_ENTRY_BYTES: Final = 8 << 20
"""Entries longer than this are not read (a file is at most 1 MiB; its data and findings in
JSON stay well below)."""


class Loaded(msgspec.Struct, frozen=True):
    """One file after loading, envelope and schema checks, as validation keeps it and the
    cache records it: its repository-relative name, the document (spans dropped) or None,
    its kind (None unless the envelope named a known kind), its findings, the cache key of
    its content (:meth:`FileCache.key_of`; "" when loaded without the cache) and the file's
    stamp taken before it was read (:func:`rspp.validate.headers.stamp_of`; None without
    the cache, or when the file is not settled)."""

    rel: str
    doc: Document | None
    kind: str | None
    findings: tuple[Finding, ...]
    key: str = ""
    stamp: tuple[int, int, int, int, int] | None = None


@cache
def fingerprint() -> str | None:
    """The code that decides a file's loading outcome, hashed (16 hex digits), or None when it
    cannot be told (then the cache is not used): rspp's version; Python's; the files of the
    YAML parser and the schema validator packages (PyYAML with its libyaml binding,
    jsonschema-rs), found without importing them (a run from the cache needs neither); and
    every source and schema file of the installed rspp package, the schemas also when the
    package's ``schemas`` folder is a link (a source checkout). Each file counts by relative
    path, mode, size, inode, modification and change time in ns. The change time cannot be
    set back, so a file edited in place with its modification time restored still changes
    the fingerprint."""
    import importlib.util

    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"rspp {__version__} format {FORMAT} python {sys.version}\n".encode())
    try:
        for name in ("yaml", "jsonschema_rs"):
            spec = importlib.util.find_spec(name)
            if spec is None:
                return None
            places = list(spec.submodule_search_locations or ())
            if places:
                for where in places:
                    _stamp(h, name, Path(where), _CODE)
            elif spec.origin:
                _stamp_file(h, name, Path(spec.origin))
        folders = [("", package)]
        schemas = package / "schemas"
        if schemas.is_symlink():
            folders.append(("schemas", Path(os.path.realpath(schemas))))
        for label, base in folders:
            _stamp(h, label, base, (".py", ".json", ".typed"))
    except (OSError, ImportError, ValueError):
        return None
    return h.hexdigest()[:16]


_CODE: Final = (".py", ".so", ".pyd", ".dylib")


def parts_key(*parts: str) -> str:
    """A cache key: 64 hex digits of SHA-256 over ``parts``, each encoded as UTF-8 (lone
    surrogates of undecodable file names escaped) and ended by a NUL byte."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def limit_parts(limits: Limits) -> tuple[str, str, str]:
    """The read limits as key parts: byte, depth and integer-digit bounds."""
    return str(limits.max_bytes), str(limits.max_depth), str(limits.max_int_digits)


def _stamp_file(h: Any, label: str, path: Path) -> None:
    """Add ``path`` (not followed if a link) to ``h`` as ``label``: its mode, size, inode,
    modification and change time in ns."""
    info = os.lstat(path)
    h.update(f"{label}\0{info.st_mode}\0{info.st_size}\0{info.st_ino}\0"
             f"{info.st_mtime_ns}\0{info.st_ctime_ns}\n".encode())


def _stamp(h: Any, label: str, base: Path, ends: tuple[str, ...]) -> None:
    """Add every file under ``base`` whose name ends in one of ``ends`` (no link followed,
    caches left out) to ``h``; a file that vanishes while walking is left out."""
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(ends):
                continue
            path = os.path.join(folder, name)
            try:
                _stamp_file(h, os.path.join(label, os.path.relpath(path, base)), Path(path))
            except FileNotFoundError:
                continue


class FileCache(msgspec.Struct, frozen=True):
    """The cache of the repository at ``root`` (an absolute path), whose entries are
    authenticated with ``key``. Use :meth:`open`."""

    root: Path
    key: bytes

    @classmethod
    def open(cls, root: Path) -> FileCache | None:
        """The cache of ``root``; None when it cannot be used (its key cannot be read or made:
        a link in the way, a read-only checkout)."""
        if os.environ.get("RSPP_NO_CACHE", "") not in ("", "0") or fingerprint() is None:
            return None
        key = _key(root)
        if key is None:
            return None
        return cls(root, key)

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest().encode("ascii")

    @staticmethod
    def key_of(rel: str, syntax: Syntax, limits: Limits, raw: bytes) -> str:
        """The key of loading ``raw`` as ``rel``: 64 hex digits of SHA-256 over the entry
        format, ``rel``, the syntax, the read limits and the SHA-256 of ``raw``."""
        return parts_key(str(FORMAT), rel, syntax, *limit_parts(limits),
                         hashlib.sha256(raw).hexdigest())

    def _entry(self, key: str) -> Path:
        return self.root / f"{CACHE_DIR}/files/{fingerprint()}/{key[:2]}/{key}.json"

    def _read_signed(self, path: Path, max_bytes: int) -> bytes | None:
        """The body of the signed file at ``path`` (at most ``max_bytes`` in all), or None:
        missing, too long, a link on the way, or a MAC that does not verify."""
        try:
            blob = read_existing(path, root=self.root, verb="read", max_bytes=max_bytes)
        except (RsppError, OSError):
            return None
        if blob is None or len(blob) > max_bytes:
            return None
        mac, _, body = blob.partition(b"\n")
        return body if hmac.compare_digest(mac, self._mac(body)) else None

    def _write_signed(self, path: Path, body: bytes) -> None:
        """Write ``body`` with its MAC line to ``path`` atomically; a cache that cannot be
        written is left alone."""
        try:
            write_atomic(path, self._mac(body) + b"\n" + body, root=self.root, durable=False)
        except (RsppError, OSError):
            return

    def get(self, rel: str, syntax: Syntax, limits: Limits, raw: bytes,
            key: str | None = None) -> Loaded | None:
        """The cached outcome of loading ``raw`` as ``rel``, or None (a miss); ``key``: its
        :meth:`key_of`, when the caller has it already."""
        body = self._read_signed(self._entry(key or self.key_of(rel, syntax, limits, raw)),
                                 MAX_ENTRY_BYTES)
        if body is None:
            return None
        try:
            return _decode(json.loads(body), rel, syntax, limits, raw)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None

    def put(self, syntax: Syntax, limits: Limits, raw: bytes, outcome: Loaded,
            key: str | None = None) -> None:
        """Record ``outcome`` of loading ``raw`` (``key``: its :meth:`key_of`, when the
        caller has it already); a cache that cannot be written is left alone."""
        rel, doc = outcome.rel, outcome.doc
        entry = {
            "format": FORMAT,
            "path": rel,
            "kind": outcome.kind,
            "data": doc.data if doc is not None else None,
            "findings": [_finding_json(f) for f in outcome.findings],
        }
        try:
            text = json.dumps(entry, ensure_ascii=True, separators=(",", ":"),
                              allow_nan=True)
        except (ValueError, TypeError, RecursionError):
            return
        self._write_signed(self._entry(key or self.key_of(rel, syntax, limits, raw)),
                           text.encode("ascii"))

    def _blob(self, name: str) -> Path:
        if not name.isidentifier():
            raise ValueError(f"not a blob name: {name!r}")
        return self.root / f"{CACHE_DIR}/files/{fingerprint()}/{name}.blob"

    def get_blob(self, name: str, max_bytes: int = MAX_ENTRY_BYTES) -> bytes | None:
        """The body of the named record (``name``: a Python identifier), as this rspp wrote
        it, or None: a record that is missing, over ``max_bytes``, a link, or whose HMAC does
        not verify is a miss. Callers still decode the body strictly: it is authentic, not
        necessarily of the shape they expect (another format of the same name)."""
        return self._read_signed(self._blob(name), max_bytes + 65)

    def put_blob(self, name: str, body: bytes) -> None:
        """Record ``body`` under ``name`` (atomically replacing the former record: concurrent
        writers leave one whole record, the last); a cache that cannot be written is left
        alone."""
        self._write_signed(self._blob(name), body)


def _key(root: Path) -> bytes | None:
    """The HMAC key of ``root``'s cache: the secret of ``.rspp/cache/key`` (made on first use)
    and that file's device, inode and change time. None when it cannot be read or made."""
    path = root / CACHE_DIR / "key"
    try:
        secret = read_existing(path, root=root, verb="read", max_bytes=64)
        if secret is None or len(secret) != 32:
            _mark(root)
            # 32 bytes of the OS CSPRNG (what secrets.token_bytes reads, without importing
            # secrets and base64 on every run: ADR 0014)
            write_atomic(path, os.urandom(32), root=root, mode=0o600)
            secret = read_existing(path, root=root, verb="read", max_bytes=64)
        info = os.lstat(path)
    except (RsppError, OSError):
        return None
    if secret is None or len(secret) != 32 or not stat.S_ISREG(info.st_mode):
        return None
    return secret + f"{info.st_dev}:{info.st_ino}:{info.st_ctime_ns}".encode()


def clear(root: Path) -> int:
    """Delete the entries of the cache of the repository at ``root``; the number of entries
    removed. Nothing is followed: a link (or a file) where a cache folder should be is
    removed itself, and the folders are removed without following the links in them. Entries
    a concurrent run writes meanwhile may stay. Raises FileAccessError when a folder on the
    way to the cache is a link."""
    import shutil

    top, base = root / CACHE_DIR, root / CACHE_DIR / "files"
    for path in (top, base):
        if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
            remove(path, root=root)
            return 0
    removed = 0
    for folder, dirs, files in os.walk(base):  # links are not followed
        removed += sum(1 for name in files if name.endswith(".json"))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
    shutil.rmtree(base, ignore_errors=True)  # fd-based on POSIX: no link inside is followed
    return removed


def _mark(root: Path) -> None:
    """The cache folder's ``.gitignore`` (``*``), written once."""
    if not os.path.exists(root / CACHE_DIR / ".gitignore"):
        write_atomic(root / CACHE_DIR / ".gitignore",
                     b"# rspp's cache (rspp cache clear)\n*\n", root=root)


def _finding_json(f: Finding) -> list[object]:
    return [f.code, f.path, f.line, f.col, f.message, f.pointer, f.end_line, f.end_col,
            [[r.path, r.line, r.col, r.message] for r in f.related], f.subject]


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError("not an int")
    return value


def _opt_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not a string")
    return value


def finding_json(f: Finding) -> list[object]:
    """``f`` as the JSON array an entry holds (:func:`finding_of` reads it back)."""
    return _finding_json(f)


def finding_of(item: object, rel: str | None = None) -> Finding:
    """The finding a JSON array of :func:`finding_json` holds (its path must be ``rel``
    unless None); TypeError when it is not exactly one."""
    return _finding_of(item, rel)


def _finding_of(item: object, rel: str | None) -> Finding:
    if type(item) is not list or len(item) != 10:
        raise TypeError("not a finding")
    code, path, line, col, message, pointer, end_line, end_col, related, subject = item
    if (rel is not None and _str(path) != rel) or type(related) is not list:
        raise TypeError("not this file's finding")
    rel = _str(path)
    links = []
    for r in related:
        if type(r) is not list or len(r) != 4:
            raise TypeError("not a related location")
        links.append(Related(_str(r[0]), _int(r[1]), _int(r[2]), _str(r[3])))
    return sink.finding(_str(code), rel, _int(line), _int(col), _str(message),
                        pointer=_str(pointer), end_line=_opt_int(end_line),
                        end_col=_opt_int(end_col), related=links, subject=_str(subject))


def _decode(entry: object, rel: str, syntax: Syntax, limits: Limits, raw: bytes) -> Loaded:
    """The outcome in ``entry``; TypeError or KeyError when it is not exactly one."""
    if type(entry) is not dict or entry.get("format") != FORMAT or entry.get("path") != rel:
        raise TypeError("not an entry of this format and file")
    kind, data, items = entry["kind"], entry["data"], entry["findings"]
    if type(items) is not list or (kind is not None and type(kind) is not str):
        raise TypeError("malformed entry")
    findings = tuple(_finding_of(item, rel) for item in items)
    if data is None:
        if kind is not None:
            raise TypeError("a kind without data")
        return Loaded(rel, None, None, findings)
    if type(data) is not dict:
        raise TypeError("data is not an object")
    text = decode(raw, rel, limits.max_bytes)
    if isinstance(text, Finding):
        raise TypeError("the file no longer decodes")
    return Loaded(rel, Document(rel, text, data, syntax, spans_dropped=True), kind, findings)
