"""`rspp replay check`: recorded turn-event traces against the runtime invariants (ADR 0011).

The evidence every accepted turn must carry comes from a ReplayEvidenceManifest (``--manifest
ID@VERSION``; else the repository's only manifest id at its highest version; else the OR-02
baseline built in). Latency budgets come from the profile a bundle pins (``--bundle``), and
the bundle's event ABI must be one the checker reads and the compatibility contract supports
(TRC003). Traces are read from inside the repository or from standard input, never from
elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from rspp.commands.resolve import lookup
from rspp.compat.contract import active_contract, newest
from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.core.errors import UsageError
from rspp.core.findings import Finding
from rspp.core.paths import PathError, name_inside, open_regular, real_inside
from rspp.core.sink import finding
from rspp.model.access import replay_body
from rspp.model.artifact import Artifact, Index
from rspp.model.events import EVENT_ABI_MAJOR
from rspp.model.gates import STAGE_BUDGETS
from rspp.report.result import Report
from rspp.resolve.api import bundle_inputs
from rspp.resolve.gate import validate_repository
from rspp.rules.replay import OR02_BASELINE
from rspp.validate.engine import ValidateOptions

STDIN = "-"
"""The trace name that reads standard input."""

BUILT_IN = "the OR-02 baseline (built in)"


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """``traces``: names as given (repository paths, or ``-``); ``manifest``/``bundle``:
    ``id@version`` or None; ``stdin``: the stream ``-`` reads."""

    root: Path
    traces: tuple[str, ...]
    manifest: str | None = None
    bundle: str | None = None
    stdin: IO[bytes] | None = None


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """The check's result (None when it could not run) and a report of its findings (or of
    the artifact errors that stopped it)."""

    result: TraceResult | None
    report: Report

    @property
    def failed(self) -> bool:
        return self.report.failed


@dataclass(frozen=True, slots=True)
class TraceInputs:
    """What a trace is checked against, the artifact findings that stop the check, and the
    fixtures (repository paths) of the replay manifest used, if any."""

    evidence: Evidence
    budgets: Budgets | None
    problems: tuple[Finding, ...]
    files: tuple[str, ...]
    fixtures: tuple[str, ...] = ()


def open_trace(root: Path, name: str) -> tuple[str, BinaryIO]:
    """The trace file ``name`` (relative to the working directory) open for reading, with its
    repository-relative POSIX name: inside ``root`` after links are followed (PATH001),
    existing (PATH002), a regular file judged on the open file (PATH003: a FIFO or a device
    would block or never end; :func:`rspp.core.paths.open_regular`). Raises
    :class:`rspp.core.paths.PathError`, or UsageError when the system refuses to open it."""
    rel = name_inside(name, root)
    real_inside(name, root, "trace")
    try:
        return rel, open_regular(name, "trace", name)
    except PathError as exc:
        remedy = ("name a recorded trace (.jsonl or .jsonl.gz) in the repository, or - to "
                  "read standard input") if exc.code == "PATH002" else (
                  "copy the trace into the repository, or pipe it to -")
        raise PathError(exc.code, exc.cause, remedy) from None


def _latest(index: Index, kind: str) -> Artifact | None:
    """The highest version of the repository's only ``kind`` id, or None."""
    found = [a for a in index.artifacts if a.kind == kind]
    return newest(found) if len({a.id for a in found}) == 1 else None


def _budgets(profile: Artifact) -> Budgets:
    budgets = profile.spec.get("budgets")
    ms: dict[str, int] = {}
    if isinstance(budgets, Mapping):
        for stage, field in STAGE_BUDGETS.items():
            value = budgets.get(field)
            if isinstance(value, int) and not isinstance(value, bool):
                ms[stage] = value
    return Budgets(ms, f"ExecutionProfile/{profile.id}@{profile.version}")


def _abi(bundle: Artifact, index: Index) -> Finding | None:
    """TRC003 when the bundle's event ABI is not read by the checker or supported by the
    compatibility contract in effect (:func:`rspp.compat.contract.active_contract`)."""
    compatibility = bundle.spec.get("compatibility")
    abi = compatibility.get("eventAbi") if isinstance(compatibility, Mapping) else None
    if not isinstance(abi, str):
        return None
    pointer = "/spec/compatibility/eventAbi"
    span = bundle.doc.span(pointer)
    if abi.split(".")[0] != str(EVENT_ABI_MAJOR):
        return finding("TRC003", bundle.path, span.line, span.col, f"bundle {bundle.ref} "
                       f"speaks event ABI {abi}; this checker reads ABI {EVENT_ABI_MAJOR}.x",
                       pointer=pointer)
    contract = active_contract(index)
    body = contract.body
    if body is None or contract.artifact is None:
        return None
    supported = body["eventAbi"]["supported"]
    if abi not in supported:
        return finding("TRC003", bundle.path, span.line, span.col, f"bundle {bundle.ref} "
                       f"speaks event ABI {abi}, which {contract.artifact.ref} no longer "
                       f"supports (supported: {', '.join(supported)})", pointer=pointer)
    return None


def trace_inputs(root: Path, *, manifest: str | None, bundle: str | None
                 ) -> tuple[TraceInputs, Report]:
    """Validate the repository, then :func:`inputs_of` it (with the default manifest of the
    module docstring); returns the inputs and the validation report."""
    report, repo = validate_repository(ValidateOptions(root=root, load_all=False))
    return inputs_of(report, repo.index, manifest=manifest, bundle=bundle), report


def inputs_of(report: Report, index: Index, *, manifest: str | None, bundle: str | None,
              default_manifest: bool = True) -> TraceInputs:
    """What traces are checked against, in a validated repository (``report``, ``index``):
    the evidence fields and fixtures of ``manifest`` (without one: with
    ``default_manifest``, the repository's only manifest at its highest version; else, and
    when there is none, the OR-02 baseline and no fixtures) and the budgets of ``bundle``'s
    profile. Errors of ``report`` in the files used are returned as ``problems`` (nothing is
    checked against a broken artifact), with TRC003 for an unsupported ABI. Raises
    UsageError when a named artifact does not exist."""
    used: list[Artifact] = []
    if manifest is not None:
        chosen: Artifact | None = lookup(index, "ReplayEvidenceManifest", manifest)
    else:
        chosen = _latest(index, "ReplayEvidenceManifest") if default_manifest else None
    fixtures: tuple[str, ...] = ()
    if chosen is not None:
        used.append(chosen)
    if chosen is not None and chosen.schema_valid:  # else its errors are the problems
        body = replay_body(chosen)
        evidence = Evidence(tuple(body["requiredFields"]),
                            f"ReplayEvidenceManifest/{chosen.id}@{chosen.version}")
        fixtures = tuple(f["path"].removeprefix("./") for f in body.get("fixtures") or [])
    else:
        evidence = Evidence(OR02_BASELINE, BUILT_IN)
    budgets = None
    abi_problem = None
    if bundle is not None:
        pinned = lookup(index, "PipelineBundle", bundle)
        inputs = bundle_inputs(pinned, index)
        used.append(pinned)
        if inputs is None:
            raise UsageError(f"bundle {pinned.ref} does not pin one spec and one profile that "
                             "exist", "`rspp validate` says what is wrong with it")
        used.append(inputs.profile)
        budgets = _budgets(inputs.profile)
        abi_problem = _abi(pinned, index)
    files = tuple(sorted({a.path for a in used}))
    problems = [f for f in report.findings if f.path in files and f.is_error]
    if abi_problem is not None:
        problems.append(abi_problem)
    return TraceInputs(evidence, budgets, tuple(problems), files, fixtures)


def replay_check(options: ReplayOptions) -> ReplayOutcome:
    """Check ``options.traces`` (in order; each a recording of its own, statistics over all).

    Raises UsageError (PATH001-003) for a trace that cannot be read safely, and for a named
    manifest or bundle that does not exist. Findings: TRC001-TRC017 at ``trace:line:1``."""
    if not options.traces:
        raise UsageError("no trace named", "pass trace files (.jsonl or .jsonl.gz), or - for "
                         "standard input")
    if options.traces.count(STDIN) > 1:
        raise UsageError("standard input named twice", "pass - once")
    with ExitStack() as handles:
        opened: dict[str, tuple[str, BinaryIO]] = {}
        for name in options.traces:
            if name != STDIN:  # each one closed on the way out, however it goes
                rel, handle = open_trace(options.root, name)
                opened[name] = rel, handles.enter_context(handle)
        inputs, report = trace_inputs(options.root, manifest=options.manifest,
                                      bundle=options.bundle)
        if inputs.problems:
            return ReplayOutcome(None, report.with_findings(list(inputs.problems),
                                                            files=inputs.files))
        sources: list[TraceSource] = []
        for name in options.traces:
            if name == STDIN:
                if options.stdin is None:
                    raise UsageError("no standard input to read", "pipe a trace into -")
                sources.append(TraceSource("<stdin>", options.stdin))
            else:
                sources.append(TraceSource(*opened[name]))
        try:
            result = check_traces(sources, evidence=inputs.evidence, budgets=inputs.budgets)
        except OSError as exc:
            raise UsageError(f"a trace cannot be read: {exc.strerror or exc}",
                             "check the file's permissions") from None
    shown = tuple(s.name for s in sources)
    return ReplayOutcome(result, Report(root=options.root, files=shown,
                                        findings=result.findings, documents={}))
