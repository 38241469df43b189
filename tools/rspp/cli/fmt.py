"""`rspp fmt`: canonical formatting of artifact files (comments and meaning kept)."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common, fast


def command(
    # str, not Path: click would stat() each name (following links out of the repository);
    # the read policy of rspp.core.paths judges them instead
    paths: list[str] = typer.Argument(None, help="Files or folders (default: the repository)."),
    check: bool = typer.Option(False, "--check",
                               help="Write nothing; exit 1 if a file would change."),
    diff: bool = typer.Option(False, "--diff", help="Show a unified diff of each change."),
    root: Path = typer.Option(None, "--root", help="Repository root (default: found from cwd)."),
    no_cache: bool = common.NO_CACHE,
) -> None:
    """Format artifacts: exit 0 done or nothing to do, 1 files to change (--check) or files
    that cannot be formatted, 2 usage or internal error."""
    raise typer.Exit(fast.fmt(paths, check, diff, root, no_cache))
