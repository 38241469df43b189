"""The checked-in JSON Schemas (``schemas/``), read at run time without importing pydantic.

Properties are written in the models' field order (everything else sorted), so the files
also carry the canonical key order `rspp fmt` writes.

In rspp's own repository the schema directory is a link to the working tree's ``schemas/``,
so a pull request can edit what validation runs with. Every schema is therefore read the
same careful way before anything uses it (:func:`read_schema`): with rspp's own JSON loader
(no links out of the schema directory, no special or huge files, positions kept), and
refused, with the position of the offending value, unless

- its ``$schema`` is exactly the JSON Schema 2020-12 dialect URI (:data:`DIALECT`),
- its ``$id`` is rspp's identifier for its kind (:func:`schema_id`),
- every ``$ref`` / ``$dynamicRef`` points inside the schema (``#...``) or at another of
  rspp's schemas by its ``$id``, and no subschema sets its own ``$id`` or ``$schema``.

Nothing here fetches or reads anything but the schema files themselves.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

import msgspec

from rspp.core.constants import API_VERSION
from rspp.core.errors import RsppError
from rspp.core.jsontypes import JsonObject, JsonValue

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
SUFFIX = ".schema.json"
# JSON Schema 2020-12 (draft-bhutton-json-schema-01 section 8.1.1): the one dialect rspp
# writes and reads.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_ID_PREFIX = f"urn:rspp:schema:{API_VERSION.replace('/', ':')}:"

# Keywords whose value maps names to subschemas (the names are not keywords).
_SCHEMA_MAPS = frozenset(("$defs", "definitions", "properties", "patternProperties",
                          "dependentSchemas"))
# Keywords whose value is data, never a schema.
_DATA = frozenset(("enum", "const", "default", "examples", "required", "dependentRequired",
                   "$comment", "description", "title", "pattern", "format", "$anchor",
                   "$dynamicAnchor", "$vocabulary"))
_REF_KEYWORDS = ("$ref", "$dynamicRef")
_KIND = re.compile(r"[A-Z][A-Za-z0-9]*")
_REMEDY = "regenerate the schemas with `rspp schemas --write`, or reinstall rspp"


def schema_id(kind: str) -> str:
    """rspp's ``$id`` for ``kind``'s schema: ``urn:rspp:schema:rspp.dev:v1alpha1:<Kind>``."""
    return _ID_PREFIX + kind


class SchemaProblem(msgspec.Struct, frozen=True):
    """Why a schema file is refused, at the offending value (1-based line and column)."""

    file: Path  # absolute
    line: int
    col: int
    message: str
    pointer: str = ""
    end_line: int | None = None
    end_col: int | None = None

    def display_path(self, root: Path | None = None) -> str:
        """The file relative to ``root`` when inside it (POSIX separators), else absolute."""
        if root is not None:
            base = Path(os.path.realpath(root))
            try:
                return self.file.relative_to(base).as_posix()
            except ValueError:
                pass
        return self.file.as_posix()


class SchemaFile(msgspec.Struct, frozen=True):
    """One kind's schema as read: the schema when sound, else the problems refusing it.

    ``refers_to`` holds the other kinds whose schemas this one references by ``$id``.
    """

    kind: str
    file: Path  # absolute, inside the resolved schema directory
    schema: JsonObject | None
    problems: tuple[SchemaProblem, ...]
    text: str = ""
    refers_to: frozenset[str] = frozenset()

    def locate(self, pointer: str, message: str) -> SchemaProblem:
        """A problem at ``pointer`` in this file, positioned by rspp's JSON loader."""
        from rspp.load.api import load_bytes

        doc = load_bytes(self.text.encode("utf-8"), self.file.name, syntax="json").document
        if doc is None:
            return SchemaProblem(self.file, 1, 1, message, pointer)
        span = doc.span(pointer)
        return SchemaProblem(self.file, span.line, span.col, message, pointer, span.end_line,
                             span.end_col)


def resolved_dir(directory: Path | None = None) -> Path:
    """The schema directory with links resolved (``SCHEMA_DIR`` by default)."""
    return Path(os.path.realpath(SCHEMA_DIR if directory is None else directory))


def kinds(directory: Path | None = None) -> tuple[str, ...]:
    """The kinds with a schema file in ``directory`` (names only; nothing is read)."""
    base = resolved_dir(directory)
    try:
        names = os.listdir(base)
    except OSError:
        return ()
    return tuple(sorted(n.removesuffix(SUFFIX) for n in names if n.endswith(SUFFIX)))


def _walk(node: object, pointer: str, top: bool) -> Iterator[tuple[str, str, object]]:
    """(pointer, keyword, value) of every referencing keyword in schema position."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{pointer}/{index}", False)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
        if key in _REF_KEYWORDS or (not top and key in ("$id", "$schema")):
            yield here, key, value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _walk(sub, f"{here}/{name.replace('~', '~0').replace('/', '~1')}",
                                 False)
        elif key not in _DATA and key not in ("$id", "$schema"):
            yield from _walk(value, here, False)


def _ref_allowed(value: str, known: Mapping[str, str]) -> bool:
    if value.startswith("#"):
        return True
    target = value.partition("#")[0]
    return target in known


def _problems(kind: str, schema: object,
              known: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(pointer, message) for what makes ``schema`` unusable; positions are found later."""
    if not isinstance(schema, dict):
        yield "", "the schema is not a JSON object"
        return
    dialect = schema.get("$schema")
    if "$schema" not in schema:
        yield "", f"the schema has no \"$schema\"; rspp reads only {DIALECT}"
    elif dialect != DIALECT:
        yield "/$schema", (f"\"$schema\" {_show(dialect)} is refused; rspp reads only "
                           f"{DIALECT}")
    wanted = schema_id(kind)
    if schema.get("$id") != wanted:
        where = "/$id" if "$id" in schema else ""
        shown = _show(schema["$id"]) if "$id" in schema else "missing"
        yield where, f"\"$id\" {shown} is refused; {kind}'s schema is {wanted}"
    for pointer, keyword, value in _walk(schema, "", True):
        if keyword in ("$id", "$schema"):
            yield pointer, (f"{keyword} {_show(value)} inside the schema is refused; rspp's "
                            "schemas are single resources")
        elif not isinstance(value, str):
            yield pointer, f"{keyword} must be a string, not {_show(value)}"
        elif not _ref_allowed(value, known):
            yield pointer, (f"{keyword} {_show(value)} is refused: rspp's schemas refer only "
                            "to their own definitions (\"#/$defs/...\") and to each other "
                            f"({_ID_PREFIX}<Kind>); nothing is fetched or read")


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, JsonValue]]) -> JsonObject:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate("duplicate key")
    return out


def _constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


@functools.cache
def _read(kind: str, directory: Path) -> SchemaFile:
    from rspp.load.api import Limits, load_bytes
    from rspp.load.reading import decode, read_file

    file = directory / f"{kind}{SUFFIX}"
    if not _KIND.fullmatch(kind):
        return SchemaFile(kind, file, None, (SchemaProblem(
            file, 1, 1, f"{kind!r} is not a kind name; no schema file is read for it"),))
    limit = Limits().max_bytes
    _, raw = read_file(file, directory, limit)
    text = decode(raw, file.name, limit) if isinstance(raw, bytes) else raw
    data: JsonValue = None
    if isinstance(text, str):
        try:  # the fast path; rspp's loader positions problems when there are any
            data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
        except (ValueError, RecursionError):
            loaded = load_bytes(text.encode("utf-8"), file.name, syntax="json")
            text = loaded.findings[0] if loaded.findings else text
    if not isinstance(text, str):
        return SchemaFile(kind, file, None, (
            SchemaProblem(file, text.line, text.col, f"cannot read the schema: {text.message}",
                          text.pointer, text.end_line, text.end_col),))
    read = SchemaFile(kind, file, None, (), text)
    if data is None:
        return SchemaFile(kind, file, None, (read.locate("", "cannot read the schema: it is not "
                                                         "plain JSON"),), text)
    own = {schema_id(k): k for k in kinds(directory)}
    try:
        found = [read.locate(pointer, message)
                 for pointer, message in _problems(kind, data, own)]
    except RecursionError:
        found = [read.locate("", "cannot read the schema: it is nested too deeply")]
    if found or not isinstance(data, dict):  # _problems refuses anything but an object
        return SchemaFile(kind, file, None, tuple(found), text)
    refers = frozenset(own[v.partition("#")[0]] for _, key, v in _walk(data, "", True)
                       if key in _REF_KEYWORDS and isinstance(v, str) and not v.startswith("#"))
    return SchemaFile(kind, file, data, (), text, refers - {kind})


def read_schema(kind: str, directory: Path | None = None) -> SchemaFile:
    """``kind``'s schema file read and checked (cached per kind and directory).

    ``directory`` defaults to :data:`SCHEMA_DIR`. Never raises: a missing, unreadable,
    malformed or unsafe schema comes back with ``schema`` None and located ``problems``.
    """
    return _read(kind, resolved_dir(directory))


def sound_schemas(directory: Path | None = None) -> dict[str, JsonObject]:
    """Every kind's schema that :func:`read_schema` accepts, by kind."""
    out = {}
    for kind in kinds(directory):
        read = read_schema(kind, directory)
        if read.schema is not None:
            out[kind] = read.schema
    return out


def load_schema(kind: str, directory: Path | None = None) -> JsonObject:
    """``kind``'s schema; RsppError (cause: the first problem, located) when it is refused."""
    read = read_schema(kind, directory)
    if read.schema is None:
        first = read.problems[0] if read.problems else None
        where = f"{first.display_path()}:{first.line}:{first.col}: {first.message}" \
            if first else str(read.file)
        raise RsppError(f"the schema for {kind} is refused: {where}", _REMEDY)
    return read.schema
