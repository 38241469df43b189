"""`rspp lock`: record every published version with its digest in rspp.lock."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the lock "
                                                      "would change."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Record every published (kind, id, version) with its digest in rspp.lock."""
    from rspp.commands.lock import LockOptions, lock

    outcome = lock(LockOptions(common.base(root), check=check))
    common.write_report(outcome.report, fmt, quiet_when_clean=True)
    if fmt == "text" and (check or outcome.written):
        for key in outcome.added:
            common.line(f"{'added' if outcome.written else 'would add'} {key}")
    failed = outcome.report.failed or (check and bool(outcome.added))
    raise typer.Exit(1 if failed else 0)
