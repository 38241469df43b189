"""build_bundle: write a PipelineBundle from its inputs, pinned by digest.

The spec, profile and policies are pinned as ``id@version#sha256:…`` (the canonical digest of
each artifact as it is now). Node packages are chosen for exactly the node types the resolved
pipeline runs (module nodes, stand-ins and inserted nodes included) from the packages offered:
an earlier bundle's and every extension manifest's. The bundle is resolved before it is
returned, so a bundle that would not resolve is never written. The document's keys are in
the canonical order (``rspp.fmt.canonical_order``); write it with ``rspp.fmt.artifact_text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from rspp.core.constants import API_VERSION
from rspp.model.access import bundle_body, extension_body
from rspp.model.artifact import Artifact, Index
from rspp.model.digest import pinned_ref
from rspp.model.order import canonical_order
from rspp.resolve.api import Inputs, resolve_inputs
from rspp.resolve.items import Problem

if TYPE_CHECKING:
    from rspp.model.views import (
        CompatibilityWindow,
        NodePackage,
        Pin,
        PipelineBundle,
        PipelineBundleBody,
    )


@dataclass(frozen=True, slots=True)
class BundleInput:
    id: str
    version: str
    spec: Artifact
    profile: Artifact
    policies: tuple[Artifact, ...] = ()
    compatibility: dict[str, str] = field(default_factory=dict)
    packages_from: tuple[Artifact, ...] = ()  # earlier bundles whose packages may be reused
    description: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltBundle:
    document: PipelineBundle | None  # keys in canonical order
    problems: tuple[Problem, ...]


def offered_packages(index: Index, earlier: Sequence[Artifact]) -> dict[str, NodePackage]:
    """Node type -> package: extension manifests first, then earlier bundles in order."""
    offered: dict[str, NodePackage] = {}
    for ext in sorted(index.of_kind("ExtensionManifest"), key=lambda a: a.key):
        pkg = extension_body(ext).get("package") if ext.schema_valid else None
        if pkg is not None:
            offered.setdefault(pkg["type"], {**pkg, "extension": ext.ref})
    for bundle in earlier:
        for earlier_pkg in bundle_body(bundle).get("nodePackages") or []:
            offered.setdefault(earlier_pkg["type"], earlier_pkg.copy())
    return offered


def build_bundle(inputs: BundleInput, index: Index) -> BuiltBundle:
    resolution = resolve_inputs(Inputs(inputs.spec, inputs.profile, inputs.policies), index)
    if resolution.view is None:
        return BuiltBundle(None, resolution.problems)
    used = sorted({n["type"] for n in resolution.view["spec"]["nodes"]})
    offered = offered_packages(index, inputs.packages_from)
    missing = [t for t in used if t not in offered]
    if missing:
        return BuiltBundle(None, (Problem(
            "BND002", inputs.spec, "/spec/nodes", f"no node package offered for "
            f"{', '.join(missing)}: name an earlier bundle that pins them, or an extension "
            "manifest with a package"),))
    pins: list[Pin] = [{"kind": "PipelineSpec", "ref": pinned_ref(inputs.spec)},
                       {"kind": "ExecutionProfile", "ref": pinned_ref(inputs.profile)}]
    pins += [{"kind": "PolicyOverlay", "ref": pinned_ref(p)} for p in inputs.policies]
    # the caller checks the built bundle against the schema before anyone sees it
    compatibility = cast("CompatibilityWindow", dict(inputs.compatibility))
    body: PipelineBundleBody = {"pins": pins,
                                "nodePackages": [_package(offered[t]) for t in used],
                                "compatibility": compatibility}
    if inputs.description:
        body["description"] = inputs.description
    document: PipelineBundle = {"apiVersion": API_VERSION, "kind": "PipelineBundle",
                                "metadata": {"id": inputs.id, "version": inputs.version},
                                "spec": body}
    return BuiltBundle(canonical_order(document), ())


def _package(pkg: NodePackage) -> NodePackage:
    """The fields a bundle pins of a package (an earlier bundle's, or an extension's)."""
    out: NodePackage = {"type": pkg["type"], "impl": pkg["impl"], "digest": pkg["digest"]}
    if "executionMode" in pkg:
        out["executionMode"] = pkg["executionMode"]
    if "extension" in pkg:
        out["extension"] = pkg["extension"]
    return out
