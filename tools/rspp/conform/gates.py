"""The gate runner: each gate of a ``ConformanceGates`` manifest run once, with a result per
gate (ADR 0011, docs/gates.md).

Gate types:

- trace gates (:data:`rspp.model.gates.TRACE_GATE_TYPES`) check their traces with
  :func:`rspp.conform.trace.check_traces` and compare the measured metrics of their type
  (:data:`rspp.model.gates.METRICS`) with the thresholds. Each distinct set of traces is
  checked once; gates reading the same set share the result. A trace gate fails when it has
  no trace, when a line of its traces is unreadable (TRC001/TRC002), when a threshold is not
  met, and, for a metric of its type left without a threshold, when a violation count is above
  0, ``baseline_completeness_pct`` is below 100, or a p50/p95 latency is above the profile
  budget (the implicit thresholds);
- ``artifact`` gates validate their paths with every rule of ``rspp validate``
  (:func:`rspp.resolve.gate.validate`) and fail on any error;
- ``command`` gates run an allow-listed executable (the consumer config's ``[gates]
  allow-commands``) found on ``PATH`` outside the repository, with an argument vector and
  never a shell, in the repository root, with a timeout, again up to ``retries`` times while it
  fails. An attempt is judged by the command's own exit status (a background process it
  leaves never holds the run open); its stdout and stderr are kept as content-addressed blobs
  (``.rspp/gates/blobs/sha256/<hex>``).

Statuses: ``pass``; ``fail`` (the gate ran and its verdict is no); ``error`` (it could not run:
a trace that cannot be read, a command refused or not found, a path outside the repository);
``skipped`` is reserved for gates a run leaves out. A required gate that is not ``pass`` fails
the run (:attr:`GateRun.passed`). Nothing here prints; the reports are rendered by
:mod:`rspp.conform.gate_report`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import platform
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, BinaryIO, Final, Literal

import rspp
from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.core.errors import RsppError, UsageError
from rspp.core.files import write_atomic
from rspp.core.paths import open_regular
from rspp.core.text import flat, reason
from rspp.model.gates import METRICS, STAGE_BUDGETS, TRACE_GATE_TYPES, Metric
from rspp.model.gates import metric as metric_named
from rspp.model.views import Gate
from rspp.resolve.gate import validate
from rspp.rules.packs import GateRequest, GateVerdict, PackGate
from rspp.validate.engine import ValidateOptions

Status = Literal["pass", "fail", "error", "skipped"]
Origin = Literal["manifest", "implicit", "budget"]

BLOBS: Final = ".rspp/gates/blobs/sha256"
"""Where logs are kept, repository-relative: one file per content, named by its sha256."""

LOCK_FILE: Final = "rspp.lock"
REASONS_PER_GATE: Final = 20
"""The most reasons one gate lists (the rest are counted in one more line)."""

KILL_GRACE_SECONDS: Final = 5
"""How long a command gate waits for its killed process group after a timeout, in seconds."""

LOG_LIMIT: Final = 64 * 1024 * 1024
"""The most bytes of one stream of one attempt kept as a log blob."""

_TRC: Final = re.compile(r"\((TRC\d{3})\)")


@dataclass(frozen=True, slots=True)
class GateInputs:
    """What one run needs, resolved by the command (:mod:`rspp.commands.gates`).

    ``root``: the repository; ``manifest``: ``id@version`` of the ConformanceGates manifest and
    ``manifest_id`` its id; ``gates``: its gates; ``evidence``/``budgets``: the required
    evidence fields (the replay manifest's) and the bundle profile's p95 budgets (None without
    a bundle); ``default_traces``: repository-relative traces for trace gates without
    ``traces`` (``--trace``, else the replay manifest's fixtures); ``allow_commands``: the
    executables command gates may run."""

    root: Path
    manifest: str
    manifest_id: str
    gates: tuple[Gate, ...]
    evidence: Evidence
    budgets: Budgets | None = None
    default_traces: tuple[str, ...] = ()
    allow_commands: tuple[str, ...] = ()
    pack_gates: Mapping[str, PackGate] = field(default_factory=dict)
    """The gate types the enabled packs provide (ADR 0024), by type."""


@dataclass(frozen=True, slots=True)
class Measure:
    """One comparison: ``measured`` (None: nothing to measure, e.g. a percentile without
    samples) against ``threshold`` in ``direction`` (``max``: measured <= threshold; ``min``:
    >=); ``origin``: the manifest's threshold, an implicit one (0 violations, 100% evidence) or
    the profile ``budget``."""

    metric: str
    threshold: float
    direction: str
    measured: float | None
    ok: bool
    origin: Origin = "manifest"


@dataclass(frozen=True, slots=True)
class Log:
    """A captured stream: ``attempt`` (1-based), ``stream`` (``stdout``/``stderr``), the
    ``sha256`` of its bytes (the blob's name) and ``size`` in bytes."""

    attempt: int
    stream: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class GateResult:
    """The outcome of one gate: see the module doc for ``status``; ``reasons``: one line each,
    why it did not pass (empty on pass); ``measures``: metric comparisons (trace gates);
    ``traces``: the traces read; ``attempts``: runs made (command gates; 1 otherwise, 0 when
    it could not start); ``history``: one line per attempt of a command gate, how it ended
    (``attempt 1: exit status 1``, ``attempt 2: exit status 0``), kept whether or not the
    gate passed; ``logs``: captured output; ``duration_ms``: wall time."""

    id: str
    type: str
    required: bool
    status: Status
    reasons: tuple[str, ...] = ()
    measures: tuple[Measure, ...] = ()
    traces: tuple[str, ...] = ()
    attempts: int = 1
    logs: tuple[Log, ...] = ()
    duration_ms: float = 0.0
    history: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        """True when the gate is required and did not pass."""
        return self.required and self.status != "pass"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Where a run happened: Python version, rspp version, sha256 of ``rspp.lock`` (None
    without one), ``platform.platform()``."""

    python: str
    rspp: str
    lock_sha256: str | None
    platform: str


@dataclass(frozen=True, slots=True)
class GateRun:
    """Every gate's result, in manifest order, with the environment and the total wall time."""

    manifest: str
    manifest_id: str
    gates: tuple[GateResult, ...]
    fingerprint: Fingerprint
    evidence: str
    budgets: str | None
    duration_ms: float = 0.0

    @property
    def passed(self) -> bool:
        """True when every required gate passed (optional gates never fail a run)."""
        return not any(g.blocking for g in self.gates)


def fingerprint(root: Path) -> Fingerprint:
    """The environment fingerprint of a run in ``root``."""
    lock = root / LOCK_FILE
    digest = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file() else None
    return Fingerprint(platform.python_version(), rspp.__version__, digest, platform.platform())


def store_blob(root: Path, data: bytes) -> str:
    """Keep ``data`` as ``<root>/.rspp/gates/blobs/sha256/<hex>`` (written atomically, once
    per content) and return ``<hex>``, the sha256 of ``data``. Raises FileAccessError (IO001-
    IO003) as :func:`rspp.core.files.write_atomic`."""
    digest = hashlib.sha256(data).hexdigest()
    path = root / BLOBS / digest
    if not path.is_file() or path.is_symlink():
        write_atomic(path, data, root=root)
    return digest


def run_gates(inputs: GateInputs, *, clock: Callable[[], float] = time.monotonic) -> GateRun:
    """Run every gate of ``inputs`` in manifest order (see the module doc); never raises for a
    gate that cannot run (its status is ``error``). ``clock`` (seconds) times the gates."""
    start = clock()
    traces: dict[tuple[str, ...], TraceResult | str] = {}
    results = []
    for gate in inputs.gates:
        began = clock()
        result = _run_one(inputs, gate, traces)
        results.append(_with_duration(result, (clock() - began) * 1000.0))
    return GateRun(inputs.manifest, inputs.manifest_id, tuple(results),
                   fingerprint(inputs.root), inputs.evidence.source,
                   inputs.budgets.source if inputs.budgets else None,
                   round((clock() - start) * 1000.0, 3))


def _with_duration(result: GateResult, ms: float) -> GateResult:
    return replace(result, reasons=_capped(result.reasons), duration_ms=round(ms, 3))


def _capped(reasons: tuple[str, ...]) -> tuple[str, ...]:
    if len(reasons) <= REASONS_PER_GATE:
        return reasons
    more = len(reasons) - REASONS_PER_GATE + 1
    return (*reasons[:REASONS_PER_GATE - 1], f"... and {more} more")


def _run_one(inputs: GateInputs, gate: Gate, traces: dict[tuple[str, ...], TraceResult | str]
             ) -> GateResult:
    kind = gate["type"]
    if kind in TRACE_GATE_TYPES:
        return _trace_gate(inputs, gate, traces)
    if kind == "artifact":
        return _artifact_gate(inputs, gate)
    if kind == "command":
        return _command_gate(inputs, gate)
    return _pack_gate(inputs, gate)


def _pack_gate(inputs: GateInputs, gate: Gate) -> GateResult:
    """A gate whose type an enabled pack provides: its verdict, or ``error`` when no enabled
    pack provides the type or the pack's gate raises."""
    provider = inputs.pack_gates.get(gate["type"])
    if provider is None:
        return _result(gate, "error", [f"no enabled pack provides gate type {gate['type']}"],
                       attempts=0)
    request = GateRequest(inputs.root, gate["id"], dict(gate.get("thresholds") or {}),
                          tuple(gate.get("paths") or ()))
    try:
        verdict = provider.run(request)
    except Exception as exc:  # the pack's failure is the gate's error, never rspp's crash
        return _result(gate, "error", [flat(f"the pack's gate raised {reason(exc)}")])
    if not isinstance(verdict, GateVerdict):
        return _result(gate, "error", [f"the pack's gate answered {type(verdict).__name__}, "
                                       "not a GateVerdict"])
    return _result(gate, "pass" if verdict.passed else "fail",
                   [flat(str(said)) for said in verdict.reasons])


def _result(gate: Gate, status: Status, reasons: Sequence[str] = (), *,
            measures: tuple[Measure, ...] = (), traces: tuple[str, ...] = (), attempts: int = 1,
            logs: tuple[Log, ...] = (), history: Sequence[str] = ()) -> GateResult:
    return GateResult(gate["id"], gate["type"], gate.get("required", True), status,
                      tuple(reasons), measures, traces, attempts, logs, history=tuple(history))


# --------------------------------------------------------------------------- trace gates
def _inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` when ``rel`` is a relative path that stays inside ``root``, else None."""
    if not rel or Path(rel).is_absolute() or "\\" in rel:
        return None
    path = (root / rel).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def _check(root: Path, names: tuple[str, ...], inputs: GateInputs) -> TraceResult | str:
    """The checked traces ``names``, or why they could not be read (one line)."""
    with ExitStack() as stack:
        sources = []
        for name in names:
            opened = _open_trace(root, name)
            if isinstance(opened, str):
                return opened
            sources.append(TraceSource(name, stack.enter_context(opened)))
        try:
            return check_traces(sources, evidence=inputs.evidence, budgets=inputs.budgets)
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            return f"a trace of {', '.join(names)} cannot be read: {exc}"


def _open_trace(root: Path, name: str) -> BinaryIO | str:
    """The trace ``name`` (repository-relative) open for reading, or why not (one line): a
    path outside the repository, nothing there, not a regular file (a folder, a FIFO, a
    device: what it is is said), or refused by the system
    (:func:`rspp.core.paths.open_regular`, which judges the open file)."""
    path = _inside(root, name)
    if path is None:
        return f"trace {name} is not a path inside the repository"
    try:
        return open_regular(path, "trace", name)
    except UsageError as exc:  # PathError PATH002, PATH003 included
        return exc.cause


def _trace_gate(inputs: GateInputs, gate: Gate,
                cache: dict[tuple[str, ...], TraceResult | str]) -> GateResult:
    listed = gate.get("traces")
    if listed is not None and not listed:
        return _result(gate, "fail", ["no trace named: the gate's traces list is empty (an "
                                      "empty list never falls back to --trace or the replay "
                                      "fixtures; remove it, or name trace files)"], attempts=0)
    names = tuple(listed or inputs.default_traces)
    if not names:
        return _result(gate, "fail", ["no trace to check: the gate names no traces, none was "
                                      "given with --trace and the manifest names no replay "
                                      "manifest with fixtures"], attempts=0)
    if names not in cache:
        cache[names] = _check(inputs.root, names, inputs)
    checked = cache[names]
    if isinstance(checked, str):
        return _result(gate, "error", [checked], traces=names, attempts=0)
    measures = tuple(_measures(gate, checked, inputs.budgets))
    reasons = []
    if checked.lines == 0 or checked.events == 0:
        reasons.append(f"the traces hold no event ({checked.lines} lines)")
    if checked.unreadable:
        first = next((f for f in checked.findings if f.code in ("TRC001", "TRC002")), None)
        where = f" (first: {first.location()} {first.code} {first.message})" if first else ""
        reasons.append(f"{checked.unreadable} unreadable line(s){where}")
    reasons += [_reason(m, checked) for m in measures if not m.ok]
    return _result(gate, "fail" if reasons else "pass", reasons, measures=measures,
                   traces=names)


def _measures(gate: Gate, checked: TraceResult, budgets: Budgets | None) -> Iterator[Measure]:
    metrics = METRICS[gate["type"]]
    measured = checked.metrics
    thresholds = gate.get("thresholds") or {}
    budget_of = _budget_fields(budgets)
    for name, metric in metrics.items():
        value = measured.get(name)
        if name in thresholds:
            limit = float(thresholds[name])
            yield Measure(name, limit, metric.direction, value, _ok(metric, value, limit))
        elif (implicit := _implicit(metric, budget_of)) is not None:
            limit, origin = implicit
            # An implicit limit has nothing to compare with when nothing was measured.
            yield Measure(name, limit, metric.direction, value,
                          value is None or _ok(metric, value, limit), origin)


def _budget_fields(budgets: Budgets | None) -> Mapping[str, int]:
    """Budget field (camelCase) -> ms, from the stage-keyed budgets."""
    if budgets is None:
        return {}
    return {STAGE_BUDGETS[s]: ms for s, ms in budgets.ms.items() if s in STAGE_BUDGETS}


def _implicit(metric: Metric, budget_of: Mapping[str, int]) -> tuple[float, Origin] | None:
    if metric.unit == "count" and metric.direction == "max":
        return 0.0, "implicit"
    if metric.unit == "pct" and metric.direction == "min":
        return 100.0, "implicit"
    if metric.budget is not None and metric.name.startswith("p95_") \
            and metric.budget in budget_of:
        return float(budget_of[metric.budget]), "budget"
    return None


def _ok(metric: Metric, value: float | None, limit: float) -> bool:
    if value is None:
        return False
    return value <= limit if metric.direction == "max" else value >= limit


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _reason(m: Measure, checked: TraceResult) -> str:
    if m.measured is None:
        return f"{m.metric}: nothing measured (no turn reached the stage); threshold " \
               f"{_number(m.threshold)}"
    op = ">" if m.direction == "max" else "<"
    origin = {"manifest": "threshold", "implicit": "implicit threshold",
              "budget": "profile budget"}[m.origin]
    text = f"{m.metric} {_number(m.measured)} {op} {origin} {_number(m.threshold)}"
    found = metric_named(m.metric)
    code = _TRC.search(found.summary) if found else None
    first = next((f for f in checked.findings if code and f.code == code.group(1)), None)
    return text + (f" (first: {first.location()} {first.message})" if first else "")


# --------------------------------------------------------------------------- artifact gates
def _artifact_gate(inputs: GateInputs, gate: Gate) -> GateResult:
    targets = []
    for rel in gate.get("paths") or []:
        path = _inside(inputs.root, rel)
        if path is None or not path.exists():
            return _result(gate, "error", [f"path {rel} is not a file or folder inside the "
                                           "repository"], attempts=0)
        targets.append(path)
    if not targets:
        return _result(gate, "error", ["the gate names no paths"], attempts=0)
    try:
        report = validate(ValidateOptions(root=inputs.root, targets=tuple(targets)))
    except RsppError as exc:
        return _result(gate, "error", [exc.cause], attempts=0)
    errors = [f for f in report.findings if f.is_error]
    reasons = [f"{f.location()} {f.code} {f.message}" for f in errors]
    if errors:
        reasons.insert(0, f"{len(errors)} error(s) in {len(report.files)} file(s)")
    return _result(gate, "fail" if errors else "pass", reasons)


# --------------------------------------------------------------------------- command gates
def _command_gate(inputs: GateInputs, gate: Gate) -> GateResult:
    argv = list(gate.get("command") or [])
    if not argv or "/" in argv[0] or "\\" in argv[0]:
        return _result(gate, "error", ["command[0] must be a bare executable name"],
                       attempts=0)
    name = argv[0]
    if name not in inputs.allow_commands:
        allowed = ", ".join(inputs.allow_commands) or "none"
        return _result(gate, "error", [
            f"{name} is not an allowed command (allowed: {allowed}); add it to [gates] "
            "allow-commands in rspp.toml or [tool.rspp] of pyproject.toml"], attempts=0)
    found = shutil.which(name)
    if found is None:
        return _result(gate, "error", [f"{name} is not found on PATH"], attempts=0)
    resolved = Path(found).resolve()
    if resolved.is_relative_to(inputs.root.resolve()):
        return _result(gate, "error", [f"{name} resolves to {found}, inside the repository: "
                                       "a gate never runs repository code as a command"],
                       attempts=0)
    timeout = gate.get("timeoutSeconds", 600)
    tries = 1 + gate.get("retries", 0)
    logs: list[Log] = []
    history: list[str] = []
    attempt = 0
    for attempt in range(1, tries + 1):
        outcome, out, err = _attempt([found, *argv[1:]], inputs.root, timeout)
        for stream, data in (("stdout", out), ("stderr", err)):
            try:
                logs.append(Log(attempt, stream, store_blob(inputs.root, data), len(data)))
            except RsppError as exc:
                history.append(f"attempt {attempt}: {stream} not kept: {exc.cause}")
        history.append(f"attempt {attempt}: {outcome or 'exit status 0'}")
        if outcome is None:
            return _result(gate, "pass", attempts=attempt, logs=tuple(logs), history=history)
    return _result(gate, "fail", history, attempts=attempt, logs=tuple(logs), history=history)


def _attempt(argv: list[str], cwd: Path, timeout: int) -> tuple[str | None, bytes, bytes]:
    """Run ``argv`` once: (None on exit status 0, else why it failed; stdout; stderr).

    The verdict is the child's own exit status within ``timeout`` seconds. Its stdout and
    stderr go to anonymous temporary files, not pipes, so a process it leaves behind (a daemon
    in another session holding the streams open) can never hold the run open: the output kept
    is what the files hold when the child ends. On a timeout the child's process group is
    killed and the wait for it is bounded by :data:`KILL_GRACE_SECONDS`; an attempt never
    lasts much longer than ``timeout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=True)
        except OSError as exc:
            return f"cannot start {argv[0]}: {exc.strerror or exc}", b"", b""
        outcome: str | None = None
        try:
            code = proc.wait(timeout=timeout)
            if code != 0:
                outcome = f"exit status {code}"
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            outcome = f"timed out after {timeout} s"
            try:
                proc.wait(timeout=KILL_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                outcome += f" (and still running {KILL_GRACE_SECONDS} s after SIGKILL)"
        return outcome, _read_all(out), _read_all(err)


def _read_all(file: IO[bytes]) -> bytes:
    """What ``file`` holds, up to :data:`LOG_LIMIT` bytes (a process left behind may still be
    writing to it)."""
    file.seek(0)
    return file.read(LOG_LIMIT)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
