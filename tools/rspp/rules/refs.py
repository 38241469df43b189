"""Cross-artifact rules: references by id@version, and one definition per (kind, id, version)."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.core.constants import AUTHORED_KINDS
from rspp.core.findings import Related
from rspp.core.suggest import close_match, did_you_mean
from rspp.model.access import bundle_body, extension_body, gates_body, graph_body, rollout_body
from rspp.model.artifact import Artifact
from rspp.model.catalog import BUILTIN
from rspp.model.ids import parse_ref
from rspp.rules.base import Check, Context, Hit


def references(art: Artifact) -> Iterator[tuple[str, str, str]]:
    """(pointer, expected kind, reference text) for every id@version reference."""
    if art.kind in ("PipelineSpec", "Module"):
        graph = graph_body(art)
        for i, imp in enumerate(graph.get("imports") or []):
            yield f"/spec/imports/{i}/module", "Module", imp["module"]
        for i, node in enumerate(graph.get("nodes") or []):
            if node.get("extension"):
                yield f"/spec/nodes/{i}/extension", "ExtensionManifest", node["extension"]
    elif art.kind == "PipelineBundle":
        bundle = bundle_body(art)
        for i, pin in enumerate(bundle.get("pins") or []):
            yield f"/spec/pins/{i}/ref", pin["kind"], pin["ref"]
        for i, pkg in enumerate(bundle.get("nodePackages") or []):
            if pkg.get("extension"):
                yield f"/spec/nodePackages/{i}/extension", "ExtensionManifest", pkg["extension"]
    elif art.kind == "RolloutManifest":
        rollout = rollout_body(art)
        yield "/spec/bundle", "PipelineBundle", rollout["bundle"]
        rollback = rollout.get("rollback")
        if rollback:
            yield "/spec/rollback/bundle", "PipelineBundle", rollback["bundle"]
    elif art.kind == "ConformanceGates":
        bundle_ref = gates_body(art).get("bundle")
        if bundle_ref:
            yield "/spec/bundle", "PipelineBundle", bundle_ref
        replay_ref = gates_body(art).get("replay")
        if replay_ref:
            yield "/spec/replay", "ReplayEvidenceManifest", replay_ref


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
            if node["type"] not in BUILTIN:
                yield Hit(f"/spec/nodes/{i}/type", f"unknown node type {node['type']!r}: not "
                          "in the built-in catalog; custom types name their extension "
                          f"(extension: id@version){did_you_mean(node['type'], BUILTIN)}")
            continue
        ext = ctx.index.get("ExtensionManifest", ext_ref.id, ext_ref.version)
        # the manifest may be schema-invalid: read as loaded
        if ext is not None and ext.spec.get("nodeType") != node["type"]:
            yield Hit(f"/spec/nodes/{i}/type",
                      f"extension {ext.ref} provides node type "
                      f"{ext.spec.get('nodeType') or 'none'!r}, not {node['type']!r}")


def _implements(art: Artifact, ctx: Context) -> Iterator[Hit]:
    name = extension_body(art).get("implements")
    if name is not None and name not in BUILTIN:
        yield Hit("/spec/implements", f"extension implements {name!r}, which is not a "
                                      f"built-in node type{did_you_mean(name, BUILTIN)}")


def _duplicate(art: Artifact, ctx: Context) -> Iterator[Hit]:
    same = ctx.index.by_key.get(art.key, [])
    if len(same) > 1 and same[0] is not art:
        first = same[0]
        span = first.doc.span("/metadata/version")
        yield Hit("/metadata/version",
                  f"{art.kind} {art.ref} is already defined in {first.path}:{span.line}",
                  related=(Related(first.path, span.line, span.col, "first definition"),))


_ALL = AUTHORED_KINDS

CHECKS: tuple[Check, ...] = (
    Check("REF001", kinds=("PipelineSpec", "Module", "PipelineBundle", "RolloutManifest",
                          "ConformanceGates"), check=_dangling),
    Check("REF002", kinds=("PipelineSpec", "Module"), check=_node_type_known),
    Check("REF003", kinds=("ExtensionManifest",), check=_implements),
    Check("DUP001", kinds=_ALL, check=_duplicate, needs_schema_valid=False),
)
