"""`rspp rollout plan`: print a rollout's schedule."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="Rollouts: their schedule.", no_args_is_help=True)


@app.command("plan")
def plan_command(
    # str, not Path: the read policy judges the path
    target: str = typer.Argument(..., metavar="ROLLOUT",
                                 help="A RolloutManifest file, or its id@version."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    root: Path = common.ROOT,
) -> None:
    """The stages (weights, pauses, cohorts), gates, admission and rollback of a rollout:
    exit 0 printed, 1 the rollout has errors, 2 usage or internal error."""
    from rspp.commands.rollout import RolloutPlanOptions, plan_rollout
    from rspp.core.errors import UsageError
    from rspp.release.plan import to_json, to_text

    if fmt not in ("text", "json"):
        raise UsageError(f"unknown format {fmt!r}", "use text or json")
    outcome = plan_rollout(RolloutPlanOptions(common.base(root), target))
    if outcome.plan is None:
        common.fail(outcome.report, fmt)
    assert outcome.plan is not None
    if fmt == "json":
        common.say(json.dumps(to_json(outcome.plan), indent=2, sort_keys=True,
                              ensure_ascii=True) + "\n")
    else:
        common.say(to_text(outcome.plan))
