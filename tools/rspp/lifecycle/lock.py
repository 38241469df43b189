"""``rspp.lock``: every published (kind, id, version) with its digest, append-only.

The lock is the repository's record of what was released. `rspp lock` adds new versions and
never rewrites an entry: content that changed under a locked version is refused (IMM003),
and `rspp check --against` refuses a lock entry that was removed or rewritten (IMM004).
Rollout manifests are mutable by design and are not locked.

Keys keep the version as written (``Kind/id@1.0.0+b``), but versions that differ only in build
metadata are one version (SemVer 2.0.0 section 10; ``rspp.model.artifact.version_identity``):
a lock holds at most one entry per version identity (else LCK002), and ``1.0.0+b`` is never a
new version beside a locked ``1.0.0`` (IMM003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from rspp.core import sink
from rspp.core.canonical import pretty
from rspp.core.constants import LOCK_FILE, MUTABLE_KINDS
from rspp.core.findings import Finding, Related
from rspp.load.api import Limits, load_bytes
from rspp.load.document import Document
from rspp.load.spans import pointer_join
from rspp.model.artifact import Artifact, Index, version_identity
from rspp.model.digest import artifact_digest, lock_key, split_lock_key

LOCK_VERSION = 1
LOCK_MAX_BYTES: Final = 1 << 24
"""The largest lock read, in bytes (16 MiB: about 100,000 entries of ~160 bytes). The lock
grows with the repository, so it is read with this bound wherever it is read (the working
tree, a base in git), never with the 1 MiB bound of an artifact file."""
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Lock:
    entries: dict[str, str] = field(default_factory=dict)
    doc: Document | None = None  # for the line of an entry

    def by_identity(self) -> dict[str, str]:
        """Identity key (``identity_key``) -> the entry's key as written."""
        return {identity_key(key): key for key in self.entries}

    def location(self, key: str | None = None) -> tuple[int, int]:
        if self.doc is None:
            return 1, 1
        span = self.doc.span(pointer_join("/artifacts", key) if key else "", key=True)
        return span.line, span.col


def identity_key(key: str) -> str:
    """A lock key with the version's build metadata dropped: ``Kind/id@1.0.0+b`` ->
    ``Kind/id@1.0.0``; two keys name one version exactly when these are equal."""
    parts = split_lock_key(key)
    return key if parts is None else lock_key(parts[0], parts[1], version_identity(parts[2]))


def artifact_identity(art: Artifact) -> str:
    """The identity key of an artifact's version (see ``identity_key``)."""
    return lock_key(art.kind, art.id, version_identity(art.version))


def unpinned_refs(art: Artifact) -> list[str]:
    """The pins of a bundle that carry no ``#sha256:`` digest yet (none for other kinds);
    read as loaded, or from a deferred bundle's header (:func:`rspp.rules.refs.links`)."""
    from rspp.model.ids import parse_ref
    from rspp.rules.refs import PINS, links

    if art.kind != "PipelineBundle":
        return []
    return [text for pointer, _, text in links(art) if pointer.startswith(PINS)
            and (ref := parse_ref(text)) is not None and ref.digest is None]


def parse_lock(raw: bytes, rel: str = LOCK_FILE) -> tuple[Lock | None, list[Finding]]:
    """Parse lock text; findings (loader codes, LCK002) when it is not a valid lock."""
    loaded = load_bytes(raw, rel, syntax="json", limits=Limits(max_bytes=LOCK_MAX_BYTES))
    doc = loaded.document
    if doc is None:
        return None, list(loaded.findings)
    data = doc.data
    problems: list[Finding] = []

    def bad(pointer: str, message: str) -> None:
        span = doc.span(pointer)
        problems.append(sink.finding("LCK002", rel, span.line, span.col, message))

    if data.get("lockVersion") != LOCK_VERSION:
        bad("/lockVersion", f"lockVersion must be {LOCK_VERSION}")
    if set(data) - {"lockVersion", "artifacts"}:
        bad("", f"unknown fields: {', '.join(sorted(set(data) - {'lockVersion', 'artifacts'}))}")
    artifacts = data.get("artifacts")
    if not isinstance(artifacts, dict):
        bad("/artifacts", "artifacts must map Kind/id@version to sha256:<hex>")
        return None, problems
    seen: dict[str, str] = {}
    for key, digest in artifacts.items():
        if split_lock_key(key) is None:
            bad(pointer_join("/artifacts", key), f"{key!r} is not Kind/id@version")
        elif not isinstance(digest, str) or not _DIGEST.match(digest):
            bad(pointer_join("/artifacts", key), f"{key}: digest must be sha256:<64 hex>")
        elif (first := seen.setdefault(identity_key(key), key)) != key:
            bad(pointer_join("/artifacts", key),
                f"{key} and {first} are one version (build metadata is not part of a "
                "version, SemVer 2.0.0 section 10): a lock records each version once")
    if problems:
        return None, problems
    return Lock({k: v for k, v in artifacts.items() if isinstance(v, str)}, doc), []


def read_lock(root: Path) -> tuple[Lock | None, list[Finding]]:
    """The working tree's lock (an empty one when the file does not exist yet)."""
    from rspp.load.reading import read_file

    path = root / LOCK_FILE
    if not path.exists() and not path.is_symlink():
        return Lock(), []
    rel, raw = read_file(path, root, LOCK_MAX_BYTES)
    if isinstance(raw, Finding):
        return None, [raw]
    return parse_lock(raw, rel)


def render_lock(entries: dict[str, str]) -> str:
    return pretty({"lockVersion": LOCK_VERSION, "artifacts": dict(sorted(entries.items()))})


def published(index: Index) -> dict[str, Artifact]:
    """Lock key -> artifact, for every schema-valid artifact whose versions are immutable.

    One artifact per version identity: of ``1.0.0`` and ``1.0.0+b`` only the first (the one
    DUP001 does not report) is published."""
    out: dict[str, Artifact] = {}
    seen: set[str] = set()
    for art in index.artifacts:
        if art.schema_valid and art.kind not in MUTABLE_KINDS:
            ident = artifact_identity(art)
            if ident not in seen:
                seen.add(ident)
                out[lock_key(art.kind, art.id, art.version)] = art
    return out


@dataclass(frozen=True, slots=True)
class LockUpdate:
    entries: dict[str, str]
    added: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added)


def update(lock: Lock, index: Index) -> LockUpdate:
    """New versions added; a locked version whose content changed is IMM003 (kept as is);
    a bundle whose pins carry no digest yet is not added (LCK003: build first, then lock).

    A version that differs from a locked one only in build metadata is the locked version
    with other content (IMM003), never a new version."""
    entries = dict(lock.entries)
    locked = lock.by_identity()
    added: list[str] = []
    findings: list[Finding] = []
    for key, art in sorted(published(index).items()):
        digest = artifact_digest(art)
        old_key = locked.get(identity_key(key))
        if old_key is None:
            unpinned = unpinned_refs(art)
            if unpinned:
                span = art.doc.span("/spec/pins")
                findings.append(sink.finding(
                    "LCK003", art.path, span.line, span.col,
                    f"{key} cannot be locked: its pins {', '.join(unpinned)} carry no digest "
                    "yet: run `rspp build`, then `rspp lock` (the build writes the digests)",
                    pointer="/spec/pins"))
                continue
            entries[key] = digest
            added.append(key)
            continue
        old = entries[old_key]
        if old == digest and old_key == key:
            continue
        span = art.doc.span("/metadata/version")
        line, col = lock.location(old_key)
        if old_key == key:
            message = (f"{key} is locked as {old}, but its content now has digest {digest}: "
                       "one version cannot have two contents; publish the change as a new "
                       "version")
        else:
            message = (f"{key} is the version locked as {old_key} ({old}): build metadata "
                       "is not part of a version (SemVer 2.0.0 section 10), so this would "
                       "give one version two contents; publish the change as a new version")
        findings.append(sink.finding("IMM003", art.path, span.line, span.col, message,
                                related=(Related(LOCK_FILE, line, col, "the lock entry"),)))
    return LockUpdate(entries, tuple(added), tuple(findings))
