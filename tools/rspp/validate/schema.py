"""Schema stage: envelope checks and JSON Schema validation with located findings."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from rspp import API_VERSION
from rspp.findings import Finding, Severity
from rspp.load.document import Document, pointer_join
from rspp.model import ids
from rspp.model.schemafiles import load_schema

AUTHORED = (
    "PipelineSpec", "Module", "ExecutionProfile", "PolicyOverlay", "ExtensionManifest",
    "PipelineBundle", "RolloutManifest", "ReplayEvidenceManifest", "CompatibilityContract",
    "ConformanceGates",
)
_PATTERN_NAMES = {
    ids.SEMVER_PATTERN: "a SemVer 2.0 version such as 1.2.3",
    ids.ID_PATTERN: "an id ([a-z][a-z0-9_-]*, optionally with /-separated parts)",
    ids.REF_PATTERN: "a reference id@version or id@version#sha256:<hex>",
    ids.DIGEST_PATTERN: "a digest sha256:<64 lowercase hex>",
    ids.PORT_TYPE_PATTERN: "a port type such as audio/pcm16;rate=16000;channels=1",
    ids.NODE_TYPE_PATTERN: "a node type such as stt.deepgram",
    ids.LOCAL_ID_PATTERN: "a local id ([a-z][a-z0-9_]*)",
    ids.PORT_REF_PATTERN: "a port reference node.port",
    ids.DATE_PATTERN: "a date YYYY-MM-DD",
}


@functools.cache
def _validator(kind: str) -> Any:
    return jsonschema_rs.Draft202012Validator(load_schema(kind), validate_formats=False)


def _finding(doc: Document, code: str, pointer: str, message: str, *, key: bool = False) -> Finding:
    span = doc.span(pointer, key=key)
    return Finding(code, Severity.ERROR, doc.path, span.line, span.col, message, pointer,
                   span.end_line, span.end_col)


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...")
    return "a mapping" if isinstance(value, dict) else "a list"


def _pointer(path: Any) -> str:
    out = ""
    for part in path:
        out = pointer_join(out, part)
    return out


def _source_text(doc: Document, pointer: str) -> str:
    span = doc.span(pointer)
    if span.end_line != span.line or span.end_col is None:
        return ""
    return doc.line_text(span.line)[span.col - 1 : span.end_col - 1]


def _messages(doc: Document, error: Any) -> Iterator[tuple[str, str, bool]]:
    """(pointer, message, at_key) for one jsonschema error."""
    pointer = _pointer(error.instance_path)
    kind = error.kind
    name = type(kind).__name__
    where = pointer or "the document"
    if name == "AdditionalProperties":
        for extra in sorted(kind.unexpected):
            yield pointer_join(pointer, extra), f"unknown key {extra!r} at {where}", True
        return
    if name == "Required":
        yield pointer, f"missing required key {kind.property!r} at {where}", False
        return
    if name == "Pattern":
        wanted = _PATTERN_NAMES.get(kind.pattern, f"the pattern {kind.pattern}")
        yield pointer, f"{_describe(error.instance)} at {where} is not {wanted}", False
        return
    if name == "Type" and isinstance(error.instance, (int, float)) and not isinstance(
        error.instance, bool
    ):
        types = kind.types if isinstance(kind.types, list) else [kind.types]
        if "string" in [str(t) for t in types]:
            text = _source_text(doc, pointer) or repr(error.instance)
            yield pointer, (f"{where} must be a string but YAML reads {text} as "
                            f"{_describe(error.instance)}; quote it: \"{text}\""), False
            return
    yield pointer, f"{where}: {error.message}", False


def check_envelope(doc: Document) -> tuple[str | None, list[Finding]]:
    """The artifact's kind when the envelope can be read, else findings (ENV001/ENV002)."""
    data = doc.data
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in AUTHORED:
        if "kind" not in data:
            msg = "missing key 'kind'"
        else:
            msg = f"unknown kind {_describe(kind)}; expected one of {', '.join(AUTHORED)}"
        return None, [_finding(doc, "ENV001", "/kind", msg)]
    api = data.get("apiVersion")
    if api != API_VERSION:
        msg = ("missing key 'apiVersion'" if "apiVersion" not in data
               else f"unsupported apiVersion {_describe(api)}; this rspp reads {API_VERSION}")
        return None, [_finding(doc, "ENV002", "/apiVersion", msg)]
    return kind, []


def check_schema(doc: Document, kind: str) -> list[Finding]:
    findings = []
    for error in _validator(kind).iter_errors(doc.data):
        for pointer, message, key in _messages(doc, error):
            findings.append(_finding(doc, "SCH001", pointer, message, key=key))
    return findings
