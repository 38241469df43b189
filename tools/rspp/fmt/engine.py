"""`rspp fmt` as a library: pick the files, format each one, write atomically, report."""

from __future__ import annotations

import difflib
import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from rspp.core.errors import UsageError
from rspp.core.files import write_atomic
from rspp.core.findings import Finding
from rspp.fmt.text import format_document
from rspp.load.api import Limits, load_bytes, syntax_for
from rspp.load.reading import read_file
from rspp.validate.discover import scan, scan_targets


@dataclass(frozen=True, slots=True)
class FmtOptions:
    root: Path
    targets: tuple[Path, ...] = ()  # files or folders; none: every artifact file
    check: bool = False  # report what would change, write nothing
    diff: bool = False  # include a unified diff of each change
    limits: Limits = field(default_factory=Limits)


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
    files: tuple[FileOutcome, ...]
    check: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def failed(self) -> bool:
        """Findings: files that could not be formatted, or (with check) files to change."""
        return any(f.status in (Status.FAILED, Status.WOULD_REFORMAT) for f in self.files)


def _write(path: Path, root: Path, data: bytes) -> None:
    """Replace the file's content atomically, keeping its mode. A link inside the repository
    is written at its target (the resolved path, itself checked to be inside the root and
    reached without links by ``rspp.core.files.write_atomic``); the link stays a link."""
    write_atomic(os.path.realpath(path), data, root=root)


def _diff(rel: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{rel}", tofile=f"b/{rel}"))


def format_file(path: Path, root: Path, options: FmtOptions) -> FileOutcome:
    """Format one file; load it strictly first and never touch a file it refuses."""
    rel, raw = read_file(path, root, options.limits.max_bytes)
    if isinstance(raw, Finding):
        return FileOutcome(rel, Status.FAILED, (raw,))
    loaded = load_bytes(raw, rel, syntax=syntax_for(path) or "yaml", limits=options.limits)
    if loaded.document is None:
        return FileOutcome(rel, Status.FAILED, loaded.findings)
    result = format_document(loaded.document)
    if not result.ok:
        return FileOutcome(rel, Status.FAILED, result.findings)
    new = result.text.encode("utf-8")
    if new == raw:
        return FileOutcome(rel, Status.UNCHANGED)
    diff = _diff(rel, loaded.document.text, result.text) if options.diff else ""
    if options.check:
        return FileOutcome(rel, Status.WOULD_REFORMAT, diff=diff)
    _write(path, root, new)  # FileAccessError IO001-IO003 when it cannot or may not
    return FileOutcome(rel, Status.REFORMATTED, diff=diff)


def run(options: FmtOptions) -> FmtResult:
    """Format the named files (or every artifact file under the root)."""
    root = Path(os.path.abspath(options.root))
    if not root.is_dir():
        raise UsageError(f"{options.root}: not a directory", "set --root to the repository root")
    found = scan_targets(root, list(options.targets)) if options.targets else scan(root)
    # what discovery could not walk (a link out, a folder named like an artifact file, a
    # folder chain too deep) is a failed outcome: fmt never skips a file without a word
    refused: dict[str, list[Finding]] = {}
    for finding in found.findings:
        refused.setdefault(finding.path, []).append(finding)
    outcomes = [FileOutcome(rel, Status.FAILED, tuple(findings))
                for rel, findings in sorted(refused.items())]
    outcomes.extend(format_file(path, root, options) for path in found.files)
    return FmtResult(tuple(sorted(outcomes, key=lambda o: o.path)), options.check)


def _files(count: int) -> str:
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
        summary = f"{_files(result.count(Status.WOULD_REFORMAT))} would be reformatted"
    else:
        summary = f"{_files(result.count(Status.REFORMATTED))} reformatted"
    summary += f", {result.count(Status.UNCHANGED)} unchanged"
    failed = result.count(Status.FAILED)
    if failed:
        summary += f", {_files(failed)} not formatted"
    out.append(summary)
    return "\n".join(out) + "\n"
