"""Cross-artifact rules: references by id@version, and one definition per (kind, id, version)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

from rspp.core.findings import Related
from rspp.core.jsontypes import as_array, as_object
from rspp.core.suggest import close_match, did_you_mean
from rspp.model.access import extension_body, graph_body
from rspp.model.artifact import Artifact, DeferredArtifact
from rspp.model.ids import parse_ref
from rspp.rules.base import EVERY_KIND, Check, Context, Hit

PINS: Final = "/spec/pins/"
"""Where a bundle's pins are: the pointer of every pin's reference starts with it."""
Link = tuple[str, str, str]
"""One reference an artifact makes: (JSON pointer of the reference text, the kind it names,
the text as written: ``id@version`` with an optional ``#sha256:`` digest; "" where the field
is not a string)."""


def references(art: Artifact) -> Iterator[Link]:
    """Every id@version reference ``art``'s document makes, in document order: module
    imports and node extensions of specs and modules, node extensions a policy inserts,
    bundle pins and node packages, rollouts' bundles, conformance gates' bundle and replay
    evidence. Read leniently (an artifact that is not schema-valid yields what is there: a
    kind or text that is not a string reads as "", so a caller that must find every pin
    finds that one broken)."""
    body = art.spec
    if art.kind in ("PipelineSpec", "Module"):
        for i, imp in enumerate(as_array(body.get("imports"))):
            yield f"/spec/imports/{i}/module", "Module", _text(as_object(imp).get("module"))
        yield from _extensions(as_array(body.get("nodes")), "/spec/nodes/{}")
    elif art.kind == "PolicyOverlay":
        nodes = [as_object(rule).get("node") for rule in as_array(body.get("insertRules"))]
        yield from _extensions(nodes, "/spec/insertRules/{}/node")
    elif art.kind == "PipelineBundle":
        for i, pin in enumerate(as_array(body.get("pins"))):
            entry = as_object(pin)
            yield f"{PINS}{i}/ref", _text(entry.get("kind")), _text(entry.get("ref"))
        yield from _extensions(as_array(body.get("nodePackages")), "/spec/nodePackages/{}")
    elif art.kind == "RolloutManifest":
        yield "/spec/bundle", "PipelineBundle", _text(body.get("bundle"))
        rollback = as_object(body.get("rollback"))
        if rollback:
            yield "/spec/rollback/bundle", "PipelineBundle", _text(rollback.get("bundle"))
    elif art.kind == "ConformanceGates":
        for field, kind in (("bundle", "PipelineBundle"), ("replay", "ReplayEvidenceManifest")):
            if body.get(field):
                yield f"/spec/{field}", kind, _text(body.get(field))


def _extensions(entries: Sequence[object], at: str) -> Iterator[Link]:
    """The ``extension`` references of ``entries`` (nodes or node packages) at ``at``
    (a pointer with a place for the entry's index)."""
    for i, entry in enumerate(entries):
        named = as_object(entry).get("extension")
        if named:
            yield at.format(i) + "/extension", "ExtensionManifest", _text(named)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def links(art: Artifact) -> tuple[Link, ...]:
    """:func:`references` of ``art``; a deferred artifact's from its header (its document
    stays unread: the header was made by this function from the same content)."""
    if isinstance(art, DeferredArtifact):
        return art.links
    return tuple(references(art))


def _dangling(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for pointer, kind, text in references(art):
        ref = parse_ref(text)
        if ref is None or ctx.index.get(kind, ref.id, ref.version) is not None:
            continue
        versions = ctx.index.versions(kind, ref.id)
        if versions:
            why = f"known versions: {', '.join(versions)}"
        else:
            others = sorted({a.kind for a in ctx.index.artifacts if a.id == ref.id})
            why = (f"{ref.id!r} is a {' and a '.join(others)}, not a {kind}" if others
                   else f"no {kind} has id {ref.id!r}")
            if ctx.unloaded:
                shown = ", ".join(ctx.unloaded[:3]) + (", ..." if len(ctx.unloaded) > 3 else "")
                why += f"; {len(ctx.unloaded)} file(s) could not be read: {shown}"
        hint = "" if versions else _close_ref(ctx, kind, ref.id, ref.version)
        yield Hit(pointer, f"{kind} {ref.id}@{ref.version} is not defined ({why}){hint}",
                  refers_to=(kind, ref.id))


def _close_ref(ctx: Context, kind: str, ident: str, version: str) -> str:
    """For a near-miss id: ``; did you mean 'agent@1.0.0'?`` when that version exists,
    ``; did you mean 'agent' (versions: 1.1.0)?`` otherwise; ``""`` when no id is close."""
    match = close_match(ident, {a.id for a in ctx.index.of_kind(kind)})
    if match is None:
        return ""
    versions = ctx.index.versions(kind, match)
    if version in versions:
        return f"; did you mean '{match}@{version}'?"
    return f"; did you mean {match!r} (versions: {', '.join(versions)})?"


def _node_type_known(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, node in enumerate(graph_body(art).get("nodes") or []):
        ext_ref = parse_ref(node.get("extension"))
        if ext_ref is None:
            types = ctx.index.node_types
            if node["type"] not in types:
                yield Hit(f"/spec/nodes/{i}/type", f"unknown node type {node['type']!r}: not "
                          "in the built-in catalog; custom types name their extension "
                          f"(extension: id@version){did_you_mean(node['type'], types)}")
            continue
        ext = ctx.index.get("ExtensionManifest", ext_ref.id, ext_ref.version)
        # the manifest may be schema-invalid: read as loaded
        if ext is not None and ext.spec.get("nodeType") != node["type"]:
            yield Hit(f"/spec/nodes/{i}/type",
                      f"extension {ext.ref} provides node type "
                      f"{ext.spec.get('nodeType') or 'none'!r}, not {node['type']!r}")


def _implements(art: Artifact, ctx: Context) -> Iterator[Hit]:
    name = extension_body(art).get("implements")
    types = ctx.index.node_types
    if name is not None and name not in types:
        yield Hit("/spec/implements", f"extension implements {name!r}, which is not a "
                                      f"built-in node type{did_you_mean(name, types)}")


def _duplicate(art: Artifact, ctx: Context) -> Iterator[Hit]:
    same = ctx.index.by_key.get(art.key, [])
    if len(same) > 1 and same[0] is not art:
        first = same[0]
        span = first.doc.span("/metadata/version")
        yield Hit("/metadata/version",
                  f"{art.kind} {art.ref} is already defined in {first.path}:{span.line}",
                  related=(Related(first.path, span.line, span.col, "first definition"),))


CHECKS: tuple[Check, ...] = (
    Check("REF001", kinds=("PipelineSpec", "Module", "PolicyOverlay", "PipelineBundle",
                          "RolloutManifest", "ConformanceGates"), check=_dangling),
    Check("REF002", kinds=("PipelineSpec", "Module"), check=_node_type_known),
    Check("REF003", kinds=("ExtensionManifest",), check=_implements),
    Check("DUP001", kinds=EVERY_KIND, check=_duplicate, needs_schema_valid=False),
)
