"""`rspp bundle build`: write a PipelineBundle whose pins carry digests."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

app = typer.Typer(help="Build PipelineBundles.", no_args_is_help=True)


@app.command("build")
def build_command(
    bundle_id: str = typer.Option(..., "--id", help="The new bundle's id."),
    version: str = typer.Option(..., "--version", help="The new bundle's version (SemVer)."),
    spec: str = typer.Option(..., "--spec", help="PipelineSpec id@version."),
    profile: str = typer.Option(..., "--profile", help="ExecutionProfile id@version."),
    policy: list[str] = typer.Option(None, "--policy", help="PolicyOverlay id@version; "
                                                            "repeatable, in order."),
    packages_from: list[str] = typer.Option(None, "--packages-from",
                                            help="Earlier bundle id@version whose node "
                                                 "packages may be reused; repeatable."),
    min_runtime: str = typer.Option(..., "--min-runtime", help="Oldest runtime (SemVer)."),
    max_runtime: str = typer.Option(None, "--max-runtime", help="Newest runtime (SemVer)."),
    event_abi: str = typer.Option(..., "--event-abi", help="Event ABI version (SemVer)."),
    description: str = typer.Option(None, "--description", help="spec.description."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the bundle to this file."),
    fmt: str = typer.Option("text", "--format", "-f", help="Findings: text, json, github "
                                                           "or sarif."),
    root: Path = typer.Option(None, "--root", help="Repository root (default: from cwd)."),
) -> None:
    """Pin spec, profile and policies by digest and the node packages the pipeline runs."""
    from rspp.errors import UsageError
    from rspp.report import REPORTERS
    from rspp.resolve.service import BundleOptions, build_bundle_document
    from rspp.validate.discover import find_root

    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r}", "use text, json, github or sarif")
    base = root if root is not None else find_root(Path.cwd())
    outcome = build_bundle_document(BundleOptions(
        base, bundle_id, version, spec, profile, tuple(policy or ()),
        tuple(packages_from or ()), min_runtime, max_runtime, event_abi, description))
    if outcome.document is None:
        sys.stdout.write(REPORTERS[fmt](outcome.report))
        raise typer.Exit(1)
    if out is not None:
        from rspp.fsutil import write_atomic

        write_atomic(out, outcome.text.encode("utf-8"))
    else:
        sys.stdout.write(outcome.text)
