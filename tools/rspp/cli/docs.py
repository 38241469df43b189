"""`rspp docs`: generate or check the reference docs and hook definitions (rspp's own
repository only)."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common
from rspp.cli.schemas import finish


def command(
    check: bool = typer.Option(False, "--check", help="Fail when the files drift (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate them."),
    root: Path = common.ROOT,
) -> None:
    """Generate docs/rules.md, docs/catalog.md and .pre-commit-hooks.yaml from the registry,
    or check them (rspp's own repository only)."""
    finish("docs", write, root, "generated docs match the registry")
