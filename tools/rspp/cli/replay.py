"""`rspp replay check`: recorded turn-event traces against the runtime invariants."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="Recorded turn-event traces: check them against the runtime invariants.",
                  no_args_is_help=True)

FORMATS = ("text", "json", "github", "sarif")


@app.command("check")
def check_command(
    # str, not Path: the read policy judges the path
    traces: list[str] = typer.Argument(..., metavar="TRACE...",
                                       help="Trace files (.jsonl, gzip accepted) in the "
                                            "repository, or - for standard input."),
    manifest: str = typer.Option(None, "--manifest", metavar="ID@VERSION",
                                 help="The ReplayEvidenceManifest whose requiredFields every "
                                      "accepted turn must carry (default: the repository's "
                                      "only manifest, else the OR-02 baseline)."),
    bundle: str = typer.Option(None, "--bundle", metavar="ID@VERSION",
                               help="The PipelineBundle the trace ran: its profile's latency "
                                    "budgets are checked (TRC017), its event ABI must be "
                                    "supported (TRC003)."),
    fmt: str = typer.Option("text", "--format", "-f", help="text, json, github or sarif."),
    root: Path = common.ROOT,
) -> None:
    """Stream recorded traces and report every invariant violation (TRC001-TRC017) with
    session, turn and line, and p50/p95/p99 per stage: exit 0 clean, 1 violations, 2 usage or
    internal error."""
    from rspp.commands.replay import ReplayOptions, replay_check
    from rspp.conform.render import report_json, summary_text
    from rspp.core.errors import UsageError
    from rspp.report import REPORTERS

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    outcome = replay_check(ReplayOptions(common.base(root), tuple(traces), manifest, bundle,
                                         sys.stdin.buffer if "-" in traces else None))
    rendered = REPORTERS[fmt](outcome.report)
    if fmt == "json":
        rendered = report_json(outcome.result, rendered)
    elif fmt == "text" and outcome.result is not None:
        rendered = summary_text(outcome.result) + rendered
    common.say(rendered)
    raise typer.Exit(1 if outcome.failed else 0)
