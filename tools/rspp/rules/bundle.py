"""PipelineBundle rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rspp.core.findings import Related
from rspp.model.access import bundle_body, extension_body, graph_body, policy_body, spec_body
from rspp.model.artifact import Artifact
from rspp.model.ids import parse_ref
from rspp.rules.base import Check, Context, Hit

if TYPE_CHECKING:
    from rspp.model.views import Node  # a view costs start-up time; types only


def _exactly_one(art: Artifact, ctx: Context) -> Iterator[Hit]:
    pins = bundle_body(art)["pins"]
    for kind in ("PipelineSpec", "ExecutionProfile"):
        count = sum(1 for p in pins if p["kind"] == kind)
        if count != 1:
            yield Hit("/spec/pins", f"a bundle pins exactly one {kind}; this one pins {count}")


def _duplicate_pin(art: Artifact, ctx: Context) -> Iterator[Hit]:
    seen: dict[tuple[str, str], int] = {}
    for i, pin in enumerate(bundle_body(art)["pins"]):
        ref = parse_ref(pin["ref"])
        if ref is None:
            continue
        key = (pin["kind"], ref.id)
        if key in seen:
            yield Hit(f"/spec/pins/{i}", f"{pin['kind']} {ref.id!r} is pinned twice "
                                         f"(also pins/{seen[key]})")
        else:
            seen[key] = i


def _graph_nodes(spec: Artifact, ctx: Context, depth: int = 0) -> Iterator[Node]:
    """Every node of a spec or module, through its module imports (at most 16 deep)."""
    body = graph_body(spec)
    yield from body.get("nodes") or []
    if depth > 16:
        return
    for imp in body.get("imports") or []:
        ref = parse_ref(imp.get("module"))
        module = ctx.index.get("Module", ref.id, ref.version) if ref else None
        if module is not None and module.schema_valid:
            yield from _graph_nodes(module, ctx, depth + 1)


def node_types(spec: Artifact, ctx: Context) -> set[str]:
    """Node types used by a spec or module, through its module imports."""
    return {n["type"] for n in _graph_nodes(spec, ctx)}


def _packages_cover(art: Artifact, ctx: Context) -> Iterator[Hit]:
    bundle = bundle_body(art)
    spec = next((p for p in bundle["pins"] if p["kind"] == "PipelineSpec"), None)
    ref = parse_ref(spec["ref"]) if spec else None
    found = ctx.index.get("PipelineSpec", ref.id, ref.version) if ref else None
    if found is None or not found.schema_valid:
        return
    pinned = {p["type"] for p in bundle.get("nodePackages") or []}
    missing = sorted(node_types(found, ctx) - pinned)
    if missing:
        yield Hit("/spec/nodePackages" if "nodePackages" in bundle else "/spec",
                  f"the bundle pins no node package for {', '.join(missing)} "
                  f"(used by {found.ref})")


def _pinned(art: Artifact, ctx: Context, kind: str) -> list[Artifact]:
    found = []
    for pin in bundle_body(art)["pins"]:
        ref = parse_ref(pin["ref"]) if pin["kind"] == kind else None
        target = ctx.index.get(kind, ref.id, ref.version) if ref else None
        if target is not None and target.schema_valid:
            found.append(target)
    return found


def _policy_targets(art: Artifact, ctx: Context) -> Iterator[Hit]:
    policies = _pinned(art, ctx, "PolicyOverlay")
    specs = _pinned(art, ctx, "PipelineSpec") if policies else []
    if len(specs) != 1:
        return
    spec = specs[0]
    graph = spec_body(spec)
    nodes = {n["id"] for n in graph["nodes"]}
    nodes |= {i["as"] for i in graph.get("imports") or []}
    edges = {(e["from"], e["to"]) for e in graph.get("edges") or []}

    def related() -> tuple[Related, ...]:
        b = art.doc.span("/spec/pins")
        return (Related(art.path, b.line, b.col, f"bundled with {spec.ref} by {art.ref}"),)

    for policy in policies:
        body = policy_body(policy)
        named = [(f"/spec/providerRules/{i}/node", r["node"])
                 for i, r in enumerate(body.get("providerRules") or [])]
        named += [(f"/spec/circuitBreakers/{i}/node", b["node"])
                  for i, b in enumerate(body.get("circuitBreakers") or [])]
        named += [(f"/spec/degradeRules/{i}/node", d["node"])
                  for i, d in enumerate(body.get("degradeRules") or [])]
        named += [(f"/spec/degradeRules/{i}/to", d["to"])
                  for i, d in enumerate(body.get("degradeRules") or [])]
        for pointer, node in named:
            if node not in nodes:
                yield Hit(pointer, f"policy {policy.ref} names node {node!r}, which {spec.ref} "
                                   "does not have", target=policy, related=related())
        for i, rule in enumerate(body.get("insertRules") or []):
            edge = tuple(rule["onEdge"])
            if edge not in edges:
                yield Hit(f"/spec/insertRules/{i}/onEdge", f"policy {policy.ref} inserts on "
                          f"edge {edge[0]} -> {edge[1]}, which {spec.ref} does not have",
                          target=policy, related=related())


def _pin_digests(art: Artifact, ctx: Context) -> Iterator[Hit]:
    from rspp.model.digest import artifact_digest

    for i, pin in enumerate(bundle_body(art)["pins"]):
        ref = parse_ref(pin["ref"])
        if ref is None or ref.digest is None:
            continue
        target = ctx.index.get(pin["kind"], ref.id, ref.version)
        if target is None:
            continue
        actual = artifact_digest(target)
        if actual != ref.digest:
            span = target.doc.span("/metadata/version")
            yield Hit(f"/spec/pins/{i}/ref", f"pinned digest of {ref.id}@{ref.version} is "
                      f"{ref.digest}, but the artifact's digest is {actual}: the pinned "
                      "content changed (publish it under a new version)",
                      related=(Related(target.path, span.line, span.col,
                                       f"{target.kind} {target.ref}"),),
                      refers_to=(target.kind, target.id))


def node_extensions(spec: Artifact, ctx: Context) -> dict[str, set[str]]:
    """Node type -> the extension versions (``id@version``) the nodes of a spec or module
    name for it, through its module imports."""
    found: dict[str, set[str]] = {}
    for node in _graph_nodes(spec, ctx):
        ref = parse_ref(node.get("extension"))
        if ref is not None:
            found.setdefault(node["type"], set()).add(f"{ref.id}@{ref.version}")
    return found


def _package_matches_extension(art: Artifact, ctx: Context) -> Iterator[Hit]:
    specs = _pinned(art, ctx, "PipelineSpec")
    named = node_extensions(specs[0], ctx) if len(specs) == 1 else {}
    for i, pkg in enumerate(bundle_body(art).get("nodePackages") or []):
        ref = parse_ref(pkg.get("extension"))
        wanted = named.get(pkg["type"], set())
        if ref is not None and wanted and f"{ref.id}@{ref.version}" not in wanted:
            # The resolved view (and what a reviewer sees) follows the spec's nodes; the
            # package would be admitted under another manifest: one of them is wrong.
            yield Hit(f"/spec/nodePackages/{i}/extension",
                      f"extension {ref.id}@{ref.version} differs from the one "
                      f"{specs[0].ref}'s {pkg['type']} nodes name "
                      f"({', '.join(sorted(wanted))}): pin the same extension version in "
                      "both, or publish a spec version naming the new one")
        ext = ctx.index.get("ExtensionManifest", ref.id, ref.version) if ref else None
        if ext is None or not ext.schema_valid:
            continue
        declared = extension_body(ext).get("package")
        if declared is None:
            continue
        for key, have, want in (("type", pkg["type"], declared["type"]),
                                ("impl", pkg["impl"], declared["impl"]),
                                ("digest", pkg["digest"], declared["digest"])):
            if have != want:
                yield Hit(f"/spec/nodePackages/{i}/{key}",
                          f"{key} {have!r} differs from extension {ext.ref}'s package "
                          f"{key} {want!r}")


CHECKS: tuple[Check, ...] = (
    Check("BND001", kinds=("PipelineBundle",), check=_exactly_one),
    Check("BND002", kinds=("PipelineBundle",), check=_packages_cover),
    Check("BND003", kinds=("PipelineBundle",), check=_duplicate_pin),
    Check("BND004", kinds=("PipelineBundle",), check=_package_matches_extension),
    Check("BND005", kinds=("PipelineBundle",), check=_pin_digests),
    Check("POL001", kinds=("PipelineBundle",), check=_policy_targets),
)
