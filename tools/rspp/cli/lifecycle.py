"""`rspp digest`, `rspp lock`, `rspp status`, `rspp build` and `rspp check`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common

_ROOT = common.ROOT
_FORMAT = common.FORMAT
_base = common.base


def digest_command(
    # str, not Path: click would stat() each path (following links out of the repository)
    # and refuse unreadable ones itself; rspp.paths judges them instead
    paths: list[str] = typer.Argument(..., help="Artifact files."),
    root: Path = _ROOT,
) -> None:
    """Print sha256:<hex> over the RFC 8785 canonical JSON of each artifact.

    A file is read inside the repository holding it (--root, else found from the file): a
    link out of it, a link loop, a folder, a FIFO, a device or an unreadable file is a FILE
    finding (exit 1); a name that does not exist is a usage error (exit 2).
    """
    from rspp.model.digest import digest_files

    failed = False
    for item in digest_files([Path(p) for p in paths], root):
        if item.digest is None:
            failed = True
            for f in item.findings:
                common.line(f"{item.path}:{f.line}:{f.col} {f.code} {f.message}")
            continue
        common.line(f"{item.digest}  {item.path}")
    raise typer.Exit(1 if failed else 0)


def lock_command(
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the lock "
                                                      "would change."),
    fmt: str = _FORMAT,
    root: Path = _ROOT,
) -> None:
    """Record every published (kind, id, version) with its digest in rspp.lock."""
    from rspp.commands.lock import LockOptions, lock

    outcome = lock(LockOptions(_base(root), check=check))
    _report(outcome.report, fmt, quiet_when_clean=True)
    if fmt == "text" and (check or outcome.written):
        for key in outcome.added:
            common.line(f"{'added' if outcome.written else 'would add'} {key}")
    failed = outcome.report.failed or (check and bool(outcome.added))
    raise typer.Exit(1 if failed else 0)


def status_command(root: Path = _ROOT) -> None:
    """Every derived file: fresh, stale (why), missing, invalid or blocked."""
    from rspp.lifecycle.derived import status

    rows = status(_base(root))
    for row in rows:
        reason = f"  ({row.reason})" if row.reason else ""
        common.line(f"{row.state:8} {row.path}{reason}")
    stale = [r for r in rows if r.state != "fresh"]
    common.line(f"{len(rows) - len(stale)} fresh, {len(stale)} not fresh")
    raise typer.Exit(1 if stale else 0)


def build_command(root: Path = _ROOT) -> None:
    """Regenerate exactly the stale and missing derived files, in dependency order."""
    from rspp.lifecycle.derived import build

    outcome = build(_base(root))
    for path in outcome.written:
        common.line(f"built {path}")
    for entry in outcome.failed:
        common.line(f"failed {entry.path}: {entry.reason}")
    blocked = [e for e in outcome.entries if e.state == "blocked"]
    for entry in blocked:
        common.line(f"blocked {entry.path}: {entry.reason}")
    if not outcome.written and not outcome.failed:
        common.line(f"nothing could be built: {len(blocked)} blocked" if blocked else
                    "nothing to build: every derived file is fresh")
    raise typer.Exit(1 if outcome.failed or blocked else 0)


def check_command(
    against: str = typer.Option(None, "--against", help="Base ref (branch, tag, commit, "
                                                        "origin/main) for immutability."),
    fmt: str = _FORMAT,
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    no_fetch: bool = typer.Option(False, "--no-fetch", help="Never fetch a missing base."),
    root: Path = _ROOT,
) -> None:
    """The CI gate: validate + lock + immutability against a base + freshness."""
    from rspp.commands.check import CheckOptions, check

    result = check(CheckOptions(_base(root), against, strict, fetch=not no_fetch))
    _report(result, fmt)
    raise typer.Exit(1 if result.failed else 0)


def _report(result: object, fmt: str, *, quiet_when_clean: bool = False) -> None:
    from rspp.report.result import Report

    report = common.reporter(fmt)
    assert isinstance(result, Report)
    if result.findings or fmt != "text" or not quiet_when_clean:
        sys.stdout.write(report(result))  # reporters escape what they quote
