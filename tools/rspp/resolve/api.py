"""The resolve stage's public surface (the ScaffoldCompiler of the platform design).

``validate`` checks artifacts (rspp.validate.engine), ``normalize`` resolves a spec for a
profile and overlays, ``resolve_inputs`` does it for a bundle's pins, ``build_bundle``
(rspp.resolve.bundle) writes a bundle from its inputs, ``resolve_turn_plan``
(rspp.resolve.plan) freezes a turn. Nothing here prints or exits.
"""

from __future__ import annotations

import msgspec

from rspp.core.findings import Finding
from rspp.core.jsontypes import as_array, as_object
from rspp.core.sink import finding
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.resolve.items import Problem
from rspp.resolve.normalize import Resolution, normalize

__all__ = ["Inputs", "Resolution", "bundle_inputs", "involved_files", "normalize",
           "resolve_inputs", "to_finding"]


class Inputs(msgspec.Struct, frozen=True):
    """What one resolved view is made of."""

    spec: Artifact
    profile: Artifact
    policies: tuple[Artifact, ...] = ()
    bundle: Artifact | None = None


def bundle_inputs(bundle: Artifact, index: Index) -> Inputs | None:
    """The spec, profile and policies a bundle pins; None when they cannot all be found
    (the reference and bundle rules say why). The bundle is read as loaded (it may not be
    schema-valid)."""
    specs: list[Artifact] = []
    profiles: list[Artifact] = []
    policies: list[Artifact] = []
    for value in as_array(bundle.spec.get("pins")):
        pin = as_object(value)
        ref = parse_ref(pin.get("ref"))
        found = index.get(str(pin.get("kind", "")), ref.id, ref.version) if ref else None
        if found is None or not found.schema_valid:
            return None
        {"PipelineSpec": specs, "ExecutionProfile": profiles,
         "PolicyOverlay": policies}[found.kind].append(found)
    if len(specs) != 1 or len(profiles) != 1:
        return None
    return Inputs(specs[0], profiles[0], tuple(policies), bundle)


def involved_files(inputs: Inputs, index: Index) -> set[str]:
    """Every file the resolved view depends on: pins, modules (transitively), extensions.
    The artifacts are read as loaded: the files found here decide which errors block."""
    files = {inputs.spec.path, inputs.profile.path, *(p.path for p in inputs.policies)}
    if inputs.bundle is not None:
        files.add(inputs.bundle.path)
    todo = [inputs.spec, *inputs.policies]
    seen = {a.key for a in todo}
    while todo:
        art = todo.pop()
        nodes = [as_object(n) for n in as_array(art.spec.get("nodes"))]
        rules = [as_object(r) for r in as_array(art.spec.get("insertRules"))]
        nodes += [as_object(r["node"]) for r in rules if "node" in r]
        refs = [("Module", as_object(imp).get("module"))
                for imp in as_array(art.spec.get("imports"))]
        refs += [("ExtensionManifest", n.get("extension")) for n in nodes if "extension" in n]
        for kind, text in refs:
            ref = parse_ref(text)
            found = index.get(kind, ref.id, ref.version) if ref else None
            if found is not None and found.key not in seen:
                seen.add(found.key)
                files.add(found.path)
                todo.append(found)
    return files


def resolve_inputs(inputs: Inputs, index: Index) -> Resolution:
    return normalize(inputs.spec, inputs.profile, inputs.policies, index=index,
                     bundle=inputs.bundle)


def to_finding(problem: Problem) -> Finding:
    span = problem.art.doc.span(problem.pointer)
    return finding(problem.code, problem.art.path, span.line, span.col, problem.message,
                   pointer=problem.pointer, end_line=span.end_line, end_col=span.end_col,
                   related=problem.related)
