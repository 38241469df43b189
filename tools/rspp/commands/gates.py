"""`rspp gates run`: the gates of a ConformanceGates manifest, after the manifest's own
validation (a manifest with errors is not run), with the reports written by the CLI.

The command resolves what the runner (:mod:`rspp.conform.gates`) needs: the replay manifest of
``spec.replay`` (its ``requiredFields`` are the evidence every accepted turn must carry, its
fixtures the default traces; without one, the OR-02 baseline and no default traces), the p95
budgets of the profile the manifest's bundle pins, and the consumer config's ``[gates]
allow-commands``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rspp.commands.replay import inputs_of, open_trace
from rspp.conform.gates import GateInputs, GateRun, run_gates
from rspp.core.errors import UsageError
from rspp.core.paths import name_inside
from rspp.load.config import load_config
from rspp.model.access import gates_body
from rspp.model.artifact import Artifact
from rspp.model.ids import parse_ref
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import Repository, ValidateOptions


@dataclass(frozen=True, slots=True)
class GatesRunOptions:
    root: Path
    target: str  # a ConformanceGates file, or id@version
    traces: tuple[str, ...] = ()  # repository-relative (or cwd-relative inside the root)


@dataclass(frozen=True, slots=True)
class GatesRunOutcome:
    """``run`` is None when the manifest (or the consumer config) has errors: ``report``
    lists them and nothing was run."""

    run: GateRun | None
    report: Report


def run(options: GatesRunOptions) -> GatesRunOutcome:
    """Validate the repository, then run the gates of ``options.target``.

    Every ``--trace`` is checked first, before anything is validated or run
    (:func:`rspp.commands.replay.open_trace`): PathError PATH001 outside the repository (also
    through a link), PATH002 missing, PATH003 not a regular file (a folder, a FIFO, a device);
    UsageError for ``-`` (gates read traces from files only). Evidence and budgets are
    resolved as ``rspp replay check`` resolves them
    (:func:`rspp.commands.replay.inputs_of` on the one validation of the repository, with the
    manifest's ``replay`` and ``bundle``);
    errors in those artifacts (and TRC003, a bundle event ABI the checker cannot read) refuse
    the run like errors in the manifest. A manifest file that does not load (e.g. LOAD010, a
    threshold ``.nan``) is refused with its own findings (``run`` None). Raises UsageError
    when the target names no ConformanceGates manifest of the repository;
    PathError/RepositoryError as ``rspp validate``."""
    traces = tuple(_trace_name(options.root, t) for t in options.traces)
    result, repo = validate_repository(ValidateOptions(root=options.root))
    found, rel = _manifest(repo, options.target)
    if found is None:
        own = result.with_findings(f for f in result.findings if rel and f.path == rel)
        if own.failed:
            return GatesRunOutcome(None, own)
        raise UsageError(f"{options.target}: not a ConformanceGates manifest of this "
                         "repository",
                         "name a gates manifest file under pipelines/tests/, or its id@version")
    mine = result.with_findings(f for f in result.findings if f.path == found.path)
    loaded = load_config(repo.root)
    if loaded.findings:
        return GatesRunOutcome(None, mine.with_findings((*mine.findings, *loaded.findings)))
    if mine.failed or not found.schema_valid:
        return GatesRunOutcome(None, mine)
    body = gates_body(found)
    # Without spec.replay: the OR-02 baseline and no default traces, never the repository's
    # replay manifest (what the manifest certifies is what it names).
    inputs = inputs_of(result, repo.index, manifest=body.get("replay"),
                       bundle=body.get("bundle"), default_manifest=False)
    if inputs.problems:
        return GatesRunOutcome(None, mine.with_findings(
            (*mine.findings, *inputs.problems), files=(*mine.files, *inputs.files)))
    allow = loaded.config.allow_commands if loaded.config else ()
    gate_inputs = GateInputs(repo.root, found.ref, found.id, tuple(body["gates"]),
                             inputs.evidence, inputs.budgets, traces or inputs.fixtures, allow,
                             repo.packs.gates())
    return GatesRunOutcome(run_gates(gate_inputs), mine)


def _manifest(repo: Repository, target: str) -> tuple[Artifact | None, str | None]:
    """The ConformanceGates manifest ``target`` names (None when it names none) and, when
    ``target`` is a file, its repository-relative name (whose findings say why it did not
    load)."""
    ref = parse_ref(target)
    if ref is not None and not os.path.exists(target):
        found = repo.index.get("ConformanceGates", ref.id, ref.version)
        rel = None
    else:
        rel = name_inside(target, repo.root)
        found = next((a for a in repo.index.artifacts if a.path == rel), None)
    if found is None or found.kind != "ConformanceGates":
        return None, rel
    return found, rel


def _trace_name(root: Path, name: str) -> str:
    """``name`` (a ``--trace``, relative to the working directory) as a repository-relative
    POSIX path, once :func:`rspp.commands.replay.open_trace` opens it (PathError
    PATH001-PATH003; UsageError when the system refuses it); UsageError for ``-``."""
    if name == "-":
        raise UsageError("--trace -: gates read traces from files only, not standard input",
                         "name trace files inside the repository, or pipe the trace into "
                         "`rspp replay check -` instead")
    rel, handle = open_trace(root, name)
    handle.close()
    return rel
