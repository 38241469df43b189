"""`rspp lock`: validate, then add every new published version to rspp.lock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.core.findings import Finding
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions


@dataclass(frozen=True, slots=True)
class LockOptions:
    root: Path
    check: bool = False


@dataclass(frozen=True, slots=True)
class LockOutcome:
    added: tuple[str, ...]  # new versions (written unless checking or refused)
    report: Report
    written: bool = False


def lock(options: LockOptions) -> LockOutcome:
    """Nothing is locked unless the whole repository validates and no locked version
    changed; the lock is written atomically, never through a link (``rspp.core.files``:
    FileAccessError IO002 when rspp.lock is a symbolic link)."""
    from rspp.core.constants import LOCK_FILE
    from rspp.core.files import write_atomic
    from rspp.lifecycle.lock import read_lock, render_lock, update
    from rspp.validate import digests

    result, repo = validate_repository(ValidateOptions(root=options.root))
    recorded = digests.recall(repo)
    current, problems = read_lock(repo.root)
    findings: list[Finding] = list(result.findings) + problems
    pending = update(current, repo.index) if current is not None else None
    digests.remember(repo, recorded)
    if pending is not None:
        findings.extend(pending.findings)
    report = result.with_findings(findings)
    if pending is None:
        return LockOutcome((), report)
    written = bool(pending.added) and not options.check and not report.failed
    if written:
        write_atomic(repo.root / LOCK_FILE, render_lock(pending.entries).encode("utf-8"),
                     root=repo.root)
    return LockOutcome(pending.added, report, written)
