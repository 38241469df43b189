"""`rspp migrate`: rewrite artifact files at a newer API version, comments and meaning kept."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common, fast


def command(
    # str, not Path: the read policy of rspp.core.paths judges the names (see rspp fmt)
    paths: list[str] = typer.Argument(None, help="Files or folders (default: the repository)."),
    to: str = typer.Option(None, "--to", help="API version to migrate to (v1beta1 or "
                                              "rspp.dev/v1beta1; default: each kind's newest)."),
    check: bool = typer.Option(False, "--check",
                               help="Write nothing; exit 1 if a file would be migrated."),
    diff: bool = typer.Option(False, "--diff", help="Show a unified diff of each change."),
    root: Path = common.ROOT,
) -> None:
    """Migrate artifacts to a newer apiVersion: exit 0 done or nothing to do, 1 files to
    migrate (--check) or files that cannot be migrated, 2 usage or internal error."""
    from rspp.commands.migrate import MigrateOptions, migrate
    from rspp.fmt.migrate import api_version, render

    base = common.base(root)
    outcome = migrate(MigrateOptions(root=base, targets=tuple(Path(p) for p in paths or ()),
                                     to=api_version(to) if to else None, check=check,
                                     diff=diff))
    if outcome.result is None:
        common.write_report(outcome.report, "text")
    else:
        fast.say(render(outcome.result))
    raise typer.Exit(1 if outcome.failed else 0)
