"""Schema stage: envelope checks and JSON Schema validation with located findings.

The validators are built from rspp's own schemas only (``rspp.model.schemafiles``): a
registry holding each sound schema under its ``$id`` and a retriever that refuses every other
URI, so validation never fetches or reads anything else. A refused schema file is a located
finding (SCH002), never an internal error.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NoReturn, cast

import msgspec

from rspp.core.constants import AUTHORED_KINDS
from rspp.core.findings import Finding, Related
from rspp.core.jsontypes import JsonObject, as_object
from rspp.core.sink import FindingSink, finding
from rspp.load.document import Document
from rspp.load.spans import escape_token, pointer_join
from rspp.model import ids
from rspp.model.migrations import MigrationError, schema_name, served, storage_version, upgrade
from rspp.rules.packs import KindTable

AUTHORED = AUTHORED_KINDS
_PATTERN_NAMES: Final = MappingProxyType({
    ids.SEMVER_PATTERN: "a SemVer 2.0 version such as 1.2.3",
    ids.ID_PATTERN: "an id ([a-z][a-z0-9_-]*, optionally with /-separated parts)",
    ids.REF_PATTERN: "a reference id@version or id@version#sha256:<hex>",
    ids.DIGEST_PATTERN: "a digest sha256:<64 lowercase hex>",
    ids.PORT_TYPE_PATTERN: "a port type such as audio/pcm16;rate=16000;channels=1",
    ids.NODE_TYPE_PATTERN: "a node type such as stt.deepgram",
    ids.LOCAL_ID_PATTERN: "a local id ([a-z][a-z0-9_]*)",
    ids.PORT_REF_PATTERN: "a port reference node.port",
    ids.DATE_PATTERN: "a date YYYY-MM-DD",
    ids.IMPL_PATTERN: ("a package URL pkg:type/namespace/name@version (purl) or an OCI image "
                       "reference pinned by digest registry/repository[:tag]@sha256:<64 hex>"),
})


if TYPE_CHECKING:
    # imported where a schema is compiled: a run whose files all come from the validation
    # cache compiles none (ADR 0014)
    import jsonschema_rs

    from rspp.model.schemafiles import SchemaProblem


class RefusedRetrieval(Exception):
    """Raised by the retriever for every URI: rspp's schemas are never fetched."""


def _refuse(uri: str) -> NoReturn:
    raise RefusedRetrieval(f"{uri} is not one of rspp's schemas; nothing is fetched or read")


class _Compiled(msgspec.Struct, frozen=True):
    """A kind's validator, or the problems that refuse its schema file."""

    validator: jsonschema_rs.Draft202012Validator | None
    problems: tuple[SchemaProblem, ...]


def _kind_name(kind: object) -> str:
    """The error kind's keyword class name (``Type``, ``Pattern``, ``AnyOf``...); releases
    before 0.35 name the classes ``ValidationErrorKind_<Name>``."""
    return type(kind).__name__.removeprefix("ValidationErrorKind_")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


@functools.cache
def _registry(kind: str,
              directory: Path) -> tuple[jsonschema_rs.Registry | None, str | None]:
    """``kind``'s schema and the rspp schemas it references (transitively), under their
    ``$id``, with a retriever refusing every other URI; or why that cannot be built."""
    import jsonschema_rs

    from rspp.model.schemafiles import read_schema, schema_id

    # Raised by Registry in the releases that have it; ValueError stands in elsewhere.
    referencing_error: type[Exception] = getattr(jsonschema_rs, "ReferencingError", ValueError)
    resources: dict[str, JsonObject] = {}
    pending = [kind]
    while pending:
        name = pending.pop()
        if schema_id(name) in resources:
            continue
        read = read_schema(name, directory)
        if read.schema is None:
            return None, (f"it refers to {schema_id(name)}, whose schema file is refused: "
                          f"{read.problems[0].message if read.problems else ''}")
        resources[schema_id(name)] = read.schema
        pending.extend(sorted(read.refers_to))
    try:
        return jsonschema_rs.Registry(sorted(resources.items()), retriever=_refuse), None
    except (ValueError, referencing_error) as exc:
        return None, _first_line(str(exc))


@functools.cache
def _compiled(kind: str, directory: Path) -> _Compiled:
    import jsonschema_rs

    from rspp.model.schemafiles import read_schema

    read = read_schema(kind, directory)
    if read.schema is None:
        return _Compiled(None, read.problems)
    registry, failure = _registry(kind, directory)
    if registry is None:
        return _Compiled(None, (read.locate("", f"the schema cannot be registered: {failure}"),))
    try:
        validator = jsonschema_rs.Draft202012Validator(
            read.schema, validate_formats=False, registry=registry, retriever=_refuse)
    except jsonschema_rs.ValidationError as exc:
        pointer = _pointer(exc.instance_path)
        if _kind_name(exc.kind) == "Referencing":
            message = f"a reference cannot be resolved: {_first_line(exc.message)}"
        else:
            message = (f"not a valid JSON Schema 2020-12 at {pointer or 'the root'}: "
                       f"{_first_line(exc.message)}")
        return _Compiled(None, (read.locate(pointer, message),))
    except Exception as exc:  # the library's other refusals (ValueError, ReferencingError,
        # a retriever error passed through): the schema file is refused, never a crash
        return _Compiled(None, (read.locate("", f"the schema cannot be compiled: "
                                                f"{_first_line(str(exc))}"),))
    return _Compiled(validator, ())


def _compiled_for(kind: str, schema_dir: Path | None) -> _Compiled:
    return _compiled(kind, _resolved(schema_dir))


@functools.cache
def _resolved(schema_dir: Path | None) -> Path:
    """``schema_dir`` with links resolved, once per process (like the compiled schemas
    themselves: resolving it for every document was about 7 % of a full run)."""
    from rspp.model.schemafiles import resolved_dir

    return resolved_dir(schema_dir)


def schema_findings(kinds_: tuple[str, ...] = AUTHORED, *, root: Path | None = None,
                    schema_dir: Path | None = None) -> list[Finding]:
    """SCH002 findings located in the schema files of ``kinds_`` that are refused.

    Paths are relative to ``root`` when the schema file is inside it, else absolute.
    ``schema_dir`` defaults to the installed package's schemas.
    """
    sink = FindingSink()
    for kind in kinds_:
        for problem in _compiled_for(kind, schema_dir).problems:
            sink.emit("SCH002", problem.display_path(root), problem.line, problem.col,
                      problem.message, pointer=problem.pointer, end_line=problem.end_line,
                      end_col=problem.end_col)
    return sink.sorted()


def _refused(doc: Document, kind: str, problems: tuple[SchemaProblem, ...],
             root: Path | None) -> Finding:
    """SCH002 on an artifact whose kind's schema is refused: it was not validated."""
    first = problems[0]
    where = f"{first.display_path(root)}:{first.line}:{first.col}"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    span = doc.span("/kind")
    return finding("SCH002", doc.path, span.line, span.col,
                   f"not validated: the schema for {kind} is refused at {where}: "
                   f"{first.message}{more}", pointer="/kind", end_line=span.end_line,
                   end_col=span.end_col,
                   related=(Related(p.display_path(root), p.line, p.col, "refused here")
                            for p in problems))


def _finding(doc: Document, code: str, pointer: str, message: str, *, key: bool = False) -> Finding:
    span = doc.span(pointer, key=key)
    return finding(code, doc.path, span.line, span.col, message, pointer=pointer,
                   end_line=span.end_line, end_col=span.end_col)


def _describe(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...")
    return "a mapping" if isinstance(value, dict) else "a list"


def _pointer(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out = pointer_join(out, part)
    return out


def _source_text(doc: Document, pointer: str) -> str:
    span = doc.span(pointer)
    if span.end_line != span.line or span.end_col is None:
        return ""
    return doc.line_text(span.line)[span.col - 1 : span.end_col - 1]


_SHOWN = 60  # characters of a key or pointer a one-line message quotes


def _bounded(text: str) -> str:
    """``text`` cut to ``_SHOWN`` characters (with "..."): a message stays one short line
    whatever a hostile key holds (the finding's pointer keeps the whole key)."""
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _messages(doc: Document, error: Any) -> Iterator[tuple[str, str, bool]]:
    """(pointer, message, at_key) for one jsonschema error. Its kind is read by class name
    (``_kind_name``): releases of jsonschema_rs name and type them differently."""
    pointer = _pointer(error.instance_path)
    kind = error.kind
    name = _kind_name(kind)
    where = _bounded(pointer) if pointer else "the document"
    if name == "AdditionalProperties":
        for extra in sorted(kind.unexpected):
            yield (pointer_join(pointer, extra), f"unknown key {_bounded(extra)!r} at {where}",
                   True)
        return
    if name == "Required":
        yield pointer, f"missing required key {kind.property!r} at {where}", False
        return
    if name == "Pattern":
        # Releases before 0.35 hand back the pattern with "#" escaped.
        wanted = _PATTERN_NAMES.get(kind.pattern.replace("\\#", "#"),
                                    f"the pattern {kind.pattern}")
        yield pointer, f"{_describe(error.instance)} at {where} is not {wanted}", False
        return
    if name == "Type" and isinstance(error.instance, (int, float)) and not isinstance(
        error.instance, bool
    ):
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        if "string" in [str(t) for t in types]:
            text = _source_text(doc, pointer) or repr(error.instance)
            reads = "YAML reads" if doc.syntax == "yaml" else "JSON has"
            yield pointer, (f"{where} must be a string but {reads} {text} as "
                            f"{_describe(error.instance)}; quote it: \"{text}\""), False
            return
    yield pointer, f"{where}: {_short(error.message, error.instance)}", False


_MESSAGE = 200  # characters of a validator's own message a finding keeps


def _short(message: str, instance: object) -> str:
    """The validator's message with the value it quotes shortened (``_describe``) and the
    whole cut to ``_MESSAGE`` characters: a 900 KB string must not come back in every report
    format (the finding's pointer locates it)."""
    if len(message) <= _MESSAGE:
        return message
    if not isinstance(instance, (dict, list)):
        quoted = json.dumps(instance, ensure_ascii=False)
        message = message.replace(quoted, _describe(instance))
    return message if len(message) <= _MESSAGE else message[: _MESSAGE - 3] + "..."


def check_envelope(doc: Document) -> tuple[str | None, list[Finding]]:
    """The artifact's kind when the envelope can be read, else findings (ENV001/ENV002)."""
    data = doc.data
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in AUTHORED:
        return None, [unknown_kind(doc)]
    api = data.get("apiVersion")
    versions = served(kind)
    if api not in versions:
        listed = (f"{', '.join(versions[:-1])} and {versions[-1]}" if len(versions) > 1
                  else versions[0])
        msg = ("missing key 'apiVersion'" if "apiVersion" not in data
               else f"unsupported apiVersion {_describe(api)}; this rspp reads {listed} "
                    f"for {kind}")
        return None, [_finding(doc, "ENV002", "/apiVersion", msg)]
    return kind, []


def upgrade_document(doc: Document, kind: str) -> list[Finding]:
    """Upgrade ``doc`` (a schema-valid document of ``kind``) in memory to the kind's storage
    version when it is written at an older one (ADR 0023): ``doc.data`` becomes the storage
    version's document and ``doc.original`` keeps what the file holds (its digest, and what
    a bundle carries, stay over it). Positions stay the file's (a path the upgrade made is
    found at its nearest written ancestor). Returns ``[]``, or one MIG001 finding at
    ``/apiVersion`` when no migration leads there (then ``doc`` is left as it was)."""
    if doc.data.get("apiVersion") == storage_version(kind):
        return []
    try:
        upgraded = upgrade(doc.data, kind)
    except MigrationError as exc:
        return [_finding(doc, "MIG001", exc.pointer, exc.message)]
    doc.original, doc.data = doc.data, upgraded  # digests stay over what the file holds
    return []


def _integral_floats(data: JsonObject) -> list[tuple[str | int, ...]]:
    """The paths (keys and indexes from the root, in document order) of the floats with no
    fractional part (``64.0``, ``6.4e1``) in ``data``; depth is bounded by the loader."""
    out: list[tuple[str | int, ...]] = []

    def walk(node: JsonObject | list[Any], path: tuple[str | int, ...]) -> None:
        items: Iterable[tuple[str | int, Any]] = (
            node.items() if isinstance(node, dict) else enumerate(node))
        for key, item in items:
            if isinstance(item, float):
                if item.is_integer():
                    out.append((*path, key))
            elif isinstance(item, (dict, list)):
                walk(item, (*path, key))

    walk(data, ())
    return out


def _probe(data: JsonObject, paths: Sequence[tuple[str | int, ...]]) -> JsonObject:
    """``data`` with the float at each of ``paths`` moved off its integer (to the next float
    up). Only the mappings and lists on those paths are copied; ``data`` is not changed."""
    root = dict(data)
    copies = {id(root)}
    for path in paths:
        node: Any = root
        for key in path[:-1]:
            child = node[key]
            if id(child) not in copies:
                child = dict(child) if isinstance(child, dict) else list(child)
                node[key] = child
                copies.add(id(child))
            node = child
        nudged = math.nextafter(node[path[-1]], math.inf)
        # From 2**52 up every float is an integer; 0.5 still tells integer from number.
        node[path[-1]] = nudged if not nudged.is_integer() else 0.5
    return root


def _wants_integer(error: Any, pointer: str) -> bool:
    """Whether ``error`` (at ``pointer``) says the value there must be an integer."""
    if _pointer(error.instance_path) != pointer:
        return False
    kind = error.kind
    name = _kind_name(kind)
    if name == "Type":
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        return "integer" in [str(t) for t in types]
    if name in ("AnyOf", "OneOfNotValid"):
        context = getattr(kind, "context", None)
        if context is None:  # releases before 0.31 keep no branch errors: every branch
            return True      # failed once the value was moved off its integer
        return any(_wants_integer(e, pointer) for branch in context for e in branch)
    return False


def _float_literals(doc: Document, validator: jsonschema_rs.Draft202012Validator,
                    failed: set[str]) -> list[Finding]:
    """SCH003: a float literal where the schema accepts only an integer.

    JSON Schema counts 64.0 as an integer (2020-12 validation, section 6.1.1) and RFC 8785
    writes it as 64, so neither the schema nor the digest tells it from 64; a runtime reading
    the YAML gets a float. Each integral float is moved off its integer and validated again:
    where that fails because an integer is wanted, the literal is refused. A value that
    already fails at its place (``failed``) is left to SCH001.
    """
    paths = _integral_floats(doc.data)
    if not paths:
        return []
    floats = ["".join(f"/{escape_token(k) if isinstance(k, str) else k}" for k in path)
              for path in paths]
    marked = frozenset(floats)
    flagged = set()
    for error in validator.iter_errors(_probe(doc.data, paths)):
        pointer = _pointer(error.instance_path)
        if pointer in marked and pointer not in failed and _wants_integer(error, pointer):
            flagged.add(pointer)
    out = []
    for pointer in sorted(flagged, key=floats.index):
        value = _value_at(doc.data, pointer)
        text = _source_text(doc, pointer) or repr(value)
        whole = int(value) if isinstance(value, float) else value
        out.append(_finding(doc, "SCH003", pointer,
                            f"{pointer} must be an integer, but {text} is a float literal "
                            f"(a runtime reads the float {value!r}); write {whole}"))
    return out


def _value_at(data: object, pointer: str) -> object:
    node = data
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else as_object(node)[token]
    return node


def check_schema(doc: Document, kind: str, *, root: Path | None = None,
                 schema_dir: Path | None = None) -> list[Finding]:
    """Validate ``doc`` against ``kind``'s schema: SCH001 per violation, SCH003 per float
    literal where an integer is wanted, or one SCH002 when the schema itself is refused.

    ``root`` (the repository) makes schema file paths in SCH002 relative; ``schema_dir``
    defaults to the installed package's schemas.
    """
    api = doc.data.get("apiVersion")
    name = schema_name(kind, api) if isinstance(api, str) and api in served(kind) else kind
    compiled = _compiled_for(name, schema_dir)
    if compiled.validator is None:
        return [_refused(doc, kind, compiled.problems, root)]
    return _violations(doc, compiled.validator)


def _violations(doc: Document, validator: jsonschema_rs.Draft202012Validator) -> list[Finding]:
    """SCH001 per violation of ``validator``'s schema, then SCH003 per float literal where
    it wants an integer."""
    findings = []
    failed: set[str] = set()
    for error in validator.iter_errors(doc.data):
        failed.add(_pointer(error.instance_path))
        for pointer, message, key in _messages(doc, error):
            findings.append(_finding(doc, "SCH001", pointer, message, key=key))
    findings.extend(_float_literals(doc, validator, failed))
    return findings


@functools.cache
def _pack_envelope() -> jsonschema_rs.Draft202012Validator:
    """What rspp asks of every artifact of a pack's kind besides the pack's schema: the
    envelope by which it is named, referenced and locked, with rspp's own ``metadata`` (the
    ``Metadata`` definition of the PipelineSpec schema: id, SemVer version, owners,
    description, labels, and nothing else)."""
    import jsonschema_rs

    from rspp.model.schemafiles import read_schema

    held = read_schema("PipelineSpec").schema or {}
    metadata = as_object(as_object(held.get("$defs")).get("Metadata")) or {
        "type": "object", "required": ["id", "version"],
        "properties": {"id": {"type": "string", "pattern": ids.ID_PATTERN},
                       "version": {"type": "string", "pattern": ids.SEMVER_PATTERN}}}
    envelope = {"type": "object", "required": ["apiVersion", "kind", "metadata"],
                "properties": {"metadata": metadata}}
    return jsonschema_rs.Draft202012Validator(envelope, validate_formats=False,
                                              retriever=_refuse)


def check_pack_kind(doc: Document, kinds: KindTable
                    ) -> tuple[str | None, list[Finding]] | None:
    """Envelope and schema check of ``doc`` as an artifact of a pack's kind (ADR 0024), or
    None when its ``kind`` is none of ``kinds`` (kind -> (apiVersion, compiled validator,
    pack name)). Returns (the kind, SCH001/SCH003 findings of the pack's schema and of rspp's
    envelope for pack kinds) or (None, [ENV002]) when its ``apiVersion`` is not the one the
    pack declares."""
    kind = doc.data.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        return None
    api, validator, pack = kinds[kind]
    if doc.data.get("apiVersion") != api:
        written = doc.data.get("apiVersion")
        msg = ("missing key 'apiVersion'" if "apiVersion" not in doc.data
               else f"unsupported apiVersion {_describe(written)}; pack {pack} reads {api} "
                    f"for {kind}")
        return None, [_finding(doc, "ENV002", "/apiVersion", msg)]
    findings = _violations(doc, _pack_envelope())
    seen = {(f.pointer, f.message) for f in findings}
    compiled = cast("jsonschema_rs.Draft202012Validator", validator)  # compiled at load
    findings += [f for f in _violations(doc, compiled) if (f.pointer, f.message) not in seen]
    return kind, findings


def unknown_kind(doc: Document, extra: Sequence[str] = ()) -> Finding:
    """ENV001 for ``doc``'s missing or unknown ``kind``, listing rspp's kinds and ``extra``
    (the kinds of the enabled packs)."""
    if "kind" not in doc.data:
        return _finding(doc, "ENV001", "/kind", "missing key 'kind'")
    return _finding(doc, "ENV001", "/kind", f"unknown kind {_describe(doc.data['kind'])}; "
                    f"expected one of {', '.join((*AUTHORED, *sorted(extra)))}")
