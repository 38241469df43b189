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
    """Run the gate against the base (``rspp check --against``: validation, the lock,
    immutability, compatibility, derived files; GitError when git cannot read the base),
    then review what its compatibility part compared. The diff fails exactly when the gate
    does."""
    from rspp.commands.check import CheckOptions, checked
    from rspp.review.diff import review

    gate = checked(CheckOptions(options.root, options.against, jobs=options.jobs,
                                fetch=options.fetch, today=options.today))
    assert gate.evaluation is not None and gate.history is not None
    report = gate.report
    errors = tuple(f"{f.location()} {f.code} {f.message}" for f in report.findings
                   if f.is_error and f.waiver is None)
    done = review(gate.repository, gate.history, gate.evaluation)
    return DiffOutcome(report, replace(done, problems=errors, hidden=len(report.hidden)))
