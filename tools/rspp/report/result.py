"""The Report: what every command returns and every reporter renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rspp.core.findings import Finding, Severity
from rspp.load.document import Document


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of one command over one repository.

    ``root``: the repository root; ``files``: repository-relative paths of the files the
    command looked at (``/``-separated); ``findings``: sorted by ``Finding.sort_key``;
    ``documents``: the loaded documents by path (for excerpts and positions); ``strict``:
    warnings fail the run too.
    """

    root: Path
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def failed(self) -> bool:
        """Whether the command's exit code is 1: an error, or a warning under ``strict``."""
        return self.errors > 0 or (self.strict and self.warnings > 0)
