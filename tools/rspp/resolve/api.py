"""The resolve stage's public surface (the ScaffoldCompiler of the platform design).

``validate`` checks artifacts (rspp.validate.engine), ``normalize`` resolves a spec for a
profile and overlays, ``resolve_inputs`` does it for a bundle's pins, ``build_bundle``
(rspp.resolve.bundle) writes a bundle from its inputs, ``resolve_turn_plan``
(rspp.resolve.plan) freezes a turn. Nothing here prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass

from rspp.core.findings import Finding
from rspp.core.sink import finding
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.resolve.items import Problem
from rspp.resolve.normalize import Resolution, normalize

__all__ = ["Inputs", "Resolution", "bundle_inputs", "involved_files", "normalize",
           "resolve_inputs", "to_finding"]


@dataclass(frozen=True, slots=True)
class Inputs:
    """What one resolved view is made of."""

    spec: Artifact
    profile: Artifact
    policies: tuple[Artifact, ...] = ()
    bundle: Artifact | None = None


def bundle_inputs(bundle: Artifact, index: Index) -> Inputs | None:
    """The spec, profile and policies a bundle pins; None when they cannot all be found
    (the reference and bundle rules say why)."""
    specs: list[Artifact] = []
    profiles: list[Artifact] = []
    policies: list[Artifact] = []
    for pin in bundle.spec.get("pins") or []:
        ref = parse_ref(pin.get("ref"))
        found = index.get(pin.get("kind", ""), ref.id, ref.version) if ref else None
        if found is None or not found.schema_valid:
            return None
        {"PipelineSpec": specs, "ExecutionProfile": profiles,
         "PolicyOverlay": policies}[found.kind].append(found)
    if len(specs) != 1 or len(profiles) != 1:
        return None
    return Inputs(specs[0], profiles[0], tuple(policies), bundle)


def involved_files(inputs: Inputs, index: Index) -> set[str]:
    """Every file the resolved view depends on: pins, modules (transitively), extensions."""
    files = {inputs.spec.path, inputs.profile.path, *(p.path for p in inputs.policies)}
    if inputs.bundle is not None:
        files.add(inputs.bundle.path)
    todo = [inputs.spec, *inputs.policies]
    seen = {a.key for a in todo}
    while todo:
        art = todo.pop()
        nodes = list(art.spec.get("nodes") or [])
        nodes += [r["node"] for r in art.spec.get("insertRules") or [] if "node" in r]
        refs = [("Module", imp.get("module")) for imp in art.spec.get("imports") or []]
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
