"""`rspp schemas --export DIR`: rspp's JSON Schemas written into a consumer repository, for
editors (completion and hover through the YAML language server's ``$schema`` support)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rspp.core.files import FileAccessError
from rspp.core.jsontypes import JsonObject, as_object
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
    extension manifests and enabled packs) offered for completion beside the built-in ones;
    ``pack_kinds``: the artifact kinds of the enabled packs whose schemas were exported
    beside rspp's."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    report: Report
    node_types: tuple[str, ...] = ()
    pack_kinds: tuple[str, ...] = ()


class _Additions(NamedTuple):
    node_types: dict[str, str]  # node type -> a description
    pack_schemas: dict[str, JsonObject]  # artifact kind of a pack -> its schema


def _repository_additions(start: Path) -> _Additions:
    """What the repository at or above ``start`` adds to rspp's schemas: the node types its
    schema-valid extension manifests provide (named with ``extension: id@version``) and those
    of the packs its configuration enables, each with a description; and the schemas of the
    artifact kinds of those packs. Empty outside a repository, or in one whose artifacts
    cannot be read."""
    from rspp.core.errors import RsppError
    from rspp.core.paths import nearest_repository
    from rspp.model.access import extension_body
    from rspp.resolve.gate import validate_repository
    from rspp.validate.engine import ValidateOptions

    root = nearest_repository(start.resolve())
    if root is None or not (root / "pipelines").is_dir():
        return _Additions({}, {})
    try:
        _, repo = validate_repository(ValidateOptions(root=root))
    except RsppError:
        return _Additions({}, {})
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
    # a pack's schema is JSON (checked when the pack was loaded): as plain JSON values
    schemas = {k.kind: as_object(json.loads(json.dumps(k.schema)))
               for pack in repo.packs.packs for k in pack.pack.kinds}
    return _Additions(out, schemas)


def export(options: ExportOptions) -> ExportOutcome:
    """Write every ``<Kind>.schema.json`` into ``options.directory`` (with the artifact kinds
    of the packs the repository enables); works in any folder, not only rspp's own
    repository.

    Raises FileAccessError: IO001 the directory is outside ``base``, IO002 a link or a file
    is in the way (a ``directory`` that is a file included), IO003 the system refused.
    """
    base = options.base
    folder = options.directory if options.directory.is_absolute() else base / options.directory
    shown = options.directory.as_posix().rstrip("/") or "."
    try:
        extra = _repository_additions(base)
        written, unchanged = export_files(folder, root=base, node_types=extra.node_types,
                                          pack_schemas=extra.pack_schemas)
    except FileAccessError as exc:
        if exc.code != "IO001":
            raise
        raise FileAccessError("IO001", exc.path, f"refusing to export into {shown}: it is "
                              f"outside the working directory {base.as_posix()} (or inside its .git)",
                              "name a folder inside it, or run rspp from a folder that "
                              "holds the target") from None
    return ExportOutcome(tuple(f"{shown}/{n}" for n in written),
                         tuple(f"{shown}/{n}" for n in unchanged),
                         Report(base, (), (), {}), tuple(sorted(extra.node_types)),
                         tuple(sorted(extra.pack_schemas)))
