"""`rspp packs`: the installed packs a repository enables (ADR 0024)."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common, fast

app = typer.Typer(help="Packs: rule checks installed distributions contribute, enabled in "
                       "rspp.toml [packs].", no_args_is_help=True)


@app.command("list")
def list_command(
    fmt: str = typer.Option("text", "--format", help="text or json."),
    root: Path = common.ROOT,
) -> None:
    """List the enabled packs with version, digest and rules: exit 0, or 1 when one cannot
    be loaded (its finding is shown), 2 usage error."""
    from rspp.commands.packs import list_packs
    from rspp.rules.packs import listing_json, listing_text

    if fmt not in ("text", "json"):
        from rspp.core.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}", "use text or json")
    outcome = list_packs(common.base(root))
    if fmt == "json":  # one JSON document on stdout, the refusals inside it
        fast.say(listing_json(outcome.packs, outcome.report.findings))
        raise typer.Exit(1 if outcome.report.failed else 0)
    if outcome.report.findings:
        common.write_report(outcome.report, "text")
    fast.say(listing_text(outcome.packs))
    raise typer.Exit(1 if outcome.report.failed else 0)
