"""`rspp rules list`: the rule registry as text or JSON."""

from __future__ import annotations

import json
import sys

import typer

app = typer.Typer(help="The rule registry.", no_args_is_help=True)


@app.command("list")
def list_rules(
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """List every rule: code, category, severity, summary."""
    from rspp.core.errors import UsageError
    from rspp.rules.registry import all_rules

    rules = all_rules()
    if fmt == "json":
        data = [{"code": r.code, "category": r.category, "severity": r.severity.value,
                 "summary": r.summary, "doc": r.doc, "kinds": list(r.kinds),
                 "emittedBy": r.emitted_by if r.check is None else "rules",
                 "replacedBy": r.replaced_by} for r in rules]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif fmt == "text":
        sys.stdout.write("".join(f"{r.code:<8} {r.severity.value:<8} {r.category:<10} "
                                 f"{r.summary}\n" for r in rules))
    else:
        raise UsageError(f"unknown format {fmt!r}", "use text or json")
