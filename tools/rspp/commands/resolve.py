"""Resolve a named target in a repository: what `rspp resolve` and `rspp explain-value` run.

The repository is validated first; a view is only produced when every file it depends on is
free of errors (a wrong view is worse than none).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rspp.core.canonical import pretty
from rspp.core.errors import UsageError
from rspp.core.findings import Finding
from rspp.core.sink import finding
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.model.views import PipelineBundle, ResolvedSpec, ResolvedTurnPlan
from rspp.report.result import Report
from rspp.resolve.api import Inputs, bundle_inputs, involved_files, resolve_inputs, to_finding
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions


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
    result, repo = validate_repository(ValidateOptions(root=options.root))
    target = find_target(options.target, options.root, repo.index)
    inputs = _inputs(target, options, repo.index)
    files = involved_files(inputs, repo.index)
    blocking = [f for f in result.findings if f.path in files]
    if any(f.is_error for f in blocking):
        return ResolveOutcome(None, _report(result, files, blocking))
    resolution = resolve_inputs(inputs, repo.index)
    findings = blocking + [to_finding(p) for p in resolution.problems]
    return ResolveOutcome(resolution.view, _report(result, files, findings))


def _report(result: Report, files: set[str],
            findings: list[Finding]) -> Report:
    return Report(result.root, tuple(sorted(files)),
                            tuple(sorted(set(findings), key=Finding.sort_key)),
                            result.documents, result.strict)


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
    rel = _relative(root, Path(text))
    for art in index.artifacts:
        if art.path == rel:
            if art.kind in ("PipelineBundle", "PipelineSpec"):
                return art
            raise UsageError(f"{text} is a {art.kind}", "resolve a PipelineBundle, or a "
                             "PipelineSpec with --profile")
    raise UsageError(f"{text}: not an artifact of this repository",
                     "name a bundle or spec file under pipelines/, or its id@version")


def _relative(root: Path, path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        try:
            return absolute.relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            raise UsageError(f"{path}: outside the repository {root}") from None


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
    profile = _lookup(index, "ExecutionProfile", options.profile)
    policies = tuple(_lookup(index, "PolicyOverlay", p) for p in options.policies)
    return Inputs(target, profile, policies)


def _lookup(index: Index, kind: str, text: str) -> Artifact:
    ref = parse_ref(text)
    found = index.get(kind, ref.id, ref.version) if ref else None
    if found is None:
        raise UsageError(f"no {kind} {text}", "name it as id@version")
    return found


@dataclass(frozen=True, slots=True)
class PlanOptions:
    root: Path
    bundle: str
    session: str
    turn: int
    lease_epoch: int
    routing: Path


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: ResolvedTurnPlan | None
    report: Report

    @property
    def text(self) -> str:
        return pretty(self.plan) if self.plan is not None else ""


def plan_turn(options: PlanOptions) -> PlanOutcome:
    """Resolve the bundle, read the routing snapshot, freeze the turn's plan."""
    from rspp.resolve.plan import (
        PlanError,
        TurnRequest,
        load_snapshot,
        resolve_turn_plan,
        routing_snapshot,
    )
    resolved = resolve_target(ResolveOptions(options.root, options.bundle))
    if resolved.view is None:
        return PlanOutcome(None, resolved.report)
    loaded = load_snapshot(options.routing, options.root)
    doc = loaded.document
    report = resolved.report
    if doc is None:
        return PlanOutcome(None, Report(report.root, (str(options.routing),),
                                                  loaded.findings, {}, False))
    bundle = _bundle_of(resolved.view, options)
    try:
        routing = routing_snapshot(doc.data)
        plan = resolve_turn_plan(resolved.view, bundle, TurnRequest(
            options.session, options.turn, options.lease_epoch), routing)
    except PlanError as exc:
        span = doc.span(exc.pointer)
        refused = finding(exc.code, doc.path, span.line, span.col, str(exc),
                          pointer=exc.pointer)
        return PlanOutcome(None, Report(report.root, (doc.path,), (refused,),
                                                  {doc.path: doc}, False))
    return PlanOutcome(plan, report)


def _bundle_of(view: ResolvedSpec, options: PlanOptions) -> str:
    ref = view["spec"].get("bundle")
    if not isinstance(ref, str):
        raise UsageError(f"{options.bundle} is not a bundle", "plans are made for bundles")
    return ref


@dataclass(frozen=True, slots=True)
class BundleOptions:
    root: Path
    id: str
    version: str
    spec: str
    profile: str
    policies: tuple[str, ...] = ()
    packages_from: tuple[str, ...] = ()
    min_runtime: str = ""
    max_runtime: str | None = None
    event_abi: str = ""
    description: str | None = None


@dataclass(frozen=True, slots=True)
class BundleOutcome:
    document: PipelineBundle | None  # keys in canonical order
    report: Report

    @property
    def text(self) -> str:
        """The bundle's canonical JSON text (what `rspp fmt` writes); "" without a bundle."""
        return self.render("json")

    def render(self, fmt: str) -> str:
        """The bundle's canonical text as ``fmt`` (``"json"`` or ``"yaml"``): it passes
        `rspp fmt --check` as it is. "" without a bundle."""
        from rspp.fmt.write import artifact_text

        return artifact_text(self.document, fmt) if self.document is not None else ""


def build_bundle_document(options: BundleOptions) -> BundleOutcome:
    """Build a bundle from the repository's artifacts; it is schema-checked and resolved."""
    from rspp.fmt.write import artifact_text
    from rspp.load.api import load_bytes
    from rspp.resolve.bundle import BundleInput, build_bundle
    from rspp.validate.schema import check_schema

    result, repo = validate_repository(ValidateOptions(root=options.root))
    index = repo.index
    spec = _lookup(index, "PipelineSpec", options.spec)
    inputs = Inputs(spec, _lookup(index, "ExecutionProfile", options.profile),
                    tuple(_lookup(index, "PolicyOverlay", p) for p in options.policies))
    files = involved_files(inputs, index)
    blocking = [f for f in result.findings if f.path in files]
    if any(f.is_error for f in blocking):
        return BundleOutcome(None, _report(result, files, blocking))
    compatibility = {"minRuntime": options.min_runtime, "eventAbi": options.event_abi}
    if options.max_runtime:
        compatibility["maxRuntime"] = options.max_runtime
    built = build_bundle(BundleInput(
        options.id, options.version, inputs.spec, inputs.profile, inputs.policies,
        compatibility, tuple(_lookup(index, "PipelineBundle", b) for b in options.packages_from),
        options.description), index)
    if built.document is None:
        return BundleOutcome(None, _report(result, files,
                                           [to_finding(p) for p in built.problems]))
    text = artifact_text(built.document)
    doc = load_bytes(text.encode("utf-8"), "(built bundle)", fmt="json").document
    assert doc is not None  # we just wrote plain JSON
    problems = list(check_schema(doc, "PipelineBundle"))
    if problems:
        return BundleOutcome(None, Report(result.root, (doc.path,), tuple(problems),
                                                    {doc.path: doc}, False))
    return BundleOutcome(built.document, _report(result, files, blocking))


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

    @property
    def failed(self) -> bool:
        return self.report.errors > 0 or any(b.text is None for b in self.bundles)


# What forked workers read (the inputs to resolve and the index): set before the pool
# starts, inherited copy-on-write.
_SHARED: dict[str, tuple[list[Inputs], Index]] = {}
PARALLEL_MIN_BUNDLES = 64


def _resolve_one(i: int) -> tuple[int, ResolvedBundle, tuple[Finding, ...]]:
    todo, index = _SHARED["run"]
    inputs = todo[i]
    resolution = resolve_inputs(inputs, index)
    findings = tuple(to_finding(p) for p in resolution.problems)
    ref = inputs.bundle.ref if inputs.bundle is not None else inputs.spec.ref
    view = resolution.view
    if view is None:
        return i, ResolvedBundle(ref, None), findings
    body = view["spec"]
    return i, ResolvedBundle(ref, pretty(view), len(body["nodes"]), len(body["edges"]),
                             len(body["defaultingSources"])), findings


def _resolve_chunk(chunk: list[int]) -> list[tuple[int, ResolvedBundle, tuple[Finding, ...]]]:
    return [_resolve_one(i) for i in chunk]


def _resolve_many(inputs: list[Inputs], index: Index, jobs: int
                  ) -> list[tuple[int, ResolvedBundle, tuple[Finding, ...]]]:
    _SHARED["run"] = (inputs, index)
    try:
        if jobs <= 1 or len(inputs) < PARALLEL_MIN_BUNDLES:
            return [_resolve_one(i) for i in range(len(inputs))]
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        if "fork" not in mp.get_all_start_methods():
            return [_resolve_one(i) for i in range(len(inputs))]
        size = max(8, len(inputs) // (jobs * 8))
        chunks = [list(range(i, min(i + size, len(inputs))))
                  for i in range(0, len(inputs), size)]
        out: list[tuple[int, ResolvedBundle, tuple[Finding, ...]]] = []
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
            for batch in pool.map(_resolve_chunk, chunks):
                out.extend(batch)
        return out
    finally:
        _SHARED.clear()


def resolve_all(root: Path, jobs: int = 0) -> ResolveAllOutcome:
    """Resolve every bundle of the repository whose inputs are free of errors.

    Many bundles are resolved in one worker process per core (``jobs``; 0: one per core);
    the result does not depend on it.
    """
    from rspp.validate.engine import default_jobs

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
    for i, resolved, problems in _resolve_many(todo, repo.index, jobs or default_jobs()):
        done[slots[i]] = resolved
        findings.extend(problems)
    report = Report(result.root, result.files,
                              tuple(sorted(set(findings), key=Finding.sort_key)),
                              result.documents, result.strict)
    return ResolveAllOutcome(tuple(done[n] for n in range(len(bundles))), report)
