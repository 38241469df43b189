"""`rspp graph`: draw a pipeline."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    target: str = typer.Argument(..., metavar="TARGET",
                                 help="A bundle or spec (file or id@version), or a "
                                      ".resolved.json view file."),
    fmt: str = typer.Option("mermaid", "--format", "-f",
                            help="mermaid, dot, or (with Graphviz installed) svg or png."),
    # str, not Path: the writer judges the path
    out: str = typer.Option(None, "--out", "-o", help="Write the picture to this file "
                                                     "(inside the repository)."),
    root: Path = common.ROOT,
) -> None:
    """Draw a pipeline: nodes, edges with their lanes (data solid, control thick, telemetry
    dotted), modules as subgraphs, fallback and degrade stand-ins dashed. Exit 0 drawn, 1 the
    target has errors, 2 usage error."""
    import sys

    from rspp.commands.graph import GraphOptions, graph

    base = common.base(root)
    outcome = graph(GraphOptions(base, target, fmt))
    if not outcome.data:
        common.fail(outcome.report, "text")
    if out is not None:
        common.write_output(Path(out), outcome.data, base)
    elif fmt in ("svg", "png") and sys.stdout.isatty():
        from rspp.core.errors import UsageError

        raise UsageError(f"refusing to write {fmt} to a terminal", "pass --out FILE")
    else:
        sys.stdout.buffer.write(outcome.data)
        sys.stdout.flush()
