"""`rspp gates run`: run a ConformanceGates manifest's gates and write their reports."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="Conformance gates: run a manifest's gates, with JUnit, JSON and "
                       "Markdown reports.", no_args_is_help=True)


@app.command("run")
def run_command(
    # str, not Path: the read policy judges the path
    target: str = typer.Argument(..., metavar="MANIFEST",
                                 help="A ConformanceGates file, or its id@version."),
    trace: list[str] = typer.Option(None, "--trace",
                                    help="A trace file inside the repository for trace gates "
                                         "without traces; repeatable (default: the replay "
                                         "manifest's fixtures)."),
    junit: Path = typer.Option(None, "--junit", help="Write the JUnit XML report here."),
    json_out: Path = typer.Option(None, "--json", help="Write the JSON report here."),
    markdown: Path = typer.Option(None, "--markdown", help="Write the Markdown summary here."),
    root: Path = common.ROOT,
) -> None:
    """Run every gate (trace checks, artifact validation, allow-listed commands) and print a
    summary: exit 0 every required gate passed, 1 a required gate failed, 2 usage error or a
    manifest with errors (its findings are printed; nothing is run)."""
    from rspp.commands.gates import GatesRunOptions, run
    from rspp.conform.gate_report import to_json, to_junit, to_markdown

    base = common.base(root)
    outputs = [(p, render) for p, render in ((junit, to_junit), (json_out, to_json),
                                             (markdown, to_markdown)) if p is not None]
    for path, _ in outputs:
        common.refuse_managed(path, base)
    outcome = run(GatesRunOptions(base, target, tuple(trace or ())))
    if outcome.run is None:
        sys.stdout.write(common.reporter("text")(outcome.report))
        common.line(f"{target}: the manifest has errors; no gate was run")
        raise typer.Exit(2)
    for path, render in outputs:
        common.write_output(path, render(outcome.run).encode("utf-8"), base)
    common.say(to_markdown(outcome.run))
    raise typer.Exit(0 if outcome.run.passed else 1)
