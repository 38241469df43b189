"""`rspp validate`: schema and semantic validation of artifacts."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common, fast


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
    quiet: bool = typer.Option(False, "--quiet", "-q",
                               help="Print the findings only: no summary, no progress."),
) -> None:
    """Validate artifacts: exit 0 clean, 1 findings, 2 usage or internal error."""
    raise typer.Exit(fast.validate(paths, fmt, strict, root, jobs, no_cache, quiet))
