"""`rspp schemas`: generate or check schemas/ (rspp's own repository only), or export the
schemas into any repository for editors (``--export DIR``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rspp.cli import common

if TYPE_CHECKING:
    from rspp.commands.generate import Target


def command(
    check: bool = typer.Option(False, "--check", help="Fail when schemas/ drifts (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate schemas/."),
    export: Path | None = typer.Option(
        None, "--export", metavar="DIR",
        help="Write every <Kind>.schema.json into DIR (relative to the working directory, "
             "inside it) for editors; works in any repository."),
    root: Path = common.ROOT,
) -> None:
    """Generate schemas/<Kind>.schema.json from the models, or check them (rspp's own
    repository only); with --export DIR, write them into DIR of any repository."""
    if export is not None:
        _export(export, check or write or root is not None)
        return
    finish("schemas", write, root, "schemas/ matches the models")


def _export(directory: Path, combined: bool) -> None:
    from rspp.commands.schemas import ExportOptions, export
    from rspp.core.errors import UsageError

    if combined:
        raise UsageError("--export writes into the working directory; it takes no --check, "
                         "--write or --root", "run `rspp schemas --export DIR` on its own")
    outcome = export(ExportOptions(directory, Path.cwd()))
    for path in outcome.written:
        common.line(f"wrote {path}")
    if outcome.node_types:
        common.line(f"offering the repository's node types too: {', '.join(outcome.node_types)}")
    if outcome.pack_kinds:
        common.line(f"with the schemas of the packs' artifact kinds: "
                    f"{', '.join(outcome.pack_kinds)}")
    if not outcome.written:
        common.line(f"{len(outcome.unchanged)} schemas in {directory.as_posix()} are up to "
                    "date")


def finish(target: Target, write: bool, root: Path | None, clean: str) -> None:
    """Run the generator for ``target``; print what it wrote or what drifted; exit 1 on drift."""
    from rspp.commands.generate import NOT_APPLICABLE, GenerateOptions, generate

    outcome = generate(GenerateOptions(common.base(root), target, write))
    if not outcome.applicable:
        sys.stdout.write(NOT_APPLICABLE + "\n")
        raise typer.Exit(0)
    sys.stdout.write("".join(f"{line}\n" for line in outcome.lines) or f"{clean}\n")
    raise typer.Exit(1 if outcome.failed else 0)
