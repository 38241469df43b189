"""`rspp schemas --export DIR`: rspp's JSON Schemas written into a consumer repository, for
editors (completion and hover through the YAML language server's ``$schema`` support)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.core.files import FileAccessError
from rspp.gen.schemas import export as export_files
from rspp.report.result import Report

if TYPE_CHECKING:
    from rspp.model.artifact import Artifact


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """``directory`` as given (relative to ``base``, or absolute inside it); ``base`` the
    folder nothing is written outside of (the CLI passes the working directory)."""

    directory: Path
    base: Path


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """``written``: paths (as given, POSIX) of the schema files written; ``unchanged``: those
    already holding the same bytes; ``node_types``: the repository's own node types (of its
    extension manifests and enabled packs) offered for completion beside the built-in ones."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    report: Report
    node_types: tuple[str, ...] = ()


def _repository_node_types(start: Path) -> dict[str, str]:
    """Node type -> a description, for the types the repository at or above ``start`` adds
    to the built-in catalog: those its schema-valid extension manifests provide (named with
    ``extension: id@version``) and those of the packs its configuration enables. Empty
    outside a repository, or in one whose artifacts cannot be read."""
    from rspp.core.errors import RsppError
    from rspp.core.paths import nearest_repository
    from rspp.model.access import extension_body
    from rspp.resolve.gate import validate_repository
    from rspp.validate.engine import ValidateOptions

    root = nearest_repository(start.resolve())
    if root is None or not (root / "pipelines").is_dir():
        return {}
    try:
        _, repo = validate_repository(ValidateOptions(root=root))
    except RsppError:
        return {}
    found: dict[str, list[Artifact]] = {}
    for art in repo.index.of_kind("ExtensionManifest"):
        name = art.spec.get("nodeType") if art.schema_valid else None
        if isinstance(name, str):
            found.setdefault(name, []).append(art)
    out: dict[str, str] = {}
    for name, arts in found.items():
        refs = sorted(a.ref for a in arts)
        described = max(arts, key=lambda a: a.ref)  # the last by reference, as listed
        text = extension_body(described).get("description", "")
        uses = " or ".join(f"extension: {r}" for r in refs)
        out[name] = " ".join(f"{text} Provided by an extension manifest; use it with "
                             f"{uses}.".split())
    for pack in repo.packs.packs:
        for node_type in pack.pack.node_types:
            out[node_type.name] = f"A {node_type.category} node type of pack {pack.name} " \
                                  f"{pack.version}."
    return out


def export(options: ExportOptions) -> ExportOutcome:
    """Write every ``<Kind>.schema.json`` into ``options.directory``; works in any folder,
    not only rspp's own repository.

    Raises FileAccessError: IO001 the directory is outside ``base``, IO002 a link or a file
    is in the way (a ``directory`` that is a file included), IO003 the system refused.
    """
    base = options.base
    folder = options.directory if options.directory.is_absolute() else base / options.directory
    shown = options.directory.as_posix().rstrip("/") or "."
    try:
        extra = _repository_node_types(base)
        written, unchanged = export_files(folder, root=base, node_types=extra)
    except FileAccessError as exc:
        if exc.code != "IO001":
            raise
        raise FileAccessError("IO001", exc.path, f"refusing to export into {shown}: it is "
                              f"outside the working directory {base.as_posix()} (or inside its .git)",
                              "name a folder inside it, or run rspp from a folder that "
                              "holds the target") from None
    return ExportOutcome(tuple(f"{shown}/{n}" for n in written),
                         tuple(f"{shown}/{n}" for n in unchanged),
                         Report(base, (), (), {}), tuple(sorted(extra)))
