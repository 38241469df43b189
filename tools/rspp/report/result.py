"""The Report: what every command returns and every reporter renders."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from rspp.core.catalogue import Entry
from rspp.core.findings import Finding
from rspp.load.config import Config
from rspp.load.document import Document
from rspp.report.configured import apply


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of one command over one repository.

    ``root``: the repository root; ``files``: repository-relative paths of the files the
    command looked at (``/``-separated); ``findings``: sorted by ``Finding.sort_key``;
    ``documents``: the loaded documents by path (for excerpts and positions); ``strict``:
    warnings fail the run too. A waived finding (``Finding.waiver``) is listed but counts as
    neither an error nor a warning: it is counted by ``waived`` and fails nothing.

    ``config``: the consumer's configuration (``rspp.toml`` or ``[tool.rspp]``, ADR 0010),
    applied to ``findings`` whenever a report is made or copied
    (:func:`rspp.report.configured.apply`): configured severities replace the catalogue's,
    and the findings it turns off or excludes move to ``hidden`` (sorted), which fail nothing.
    """

    root: Path
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    strict: bool = False
    config: Config | None = None
    hidden: tuple[Finding, ...] = ()
    entries: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))
    """The catalogue entries of the codes the enabled packs contribute (ADR 0024), for the
    report formats that describe each code (SARIF)."""

    def __post_init__(self) -> None:
        if self.config is None:
            return
        kept, hidden = apply(self.config, self.findings, self.entries)
        object.__setattr__(self, "findings", kept)
        if hidden:
            merged = tuple(sorted({*self.hidden, *hidden}, key=Finding.sort_key))
            object.__setattr__(self, "hidden", merged)

    @property
    def errors(self) -> int:
        """The errors no waiver accepts."""
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        """The warnings no waiver accepts."""
        return sum(1 for f in self.findings if f.is_warning)

    @property
    def waived(self) -> int:
        """The findings a waiver accepts, whatever their severity."""
        return sum(1 for f in self.findings if f.waiver is not None)

    @property
    def failed(self) -> bool:
        """Whether the command's exit code is 1: an error, or a warning under ``strict``."""
        return self.errors > 0 or (self.strict and self.warnings > 0)

    def with_findings(self, findings: Iterable[Finding], *,
                      files: Iterable[str] | None = None) -> Report:
        """This report with ``findings`` instead of its own (duplicates dropped, sorted by
        ``Finding.sort_key``) and, when given, ``files`` (sorted) instead of its files."""
        unique = tuple(sorted(set(findings), key=Finding.sort_key))
        listed = self.files if files is None else tuple(sorted(set(files)))
        return replace(self, findings=unique, files=listed)

    @classmethod
    def of_document(cls, root: Path, path: str, findings: Iterable[Finding],
                    document: Document | None = None) -> Report:
        """A report about one file (``path``, repository-relative), with its document when it
        was loaded."""
        return cls(root, (path,), tuple(sorted(set(findings), key=Finding.sort_key)),
                   {path: document} if document is not None else {})
