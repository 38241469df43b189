"""`rspp diff`: what a change does to the resolved pipelines, against a base ref."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    against: str = typer.Option("HEAD", "--against",
                                help="Base ref (branch, tag, commit, origin/main); default "
                                     "HEAD, i.e. the uncommitted changes."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, markdown or json."),
    # str, not Path: the writer judges the path
    out: str = typer.Option(None, "--out", "-o",
                            help="Write the diff to this file (inside the repository)."),
    today: str = common.TODAY,
    no_fetch: bool = typer.Option(False, "--no-fetch", help="Never fetch a missing base."),
    root: Path = common.ROOT,
) -> None:
    """For each new artifact version its compatibility verdict and required bump, and for
    each pipeline whose resolved view changes the changes grouped by node, port, edge, lane,
    buffer, budget, policy rule and defaulting source, with a Mermaid picture. Markdown is
    ready to post as a pull-request comment (under 65,536 characters). Exit 0 written, 1
    written and the change fails (errors, a bump too small), 2 usage error or no base."""
    from rspp.commands.diff import DiffOptions, diff
    from rspp.core.errors import UsageError
    from rspp.review import render

    renderers = {"text": render.text, "markdown": render.markdown,
                 "json": render.json_document}
    if fmt not in renderers:
        raise UsageError(f"unknown format {fmt!r}", "use text, markdown or json")
    base = common.base(root)
    if out is not None:
        common.refuse_managed(Path(out), base)
    outcome = diff(DiffOptions(base, against, common.today_of(today), fetch=not no_fetch))
    written = renderers[fmt](outcome.review)
    if out is not None:
        common.write_output(Path(out), written.encode("utf-8"), base)
    else:
        common.say(written)
    raise typer.Exit(1 if outcome.review.failed or outcome.report.failed else 0)
