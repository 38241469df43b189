"""`rspp diff`: what a change does to the pipelines the runtime will execute, against a base
ref (ADR 0009): every new artifact version with its verdict, every pipeline whose resolved
view changes with its grouped changes and picture (``rspp.review``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from rspp.report.result import Report
from rspp.review.diff import Review


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """``against``: the base ref (default ``HEAD``: the uncommitted changes)."""

    root: Path
    against: str = "HEAD"
    today: dt.date | None = None
    jobs: int = 0
    fetch: bool = True


@dataclass(frozen=True, slots=True)
class DiffOutcome:
    """The review and the report of the same run (validation and the compatibility gate):
    the report fails when the change does (a bump too small, an invalid artifact)."""

    report: Report
    review: Review


def diff(options: DiffOptions) -> DiffOutcome:
    """Validate, read the base (GitError when git cannot), evaluate the compatibility gate,
    then review what it found."""
    from rspp.compat.engine import Options, gate
    from rspp.compat.history import with_base
    from rspp.lifecycle.lock import read_lock
    from rspp.resolve.gate import validate_repository
    from rspp.review.diff import review
    from rspp.validate.engine import ValidateOptions

    result, repo = validate_repository(ValidateOptions(root=options.root, jobs=options.jobs))
    lock, problems = read_lock(repo.root)
    history = with_base(repo, options.against, fetch=options.fetch)
    today = options.today or dt.date.today()
    evaluation, findings = gate(repo, lock, Options(options.against, today, options.fetch),
                                [*result.findings, *problems], history=history)
    report = result.with_findings(findings,
                                           files={*result.files, *(f.path for f in findings)})
    errors = tuple(f"{f.location()} {f.code} {f.message}" for f in report.findings
                     if f.is_error and f.waiver is None)
    return DiffOutcome(report, replace(review(repo, history, evaluation), problems=errors))
