"""`rspp status`: the state of every derived file."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(root: Path = common.ROOT) -> None:
    """Every derived file: fresh, stale (why), missing, invalid or blocked."""
    from rspp.commands.build import BuildOptions, status
    from rspp.lifecycle.provenance import State

    outcome = status(BuildOptions(common.base(root)))
    for row in outcome.entries:
        reason = f"  ({row.reason})" if row.reason else ""
        common.line(f"{row.state:8} {row.path}{reason}")
    stale = [r for r in outcome.entries if r.state != State.FRESH]
    common.line(f"{len(outcome.entries) - len(stale)} fresh, {len(stale)} not fresh")
    raise typer.Exit(1 if outcome.failed else 0)
