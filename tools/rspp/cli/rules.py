"""`rspp rules list`: the rule registry as text or JSON."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(help="The rule registry.", no_args_is_help=True)


@app.command("list")
def list_rules(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: code, category, severity, summary."""
    from rspp.core.errors import UsageError
    from rspp.report.rules import listing_json, listing_text
    from rspp.rules.registry import all_rules

    if fmt == "json":
        sys.stdout.write(listing_json(all_rules()))
    elif fmt == "text":
        sys.stdout.write(listing_text(all_rules()))
    else:
        raise UsageError(f"unknown format {fmt!r}", "use text or json")
