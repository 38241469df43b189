"""`rspp plan`: freeze the ResolvedTurnPlan of one turn of a bundle."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    bundle: str = typer.Option(..., "--bundle", help="Bundle id@version or file path."),
    session: str = typer.Option(..., "--session", help="Session id."),
    turn: int = typer.Option(..., "--turn", min=0, max=2**53 - 1, help="Turn number."),
    lease_epoch: int = typer.Option(..., "--lease-epoch", min=0, max=2**53 - 1,
                                    help="Lease epoch."),
    # str, not Path: click would stat() the file (following links out of the repository) and
    # refuse an unreadable one itself; rspp.core.paths judges it instead
    routing: str = typer.Option(..., "--routing", help="Routing snapshot file (YAML/JSON)."),
    out: str = typer.Option(None, "--out", "-o", help="Write the plan to this file."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Evaluate the bundle's turn policy against a routing snapshot; print the frozen plan."""
    from rspp.commands.plan import PlanOptions, plan_turn

    common.reporter(fmt)
    base = common.base(root)
    outcome = plan_turn(PlanOptions(base, bundle, session, turn, lease_epoch, Path(routing)))
    if outcome.plan is None:
        common.fail(outcome.report, fmt)
    common.emit(outcome.text, Path(out) if out is not None else None, base)
