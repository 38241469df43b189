"""`rspp migrate`: rewrite artifact files at a newer API version (ADR 0023, docs/migrate.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rspp.fmt.migrate import MigrateOptions, MigrateResult, run
from rspp.lifecycle.lock import identity_key, read_lock
from rspp.load.config import load_config
from rspp.report.result import Report
from rspp.rules.packs import load_packs

__all__ = ["MigrateOptions", "MigrateOutcome", "migrate"]


@dataclass(frozen=True, slots=True)
class MigrateOutcome:
    """What each file became (``result``; None when nothing was tried) and ``report``: the
    findings of the files that could not be migrated, and of an unreadable lock."""

    result: MigrateResult | None
    report: Report

    @property
    def failed(self) -> bool:
        return self.report.failed or self.result is None or self.result.failed


def migrate(options: MigrateOptions) -> MigrateOutcome:
    """Migrate (or, with ``options.check``, only judge) the artifact files named by
    ``options.targets`` (none: every artifact file). The published versions are read from
    ``rspp.lock`` (``options.published`` is replaced): when the lock cannot be read, nothing
    is migrated and its findings are reported. The artifact kinds of the packs the
    configuration enables (``options.pack_kinds`` is replaced) are left as they are; the
    configuration's and the packs' findings are reported.

    Raises UsageError for a ``--to`` no kind has; PathError (PATH001-PATH003) for a target
    outside the repository or missing; FileAccessError (IO001-IO003) for a refused write."""
    lock, problems = read_lock(options.root)
    if problems:
        report = Report(options.root, (), (), {})
        return MigrateOutcome(None, report.with_findings(problems))
    published = frozenset(identity_key(k) for k in lock.entries) if lock else frozenset()
    configured = load_config(options.root)
    packs = load_packs(options.root, configured.config)  # imports only what it enables
    result = run(dataclasses.replace(options, published=published,
                                     pack_kinds=frozenset(packs.kinds())))
    findings = [*configured.findings, *packs.findings,
                *(f for outcome in result.files for f in outcome.findings)]
    report = Report(options.root, tuple(o.path for o in result.files), (), {})
    return MigrateOutcome(result, report.with_findings(findings))
