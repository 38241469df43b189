"""`rspp plan`: freeze the ResolvedTurnPlan of one turn of a bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def command(
    bundle: str = typer.Option(..., "--bundle", help="Bundle id@version or file path."),
    session: str = typer.Option(..., "--session", help="Session id."),
    turn: int = typer.Option(..., "--turn", min=0, help="Turn number."),
    lease_epoch: int = typer.Option(..., "--lease-epoch", min=0, help="Lease epoch."),
    routing: Path = typer.Option(..., "--routing", help="Routing snapshot file (YAML/JSON)."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the plan to this file."),
    fmt: str = typer.Option("text", "--format", "-f", help="Findings: text, json, github "
                                                           "or sarif."),
    root: Path = typer.Option(None, "--root", help="Repository root (default: from cwd)."),
) -> None:
    """Evaluate the bundle's turn policy against a routing snapshot; print the frozen plan."""
    from rspp.errors import UsageError
    from rspp.report import REPORTERS
    from rspp.resolve.service import PlanOptions, plan_turn
    from rspp.validate.discover import find_root

    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r}", "use text, json, github or sarif")
    base = root if root is not None else find_root(Path.cwd())
    outcome = plan_turn(PlanOptions(base, bundle, session, turn, lease_epoch, routing))
    if outcome.plan is None:
        sys.stdout.write(REPORTERS[fmt](outcome.report))
        raise typer.Exit(1)
    if out is not None:
        from rspp.fsutil import write_atomic

        write_atomic(out, outcome.text.encode("utf-8"))
    else:
        sys.stdout.write(outcome.text)
