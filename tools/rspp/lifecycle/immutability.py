"""Immutability against git history: what was published at a base ref never changes.

A snapshot is the set of published versions (lock key -> digest, file, document) plus the
lock, taken from the working tree or read straight from git's object database at a ref.
Comparing the base snapshot with the working tree finds:

- IMM001 content changed under a version that exists at the base;
- IMM002 a new version lower than the highest one at the base;
- IMM003 a version locked with one digest whose content now has another;
- IMM004 a lock entry of the base removed or rewritten;
- IMM005 history rewritten: the base is not an ancestor of HEAD (a force-push) or the base's
  own lock disagrees with its content, and a version published there now has other content.

Versions are compared by identity (``rspp.model.artifact.version_identity``): build metadata
is ignored (SemVer 2.0.0 section 10), so replacing a published ``1.0.1`` by ``1.0.1+b`` is
content changed under 1.0.1 (IMM001), and rewriting the lock entry ``1.0.1`` as ``1.0.1+b`` is
IMM004.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rspp.core.constants import LOCK_FILE, MUTABLE_KINDS
from rspp.core.findings import Finding, Related
from rspp.core.jsontypes import JsonObject
from rspp.core.sink import finding
from rspp.lifecycle.lock import Lock, identity_key, published
from rspp.load.api import Limits, load_bytes
from rspp.load.document import Document
from rspp.model.artifact import Artifact, Index
from rspp.model.digest import data_digest, lock_key, split_lock_key


@dataclass(frozen=True, slots=True)
class Version:
    digest: str
    path: str
    # the document, or the artifact whose document it is: a working tree's document is
    # loaded only when a finding is placed in it
    source: Document | Artifact
    key: str  # the lock key as written (the version with its build metadata)

    @property
    def doc(self) -> Document:
        source = self.source
        return source if isinstance(source, Document) else source.doc


@dataclass(slots=True)
class Snapshot:
    """Published versions by identity key (``rspp.lock.identity_key``) and the lock."""

    label: str
    versions: dict[str, Version] = field(default_factory=dict)
    lock: Lock | None = None

    def by_id(self) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for key in self.versions:
            parts = split_lock_key(key)
            if parts is not None:
                out.setdefault(parts[:2], []).append(parts[2])
        return out


def snapshot_index(index: Index, lock: Lock | None, label: str = "the working tree") -> Snapshot:
    from rspp.model.digest import artifact_digest

    snap = Snapshot(label, lock=lock)
    for key, art in published(index).items():
        snap.versions[identity_key(key)] = Version(artifact_digest(art), art.path, art, key)
    return snap


def snapshot_files(files: dict[str, bytes | None], label: str, lock: Lock | None,
                   limits: Limits | None = None) -> Snapshot:
    """A snapshot of artifact files read from git (path -> bytes; None: too large, skipped)
    with the base's ``lock``, read by the caller (``compat.history.with_base`` refuses a base
    whose lock cannot be read); a ``rspp.lock`` among ``files`` is not parsed again."""
    from pathlib import Path

    from rspp.load.api import syntax_for

    snap = Snapshot(label, lock=lock)
    for path in sorted(files):
        raw = files[path]
        if raw is None or path == LOCK_FILE:
            continue
        syntax = syntax_for(Path(path))
        if syntax is None:
            continue
        doc = load_bytes(raw, path, syntax=syntax, limits=limits or Limits()).document
        key = _key_of(doc.data) if doc is not None else None
        if doc is not None and key is not None:
            snap.versions.setdefault(identity_key(key),
                                     Version(data_digest(doc.data), path, doc, key))
    return snap


def _key_of(data: JsonObject) -> str | None:
    kind, meta = data.get("kind"), data.get("metadata")
    if not isinstance(kind, str) or kind in MUTABLE_KINDS or not isinstance(meta, dict):
        return None
    ident, version = meta.get("id"), meta.get("version")
    if not isinstance(ident, str) or not isinstance(version, str):
        return None
    return lock_key(kind, ident, version)


def _finding(code: str, doc_or_path: Document | str, pointer: str, message: str,
             related: tuple[Related, ...] = ()) -> Finding:
    if isinstance(doc_or_path, Document):
        span = doc_or_path.span(pointer)
        return finding(code, doc_or_path.path, span.line, span.col, message, pointer=pointer,
                       related=related)
    return finding(code, doc_or_path, 1, 1, message, pointer=pointer, related=related)


def _at(base: Snapshot, version: Version, note: str) -> Related:
    span = version.doc.span("/metadata/version")
    return Related(version.path, span.line, span.col, f"{note} at {base.label}")


def _older(new: str, versions: list[str]) -> str | None:
    """The highest of ``versions`` when ``new`` is below it in SemVer precedence (build
    metadata ignored, SemVer 2.0.0 sections 10-11), else None."""
    import semver

    from rspp.model.artifact import version_identity

    try:
        parsed = semver.Version.parse(version_identity(new))
        known = [semver.Version.parse(version_identity(v)) for v in versions]
    except ValueError:
        return None
    top = max(known)
    return str(top) if parsed < top else None


def _entries(lock: Lock | None) -> dict[str, tuple[str, str]]:
    """Identity key -> (key as written, digest) of a lock's entries."""
    if lock is None:
        return {}
    return {identity_key(k): (k, d) for k, d in lock.entries.items()}


def _renamed(then: str, now: str) -> str:
    return (f" ({now} replaces {then}: build metadata is not part of a version, SemVer 2.0.0 "
            "section 10)" if then != now else "")


def compare(base: Snapshot, head: Snapshot, *, rewritten: bool = False) -> list[Finding]:
    """Findings for the working tree (``head``) against the base; see the module doc."""
    out: list[Finding] = []
    base_lock = _entries(base.lock)
    head_lock = _entries(head.lock)
    inconsistent = {k for k, (_, d) in base_lock.items()
                    if k in base.versions and base.versions[k].digest != d}
    base_ids = base.by_id()
    for ident, now in sorted(head.versions.items()):
        then = base.versions.get(ident)
        published_key, published_digest = base_lock.get(
            ident, (then.key, then.digest) if then else (ident, None))
        if published_digest is not None and now.digest != published_digest:
            renamed = _renamed(published_key, now.key)
            if rewritten or ident in inconsistent:
                why = ("the base is not an ancestor of HEAD (history was rewritten)"
                       if rewritten else "at the base, the lock and the content disagree")
                out.append(_finding("IMM005", now.doc, "/metadata/version",
                           f"{published_key} was published as {published_digest} and "
                           f"{now.key} now has {now.digest}{renamed}; {why}: publish the "
                           "change as a new version",
                           (_at(base, then, "published") ,) if then else ()))
            else:
                out.append(_finding("IMM001", now.doc, "/metadata/version",
                           f"{published_key} changed since {base.label} (digest "
                           f"{published_digest} -> {now.digest}){renamed}: a published "
                           "version never changes; publish a new version",
                           (_at(base, then, "this version") ,) if then else ()))
            continue
        parts = split_lock_key(ident)
        if then is None and parts is not None and parts[:2] in base_ids:
            top = _older(parts[2], base_ids[parts[:2]])
            if top is not None:
                out.append(_finding("IMM002", now.doc, "/metadata/version",
                           f"{now.key} is a new version below {top}, the highest at "
                           f"{base.label}: versions never go back"))
    for ident, (key, digest) in sorted(base_lock.items()):
        head_key, head_digest = head_lock.get(ident, (None, None))
        if head_key is None and head.lock is not None:
            line, col = head.lock.location()
            out.append(finding("IMM004", LOCK_FILE, line, col,
                               f"lock entry {key} ({digest}) of {base.label} was removed: "
                               "lock entries are never removed", pointer="/artifacts"))
        elif head_key is not None and (head_key, head_digest) != (key, digest) \
                and head.lock is not None:
            line, col = head.lock.location(head_key)
            now_entry = head_digest if head_key == key else f"{head_key}: {head_digest}"
            out.append(finding("IMM004", LOCK_FILE, line, col,
                               f"lock entry {key} was {digest} at {base.label} and is now "
                               f"{now_entry}{_renamed(key, head_key)}: lock entries are never "
                               "rewritten", pointer="/artifacts"))
        elif head.lock is None or not head.lock.entries:
            out.append(_finding("IMM004", LOCK_FILE, "", f"{LOCK_FILE} of {base.label} "
                                f"records {len(base_lock)} versions but is missing or empty "
                                "here: lock entries are never removed"))
            break
    return out
