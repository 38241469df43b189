"""PipelineBundle rules."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.findings import Severity
from rspp.model.artifact import Artifact
from rspp.model.ids import parse_ref
from rspp.rules.base import Context, Hit, Rule


def _exactly_one(art: Artifact, ctx: Context) -> Iterator[Hit]:
    pins = art.spec["pins"]
    for kind in ("PipelineSpec", "ExecutionProfile"):
        count = sum(1 for p in pins if p["kind"] == kind)
        if count != 1:
            yield Hit("/spec/pins", f"a bundle pins exactly one {kind}; this one pins {count}")


def _duplicate_pin(art: Artifact, ctx: Context) -> Iterator[Hit]:
    seen: dict[tuple[str, str], int] = {}
    for i, pin in enumerate(art.spec["pins"]):
        ref = parse_ref(pin["ref"])
        if ref is None:
            continue
        key = (pin["kind"], ref.id)
        if key in seen:
            yield Hit(f"/spec/pins/{i}", f"{pin['kind']} {ref.id!r} is pinned twice "
                                         f"(also pins/{seen[key]})")
        else:
            seen[key] = i


def node_types(spec: Artifact, ctx: Context, depth: int = 0) -> set[str]:
    """Node types used by a spec or module, through its module imports."""
    types = {n["type"] for n in spec.spec.get("nodes") or []}
    if depth > 16:
        return types
    for imp in spec.spec.get("imports") or []:
        ref = parse_ref(imp.get("module"))
        module = ctx.index.get("Module", ref.id, ref.version) if ref else None
        if module is not None and module.schema_valid:
            types |= node_types(module, ctx, depth + 1)
    return types


def _packages_cover(art: Artifact, ctx: Context) -> Iterator[Hit]:
    spec = next((p for p in art.spec["pins"] if p["kind"] == "PipelineSpec"), None)
    ref = parse_ref(spec["ref"]) if spec else None
    found = ctx.index.get("PipelineSpec", ref.id, ref.version) if ref else None
    if found is None or not found.schema_valid:
        return
    pinned = {p["type"] for p in art.spec.get("nodePackages") or []}
    missing = sorted(node_types(found, ctx) - pinned)
    if missing:
        yield Hit("/spec/nodePackages" if "nodePackages" in art.spec else "/spec",
                  f"the bundle pins no node package for {', '.join(missing)} "
                  f"(used by {found.ref})")


RULES: tuple[Rule, ...] = (
    Rule("BND001", "bundle", Severity.ERROR,
         "A bundle does not pin exactly one spec and one profile.",
         "A PipelineBundle is an immutable release of exactly one PipelineSpec and one "
         "ExecutionProfile, plus zero or more PolicyOverlays. Anything else is ambiguous at "
         "session start.", kinds=("PipelineBundle",), check=_exactly_one),
    Rule("BND002", "bundle", Severity.ERROR,
         "A bundle does not pin a node package for a node type its spec uses.",
         "Bundles pin the implementation (and digest) of every node type the pinned spec and "
         "its modules instantiate, so a release never picks up a different implementation at "
         "run time.", kinds=("PipelineBundle",), check=_packages_cover),
    Rule("BND003", "bundle", Severity.ERROR,
         "A bundle pins the same artifact id twice.",
         "Each (kind, id) appears once among a bundle's pins; two versions of one policy in one "
         "release leave the runtime to guess.", kinds=("PipelineBundle",), check=_duplicate_pin),
)
