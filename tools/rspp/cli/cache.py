"""`rspp cache`: the per-file cache of validation in the work area (ADR 0013)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="The per-file cache of validation (.rspp/cache): clear it.",
                  no_args_is_help=True)


@app.command("clear")
def clear_command(root: Path = common.ROOT) -> None:
    """Delete .rspp/cache: the next run loads every file from its bytes again."""
    from rspp.commands.cache import clear_cache

    cleared = clear_cache(common.base(root))
    sys.stdout.write(f"removed {cleared.removed} cache entr{'y' if cleared.removed == 1 else 'ies'}"
                     "\n")
