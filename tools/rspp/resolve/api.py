"""The resolve stage's public surface (the ScaffoldCompiler of the platform design).

``validate`` checks artifacts (rspp.validate.engine), ``normalize`` resolves a spec for a
profile and overlays, ``resolve_inputs`` does it for a bundle's pins, ``build_bundle``
(rspp.resolve.bundle) writes a bundle from its inputs, ``resolve_turn_plan``
(rspp.resolve.plan) freezes a turn. Nothing here prints or exits.
"""

from __future__ import annotations

import msgspec

from rspp.core.findings import Finding
from rspp.core.sink import finding
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.resolve.items import Problem
from rspp.resolve.normalize import Resolution, normalize
from rspp.rules.refs import PINS, links

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
    (the reference and bundle rules say why). The bundle's pins are read as loaded (it may
    not be schema-valid), or from its header (:func:`rspp.rules.refs.links`)."""
    specs: list[Artifact] = []
    profiles: list[Artifact] = []
    policies: list[Artifact] = []
    for pointer, kind, text in links(bundle):
        if not pointer.startswith(PINS):
            continue
        ref = parse_ref(text)
        found = index.get(kind, ref.id, ref.version) if ref else None
        if found is None or not found.schema_valid:
            return None
        {"PipelineSpec": specs, "ExecutionProfile": profiles,
         "PolicyOverlay": policies}[found.kind].append(found)
    if len(specs) != 1 or len(profiles) != 1:
        return None
    return Inputs(specs[0], profiles[0], tuple(policies), bundle)


def involved_files(inputs: Inputs, index: Index) -> set[str]:
    """Every file the resolved view depends on: pins, modules (transitively), extensions.
    The artifacts' references are read as loaded, or from their headers
    (:func:`rspp.rules.refs.links`): the files found here decide which errors block."""
    files = {inputs.spec.path, inputs.profile.path, *(p.path for p in inputs.policies)}
    if inputs.bundle is not None:
        files.add(inputs.bundle.path)
    todo = [inputs.spec, *inputs.policies]
    seen = {a.key for a in todo}
    while todo:
        art = todo.pop()
        for _, kind, text in links(art):
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
