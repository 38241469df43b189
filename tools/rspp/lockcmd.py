"""`rspp lock`: validate, then add every new published version to rspp.lock."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.findings import Finding
from rspp.validate.engine import ValidateOptions, ValidationResult, validate_repository


@dataclass(frozen=True, slots=True)
class LockOptions:
    root: Path
    check: bool = False


@dataclass(frozen=True, slots=True)
class LockOutcome:
    added: tuple[str, ...]  # new versions (written unless checking or refused)
    report: ValidationResult
    written: bool = False


def lock(options: LockOptions) -> LockOutcome:
    """Nothing is locked unless the whole repository validates and no locked version
    changed; the lock is written atomically, never through a link (``rspp.fsutil``:
    FileAccessError IO002 when rspp.lock is a symbolic link)."""
    from rspp.fsutil import write_atomic
    from rspp.lock import LOCK_FILE, read_lock, render_lock, update

    result, repo = validate_repository(ValidateOptions(root=options.root))
    current, problems = read_lock(repo.root)
    findings: list[Finding] = list(result.findings) + problems
    pending = update(current, repo.index) if current is not None else None
    if pending is not None:
        findings.extend(pending.findings)
    report = ValidationResult(result.root, result.files,
                              tuple(sorted(set(findings), key=Finding.sort_key)),
                              result.documents, result.strict)
    if pending is None:
        return LockOutcome((), report)
    written = bool(pending.added) and not options.check and not report.failed
    if written:
        write_atomic(repo.root / LOCK_FILE, render_lock(pending.entries).encode("utf-8"),
                     root=repo.root)
    return LockOutcome(pending.added, report, written)
