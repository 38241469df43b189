"""`rspp build`: regenerate the stale and missing derived files."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(root: Path = common.ROOT) -> None:
    """Regenerate exactly the stale and missing derived files, in dependency order."""
    from rspp.commands.build import BuildOptions, build

    outcome = build(BuildOptions(common.base(root)))
    for path in outcome.written:
        common.line(f"built {path}")
    for entry in outcome.failed:
        common.line(f"failed {entry.path}: {entry.reason}")
    for entry in outcome.blocked:
        common.line(f"blocked {entry.path}: {entry.reason}")
    if not outcome.written and not outcome.failed:
        common.line(f"nothing could be built: {len(outcome.blocked)} blocked" if outcome.blocked
                    else "nothing to build: every derived file is fresh")
    raise typer.Exit(1 if outcome.failed or outcome.blocked else 0)
