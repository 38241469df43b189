"""`rspp validate`: schema and semantic validation of artifacts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common

FORMATS = ("text", "json", "github", "sarif")


def command(
    # str, not Path: click would stat() each path (following links out of the repository)
    # and refuse unreadable ones itself; rspp.core.paths judges them instead
    paths: list[str] = typer.Argument(None, help="Files or folders (default: the repository)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json, github or sarif."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    root: Path = typer.Option(None, "--root", help="Repository root (default: found from cwd)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0,
                             help="Processes for loading large repositories (0: one per core)."),
    no_cache: bool = common.NO_CACHE,
) -> None:
    """Validate artifacts: exit 0 clean, 1 findings, 2 usage or internal error."""
    from rspp.commands.validate import validate
    from rspp.core.errors import UsageError
    from rspp.report import REPORTERS
    from rspp.validate.discover import find_root
    from rspp.validate.engine import ValidateOptions

    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    base = root if root is not None else find_root(Path.cwd())
    targets = tuple(Path(p) for p in paths or ())
    result = validate(ValidateOptions(root=base, targets=targets, strict=strict, jobs=jobs,
                                      cache=not no_cache))
    sys.stdout.write(REPORTERS[fmt](result))
    raise typer.Exit(1 if result.failed else 0)
