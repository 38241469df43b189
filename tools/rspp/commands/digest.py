"""`rspp digest`: the digest of each named artifact file (ADR 0003)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.model.digest import FileDigest, digest_files
from rspp.report.result import Report


@dataclass(frozen=True, slots=True)
class DigestOptions:
    paths: tuple[Path, ...]
    # the repository the files are read in; None: each inside the repository holding it
    root: Path | None = None


@dataclass(frozen=True, slots=True)
class DigestOutcome:
    """One entry per named file, in the order named; ``report``: the findings that refused
    files."""

    files: tuple[FileDigest, ...]
    report: Report

    @property
    def failed(self) -> bool:
        return any(item.digest is None for item in self.files)


def digest(options: DigestOptions) -> DigestOutcome:
    """``sha256:<hex>`` over the RFC 8785 canonical JSON of each file's data.

    Raises PathError (PATH002) for a name that does not exist."""
    items = tuple(digest_files(list(options.paths), options.root))
    findings = [f for item in items for f in item.findings]
    report = Report(options.root or Path.cwd(), tuple(str(i.path) for i in items), (), {})
    return DigestOutcome(items, report.with_findings(findings))
