"""Typed access to the body of a schema-valid artifact: ``spec_body(art)`` is its ``spec`` as
the view of its kind (``rspp.model.views``). The accessors check the kind, never the
content: call them on artifacts whose ``schema_valid`` is true."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rspp.core.jsontypes import JsonObject, JsonValue
from rspp.model.artifact import Artifact, spec_field
from rspp.model.catalog import Param

if TYPE_CHECKING:
    from rspp.model.views import (
        CompatibilityContractBody,
        CompatibilityWaiversBody,
        CompatibilityWindow,
        ConformanceGatesBody,
        ExecutionProfileBody,
        ExtensionManifestBody,
        GraphBody,
        ModuleBody,
        PipelineBundleBody,
        PipelineSpecBody,
        PolicyOverlayBody,
        ReplayEvidenceManifestBody,
        ResolvedSpecBody,
        RolloutManifestBody,
    )


def _body(art: Artifact, *kinds: str) -> JsonObject:
    if art.kind not in kinds:
        raise TypeError(f"{art.path}: a {art.kind}, not a {' or '.join(kinds)}")
    return art.spec


def spec_body(art: Artifact) -> PipelineSpecBody:
    return cast("PipelineSpecBody", _body(art, "PipelineSpec"))


def module_body(art: Artifact) -> ModuleBody:
    return cast("ModuleBody", _body(art, "Module"))


def graph_body(art: Artifact) -> GraphBody:
    """The body of a PipelineSpec or a Module: the fields both have (nodes, edges, imports)."""
    return cast("GraphBody", _body(art, "PipelineSpec", "Module"))


def profile_body(art: Artifact) -> ExecutionProfileBody:
    return cast("ExecutionProfileBody", _body(art, "ExecutionProfile"))


def policy_body(art: Artifact) -> PolicyOverlayBody:
    return cast("PolicyOverlayBody", _body(art, "PolicyOverlay"))


def extension_body(art: Artifact) -> ExtensionManifestBody:
    return cast("ExtensionManifestBody", _body(art, "ExtensionManifest"))


def bundle_body(art: Artifact) -> PipelineBundleBody:
    return cast("PipelineBundleBody", _body(art, "PipelineBundle"))


def rollout_body(art: Artifact) -> RolloutManifestBody:
    return cast("RolloutManifestBody", _body(art, "RolloutManifest"))


def replay_body(art: Artifact) -> ReplayEvidenceManifestBody:
    return cast("ReplayEvidenceManifestBody", _body(art, "ReplayEvidenceManifest"))


def contract_body(art: Artifact) -> CompatibilityContractBody:
    return cast("CompatibilityContractBody", _body(art, "CompatibilityContract"))


def waivers_body(art: Artifact) -> CompatibilityWaiversBody:
    return cast("CompatibilityWaiversBody", _body(art, "CompatibilityWaivers"))


def gates_body(art: Artifact) -> ConformanceGatesBody:
    return cast("ConformanceGatesBody", _body(art, "ConformanceGates"))


def resolved_body(art: Artifact) -> ResolvedSpecBody:
    return cast("ResolvedSpecBody", _body(art, "ResolvedSpec"))


def compatibility(bundle: Artifact) -> CompatibilityWindow:
    """The ``compatibility`` of a schema-valid bundle; a deferred bundle's from its header
    (:func:`rspp.model.artifact.spec_field`): the checks over every bundle read no bundle
    document without a finding to place in it."""
    return cast("CompatibilityWindow", spec_field(bundle, "compatibility"))


def extension_defaults(body: ExtensionManifestBody) -> dict[str, JsonValue]:
    """Parameter name -> default of an extension's node type, for the parameters that have
    one (a declaration without ``default`` gives the node nothing)."""
    return {name: decl["default"] for name, decl in (body.get("params") or {}).items()
            if isinstance(decl, dict) and "default" in decl}


def extension_declarations(body: ExtensionManifestBody) -> dict[str, Param]:
    """Parameter name -> declaration, for the parameters an extension gives a ``type``: their
    values are checked like a built-in type's (rule PRM002). A parameter without a type takes
    any value."""
    out: dict[str, Param] = {}
    for name, decl in (body.get("params") or {}).items():
        if not isinstance(decl, dict) or "type" not in decl:
            continue
        out[name] = Param(default=decl.get("default"), type=decl["type"],
                          unit=decl.get("unit"), minimum=decl.get("minimum"),
                          maximum=decl.get("maximum"), enum=tuple(decl.get("enum") or ()),
                          items=decl.get("items"))
    return out
