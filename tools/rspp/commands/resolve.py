"""`rspp resolve` and `rspp explain-value`: resolve a named target (or every bundle) of a
repository.

The repository is validated first; a view is only produced when every file it depends on is
free of errors (a wrong view is worse than none).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.core.canonical import pretty
from rspp.core.errors import UsageError
from rspp.core.findings import Finding
from rspp.core.paths import name_inside
from rspp.core.pool import ChunkMap, default_jobs
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.report.result import Report
from rspp.resolve.api import Inputs, bundle_inputs, involved_files, resolve_inputs, to_finding
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions

if TYPE_CHECKING:
    from rspp.model.views import ResolvedSpec


@dataclass(frozen=True, slots=True)
class ResolveOptions:
    root: Path
    target: str  # a file path or id@version (a bundle, else a spec)
    profile: str | None = None
    policies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResolveOutcome:
    """The view (None on failure) and a report of what stopped it."""

    view: ResolvedSpec | None
    report: Report

    @property
    def text(self) -> str:
        return pretty(self.view) if self.view is not None else ""


def resolve_target(options: ResolveOptions) -> ResolveOutcome:
    result, repo = validate_repository(ValidateOptions(root=options.root, load_all=False))
    target = find_target(options.target, options.root, repo.index)
    inputs = _inputs(target, options, repo.index)
    files = involved_files(inputs, repo.index)
    blocking = [f for f in result.findings if f.path in files]
    if any(f.is_error for f in blocking):
        return ResolveOutcome(None, result.with_findings(blocking, files=files))
    resolution = resolve_inputs(inputs, repo.index)
    findings = blocking + [to_finding(p) for p in resolution.problems]
    return ResolveOutcome(resolution.view, result.with_findings(findings, files=files))


def find_target(text: str, root: Path, index: Index) -> Artifact:
    """A bundle or spec named by file path or by ``id@version`` (bundles first)."""
    ref = parse_ref(text)
    if ref is not None and not os.path.exists(text):
        for kind in ("PipelineBundle", "PipelineSpec"):
            found = index.get(kind, ref.id, ref.version)
            if found is not None:
                return found
        raise UsageError(f"no bundle or spec {text}", "`rspp validate` lists what the "
                         "repository defines")
    rel = name_inside(text, root)
    for art in index.artifacts:
        if art.path == rel:
            if art.kind in ("PipelineBundle", "PipelineSpec"):
                return art
            raise UsageError(f"{text} is a {art.kind}", "resolve a PipelineBundle, or a "
                             "PipelineSpec with --profile")
    raise UsageError(f"{text}: not an artifact of this repository",
                     "name a bundle or spec file under pipelines/, or its id@version")


def _inputs(target: Artifact, options: ResolveOptions, index: Index) -> Inputs:
    if target.kind == "PipelineBundle":
        if options.profile is not None or options.policies:
            raise UsageError(f"bundle {target.ref} pins its own profile and policies",
                             "leave out --profile and --policy, or resolve the spec instead")
        inputs = bundle_inputs(target, index)
        if inputs is None:
            raise UsageError(f"bundle {target.ref} does not pin one spec and one profile "
                             "that exist", "`rspp validate` says what is wrong with it")
        return inputs
    if options.profile is None:
        raise UsageError(f"spec {target.ref} needs a profile",
                         "pass --profile ID@VERSION (and --policy ID@VERSION for overlays)")
    profile = lookup(index, "ExecutionProfile", options.profile)
    policies = tuple(lookup(index, "PolicyOverlay", p) for p in options.policies)
    return Inputs(target, profile, policies)


def lookup(index: Index, kind: str, text: str) -> Artifact:
    """The artifact of ``kind`` named ``id@version``; UsageError when there is none."""
    ref = parse_ref(text)
    found = index.get(kind, ref.id, ref.version) if ref else None
    if found is None:
        raise UsageError(f"no {kind} {text}", "name it as id@version")
    return found


@dataclass(frozen=True, slots=True)
class ResolvedBundle:
    bundle: str  # id@version
    text: str | None  # the view, canonical and indented; None when it was not resolved
    nodes: int = 0
    edges: int = 0
    sources: int = 0


@dataclass(frozen=True, slots=True)
class ResolveAllOutcome:
    bundles: tuple[ResolvedBundle, ...]
    report: Report
    # process ids of the worker processes that resolved (empty: resolved in this process)
    workers: frozenset[int] = frozenset()

    @property
    def failed(self) -> bool:
        return self.report.errors > 0 or any(b.text is None for b in self.bundles)


PARALLEL_MIN_BUNDLES = 64


@dataclass(frozen=True, slots=True)
class _ResolveJob:
    """What every chunk needs (the inputs to resolve and the index); reaches worker
    processes through fork."""

    todo: list[Inputs]
    index: Index


def _resolve_chunk(job: _ResolveJob, chunk: Sequence[int]
                   ) -> list[tuple[int, ResolvedBundle, tuple[Finding, ...]]]:
    out = []
    for i in chunk:
        inputs = job.todo[i]
        resolution = resolve_inputs(inputs, job.index)
        findings = tuple(to_finding(p) for p in resolution.problems)
        ref = inputs.bundle.ref if inputs.bundle is not None else inputs.spec.ref
        view = resolution.view
        if view is None:
            out.append((i, ResolvedBundle(ref, None), findings))
            continue
        body = view["spec"]
        out.append((i, ResolvedBundle(ref, pretty(view), len(body["nodes"]),
                                      len(body["edges"]), len(body["defaultingSources"])),
                    findings))
    return out


def resolve_all(root: Path, jobs: int = 0) -> ResolveAllOutcome:
    """Resolve every bundle of the repository whose inputs are free of errors.

    Many bundles are resolved in one worker process per core (``jobs``; 0: one per core);
    the result does not depend on it.
    """
    result, repo = validate_repository(ValidateOptions(root=root, jobs=jobs))
    broken = {f.path for f in result.findings if f.is_error}
    done: dict[int, ResolvedBundle] = {}
    todo: list[Inputs] = []
    slots: list[int] = []
    bundles = sorted(repo.index.of_kind("PipelineBundle"), key=lambda a: a.key)
    for n, bundle in enumerate(bundles):
        inputs = bundle_inputs(bundle, repo.index) if bundle.schema_valid else None
        if inputs is None or involved_files(inputs, repo.index) & broken:
            done[n] = ResolvedBundle(bundle.ref, None)
        else:
            todo.append(inputs)
            slots.append(n)
    findings = list(result.findings)
    resolving = ChunkMap(_resolve_chunk, _ResolveJob(todo, repo.index), jobs or default_jobs(),
                         PARALLEL_MIN_BUNDLES, min_chunk=8)
    for i, resolved, problems in resolving.run(range(len(todo))):
        done[slots[i]] = resolved
        findings.extend(problems)
    return ResolveAllOutcome(tuple(done[n] for n in range(len(bundles))),
                             result.with_findings(findings), frozenset(resolving.workers))
