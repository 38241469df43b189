"""`rspp compat`: breaking changes, bumps, version skew, deprecations and waivers against a
base ref, with the validation findings of the working tree (a broken tree is never green)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from rspp.compat.engine import Evaluation, Options, gate
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions


@dataclass(frozen=True, slots=True)
class CompatOptions:
    root: Path
    against: str | None = None
    today: dt.date | None = None
    strict: bool = False
    jobs: int = 0
    fetch: bool = True


@dataclass(frozen=True, slots=True)
class CompatOutcome:
    report: Report
    evaluation: Evaluation


def compat(options: CompatOptions) -> CompatOutcome:
    """Validate, then evaluate the gate (GitError when the base cannot be read)."""
    from rspp.lifecycle.lock import read_lock

    result, repo = validate_repository(ValidateOptions(root=options.root, jobs=options.jobs))
    lock, problems = read_lock(repo.root)
    today = options.today or dt.date.today()
    evaluation, findings = gate(repo, lock, Options(options.against, today, options.fetch),
                                [*result.findings, *problems])
    report = replace(result, strict=options.strict).with_findings(
        findings, files={*result.files, *(f.path for f in findings)})
    return CompatOutcome(report, evaluation)
