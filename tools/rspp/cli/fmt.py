"""`rspp fmt`: canonical formatting of artifact files (being written)."""

from __future__ import annotations

import typer


def command() -> None:
    """Format artifact files (not available yet)."""
    raise typer.Exit(2)
