"""`rspp rollout plan`: print a rollout's schedule."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="Rollouts: their schedule, and whether what they move is published.",
                  no_args_is_help=True)


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


@app.command("verify")
def verify_command(
    target: str = typer.Argument(..., metavar="ROLLOUT",
                                 help="A RolloutManifest file, or its id@version."),
    policy: str = typer.Option(..., "--policy", help="The trust policy file."),
    source: str = typer.Option(None, "--from", help="The store (default layout:.rspp/store)."),
    runtime: list[str] = typer.Option(None, "--runtime",
                                      help="A runtime version the bundles must admit; "
                                           "repeatable."),
    offline: bool = typer.Option(True, "--offline/--online",
                                 help="Sigstore: the bundled trust root only (default)."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Check that the rollout's bundle and rollback target are published in the store and
    verify (ROL010, ROL011): exit 0 bound, 1 not, 2 usage or store error."""
    from rspp.commands.rollout import RolloutVerifyOptions, verify_rollout

    common.reporter(fmt)
    report = verify_rollout(RolloutVerifyOptions(common.base(root), target, Path(policy),
                                                 source, offline, tuple(runtime or ())))
    if report.failed:
        common.fail(report, fmt)
    common.write_report(report, fmt, quiet_when_clean=True)
    if fmt == "text":
        common.line(f"{target}: its bundle and rollback target are published and verify")
