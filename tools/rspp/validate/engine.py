"""The validation pipeline: discover -> load -> envelope/schema -> index -> rules -> result."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from rspp.findings import Finding, Severity
from rspp.load.api import Limits, load_file
from rspp.load.document import Document
from rspp.model.artifact import Artifact, Index
from rspp.rules.base import Context, Hit, Rule
from rspp.rules.registry import active_rules, severity_of
from rspp.validate.discover import discover, expand_targets, relative
from rspp.validate.schema import check_envelope, check_schema

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    root: Path
    targets: tuple[Path, ...] = ()
    strict: bool = False
    limits: Limits = field(default_factory=Limits)
    jobs: int = 0  # worker processes for loading; 0 = one per core


@dataclass(frozen=True, slots=True)
class ValidationResult:
    root: Path
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)


@dataclass(slots=True)
class Repository:
    """Everything loaded: documents by path, artifacts in the index, loader/schema findings."""

    root: Path
    documents: dict[str, Document] = field(default_factory=dict)
    index: Index = field(default_factory=Index)
    findings: list[Finding] = field(default_factory=list)
    unloaded: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Loaded:
    """One file after loading, envelope and schema checks."""

    rel: str
    doc: Document | None
    kind: str | None
    findings: tuple[Finding, ...]


def _load_one(path: Path, root: Path, limits: Limits) -> _Loaded:
    loaded = load_file(path, root, limits=limits)
    doc = loaded.document
    if doc is None:
        return _Loaded(relative(root, path), None, None, loaded.findings)
    kind, problems = check_envelope(doc)
    if kind is None:
        return _Loaded(doc.path, doc, None, tuple(problems))
    return _Loaded(doc.path, doc, kind, tuple(check_schema(doc, kind)))


def _load_chunk(paths: list[Path], root: Path, limits: Limits) -> list[_Loaded]:
    """Worker side: positions are dropped before the result crosses the process boundary."""
    out = []
    for path in paths:
        one = _load_one(path, root, limits)
        doc = one.doc.without_spans() if one.doc is not None else None
        out.append(_Loaded(one.rel, doc, one.kind, one.findings))
    return out


def _load_all(root: Path, files: list[Path], limits: Limits, jobs: int) -> Iterator[_Loaded]:
    if jobs <= 1 or len(files) < PARALLEL_MIN_FILES:
        yield from (_load_one(p, root, limits) for p in files)
        return
    import multiprocessing as mp  # imported here: a pre-commit run never needs it
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods():
        yield from (_load_one(p, root, limits) for p in files)
        return
    size = max(16, len(files) // (jobs * 8))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
        for batch in pool.map(_load_chunk, chunks, repeat(root), repeat(limits)):
            yield from batch


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def load_repository(root: Path, files: list[Path], limits: Limits, jobs: int = 1) -> Repository:
    """Load, envelope-check and schema-check ``files``; in ``jobs`` processes when many."""
    repo = Repository(root)
    for one in _load_all(root, files, limits, jobs):
        repo.findings.extend(one.findings)
        doc = one.doc
        if doc is None or one.kind is None:
            repo.unloaded.append(one.rel)
            continue
        repo.documents[doc.path] = doc
        meta = doc.data.get("metadata")
        ident = meta.get("id") if isinstance(meta, dict) else None
        version = meta.get("version") if isinstance(meta, dict) else None
        if isinstance(ident, str) and isinstance(version, str):
            repo.index.add(Artifact(doc, one.kind, ident, version, not one.findings))
    return repo


def _to_finding(rule: Rule, owner: Artifact, hit: Hit) -> Finding:
    doc = (hit.target or owner).doc
    span = doc.span(hit.pointer, key=hit.key)
    return Finding(rule.code, severity_of(rule.code), doc.path, span.line, span.col, hit.message,
                   hit.pointer, span.end_line, span.end_col, hit.related)


def run_rules(repo: Repository, targets: set[str] | None) -> tuple[list[Finding], set[str]]:
    """Run every active rule over the index.

    Returns what concerns ``targets`` (None: all), and every file with an error finding,
    wanted or not (the resolve stage skips what depends on them).
    """
    ctx = Context(repo.index, unloaded=tuple(repo.unloaded), root=repo.root)
    target_ids = {(a.kind, a.id) for a in repo.index.artifacts
                  if targets is None or a.path in targets}
    out: list[Finding] = []
    broken: set[str] = set()
    seen: set[tuple[str, str, str]] = set()
    for rule in active_rules():
        if rule.check is None:
            continue
        for art in repo.index.artifacts:
            if art.kind not in rule.kinds or (rule.needs_schema_valid and not art.schema_valid):
                continue
            for hit in rule.check(art, ctx):
                finding = _to_finding(rule, art, hit)
                if finding.severity is Severity.ERROR:
                    broken.add(finding.path)
                wanted = (targets is None or finding.path in targets
                          or (hit.refers_to is not None and hit.refers_to in target_ids))
                key = (finding.code, finding.path, finding.pointer + "|" + finding.message)
                if wanted and key not in seen:
                    seen.add(key)
                    out.append(finding)
    return out, broken


def run_resolve(repo: Repository, broken: set[str],
                targets: set[str] | None) -> list[Finding]:
    """Resolve every bundle whose inputs have no errors: what only the resolved graph shows
    (profile node defaults that change port types, policy inserts and turn rules) is
    reported here.

    A bundle that pins no policy, and whose profile's node defaults set no parameter a
    port type depends on, resolves to a graph the rules have already checked; it is not
    resolved again here.
    """
    from rspp.resolve.api import bundle_inputs, involved_files, to_finding
    from rspp.resolve.normalize import normalize

    out: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    for bundle in repo.index.of_kind("PipelineBundle"):
        inputs = bundle_inputs(bundle, repo.index) if bundle.schema_valid else None
        if inputs is None:
            continue
        if not inputs.policies and not _reshapes_ports(inputs.profile):
            continue
        files = involved_files(inputs, repo.index)
        if files & broken or (targets is not None and not files & targets):
            continue
        res = normalize(inputs.spec, inputs.profile, inputs.policies, index=repo.index,
                        bundle=bundle, checks_only=True)
        for problem in res.problems:
            finding = to_finding(problem)
            key = (finding.code, finding.path, finding.line, finding.col, finding.message)
            if key not in seen:
                seen.add(key)
                out.append(finding)
    return out


def _reshapes_ports(profile: Artifact) -> bool:
    from rspp.model.catalog import shaping_params

    for node_type, params in (profile.spec.get("nodeDefaults") or {}).items():
        shaping = shaping_params(node_type)
        if shaping is None or shaping & set(params or {}):
            return True
    return False


def validate(options: ValidateOptions) -> ValidationResult:
    """Validate the repository at ``options.root`` (or only the named targets)."""
    return validate_repository(options)[0]


def validate_repository(options: ValidateOptions) -> tuple[ValidationResult, Repository]:
    """Validate, and hand back the loaded repository for the stages that follow."""
    # Loaded artifacts are plain acyclic data; the cycle collector only rescans them
    # (about a fifth of the run on large repositories). Restored afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _validate(options)
    finally:
        if collecting:
            gc.enable()


def _validate(options: ValidateOptions) -> tuple[ValidationResult, Repository]:
    root = Path(os.path.abspath(options.root))
    all_files = discover(root)
    if options.targets:
        named = expand_targets(root, list(options.targets))
        targets: set[str] | None = {relative(root, p) for p in named}
        known = {relative(root, p) for p in all_files}
        files = all_files + [p for p in named if relative(root, p) not in known]
    else:
        targets = None
        files = all_files
    jobs = options.jobs or default_jobs()
    repo = load_repository(root, files, options.limits, jobs)
    findings = [f for f in repo.findings if targets is None or f.path in targets]
    rule_findings, broken = run_rules(repo, targets)
    findings.extend(rule_findings)
    # Resolve only what the loader, schema and rules found sound, repository-wide: a partial
    # run must not resolve a bundle whose (unnamed) spec is broken.
    broken |= {f.path for f in repo.findings if f.severity is Severity.ERROR}
    findings.extend(run_resolve(repo, broken, targets))
    findings.sort(key=Finding.sort_key)
    checked = sorted(targets) if targets is not None else [relative(root, p) for p in files]
    result = ValidationResult(root, tuple(checked), tuple(findings), repo.documents,
                              options.strict)
    return result, repo
