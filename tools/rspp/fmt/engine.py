"""`rspp fmt` as a library: pick the files, format each one, write atomically, report."""

from __future__ import annotations

import difflib
import enum
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rspp.core.errors import UsageError
from rspp.core.files import write_atomic
from rspp.core.findings import Finding
from rspp.core.pool import ChunkMap, default_jobs
from rspp.fmt import record
from rspp.fmt.confirm import confirmed
from rspp.fmt.text import format_document
from rspp.load.api import Limits, load_bytes, syntax_for
from rspp.load.reading import read_file
from rspp.validate.cache import FileCache
from rspp.validate.discover import Discovery, scan, scan_targets

PARALLEL_MIN_FILES = 32
"""Fewer files to format than this are formatted in this process (a worker costs more)."""


@dataclass(frozen=True, slots=True)
class FmtOptions:
    root: Path
    targets: tuple[Path, ...] = ()  # files or folders; none: every artifact file
    check: bool = False  # report what would change, write nothing
    diff: bool = False  # include a unified diff of each change
    limits: Limits = field(default_factory=Limits)
    # the record of canonical content in the work area (ADR 0015); False: neither read nor
    # written (RSPP_NO_CACHE=1 also turns it off)
    cache: bool = True
    jobs: int = 0  # worker processes for formatting; 0 = one per core, 1 = this process


class Status(enum.Enum):
    UNCHANGED = "unchanged"
    REFORMATTED = "reformatted"
    WOULD_REFORMAT = "would reformat"
    FAILED = "not formatted"


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: str  # relative to the repository root
    status: Status
    findings: tuple[Finding, ...] = ()
    diff: str = ""


@dataclass(frozen=True, slots=True)
class FmtResult:
    """What each file became (``files``, sorted by path), and two counts: ``formatted``,
    the files loaded and formatted in this run, and ``from_record``, the files whose content
    the record of canonical content named (UNCHANGED without loading them again)."""

    files: tuple[FileOutcome, ...]
    check: bool = False
    formatted: int = 0
    from_record: int = 0

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def failed(self) -> bool:
        """Findings: files that could not be formatted, or (with check) files to change."""
        return any(f.status in (Status.FAILED, Status.WOULD_REFORMAT) for f in self.files)


def write_in_place(path: Path, root: Path, data: bytes) -> None:
    """Replace the file's content atomically, keeping its mode. A link inside the repository
    is written at its target (the resolved path, itself checked to be inside the root and
    reached without links by ``rspp.core.files.write_atomic``); the link stays a link."""
    write_atomic(os.path.realpath(path), data, root=root)


def unified_diff(rel: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{rel}", tofile=f"b/{rel}"))


def format_file(path: Path, root: Path, options: FmtOptions) -> FileOutcome:
    """Format one file (``path`` inside ``root``); load it strictly first and never touch a
    file it refuses. The record of canonical content is neither read nor written.

    Raises FileAccessError (IO001-IO003) for a write the writer refuses."""
    rel, raw = read_file(path, root, options.limits.max_bytes)
    if isinstance(raw, Finding):
        return FileOutcome(rel, Status.FAILED, (raw,))
    outcome, new = _judge(str(path), rel, raw, options)
    if new is not None:
        write_in_place(path, root, new)  # FileAccessError IO001-IO003 when it cannot or may not
    return outcome


def _judge(path: str, rel: str, raw: bytes, options: FmtOptions) -> tuple[FileOutcome, bytes | None]:
    """The outcome of formatting ``raw`` (the content of ``path``, ``rel`` from the root),
    and the bytes to write (None: nothing to write). Writes nothing."""
    loaded = load_bytes(raw, rel, syntax=syntax_for(Path(path)) or "yaml", limits=options.limits,
                        located=False)
    if loaded.document is None:
        return FileOutcome(rel, Status.FAILED, loaded.findings), None
    if confirmed(loaded.document):  # canonical as it is, proved without the formatter
        return FileOutcome(rel, Status.UNCHANGED), None
    result = format_document(loaded.document)
    if not result.ok:
        return FileOutcome(rel, Status.FAILED, result.findings), None
    new = result.text.encode("utf-8")
    if new == raw:
        return FileOutcome(rel, Status.UNCHANGED), None
    diff = unified_diff(rel, loaded.document.text, result.text) if options.diff else ""
    if options.check:
        return FileOutcome(rel, Status.WOULD_REFORMAT, diff=diff), None
    return FileOutcome(rel, Status.REFORMATTED, diff=diff), new


def _judge_chunk(options: FmtOptions,
                 chunk: Sequence[tuple[str, str, bytes]]) -> list[tuple[FileOutcome, bytes | None]]:
    """:func:`_judge` over ``(path, rel, raw)`` items (a worker's share)."""
    return [_judge(path, rel, raw, options) for path, rel, raw in chunk]


def run(options: FmtOptions) -> FmtResult:
    """Format the named files (or every artifact file under the root); a file whose content
    the record of canonical content names (ADR 0015) is UNCHANGED without being loaded.
    Files are formatted in ``options.jobs`` worker processes when there are at least
    :data:`PARALLEL_MIN_FILES` of them; writes happen in this process, in path order.

    Raises UsageError when the root is not a folder; PathError (PATH001-PATH003) for a
    target outside the repository or missing; FileAccessError (IO001-IO003) for a write the
    writer refuses (the files before it in path order are written)."""
    root, found, refused = artifact_files(options.root, options.targets)
    outcomes = [FileOutcome(rel, Status.FAILED, findings) for rel, findings in refused]
    store = FileCache.open(root) if options.cache else None
    prior = record.read(store) if store is not None else ()
    known = frozenset(prior)
    seen: list[str] = []  # keys of the contents found canonical in this run
    todo: list[tuple[str, str, bytes]] = []
    keys: dict[str, str] = {}  # rel: key of the content judged
    for path in found.files:
        rel, raw = read_file(path, root, options.limits.max_bytes)
        if isinstance(raw, Finding):
            outcomes.append(FileOutcome(rel, Status.FAILED, (raw,)))
            continue
        key = record.content_key(rel, syntax_for(path) or "yaml", options.limits, raw)
        if key in known:
            outcomes.append(FileOutcome(rel, Status.UNCHANGED))
            seen.append(key)
            continue
        keys[rel] = key
        todo.append((str(path), rel, raw))
    hits = len(seen)
    judging = ChunkMap(_judge_chunk, options, options.jobs or default_jobs(),
                       PARALLEL_MIN_FILES, min_chunk=4)
    for (path_name, rel, _), (outcome, new) in zip(todo, judging.run(todo), strict=True):
        if new is not None:
            write_in_place(Path(path_name), root, new)  # FileAccessError IO001-IO003
        elif outcome.status is Status.UNCHANGED:
            seen.append(keys[rel])  # only content found canonical, never a refused one
        outcomes.append(outcome)
    if store is not None:
        record.write(store, record.merged(seen, prior, keep_prior=bool(options.targets)),
                     prior)
    return FmtResult(tuple(sorted(outcomes, key=lambda o: o.path)), options.check,
                     formatted=len(todo), from_record=hits)


def artifact_files(root: Path, targets: tuple[Path, ...]
                   ) -> tuple[Path, Discovery, list[tuple[str, tuple[Finding, ...]]]]:
    """The absolute root, the artifact files a rewriting command (fmt, migrate) works on
    (those named by ``targets``, none: every artifact file of the repository), and, by path,
    the findings of what discovery could not walk (a link out, a folder named like an
    artifact file, a folder chain too deep): each is a failed outcome, so no file is ever
    skipped without a word.

    Raises UsageError when ``root`` is not a folder; PathError (PATH001-PATH003) for a
    target outside the repository or missing."""
    base = Path(os.path.abspath(root))
    if not base.is_dir():
        raise UsageError(f"{root}: not a directory", "set --root to the repository root")
    found = scan_targets(base, list(targets)) if targets else scan(base)
    refused: dict[str, list[Finding]] = {}
    for finding in found.findings:
        refused.setdefault(finding.path, []).append(finding)
    return base, found, [(rel, tuple(findings)) for rel, findings in sorted(refused.items())]


def files_phrase(count: int) -> str:
    """``1 file``, ``3 files``."""
    return f"{count} file{'' if count == 1 else 's'}"


def render(result: FmtResult) -> str:
    """One line per changed or failed file (findings as path:line:col CODE message), then a
    summary line. Paths and messages are escaped (``rspp.report.escape.visible``): a file
    name cannot add a line; a diff keeps its lines and the CLI escapes what is in them."""
    from rspp.report.escape import visible

    out: list[str] = []
    for outcome in result.files:
        if outcome.status is Status.FAILED:
            out.extend(visible(f"{f.location()} {f.code} {f.message}") for f in outcome.findings)
        elif outcome.status is not Status.UNCHANGED:
            out.append(visible(f"{outcome.path}: {outcome.status.value}"))
        if outcome.diff:
            out.append(outcome.diff.rstrip("\n"))
    if result.check:
        summary = f"{files_phrase(result.count(Status.WOULD_REFORMAT))} would be reformatted"
    else:
        summary = f"{files_phrase(result.count(Status.REFORMATTED))} reformatted"
    summary += f", {result.count(Status.UNCHANGED)} unchanged"
    failed = result.count(Status.FAILED)
    if failed:
        summary += f", {files_phrase(failed)} not formatted"
    out.append(summary)
    return "\n".join(out) + "\n"
