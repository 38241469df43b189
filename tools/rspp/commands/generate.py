"""`rspp schemas`, `rspp docs` and `rspp check-generated`: the files generated from rspp's
code, in rspp's own repository only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rspp.gen.docs import OWN_FILES, is_rspp_source
from rspp.gen.drift import docs_drift, own_repository, schema_drift
from rspp.report.result import Report

Target = Literal["schemas", "docs", "all"]


@dataclass(frozen=True, slots=True)
class GenerateOptions:
    root: Path
    target: Target
    write: bool = False


@dataclass(frozen=True, slots=True)
class GenerateOutcome:
    """``lines``: one per file written or out of date; ``applicable``: False outside rspp's
    own repository (``check-generated`` only)."""

    lines: tuple[str, ...]
    write: bool
    report: Report
    applicable: bool = True

    @property
    def failed(self) -> bool:
        return not self.write and bool(self.lines)


NOT_APPLICABLE = (f"nothing to check: {OWN_FILES} are generated only in rspp's own "
                  "repository (`rspp status` checks this repository's derived files)")


def generate(options: GenerateOptions) -> GenerateOutcome:
    """Check (or, with ``write``, rewrite) the generated files named by ``target``.

    Raises UsageError when ``target`` is schemas or docs outside rspp's own repository;
    FileAccessError (IO001-IO003) for a path the writer refuses."""
    root = options.root
    report = Report(root, (), (), {})  # drift is not a finding about an artifact
    if options.target == "all":
        if not is_rspp_source(root):
            return GenerateOutcome((), options.write, report, applicable=False)
        lines = schema_drift(root, False) + docs_drift(root, False)
        return GenerateOutcome(tuple(lines), False, report)
    own_repository(root, options.target)
    drift = schema_drift if options.target == "schemas" else docs_drift
    return GenerateOutcome(tuple(drift(root, options.write)), options.write, report)
