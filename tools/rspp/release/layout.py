"""The embedded store: an OCI image layout folder inside the repository (ADR 0008).

Format: OCI Image Format Specification v1.1, ``image-layout.md``: ``oci-layout``,
``blobs/sha256/<hex>`` (manifests are blobs too) and ``index.json``, whose ``manifests``
entries carry the tag in ``org.opencontainers.image.ref.name``. Any OCI tool reads it
(``skopeo inspect oci:DIR:TAG``, ``oras pull --oci-layout DIR:TAG``).

Crash safety: every file is written by :func:`rspp.core.files.write_atomic` (a temporary
file renamed over its name), blobs before anything that names them, and ``index.json`` last,
under an exclusive ``flock`` of ``DIR/.lock`` held by :meth:`LayoutStore.exclusive` (also
taken by :meth:`LayoutStore.set_tag` alone). A process killed at any point leaves blobs no
tag names — not published, and completed by the next publish — never a tag without content.
Nothing outside the repository is read or written, and no link is followed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from rspp.core.files import FileAccessError, open_lock, read_existing, write_atomic
from rspp.release import oci

DEFAULT: Final = ".rspp/store"
"""The default store, relative to the repository root (``.rspp/`` is git-ignored)."""
LAYOUT_FILE: Final = b'{"imageLayoutVersion":"1.0.0"}'


class LayoutStore:
    """An OCI image layout at ``folder`` (inside ``root``) implementing :class:`oci.Store`.

    Raises StoreError REL003 for a file rspp may not read or write there (a link, a path
    outside the repository, an OS error) and REL004 for content that is not what its name
    says (a blob whose bytes do not hash to its name, a malformed ``index.json``).
    """

    def __init__(self, root: Path, folder: str = DEFAULT) -> None:
        self.root = Path(root)
        full = Path(folder) if Path(folder).is_absolute() else self.root / folder
        self.folder = Path(os.path.normpath(full))
        try:
            shown = self.folder.relative_to(self.root).as_posix()
        except ValueError:
            shown = str(self.folder)
        self._shown = shown
        self._held = 0
        self._cache: list[dict[str, object]] | None = None  # index.json, while _held

    @property
    def location(self) -> str:
        return f"layout:{self._shown}"

    def _path(self, *parts: str) -> Path:
        return self.folder.joinpath(*parts)

    def _blob_path(self, digest: str) -> Path:
        if not oci.is_digest(digest):
            raise oci.StoreError("REL004", f"{digest!r} is not a sha256 digest")
        return self._path("blobs", "sha256", digest.removeprefix("sha256:"))

    def _read(self, path: Path) -> bytes | None:
        try:
            return read_existing(path, root=self.root, verb="read")
        except FileAccessError as exc:
            raise oci.StoreError("REL003", exc.cause, exc.remedy) from exc

    def _write(self, path: Path, data: bytes) -> None:
        try:
            write_atomic(path, data, root=self.root)
        except FileAccessError as exc:
            raise oci.StoreError("REL003", exc.cause, exc.remedy) from exc

    def has_blob(self, digest: str) -> bool:
        path = self._blob_path(digest)
        try:
            return path.is_file() and not path.is_symlink()
        except OSError:
            return False

    def put_blob(self, data: bytes, digest: str) -> None:
        if oci.sha256(data) != digest:
            raise oci.StoreError("REL004", f"refusing to store a blob as {digest}: its bytes "
                                 f"hash to {oci.sha256(data)}")
        if self._read(self._path("oci-layout")) is None:
            self._write(self._path("oci-layout"), LAYOUT_FILE)
        if not self.has_blob(digest):
            self._write(self._blob_path(digest), data)

    def get_blob(self, digest: str, limit: int = oci.MAX_BLOB) -> bytes:
        path = self._blob_path(digest)
        try:
            size = os.lstat(path).st_size
        except FileNotFoundError:
            raise oci.StoreError("REL004", f"{self.location} has no blob {digest}",
                                 "publish the bundle again to complete the store") from None
        except OSError as exc:
            raise oci.StoreError("REL003", f"cannot read blob {digest}: {exc.strerror}") from exc
        if size > limit:
            raise oci.StoreError("REL004", f"blob {digest} is {size} bytes, more than the "
                                 f"{limit} allowed")
        data = self._read(path)
        if data is None:
            raise oci.StoreError("REL004", f"{self.location} has no blob {digest}")
        if oci.sha256(data) != digest:
            raise oci.StoreError("REL004", f"blob {digest} in {self.location} was changed: its "
                                 f"bytes hash to {oci.sha256(data)}",
                                 "the store was tampered with; do not use it")
        return data

    def put_manifest(self, data: bytes, digest: str, media_type: str) -> None:
        self.put_blob(data, digest)

    def get_manifest(self, digest: str, limit: int = oci.MAX_MANIFEST) -> bytes:
        return self.get_blob(digest, limit)

    def _entries(self) -> list[dict[str, object]]:
        """The entries of ``index.json``; read once per exclusive section (no other publisher
        writes it meanwhile), else at every call."""
        if self._held and self._cache is not None:
            return list(self._cache)
        entries = self._read_entries()
        if self._held:
            self._cache = entries
        return list(entries)

    def _read_entries(self) -> list[dict[str, object]]:
        raw = self._read(self._path("index.json"))
        if raw is None:
            return []
        if len(raw) > oci.MAX_MANIFEST:
            raise oci.StoreError("REL004", f"{self._shown}/index.json is larger than "
                                 f"{oci.MAX_MANIFEST} bytes")
        try:
            data = oci.load_json(raw, f"{self._shown}/index.json")
        except oci.ReleaseError as exc:
            raise oci.StoreError("REL004", exc.cause, "restore it from a backup or publish "
                                 "into a new store") from None
        manifests = data.get("manifests") if isinstance(data, dict) else None
        if not isinstance(manifests, list) or not all(isinstance(m, dict) for m in manifests):
            raise oci.StoreError("REL004", f"{self._shown}/index.json has no manifests list")
        for entry in manifests:
            oci.Descriptor.from_json(entry)  # refuses a malformed entry
        return list(manifests)

    def _tagged(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for entry in self._entries():
            notes = entry.get("annotations")
            name = notes.get(oci.REF_NAME) if isinstance(notes, dict) else None
            if isinstance(name, str):
                out[name] = str(entry["digest"])
        return out

    def resolve(self, tag: str) -> str | None:
        return self._tagged().get(tag)

    def tags(self) -> list[str]:
        return sorted(self._tagged())

    def set_tag(self, tag: str, digest: str, media_type: str) -> None:
        if not oci.is_tag(tag):
            raise oci.StoreError("REL004", f"{tag!r} is not an OCI tag")
        with self.exclusive():
            size = os.lstat(self._blob_path(digest)).st_size if self.has_blob(digest) else -1
            if size < 0:
                raise oci.StoreError("REL004", f"cannot tag {tag}: {digest} is not stored")
            kept = [e for e in self._entries() if _entry_key(e)[0] != tag]
            entry = oci.Descriptor(media_type, digest, size, {oci.REF_NAME: tag}).to_json()
            manifests = sorted([*kept, entry], key=_entry_key)
            index = {"schemaVersion": 2, "mediaType": oci.INDEX, "manifests": manifests}
            text = json.dumps(index, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
            self._cache = None
            self._write(self._path("index.json"), text.encode("ascii"))
            self._cache = manifests

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        if self._held:
            self._held += 1
            try:
                yield
            finally:
                self._held -= 1
            return
        import fcntl

        try:
            fd = open_lock(self._path(".lock"), root=self.root)
        except FileAccessError as exc:
            raise oci.StoreError("REL003", exc.cause, exc.remedy) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._held, self._cache = 1, None
            try:
                yield
            finally:
                self._held, self._cache = 0, None
        finally:
            os.close(fd)  # closing releases the lock


def _entry_key(entry: dict[str, object]) -> tuple[str, str]:
    notes = entry.get("annotations")
    name = notes.get(oci.REF_NAME, "") if isinstance(notes, dict) else ""
    return str(name), str(entry.get("digest", ""))
