"""`rspp digest`: the digest of each artifact file."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    # str, not Path: click would stat() each path (following links out of the repository)
    # and refuse unreadable ones itself; rspp.core.paths judges them instead
    paths: list[str] = typer.Argument(..., help="Artifact files."),
    root: Path = common.ROOT,
) -> None:
    """Print sha256:<hex> over the RFC 8785 canonical JSON of each artifact.

    A file is read inside the repository holding it (--root, else found from the file): a
    link out of it, a link loop, a folder, a FIFO, a device or an unreadable file is a FILE
    finding (exit 1); a name that does not exist is a usage error (exit 2).
    """
    from rspp.commands.digest import DigestOptions, digest

    outcome = digest(DigestOptions(tuple(Path(p) for p in paths), root))
    for item in outcome.files:
        if item.digest is None:
            for f in item.findings:
                common.line(f"{item.path}:{f.line}:{f.col} {f.code} {f.message}")
            continue
        common.line(f"{item.digest}  {item.path}")
    raise typer.Exit(1 if outcome.failed else 0)
