"""`rspp bundle build`: write a PipelineBundle whose pins carry digests."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common

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
    # str, not Path: the writer judges the path (click would stat() it, following links)
    out: str = typer.Option(None, "--out", "-o", help="Write the bundle to this file "
                                                     "(inside the repository; .json, .yaml "
                                                     "or .yml: written in that syntax)."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Pin spec, profile and policies by digest and the node packages the pipeline runs."""
    from rspp.commands.bundle import BundleOptions, build_bundle_document
    from rspp.core.paths import PathError
    from rspp.load.api import syntax_for

    common.reporter(fmt)
    syntax = syntax_for(Path(out)) if out is not None else "json"
    if syntax is None:
        raise PathError("PATH003", f"--out {out!r} is not an artifact file name",
                        "name it .json, .yaml or .yml")
    base = common.base(root)
    outcome = build_bundle_document(BundleOptions(
        base, bundle_id, version, spec, profile, tuple(policy or ()),
        tuple(packages_from or ()), min_runtime, max_runtime, event_abi, description))
    if outcome.document is None:
        common.fail(outcome.report, fmt)
    common.emit(outcome.render(syntax), Path(out) if out is not None else None, base)
