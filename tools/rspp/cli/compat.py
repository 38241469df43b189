"""`rspp compat`: the compatibility gate against a base ref."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    against: str = typer.Option(None, "--against", help="Base ref (branch, tag, commit, "
                                                        "origin/main); without it, every "
                                                        "version is compared with the ones "
                                                        "before it in the working tree."),
    fmt: str = typer.Option("text", "--format", "-f",
                            help="text, json, github, sarif or markdown."),
    today: str = common.TODAY,
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
    no_fetch: bool = typer.Option(False, "--no-fetch", help="Never fetch a missing base."),
    root: Path = common.ROOT,
) -> None:
    """Breaking changes, version bumps, skew, deprecations and waivers: exit 0 clean, 1
    findings, 2 usage or internal error."""
    from rspp.commands.compat import CompatOptions, compat
    from rspp.compat import render
    from rspp.core.errors import UsageError

    if fmt not in ("text", "json", "github", "sarif", "markdown"):
        raise UsageError(f"unknown format {fmt!r}", "use text, json, github, sarif or markdown")
    outcome = compat(CompatOptions(common.base(root), against, common.today_of(today), strict,
                                   fetch=not no_fetch))
    report, evaluation = outcome.report, outcome.evaluation
    if fmt == "text":
        common.say(render.text(evaluation, report))
    elif fmt == "json":
        common.say(render.json_document(evaluation, report))
    elif fmt == "markdown":
        common.say(render.markdown(evaluation, report))
    else:
        common.write_report(report, fmt)
    raise typer.Exit(1 if report.failed else 0)
