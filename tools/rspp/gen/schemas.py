"""Generate the JSON Schemas (2020-12) in ``schemas/`` from the models."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from rspp.core.jsontypes import JsonObject, JsonValue, as_object
from rspp.model.kinds import ALL_MODELS, OLDER_MODELS, OUTSIDE_CATALOG
from rspp.model.schemafiles import DIALECT, schema_id

__all__ = ["DIALECT", "check", "export", "file_name", "generate", "render", "schema_id",
           "write"]


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def _tidy(node: JsonValue, *, in_properties: bool = False) -> JsonValue:
    """Drop pydantic's titles and null defaults (optional fields are absent, never null);
    descriptions on one line."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:
        return {name: _tidy(sub) for name, sub in node.items()}
    out: JsonObject = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if key == "description" and isinstance(value, str):
            out[key] = " ".join(value.split())  # docstrings wrap; a description is one line
            continue
        if key in ("properties", "$defs", "patternProperties"):
            out[key] = _tidy(value, in_properties=True)
        else:
            out[key] = _tidy(value)
    branches = out.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1 and len(kept) != len(branches) and isinstance(kept[0], dict):
            del out["anyOf"]
            merged = dict(kept[0])
            merged.update(out)
            out = merged
        elif len(kept) != len(branches):
            out["anyOf"] = kept
    return out


def generate() -> dict[str, JsonObject]:
    """Every kind's schema, and each older served API version's (ADR 0023), keyed by file
    name."""
    result: dict[str, JsonObject] = {}
    models: dict[str, type[BaseModel]] = {**ALL_MODELS, **OLDER_MODELS}
    for kind, model in sorted(models.items()):
        body = _tidy(model.model_json_schema(by_alias=True, mode="validation"))
        assert isinstance(body, dict)  # a model's schema is an object
        schema: JsonObject = {"$schema": DIALECT, "$id": schema_id(kind), "title": kind,
                              **body}
        if model.__doc__:
            schema["description"] = " ".join(model.__doc__.split())
        result[file_name(kind)] = schema
    result[file_name("TraceEvent")] = _trace_event()
    return result


def _trace_event() -> JsonObject:
    """The schema of one line of a recorded trace (not an artifact kind; ADR 0011)."""
    from rspp.model.events import json_schema

    # Descriptions on one line like every other schema's (msgspec releases differ in how
    # they dedent docstrings).
    tidy = _tidy(json_schema())
    assert isinstance(tidy, dict)
    schema: JsonObject = tidy
    schema["$schema"] = DIALECT
    schema["$id"] = schema_id("TraceEvent")
    return schema


def _ordered(node: JsonValue, keep: bool = False) -> JsonValue:
    """Keys sorted, except the members of a ``properties`` map: they keep the models' field
    order, which is the canonical key order of artifact files."""
    if isinstance(node, dict):
        keys = list(node) if keep else sorted(node)
        return {k: _ordered(node[k], keep=not keep and k == "properties") for k in keys}
    if isinstance(node, list):
        return [_ordered(item) for item in node]
    return node


def render(schema: JsonObject) -> str:
    return json.dumps(_ordered(schema), indent=2, ensure_ascii=False) + "\n"


def expected() -> dict[str, bytes]:
    """File name -> the bytes this rspp writes for it, one per kind."""
    return {name: render(schema).encode("utf-8") for name, schema in generate().items()}


def check(directory: Path, *, root: Path | None = None) -> list[str]:
    """File names under ``directory`` that differ from the models (missing, stale, extra).

    Files are read inside ``root`` (default: the folder holding ``directory``) without
    following links; a link in the way raises ``rspp.core.files.FileAccessError`` (IO002).
    """
    from rspp.core.files import read_existing

    base = directory.parent if root is None else root
    wanted = expected()
    drift = [name for name, data in wanted.items()
             if read_existing(directory / name, root=base, verb="check") != data]
    drift += [name for name in _listed(directory, base, "check") if name not in wanted]
    return sorted(drift)


def _listed(directory: Path, root: Path, verb: str) -> list[str]:
    """Names of the schema files in ``directory``, reached without following links."""
    from rspp.core.files import list_names

    return [n for n in list_names(directory, root=root, verb=verb) if n.endswith(".schema.json")]


def write(directory: Path, *, root: Path) -> list[str]:
    """Write every schema whose text changed, remove schema files of no kind; return the
    names written or removed.

    Every write goes through ``rspp.core.files.write_atomic`` inside ``root``: never through a
    link, never outside the root (FileAccessError IO001-IO003).
    """
    from rspp.core.files import make_dirs, read_existing, remove, write_atomic

    make_dirs(directory, root=root)
    wanted = expected()
    changed = [name for name, data in wanted.items()
               if read_existing(directory / name, root=root) != data]
    stale = [name for name in _listed(directory, root, "write") if name not in wanted]
    for name in changed:
        write_atomic(directory / name, wanted[name], root=root)
    for name in stale:
        remove(directory / name, root=root)
    return sorted(changed + stale)


def with_node_types(node: JsonValue, extra: Mapping[str, str]) -> JsonValue:
    """``node`` (a generated schema) with ``extra`` (node type -> description) offered for
    completion beside the built-in types: a documented ``const`` for each, in name order,
    before the branch every string passes. Annotations only: what validates does not change.
    """
    if isinstance(node, list):
        return [with_node_types(item, extra) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: with_node_types(value, extra) for key, value in node.items()}
    choices = out.get("anyOf")
    if isinstance(choices, list) and choices and isinstance(choices[-1], dict) and \
            choices[-1].get("description") == OUTSIDE_CATALOG:
        known = {c.get("const") for c in choices if isinstance(c, dict)}
        added: list[JsonValue] = [{"const": name, "description": text}
                                  for name, text in sorted(extra.items()) if name not in known]
        out["anyOf"] = [*choices[:-1], *added, choices[-1]]
    return out


def export(directory: Path, *, root: Path, node_types: Mapping[str, str] | None = None,
           pack_schemas: Mapping[str, JsonObject] | None = None
           ) -> tuple[list[str], list[str]]:
    """Write every kind's schema into ``directory`` (inside ``root``) for editors of a
    consumer repository; return (names written, names already up to date).

    Without ``node_types`` the bytes are exactly those of rspp's own ``schemas/``
    (:func:`expected`); with them (node type -> description: the repository's extension and
    pack types), those types are offered for completion too (:func:`with_node_types`).
    ``pack_schemas`` (kind -> schema: the artifact kinds of the enabled packs) are written as
    ``<Kind>.schema.json`` too, keys sorted (a pack's kind never has an rspp kind's name). Each
    file is one resource whose ``$ref``s point inside it (``#/$defs/...``), so nothing is
    fetched and the files work wherever they are copied. Only files whose bytes differ are written, so a second
    run writes nothing; other files in ``directory`` are left alone. Every write goes through
    ``rspp.core.files.write_atomic`` (temporary file, then rename).

    Raises ``rspp.core.files.FileAccessError``: IO001 ``directory`` outside ``root``, IO002 a
    link or a file in the way (``directory`` itself included), IO003 the system refused.
    """
    from rspp.core.files import make_dirs, read_existing, write_atomic

    make_dirs(directory, root=root)
    wanted = expected() if not node_types else {
        name: render(as_object(with_node_types(schema, node_types))).encode("utf-8")
        for name, schema in generate().items()}
    wanted.update((f"{kind}.schema.json", render(schema).encode("utf-8"))
                  for kind, schema in sorted((pack_schemas or {}).items()))
    written = [name for name, data in wanted.items()
               if read_existing(directory / name, root=root) != data]
    for name in written:
        write_atomic(directory / name, wanted[name], root=root)
    return sorted(written), sorted(set(wanted) - set(written))
