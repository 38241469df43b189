"""`rspp schemas`: generate or check schemas/ (rspp's own repository only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rspp.cli import common

if TYPE_CHECKING:
    from rspp.commands.generate import Target


def command(
    check: bool = typer.Option(False, "--check", help="Fail when schemas/ drifts (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate schemas/."),
    root: Path = common.ROOT,
) -> None:
    """Generate schemas/<Kind>.schema.json from the models, or check them (rspp's own
    repository only)."""
    finish("schemas", write, root, "schemas/ matches the models")


def finish(target: Target, write: bool, root: Path | None, clean: str) -> None:
    """Run the generator for ``target``; print what it wrote or what drifted; exit 1 on drift."""
    from rspp.commands.generate import NOT_APPLICABLE, GenerateOptions, generate

    outcome = generate(GenerateOptions(common.base(root), target, write))
    if not outcome.applicable:
        sys.stdout.write(NOT_APPLICABLE + "\n")
        raise typer.Exit(0)
    sys.stdout.write("".join(f"{line}\n" for line in outcome.lines) or f"{clean}\n")
    raise typer.Exit(1 if outcome.failed else 0)
