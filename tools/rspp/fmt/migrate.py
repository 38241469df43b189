"""`rspp migrate` as a library: rewrite artifact files at a newer API version (ADR 0023).

Each file is loaded strictly, its envelope read, and, when its kind has a migration path from
the file's ``apiVersion`` to the one asked for (default: the kind's storage version,
:func:`rspp.model.migrations.storage_version`), rewritten through the formatter: the new text
is in canonical form, keeps every comment, and loads to exactly the migrated document
(:func:`rspp.fmt.text.rewrite_document`), which must be valid under the new version's schema.
A file is never half-written: each is replaced atomically, or left alone with the finding
that says why.

A published version (named in ``rspp.lock``) is never migrated: its digest is taken over what
the file holds, and a migration changes it. It is kept, and reported as kept; rspp reads it
at its own version for as long as that version is served.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from rspp.core.errors import UsageError
from rspp.core.findings import Finding
from rspp.core.sink import finding
from rspp.fmt.engine import artifact_files, files_phrase, unified_diff, write_in_place
from rspp.fmt.text import rewrite_document
from rspp.load.api import Limits, load_bytes, syntax_for
from rspp.load.document import Document
from rspp.load.reading import read_file
from rspp.model.artifact import version_identity
from rspp.model.digest import lock_key
from rspp.model.migrations import SERVED, MigrationError, path, served, storage_version, upgrade
from rspp.validate.schema import check_envelope, check_schema

MIG001 = "MIG001"


@dataclass(frozen=True, slots=True)
class MigrateOptions:
    """``to``: the API version to migrate to (``rspp.dev/v1beta1`` or ``v1beta1``); None: each
    kind's storage version. ``published``: the lock keys (``Kind/id@version``, build metadata
    dropped) of the published versions, which are kept as they are. ``pack_kinds``: the
    artifact kinds of the enabled packs (ADR 0024), which rspp has no migration for: their
    files stay as they are."""

    root: Path
    targets: tuple[Path, ...] = ()  # files or folders; none: every artifact file
    to: str | None = None
    check: bool = False  # report what would change, write nothing
    diff: bool = False  # include a unified diff of each change
    published: frozenset[str] = frozenset()
    limits: Limits = field(default_factory=Limits)
    pack_kinds: frozenset[str] = frozenset()


class MigrateStatus(enum.Enum):
    UNCHANGED = "unchanged"
    MIGRATED = "migrated"
    WOULD_MIGRATE = "would migrate"
    PUBLISHED = "kept (published)"
    FAILED = "not migrated"


@dataclass(frozen=True, slots=True)
class FileMigration:
    """What became of one file (``path`` relative to the root): ``source`` and ``target``
    are the API versions it was and is to be at (None: not an artifact that could be read)."""

    path: str
    status: MigrateStatus
    source: str | None = None
    target: str | None = None
    findings: tuple[Finding, ...] = ()
    diff: str = ""


@dataclass(frozen=True, slots=True)
class MigrateResult:
    files: tuple[FileMigration, ...]
    check: bool = False

    def count(self, status: MigrateStatus) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def failed(self) -> bool:
        """Files that could not be migrated, or (with check) files still to migrate."""
        return any(f.status in (MigrateStatus.FAILED, MigrateStatus.WOULD_MIGRATE)
                   for f in self.files)


def api_version(text: str) -> str:
    """``v1beta1`` or ``rspp.dev/v1beta1`` -> ``rspp.dev/v1beta1``.

    Raises UsageError when no kind has that version (an unknown path, refused before any
    file is read)."""
    full = text if "/" in text else f"rspp.dev/{text}"
    if not any(full in versions for versions in SERVED.values()):
        known = sorted({v for versions in SERVED.values() for v in versions})
        raise UsageError(f"--to {text}: no kind has API version {full}",
                         f"choose one of {', '.join(known)}")
    return full


def migrate_file(rel: str, raw: bytes, syntax: str, options: MigrateOptions
                 ) -> tuple[FileMigration, bytes | None]:
    """The outcome of migrating ``raw`` (the content of ``rel``), and the bytes to write
    (None: nothing to write). Writes nothing."""
    loaded = load_bytes(raw, rel, syntax="json" if syntax == "json" else "yaml",
                        limits=options.limits, located=False)
    doc = loaded.document
    if doc is None:
        return FileMigration(rel, MigrateStatus.FAILED, findings=loaded.findings), None
    kind, problems = check_envelope(doc)
    if kind is None and doc.data.get("kind") in options.pack_kinds:
        declared = doc.data.get("apiVersion")
        held = declared if isinstance(declared, str) else None
        return FileMigration(rel, MigrateStatus.UNCHANGED, held, held), None
    if kind is None:
        return FileMigration(rel, MigrateStatus.FAILED, findings=tuple(problems)), None
    source = str(doc.data["apiVersion"])
    target = options.to or storage_version(kind)
    if target not in served(kind) or source == target:
        # a kind that has no such version stays where it is
        return FileMigration(rel, MigrateStatus.UNCHANGED, source, source), None
    try:
        path(kind, source, target)
    except MigrationError as exc:
        return FileMigration(rel, MigrateStatus.FAILED, source, target,
                             (_located(doc, exc.pointer, exc.message),)), None
    problems = check_schema(doc, kind)
    if problems:  # a migration reads a valid document only
        return FileMigration(rel, MigrateStatus.FAILED, source, target, tuple(problems)), None
    meta = doc.data["metadata"]
    assert isinstance(meta, dict)  # the schema says so
    key = lock_key(kind, str(meta["id"]), version_identity(str(meta["version"])))
    if key in options.published:
        return FileMigration(rel, MigrateStatus.PUBLISHED, source, target), None
    migrated = upgrade(doc.data, kind, target)
    written = rewrite_document(doc, migrated)
    if not written.ok:
        return FileMigration(rel, MigrateStatus.FAILED, source, target, written.findings), None
    again = Document(doc.path, written.text, migrated, doc.syntax)
    wrong = check_schema(again, kind)
    if wrong:  # the registry's fault, never the author's: the file is left alone
        return FileMigration(rel, MigrateStatus.FAILED, source, target, (_located(
            doc, "/apiVersion", f"the migrated document is not valid at {target}: "
                                f"{wrong[0].message}"),)), None
    new = written.text.encode("utf-8")
    diff = unified_diff(rel, doc.text, written.text) if options.diff else ""
    if options.check:
        return FileMigration(rel, MigrateStatus.WOULD_MIGRATE, source, target, diff=diff), None
    return FileMigration(rel, MigrateStatus.MIGRATED, source, target, diff=diff), new


def _located(doc: Document, pointer: str, message: str) -> Finding:
    span = doc.span(pointer)
    return finding(MIG001, doc.path, span.line, span.col, f"{message}; file left unchanged",
                   pointer=pointer, end_line=span.end_line, end_col=span.end_col)


def run(options: MigrateOptions) -> MigrateResult:
    """Migrate (or, with ``options.check``, only judge) the named files, or every artifact
    file under the root; writes happen in path order, each file atomically.

    Raises UsageError when the root is not a folder or ``options.to`` is no kind's version;
    PathError (PATH001-PATH003) for a target outside the repository or missing;
    FileAccessError (IO001-IO003) for a write the writer refuses (the files before it in
    path order are written)."""
    if options.to is not None and options.to != api_version(options.to):
        raise UsageError(f"--to {options.to}: write the whole API version "
                         f"({api_version(options.to)})")
    root, found, refused = artifact_files(options.root, options.targets)
    outcomes = [FileMigration(rel, MigrateStatus.FAILED, findings=problems)
                for rel, problems in refused]
    for file in found.files:
        rel, raw = read_file(file, root, options.limits.max_bytes)
        if isinstance(raw, Finding):
            outcomes.append(FileMigration(rel, MigrateStatus.FAILED, findings=(raw,)))
            continue
        outcome, new = migrate_file(rel, raw, syntax_for(file) or "yaml", options)
        if new is not None:
            write_in_place(file, root, new)  # FileAccessError IO001-IO003
        outcomes.append(outcome)
    return MigrateResult(tuple(sorted(outcomes, key=lambda o: o.path)), options.check)


def render(result: MigrateResult) -> str:
    """One line per file migrated, to migrate, kept or failed (findings as
    ``path:line:col CODE message``), then a summary line; escaped like ``rspp fmt``'s."""
    from rspp.report.escape import visible

    out: list[str] = []
    for outcome in result.files:
        if outcome.status is MigrateStatus.FAILED:
            out.extend(visible(f"{f.location()} {f.code} {f.message}") for f in outcome.findings)
        elif outcome.status is MigrateStatus.PUBLISHED:
            out.append(visible(f"{outcome.path}: kept at {outcome.source}: a published version "
                               f"(rspp.lock) is never rewritten; publish a new version at "
                               f"{outcome.target}"))
        elif outcome.status is not MigrateStatus.UNCHANGED:
            out.append(visible(f"{outcome.path}: {outcome.status.value} {outcome.source} -> "
                               f"{outcome.target}"))
        if outcome.diff:
            out.append(outcome.diff.rstrip("\n"))
    done = MigrateStatus.WOULD_MIGRATE if result.check else MigrateStatus.MIGRATED
    summary = (f"{files_phrase(result.count(done))} {'would be migrated' if result.check else 'migrated'}"
               f", {result.count(MigrateStatus.UNCHANGED)} unchanged")
    kept = result.count(MigrateStatus.PUBLISHED)
    if kept:
        summary += f", {files_phrase(kept)} kept (published)"
    failed = result.count(MigrateStatus.FAILED)
    if failed:
        summary += f", {files_phrase(failed)} not migrated"
    out.append(summary)
    return "\n".join(out) + "\n"
