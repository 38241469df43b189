"""`rspp fmt`: canonical formatting of a repository's artifact files (docs/fmt.md)."""

from __future__ import annotations

from dataclasses import dataclass

from rspp.fmt.engine import FmtOptions, FmtResult, run
from rspp.report.result import Report

__all__ = ["FmtOptions", "FmtOutcome", "fmt"]


@dataclass(frozen=True, slots=True)
class FmtOutcome:
    """What each file became (``result``), and ``report``: the findings of the files that
    could not be formatted, as every command reports them."""

    result: FmtResult
    report: Report

    @property
    def failed(self) -> bool:
        return self.result.failed


def fmt(options: FmtOptions) -> FmtOutcome:
    """Format (or, with ``options.check``, only judge) the artifact files named by
    ``options.targets`` (none: every artifact file of the repository).

    Raises PathError (PATH001-PATH003) for a target outside the repository or missing;
    FileAccessError (IO001-IO003) for a write the writer refuses."""
    result = run(options)
    findings = [f for outcome in result.files for f in outcome.findings]
    report = Report(options.root, tuple(o.path for o in result.files), (), {})
    return FmtOutcome(result, report.with_findings(findings))
