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
from typing import Any

from rspp.model.artifact import Artifact, Index
from rspp.model.digest import pinned_ref
from rspp.model.order import canonical_order
from rspp.resolve.api import Inputs, resolve_inputs
from rspp.resolve.items import Problem


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
    document: dict[str, Any] | None
    problems: tuple[Problem, ...]


def offered_packages(index: Index, earlier: Sequence[Artifact]) -> dict[str, dict[str, Any]]:
    """Node type -> package: extension manifests first, then earlier bundles in order."""
    offered: dict[str, dict[str, Any]] = {}
    for ext in sorted(index.of_kind("ExtensionManifest"), key=lambda a: a.key):
        pkg = ext.spec.get("package")
        if isinstance(pkg, dict) and ext.schema_valid:
            offered.setdefault(pkg["type"], {**pkg, "extension": ext.ref})
    for bundle in earlier:
        for pkg in bundle.spec.get("nodePackages") or []:
            offered.setdefault(pkg["type"], dict(pkg))
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
    body: dict[str, Any] = {}
    if inputs.description:
        body["description"] = inputs.description
    body["pins"] = [{"kind": "PipelineSpec", "ref": pinned_ref(inputs.spec)},
                    {"kind": "ExecutionProfile", "ref": pinned_ref(inputs.profile)}]
    body["pins"] += [{"kind": "PolicyOverlay", "ref": pinned_ref(p)} for p in inputs.policies]
    body["nodePackages"] = [_package(offered[t]) for t in used]
    body["compatibility"] = dict(inputs.compatibility)
    document = {"apiVersion": "rspp.dev/v1alpha1", "kind": "PipelineBundle",
                "metadata": {"id": inputs.id, "version": inputs.version}, "spec": body}
    return BuiltBundle(canonical_order(document), ())


_PACKAGE_KEYS = ("type", "impl", "digest", "executionMode", "extension")


def _package(pkg: dict[str, Any]) -> dict[str, Any]:
    """The fields a bundle pins of a package (an earlier bundle's, or an extension's)."""
    return {k: pkg[k] for k in _PACKAGE_KEYS if k in pkg}
