"""`rspp graph`: draw a spec, a bundle's resolved view, or a resolved view file (ADR 0009).

Mermaid and DOT are text rspp writes itself (:mod:`rspp.gen.graph`); SVG and PNG are drawn by
Graphviz's ``dot`` when it is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rspp.core.findings import Finding
from rspp.load.document import Document
from rspp.report.result import Report

FORMATS: Final = ("mermaid", "dot", "svg", "png")


@dataclass(frozen=True, slots=True)
class GraphOptions:
    root: Path
    target: str  # a bundle or spec (file or id@version), or a .resolved.json view file
    format: str = "mermaid"


@dataclass(frozen=True, slots=True)
class GraphOutcome:
    """The picture (``data``: UTF-8 text for mermaid/dot, image bytes for svg/png; empty when
    the target has errors) and the report of what stopped it."""

    report: Report
    data: bytes = b""


def graph(options: GraphOptions) -> GraphOutcome:
    """Draw ``options.target``. Raises UsageError for an unknown format or target, or when
    Graphviz is needed and missing; PathError outside the repository."""
    from rspp.core.errors import UsageError
    from rspp.gen.graph import Graph, from_spec, from_view, to_dot, to_mermaid

    if options.format not in FORMATS:
        raise UsageError(f"unknown format {options.format!r}", "use " + ", ".join(FORMATS))
    picture: Graph
    if options.target.endswith(".resolved.json"):
        rel, view, problems = _view_file(options.root, options.target)
        report = Report.of_document(options.root, rel, problems, view)
        if view is None or report.failed:
            return GraphOutcome(report)
        picture = from_view(view.data)
    else:
        from rspp.commands.resolve import ResolveOptions, find_target, resolve_target
        from rspp.resolve.gate import validate_repository
        from rspp.validate.engine import ValidateOptions

        result, repo = validate_repository(ValidateOptions(root=options.root))
        art = find_target(options.target, options.root, repo.index)
        if art.kind == "PipelineSpec":
            mine = result.with_findings(f for f in result.findings if f.path == art.path)
            if mine.failed:
                return GraphOutcome(mine)
            picture, report = from_spec(art.doc.data), mine
        else:
            outcome = resolve_target(ResolveOptions(options.root, options.target))
            if outcome.view is None:
                return GraphOutcome(outcome.report)
            picture, report = from_view(dict(outcome.view)), outcome.report
    if options.format == "mermaid":
        return GraphOutcome(report, to_mermaid(picture).encode("utf-8"))
    text = to_dot(picture)
    if options.format == "dot":
        return GraphOutcome(report, text.encode("utf-8"))
    return GraphOutcome(report, _graphviz(text, options.format))


def _view_file(root: Path, name: str) -> tuple[str, Document | None, list[Finding]]:
    """The resolved view file ``name``: (repository-relative path, its document, findings).
    Read like an artifact (inside the repository, at most 16 MiB, strict JSON) and checked
    against the ResolvedSpec schema, so a malformed view is a located finding (SCH001), never
    an empty picture. Raises UsageError when it is no resolved view at all."""
    from rspp.core.errors import UsageError
    from rspp.core.paths import name_inside
    from rspp.load.api import Limits, load_bytes
    from rspp.load.reading import read_file
    from rspp.validate.schema import check_schema

    name_inside(name, root)
    rel, raw = read_file(Path(name), root, 1 << 24)
    if isinstance(raw, Finding):
        return rel, None, [raw]
    loaded = load_bytes(raw, rel, syntax="json", limits=Limits(max_bytes=1 << 24))
    if loaded.document is None:
        return rel, None, list(loaded.findings)
    if loaded.document.data.get("kind") != "ResolvedSpec":
        raise UsageError(f"{rel} is not a resolved view (kind ResolvedSpec)",
                         "name a .resolved.json file under docs/pipelines/")
    return rel, loaded.document, check_schema(loaded.document, "ResolvedSpec", root=root)


def _graphviz(dot: str, fmt: str) -> bytes:
    import shutil
    import subprocess

    from rspp.core.errors import UsageError

    program = shutil.which("dot")
    if program is None:
        raise UsageError(f"--format {fmt} needs Graphviz's `dot`, which is not installed",
                         "install Graphviz (Debian package graphviz), or use --format dot "
                         "or mermaid")
    done = subprocess.run([program, f"-T{fmt}"], input=dot.encode("utf-8"),
                          capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise UsageError(f"Graphviz failed: {first[0] if first else done.returncode}",
                         "report this with the DOT text (`--format dot`)")
    return done.stdout
