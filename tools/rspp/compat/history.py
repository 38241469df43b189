"""Every version the compatibility gate may compare with: the working tree's, the base ref's,
and, for lock entries in neither, the ones recovered from git history.

Published versions never change (``rspp.lifecycle.immutability`` reports it when they do), so
one index keyed by (kind, id, version) holds them all: the working tree's artifact wins when a
key is in both. Only files that differ from the base are read from git; the others are the
working tree's, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rspp.core.constants import ARTIFACT_DIRS, LOCK_FILE, MUTABLE_KINDS
from rspp.lifecycle.gitio import GitError, GitRepo
from rspp.lifecycle.lock import LOCK_MAX_BYTES, Lock, parse_lock
from rspp.load.api import Limits, load_bytes, syntax_for
from rspp.model.artifact import Artifact, Index, version_identity
from rspp.model.digest import lock_key, split_lock_key
from rspp.rules.packs import KindTable
from rspp.validate.engine import Repository
from rspp.validate.schema import (
    check_envelope,
    check_pack_kind,
    check_schema,
    upgrade_document,
)

Key = tuple[str, str, str]  # (kind, id, version identity)


def key_of(lock_entry: str) -> Key | None:
    parts = split_lock_key(lock_entry)
    return (parts[0], parts[1], version_identity(parts[2])) if parts else None


def lock_name(key: Key) -> str:
    return lock_key(*key)


@dataclass(slots=True)
class History:
    """What is known: ``index`` (every version), the base's published keys (None without a
    base), where each non-working-tree version was found, and lock entries whose content no
    commit holds."""

    index: Index
    label: str = "the working tree"
    base_keys: set[Key] | None = None
    base_lock: Lock | None = None
    found_at: dict[Key, str] = field(default_factory=dict)
    missing: set[Key] = field(default_factory=set)
    git: GitRepo | None = None
    commit: str | None = None
    prefix: str = ""
    base_contracts: list[Artifact] = field(default_factory=list)  # as the base has them
    # Paths (repository-relative) that differ from the base, the lock always among them, and
    # the base's bytes of those the base has (None: over the read cap); every other file is
    # the working tree's, byte for byte.
    changed: frozenset[str] = frozenset()
    base_files: dict[str, bytes | None] = field(default_factory=dict)
    # the artifact kinds of the enabled packs (``Packs.kinds``), read at every revision
    pack_kinds: KindTable = field(default_factory=dict)

    def is_new(self, key: Key) -> bool:
        """Not published at the base (always True without a base)."""
        return self.base_keys is None or key not in self.base_keys


def artifact_of(raw: bytes | None, path: str, root: Path,
                pack_kinds: KindTable | None = None
                ) -> Artifact | None:
    """The artifact in ``raw`` (a file's bytes read from git), or None when it is not one.
    ``pack_kinds``: the artifact kinds of the enabled packs (``Packs.kinds``, ADR 0024),
    read like rspp's own."""
    syntax = syntax_for(Path(path))
    if raw is None or syntax is None:
        return None
    doc = load_bytes(raw, path, syntax=syntax, limits=Limits()).document
    if doc is None:
        return None
    kind, problems = check_envelope(doc)
    pack = check_pack_kind(doc, pack_kinds) if kind is None and pack_kinds else None
    if pack is not None:
        kind, problems = pack
    elif kind is not None:
        problems = check_schema(doc, kind, root=root) or upgrade_document(doc, kind)
    if kind is None:
        return None
    meta = doc.data.get("metadata")
    ident = meta.get("id") if isinstance(meta, dict) else None
    version = meta.get("version") if isinstance(meta, dict) else None
    if not isinstance(ident, str) or not isinstance(version, str):
        return None
    return Artifact(doc, kind, ident, version, not problems)


def _copy(index: Index) -> Index:
    out = Index(node_types=index.node_types, pack_gate_types=index.pack_gate_types)
    for art in index.artifacts:
        out.add(art)
    return out


def working_tree(repo: Repository) -> History:
    """Only the working tree: no base, no history."""
    return History(_copy(repo.index), pack_kinds=repo.packs.kinds())


def with_base(repo: Repository, against: str, *, fetch: bool = True) -> History:
    """The working tree and the base ref ``against`` (GitError when git cannot answer)."""
    git = GitRepo(repo.root)
    commit = git.resolve(against, fetch=fetch)
    rel = Path(os.path.relpath(repo.root.resolve(), git.top.resolve())).as_posix()
    prefix = "" if rel == "." else rel + "/"
    wanted = [prefix + p for p in (*ARTIFACT_DIRS, LOCK_FILE)]
    # Paths in git are relative to the work tree's top; rspp's to the repository root, which
    # may be a folder inside it. Only files that differ from the base are read from git.
    changed = {p[len(prefix):] for p in git.changed(commit, wanted)
               if p.startswith(prefix)} | {LOCK_FILE}
    tree = {p[len(prefix):]: e for p, e in git.tree(commit, wanted).items()
            if p.startswith(prefix)}
    blobs = git.read_blobs((tree[p].blob for p in changed if p in tree),
                           bounds={tree[LOCK_FILE].blob: LOCK_MAX_BYTES} if LOCK_FILE in tree
                           else None)
    history = History(_copy(repo.index), f"{against} ({commit[:12]})", set(), git=git,
                      commit=commit, prefix=prefix, changed=frozenset(changed),
                      base_files={p: blobs[tree[p].blob] for p in changed if p in tree},
                      pack_kinds=repo.packs.kinds())
    assert history.base_keys is not None
    if LOCK_FILE in tree:
        history.base_lock = _base_lock(blobs[tree[LOCK_FILE].blob], history.label)
    head_by_path = {a.path: a for a in repo.index.artifacts}
    for path in sorted(tree):
        if path == LOCK_FILE:
            continue
        if path in changed:
            art = artifact_of(blobs.get(tree[path].blob), path, repo.root,
                              history.pack_kinds)
            if art is not None and art.key not in history.index.by_key:
                history.index.add(art)
                history.found_at[art.key] = history.label
        else:
            art = head_by_path.get(path)
        if art is not None and art.kind not in MUTABLE_KINDS:
            history.base_keys.add(art.key)
        if art is not None and art.kind == "CompatibilityContract" and art.schema_valid:
            history.base_contracts.append(art)
    if history.base_lock is not None:
        history.base_keys.update(k for k in map(key_of, history.base_lock.entries) if k)
    return history


def _base_lock(raw: bytes | None, label: str) -> Lock:
    """The base's lock; GitError when the base has one that cannot be read (over
    :data:`LOCK_MAX_BYTES`, or not a valid lock): without it the published versions of the
    base are unknown, and comparing with less than the base is no comparison."""
    if raw is None:
        raise GitError(f"{LOCK_FILE} at {label} is larger than {LOCK_MAX_BYTES} bytes; the base "
                       "cannot be compared")
    lock, problems = parse_lock(raw, LOCK_FILE)
    if lock is None:
        first = problems[0] if problems else None
        where = f":{first.line}:{first.col} {first.code} {first.message}" if first else ""
        raise GitError(f"{LOCK_FILE} at {label} is not a valid lock ({LOCK_FILE}{where}); the "
                       "base cannot be compared")
    return lock


def base_texts(history: History, names: Iterable[str], max_bytes: int = 1 << 20
               ) -> dict[str, str]:
    """The base commit's text of each of ``names`` (repository-relative) it holds as a regular
    file of at most ``max_bytes`` UTF-8 bytes; others are left out (a base that cannot be read
    counts as one without them). {} without a base."""
    if history.git is None or history.commit is None:
        return {}
    wanted = {history.prefix + n: n for n in names}
    tree = {p: e for p, e in history.git.tree(history.commit, sorted(wanted)).items()
            if p in wanted}
    blobs = history.git.read_blobs((e.blob for e in tree.values()), max_bytes=max_bytes)
    out: dict[str, str] = {}
    for path, entry in tree.items():
        raw = blobs.get(entry.blob)
        if raw is not None:
            try:
                out[wanted[path]] = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return out


def recover(history: History, keys: Iterable[Key], root: Path, *, fetch: bool = True,
            limit: int = 2000) -> None:
    """Find ``keys`` (lock entries in neither tree) in the history of the base, newest commit
    first; a shallow clone is completed first when ``fetch`` allows. What stays unfound goes
    to ``history.missing``."""
    wanted = {k for k in keys if k not in history.index.by_key}
    if not wanted:
        return
    git, commit = history.git, history.commit
    if git is None or commit is None:
        history.missing |= wanted
        return
    if git.is_shallow() and fetch:
        git.unshallow()
    prefix = history.prefix
    dirs = [prefix + d for d in ARTIFACT_DIRS]
    seen: set[str] = set()
    for sha in git.commits(commit, dirs, limit=limit):
        entries = {p: e for p, e in git.tree(sha, dirs).items()
                   if p.startswith(prefix) and e.blob not in seen
                   and syntax_for(Path(p)) is not None}
        seen.update(e.blob for e in entries.values())
        blobs = git.read_blobs(e.blob for e in entries.values())
        for path, entry in sorted(entries.items()):
            art = artifact_of(blobs.get(entry.blob), path[len(prefix):], root,
                              history.pack_kinds)
            if art is not None and art.key in wanted:
                history.index.add(art)
                history.found_at[art.key] = f"commit {sha[:12]}"
                wanted.discard(art.key)
        if not wanted:
            return
    history.missing |= wanted
