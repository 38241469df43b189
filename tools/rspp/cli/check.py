"""`rspp check`: the CI gate."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    against: str = typer.Option(None, "--against", help="Base ref (branch, tag, commit, "
                                                        "origin/main) for immutability and "
                                                        "compatibility."),
    fmt: str = common.FORMAT,
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    no_fetch: bool = typer.Option(False, "--no-fetch", help="Never fetch a missing base."),
    today: str = common.TODAY,
    root: Path = common.ROOT,
    no_cache: bool = common.NO_CACHE,
) -> None:
    """The CI gate: validate + lock + immutability and compatibility against a base +
    version skew, deprecations and waivers + freshness."""
    from rspp.commands.check import CheckOptions, check

    result = check(CheckOptions(common.base(root), against, strict, fetch=not no_fetch,
                                today=common.today_of(today), cache=not no_cache))
    common.write_report(result, fmt)
    raise typer.Exit(1 if result.failed else 0)
