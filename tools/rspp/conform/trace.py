"""The streaming replay trace checker: recorded turn events against the runtime invariants.

Input: JSON Lines (one event object per line, UTF-8), plain or gzip (detected from the magic
bytes ``1f 8b``, never from the name). The event ABI 1.x (``compat/version_skew_policy.yaml``
``eventAbi``; ``schemas/TraceEvent.schema.json``; docs/replay.md) fixes the fields every
event carries — ``event``, ``session_id``, ``turn_id``, ``correlation_id``, ``lease_epoch``,
``lane``, ``ts_mono_ns`` — and the closed set of event names.

Rules (ADR 0011; invariants 4-6 and 10-14 of the platform design, seeds section 5):

- ``TRC001`` a line that is not one JSON object (bad JSON or UTF-8, longer than
  :data:`LINE_LIMIT` bytes, a duplicate key, NaN); ``TRC002`` an event that breaks the event
  schema. The line is skipped and checking continues.
- ``TRC004`` a trace without any event (checking nothing never passes).
- ``TRC010`` lifecycle: an event not allowed in its turn's state (OPEN -> ACTIVE ->
  (COMMIT | ABORT) -> CLOSE), an event after CLOSE, a turn still open at the end of a trace.
- ``TRC011`` a pre-turn outcome (admit, reject, defer) with a terminal marker.
- ``TRC012`` ``output_accepted`` or ``playback_started`` after ``cancel_accepted`` for its
  scope.
- ``TRC013`` an output accepted with a lease epoch below the session's highest, or a
  ``lease_acquired`` that does not raise the epoch.
- ``TRC014`` an event without a correlation id, or with another one than its turn's.
- ``TRC015`` a closed accepted turn missing a required evidence field.
- ``TRC016`` an event naming another plan hash than the one frozen at turn open.
- ``TRC017`` a stage's p95 above the profile's budget.

Memory is bounded by what is open, never by the number of events: one record per open turn,
per session holding a lease or an open turn, per pending pre-turn candidate, a ring of the
last :data:`CLOSED_RING` closed turns, the set of session ids seen (for the session count),
fixed-size latency histograms, and at most :data:`FINDINGS_PER_CODE` findings per code (the
counts stay exact).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import IO, Any, Final, get_args

import msgspec
import orjson
from msgspec import UNSET

from rspp.core.findings import Finding, Related
from rspp.core.sink import finding
from rspp.model.events import (
    EVENT_NAMES,
    FIELDS,
    NAME_OF,
    Admit,
    CancelAccepted,
    CancelRequested,
    Defer,
    LeaseAcquired,
    LeaseReleased,
    OutputAccepted,
    OutputRejected,
    PlaybackStarted,
    Reject,
    Stage,
    StageMark,
    TraceEvent,
    TurnAbort,
    TurnActive,
    TurnClose,
    TurnCommit,
    TurnOpen,
    convert,
    decoder,
)
from rspp.model.gates import QUANTILES, STAGES

LINE_LIMIT: Final = 1024 * 1024
"""The longest line read, in bytes; a longer one is ``TRC001`` and is skipped without being
held. (An event the strict decoder takes is far shorter: every string field has a maximum
length.)"""

CHUNK: Final = 128 * 1024
"""Bytes read at a time; a run of lines is cut at the last newline. Small enough that the
events decoded from one run (about 700 bytes of objects each, some 600 events) stay in a
core's L2 cache while they are checked and freed: with 1 MiB, they did not, and the checker
was about a quarter slower (ADR 0012)."""

FINDINGS_PER_CODE: Final = 1000
"""Findings kept per code; further ones are counted (:attr:`TraceResult.counts`) only."""

CLOSED_RING: Final = 65_536
"""Closed (or rejected) turns remembered to recognise an event arriving after CLOSE."""

SESSION_RING: Final = 65_536
"""Sessions without open state whose highest lease epoch is remembered (TRC013 across turns
and leases)."""

STAGE_MARKS: Final = get_args(Stage)
"""The ``stage`` values of a ``stage_mark`` event."""

COMMON_FIELDS: Final = ("session_id", "turn_id", "correlation_id", "lease_epoch", "lane",
                        "ts_mono_ns")
"""The fields every event carries (their absence is TRC002, or TRC014 for the correlation
id), so they are never missing evidence."""

DERIVED_EVIDENCE: Final = ("turn_open_ts", "turn_close_ts", "terminal_outcome",
                           "cancel_events")
"""Evidence fields derived from the turn's events rather than carried by one of them."""

# Module constants are Final: compiled (ADR 0012), a Final name is a C static, any other
# global a dictionary lookup at every use; so are the imported names the hot path uses.
_OPEN: Final = 1
_ACTIVE: Final = 2
_COMMIT: Final = 3
_ABORT: Final = 4
_STATE: Final = ("(none)", "OPEN", "ACTIVE", "COMMIT", "ABORT")
_ADMITTED: Final = "admitted"
_DEFERRED: Final = "deferred"
_REJECTED: Final = "rejected"
_CLOSED: Final = "closed"
_GAMMA: Final = 1.02
_LOG_GAMMA: Final = math.log(_GAMMA)
_BUCKETS: Final = 2048
_GZIP_MAGIC: Final = b"\x1f\x8b"
_MAX_NESTING: Final = 64  # levels of a line's JSON (an event is flat; unknown fields may nest)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What every accepted turn must carry: ``fields`` (a replay manifest's
    ``requiredFields``, or the OR-02 baseline) and ``source``, naming where they come from
    (``ReplayEvidenceManifest/or02_baseline@1.1.0``)."""

    fields: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Budgets:
    """p95 budgets of a bundle's profile: ``ms`` maps a stage (:data:`rspp.model.gates.STAGES`)
    to its budget in milliseconds; ``source`` names the profile
    (``ExecutionProfile/simple/v1@1.0.0``)."""

    ms: Mapping[str, int]
    source: str


@dataclass(frozen=True, slots=True)
class TraceSource:
    """One trace to read: ``name`` as shown in findings (a repository-relative POSIX path, or
    ``<stdin>``) and ``stream``, its raw bytes."""

    name: str
    stream: IO[bytes]


@dataclass(frozen=True, slots=True)
class StageStats:
    """Latency of one stage over every turn that reached it, in ms: ``count`` samples,
    p50/p95/p99 (within 1% of the exact nearest-rank value; None without samples), ``max_ms``
    exact, ``budget_ms`` the profile budget or None, ``over`` samples above the budget."""

    stage: str
    count: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    budget_ms: int | None
    over: int


@dataclass(frozen=True, slots=True)
class TraceResult:
    """The outcome of checking one or more traces.

    ``findings``: sorted, at most :data:`FINDINGS_PER_CODE` per code; ``counts``: every
    finding by code, exact; ``lines`` read, ``events`` checked, ``unreadable`` lines
    (``TRC001``/``TRC002``), distinct ``sessions``, ``accepted_turns`` (turns opened),
    ``complete_turns`` (closed with every evidence field), ``closed_turns``; ``stages`` in
    :data:`rspp.model.gates.STAGES` order; ``metrics``: the measured value of every metric of
    :data:`rspp.model.gates.METRICS` (a percentile without samples is absent).
    """

    findings: tuple[Finding, ...]
    counts: Mapping[str, int]
    lines: int
    events: int
    unreadable: int
    sessions: int
    accepted_turns: int
    closed_turns: int
    complete_turns: int
    split_brain_turns: int
    stages: tuple[StageStats, ...]
    evidence: Evidence
    budgets: Budgets | None

    @property
    def failed(self) -> bool:
        """True when any error was found."""
        return any(f.is_error for f in self.findings)

    @property
    def shown(self) -> int:
        """Findings left out of :attr:`findings` (over the per-code cap)."""
        return sum(self.counts.values()) - len(self.findings)

    @property
    def metrics(self) -> Mapping[str, float]:
        """Metric name -> measured value (see :mod:`rspp.model.gates`)."""
        c = self.counts.get
        values: dict[str, float] = {
            "illegal_transitions": c("TRC010", 0),
            "pre_turn_terminal_markers": c("TRC011", 0),
            "cancel_fence_violations": c("TRC012", 0),
            "stale_epoch_outputs": c("TRC013", 0),
            "split_brain_turns": self.split_brain_turns,
            "missing_correlation_ids": c("TRC014", 0),
            "incomplete_turns": c("TRC015", 0),
            "plan_hash_drifts": c("TRC016", 0),
            "baseline_completeness_pct": (
                round(100.0 * self.complete_turns / self.closed_turns, 3)
                if self.closed_turns else 0.0),
            "soak_sessions": self.sessions,
            "accepted_turns": self.accepted_turns,
            "turns_over_budget": next(
                (s.over for s in self.stages if s.stage == "turn_latency"), 0),
        }
        for s in self.stages:
            for q, v in zip(QUANTILES, (s.p50_ms, s.p95_ms, s.p99_ms), strict=True):
                if v is not None:
                    values[f"p{q}_{s.stage}_ms"] = v
        return MappingProxyType(dict(sorted(values.items())))


class _Histogram:
    """Log-bucketed latency samples: bucket ``k`` > 0 counts samples of [1.02^(k-1),
    1.02^k) microseconds, bucket 0 those under 1 us; the last bucket also every larger
    sample (past 10^17 us). ``budget``: the stage's budget in ms, or None."""

    __slots__ = ("buckets", "budget", "n", "over", "slowest", "top")

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.buckets = [0] * _BUCKETS
        self.n = 0
        self.top = -1.0
        self.over = 0
        self.slowest: tuple[str, int, str, str] | None = None

    def quantile(self, q: int, budget: int | None) -> float | None:
        """The ``q``-th percentile (nearest rank), in ms, as an upper bound: the top of its
        bucket (at most 2% above the exact value), never above the exact maximum, and never
        above ``budget`` unless the exact value is (the count of samples over the budget is
        exact), so a percentile is compared with its budget without error either way."""
        if not self.n:
            return None
        rank = max(1, math.ceil(q / 100.0 * self.n))
        seen = 0
        value = self.top
        for key, count in enumerate(self.buckets):
            seen += count
            if seen >= rank:
                value = 0.0 if key == 0 else min(_GAMMA ** key / 1000.0, self.top)
                break
        if budget is not None and self.over <= self.n - rank:
            value = min(value, float(budget))  # the exact rank-th sample is within budget
        return round(value, 3)


# Stages a turn has been sampled for (one sample per turn and stage: a repeated mark must not
# count as more turns); the other stages are sampled at a first event already.
_STT: Final = 1
_TTS: Final = 2
_CANCEL_BIT: Final = MappingProxyType({"turn": 4, "session": 8})


class _Turn:
    __slots__ = ("cancel", "cancel_bad", "commit_ts", "corr", "line", "llm_first",
                 "llm_request", "missing", "open_ts", "plan", "played", "requested",
                 "sampled", "speech_end", "stale", "state", "terminal")

    def __init__(self, line: int, ts: int, plan: object, corr: object, missing: int) -> None:
        self.state = _OPEN
        self.line = line
        self.plan = plan
        self.corr = corr
        self.cancel = 0
        self.missing = missing
        self.terminal: str | None = None
        self.cancel_bad = 0
        self.requested: dict[str, int] = {}
        self.open_ts = ts
        self.speech_end = -1
        self.commit_ts = -1
        self.llm_request = -1
        self.llm_first = -1
        self.played = False
        self.stale = False
        self.sampled = 0


class _Session:
    __slots__ = ("epoch", "leased", "pre", "turns")

    def __init__(self) -> None:
        self.epoch = -1
        self.leased = False
        self.turns: dict[str, _Turn] = {}
        self.pre: dict[str, tuple[str, int]] = {}


class _Checker:
    """The state of one check: sessions, histograms, findings."""

    def __init__(self, evidence: Evidence, budgets: Budgets | None) -> None:
        self.evidence = evidence
        self.budgets = dict(budgets.ms) if budgets is not None else {}
        self.budget_source = budgets
        generic = tuple(f for f in dict.fromkeys(evidence.fields)
                        if f not in DERIVED_EVIDENCE and f not in COMMON_FIELDS)
        self.generic = generic
        self.declared = tuple(f in FIELDS for f in generic)
        self.all_missing = (1 << len(generic)) - 1
        self.wants_terminal = "terminal_outcome" in evidence.fields
        self.wants_cancels = "cancel_events" in evidence.fields
        self.sessions: dict[str, _Session] = {}
        self.seen_sessions: set[int] = set()
        self.closed: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.epochs: OrderedDict[str, int] = OrderedDict()
        self.hist = {stage: _Histogram(self.budgets.get(stage)) for stage in STAGES}
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.extras: Mapping[str, object] = _NO_EXTRAS
        self.path = ""
        self.last = 0
        self.lines = 0
        self.events = 0
        self.unreadable = 0
        self.accepted = 0
        self.closed_turns = 0
        self.complete = 0
        self.split_brain = 0

    # ------------------------------------------------------------------ findings
    def emit(self, code: str, line: int, message: str, related: Iterable[int] = ()) -> None:
        n = self.counts.get(code, 0)
        self.counts[code] = n + 1
        if n < FINDINGS_PER_CODE:
            self.findings.append(finding(
                code, self.path, line, 1, message,
                related=tuple(Related(self.path, r, 1, f"line {r}") for r in related
                              if r and r != line)))

    def _unreadable(self, code: str, number: int, message: str) -> None:
        self.unreadable += 1
        self.emit(code, number, message)

    # ------------------------------------------------------------------ reading
    def feed(self, source: TraceSource) -> None:
        self.path = source.name
        self.closed.clear()
        self.sessions.clear()
        self.epochs.clear()
        self.last = 0
        before = self.events
        try:
            self._read(source.stream)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            self._unreadable("TRC001", self.last + 1, f"the gzip stream is corrupt or ends "
                             f"early after line {self.last} ({_reason(exc)}); the rest of the "
                             "trace is not read")
        if self.events == before:
            self.emit("TRC004", 1, f"{self.last} lines and no event: a trace with no event "
                      "proves nothing")
        self.end_of_trace(self.last)

    def _read(self, stream: IO[bytes]) -> None:
        """Read ``stream`` into one reused buffer, :data:`CHUNK` bytes at a time, and check
        each run of whole lines (up to the last newline) in one piece when it is proved to
        hold one event per line, each written as the compact encoding of its fields (in any
        order): then one C call has parsed and type-checked thousands of events
        (:meth:`_events`). Any other run is read line by line (:meth:`_line`), which finds
        and reports what is wrong.

        The proof, for a run of ``S`` bytes the strict decoder takes as ``N >= 1`` events:

        - an event's source text is at least as long as its compact re-encoding: every
          field present is re-encoded and no other (optional fields default to UNSET,
          unknown fields are refused), and the encoder writes each integer, string and tag
          in its shortest JSON form (RFC 8259 sections 6-7). A duplicate key (the decoder
          keeps the last), whitespace inside the object, or a longer escape makes it longer;
        - re-encoded as one JSON array, the events take ``sum(e_i) + N + 1`` bytes;
          the run takes ``sum(s_i) + W``, ``W`` the bytes between and around the events;
        - equal lengths give ``sum(s_i - e_i) + (W - N) = 0``. With ``N`` occurrences of
          ``}\n``, each outside any event (an event has no nested object, and a JSON
          string holds no raw newline), ``W >= N``, so both terms are 0: every event is
          in its compact form, and the only bytes between events are ``N`` newlines, each
          right after an event's closing brace: one event per line, no empty line.

        Nothing is allocated per run on the fast path: a fresh megabyte per read costs page
        faults that show in the rate."""
        readinto = _reader(stream)
        # Any: msgspec 0.18's stubs type the argument as bytes or str, while every version
        # takes any buffer (a view of the read buffer here)
        decode_lines: Any = decoder().decode_lines
        encode_into = msgspec.json.Encoder().encode_into
        limit = LINE_LIMIT
        buffer = bytearray(limit + CHUNK)
        view = memoryview(buffer)
        again = bytearray()
        base = 0  # lines before the current run
        held = 0  # bytes of an unfinished line kept at the start of the buffer
        skipping = False  # inside a line over the limit, already reported
        try:
            while True:
                got = readinto(view[held:held + CHUNK])
                end = held + got
                if skipping:  # nothing is held
                    if got:
                        rest = buffer.find(b"\n", 0, end) + 1
                        if rest == 0:
                            continue
                        end = _keep(buffer, view, rest, end)
                    base += 1
                    skipping = False
                if not got:
                    if end:  # the last line has no newline
                        base += 1
                        self._line(bytes(view[:end]), base)
                    break
                cut = buffer.rfind(b"\n", 0, end) + 1
                if cut == 0:
                    held = end
                    if held > limit:
                        self._unreadable("TRC001", base + 1, f"line longer than {limit} bytes")
                        held, skipping = 0, True
                    continue
                run = view[:cut]
                try:
                    events = decode_lines(run)
                except (msgspec.DecodeError, UnicodeDecodeError):  # see _line
                    events = None
                if events:  # (no event: the run is blank lines, read one by one)
                    encode_into(events, again)
                    if len(again) == cut + 1 and buffer.count(b"}\n", 0, cut) == len(events):
                        self._events(events, base)
                        base += len(events)
                        held = _keep(buffer, view, cut, end)
                        continue
                lines = bytes(run).split(b"\n")
                for offset, raw in enumerate(lines[:-1], base + 1):
                    self._line(raw, offset)
                base += len(lines) - 1
                held = _keep(buffer, view, cut, end)
        finally:
            self.last = base
            self.lines += base

    def _events(self, events: Sequence[TraceEvent], base: int) -> None:
        """The hot loop (what the 300,000 events/s target of ADR 0011 measures): events the
        strict decoder took, line ``base + 1`` on, everything touched held in locals."""
        sessions = self.sessions
        seen = self.seen_sessions
        emit = self.emit
        may_empty = _MAY_EMPTY
        epochs = self.epochs
        astuple = _ASTUPLE
        for number, event in enumerate(events, base + 1):
            f = astuple(event)
            sid = f[_SID]
            kind = type(event)
            session = sessions.get(sid)
            fresh = session is None
            if session is None:
                session = sessions[sid] = _Session()
                session.epoch = epochs.pop(sid, -1)
                seen.add(hash(sid))
            if not f[_CORR]:
                emit("TRC014", number, f"session {sid} turn {event.turn_id}: "
                     f"{NAME_OF[kind]} carries no correlation id (a non-empty string)")
            _dispatch(self, event, f, kind, session, number)
            epoch = f[_EPOCH]
            if epoch > session.epoch:
                session.epoch = epoch
            if ((fresh or kind in may_empty) and not session.turns and not session.pre
                    and not session.leased):
                del sessions[sid]
                self.forget(sid, session.epoch)
        self.events += len(events)

    def _line(self, raw: bytes, number: int) -> None:
        """One line of a chunk the fast path could not take whole."""
        if len(raw) > LINE_LIMIT:
            self._unreadable("TRC001", number, f"line longer than {LINE_LIMIT} bytes")
            return
        if not raw.strip():
            return
        event: TraceEvent | None
        try:
            event = _DECODE(raw)
        except (msgspec.DecodeError, UnicodeDecodeError):
            # msgspec 0.18 raises UnicodeDecodeError for bytes that are not UTF-8
            # inside a string; the line is then judged by the slow path like any bad line
            event = None
        if event is None or len(raw.rstrip(b"\r")) != len(_ENCODE(event)):
            event = self._slow(raw, number, event)
            if event is None:
                return
        self._events([event], number - 1)
        self.extras = _NO_EXTRAS

    def _slow(self, raw: bytes, number: int, event: TraceEvent | None) -> TraceEvent | None:
        """A line the fast path could not take whole: bad JSON, a duplicate key, unknown
        fields, a schema violation, or only a ``":`` inside a string. Returns the event, with
        its unknown fields in :attr:`extras`, or None after reporting the line."""
        if not raw.strip():
            return None
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self._unreadable("TRC001", number, f"not JSON: {_reason(exc)}")
            return None
        problem = _shape_problem(parsed, raw)
        if problem:
            self._unreadable("TRC001", number, problem)
            return None
        assert isinstance(parsed, dict)
        if event is not None and len(parsed) == len(msgspec.structs.asdict(event)) + 1 - sum(
                v is _UNSET for v in msgspec.structs.astuple(event)):
            return event
        name = parsed.get("event")
        if name not in NAMES:
            self._unreadable("TRC002", number, _event_problem(name))
            return None
        known = {k: v for k, v in parsed.items() if k in FIELDS or k == "event"}
        if not isinstance(known.get("correlation_id", ""), str):
            del known["correlation_id"]  # not a correlation id: TRC014, the event is kept
        try:
            event = convert(known)
        except msgspec.ValidationError as exc:
            self._unreadable("TRC002", number, f"{name}: {_reason(exc)}")
            return None
        self.extras = MappingProxyType({k: v for k, v in parsed.items() if k not in known})
        return event

    # ------------------------------------------------------------------ end
    def end_of_trace(self, last: int) -> None:
        for sid, session in self.sessions.items():
            for tid, turn in session.turns.items():
                self.emit("TRC010", turn.line, f"session {sid} turn {tid}: still "
                          f"{_STATE[turn.state]} at the end of the trace (line {last}); "
                          "an accepted turn ends with turn_close")
        self.sessions.clear()
        self.closed.clear()
        self.epochs.clear()

    def result(self) -> TraceResult:
        stages = []
        for stage in STAGES:
            h = self.hist[stage]
            budget = self.budgets.get(stage)
            stats = StageStats(stage, h.n, h.quantile(50, budget), h.quantile(95, budget),
                               h.quantile(99, budget), round(h.top, 3) if h.n else None,
                               budget, h.over)
            stages.append(stats)
            if budget is not None and stats.p95_ms is not None and stats.p95_ms > budget:
                self._over_budget(stats, h)
        return TraceResult(
            findings=tuple(sorted(self.findings, key=Finding.sort_key)),
            counts=MappingProxyType(dict(sorted(self.counts.items()))),
            lines=self.lines, events=self.events, unreadable=self.unreadable,
            sessions=len(self.seen_sessions), accepted_turns=self.accepted,
            closed_turns=self.closed_turns, complete_turns=self.complete,
            split_brain_turns=self.split_brain, stages=tuple(stages),
            evidence=self.evidence, budgets=self.budget_source)

    def _over_budget(self, stats: StageStats, h: _Histogram) -> None:
        assert h.slowest is not None and self.budget_source is not None
        path, line, sid, tid = h.slowest
        self.path = path
        self.emit("TRC017", line, (
            f"{stats.stage}: p95 {_ms(stats.p95_ms)} is above the budget of "
            f"{stats.budget_ms} ms ({self.budget_source.source}); p50 {_ms(stats.p50_ms)}, "
            f"p99 {_ms(stats.p99_ms)}, {stats.over} of {stats.count} turns over budget; "
            f"slowest: session {sid} turn {tid}, {_ms(stats.max_ms)}"))

    # ------------------------------------------------------------------ helpers
    def sample(self, stage: str, ns: int, line: int, sid: str, tid: str) -> None:
        """Count one latency sample of ``stage``, ``ns`` nanoseconds (a negative one, from
        clocks of two workers, is not a latency and is left out)."""
        if ns < 0:
            return
        h = self.hist[stage]
        ms = ns / 1e6
        key = min(int(math.log(ms * 1000.0) / _LOG_GAMMA) + 1, _BUCKETS - 1) if ms >= 0.001 \
            else 0
        h.buckets[key] += 1
        h.n += 1
        budget = h.budget
        if budget is not None and ms > budget:
            h.over += 1
        if ms > h.top:
            h.top = ms
            h.slowest = (self.path, line, sid, tid)

    def not_open(self, event: TraceEvent, session: _Session, line: int) -> None:
        """An in-turn event for a turn that is not open: say what the turn is instead."""
        sid, tid, name = event.session_id, event.turn_id, NAME_OF[type(event)]
        if not tid:
            self.events -= 1
            self._unreadable("TRC002", line, f"{name} needs a non-empty turn_id")
            return
        was = self.closed.get((sid, tid))
        pre = session.pre.get(tid)
        if was == _CLOSED:
            why = "after turn_close"
        elif was == _REJECTED or (pre is not None and pre[0] == _REJECTED):
            why = "for a rejected candidate (never opened)"
        elif pre is not None:
            why = f"before turn_open (the candidate is {pre[0]})"
        else:
            why = "for a turn never opened"
        self.emit("TRC010", line, f"session {sid} turn {tid}: {name} {why}",
                  (pre[1],) if pre is not None else ())

    def evidence_of(self, turn: _Turn, event: TraceEvent) -> None:
        missing = turn.missing
        bit = 1
        extras = self.extras
        for field, declared in zip(self.generic, self.declared, strict=True):
            if missing & bit and (getattr(event, field) is not _UNSET if declared
                                  else field in extras):
                missing &= ~bit
            bit <<= 1
        turn.missing = missing

    def close(self, event: TraceEvent, session: _Session, turn: _Turn, line: int) -> None:
        sid, tid = event.session_id, event.turn_id
        del session.turns[tid]
        self.remember(sid, tid, _CLOSED)
        self.closed_turns += 1
        if turn.stale:
            self.split_brain += 1
        if not turn.missing and turn.terminal is None and not turn.cancel_bad:
            self.complete += 1
            return
        absent = [f for i, f in enumerate(self.generic) if turn.missing >> i & 1]
        if self.wants_terminal and turn.terminal is not None:
            absent.append(turn.terminal)
        if self.wants_cancels and turn.cancel_bad:
            absent.append(f"cancel_events (cancel_accepted at line {turn.cancel_bad} follows "
                          "no cancel_requested of its scope)")
        if absent:
            self.emit("TRC015", line, f"session {sid} turn {tid}: the accepted turn lacks "
                      f"evidence required by {self.evidence.source}: {', '.join(absent)}",
                      (turn.line,))
        else:
            self.complete += 1

    def forget(self, sid: str, epoch: int) -> None:
        """Drop a session's record but keep its highest lease epoch, in a ring of the last
        :data:`SESSION_RING` sessions: authority only moves forward, also across turns and
        leases."""
        epochs = self.epochs
        epochs[sid] = epoch
        epochs.move_to_end(sid)
        if len(epochs) > SESSION_RING:
            epochs.popitem(last=False)

    def remember(self, sid: str, tid: str, what: str) -> None:
        closed = self.closed
        closed[(sid, tid)] = what
        if len(closed) > CLOSED_RING:
            closed.popitem(last=False)


_NO_EXTRAS: Final[Mapping[str, object]] = MappingProxyType({})
_UNSET: Final = UNSET
# The hot path reads an event's fields from one tuple (``msgspec.structs.astuple``: one C call
# copying the slots) rather than attribute by attribute: compiled, every attribute read of a
# class mypyc does not compile is a generic lookup (ADR 0012). ``Fields`` is that tuple.
Fields = tuple[Any, ...]
_ASTUPLE: Final = msgspec.structs.astuple
_SID: Final = TraceEvent.__struct_fields__.index("session_id")
_TID: Final = TraceEvent.__struct_fields__.index("turn_id")
_EPOCH: Final = TraceEvent.__struct_fields__.index("lease_epoch")
_TS: Final = TraceEvent.__struct_fields__.index("ts_mono_ns")
_CORR: Final = TraceEvent.__struct_fields__.index("correlation_id")
_PLAN: Final = TraceEvent.__struct_fields__.index("plan_hash")
_OUTCOME: Final = TraceEvent.__struct_fields__.index("terminal_outcome")
_STAGE: Final = TraceEvent.__struct_fields__.index("stage")
_STAGE_MARK: Final = StageMark
_OUTPUT_ACCEPTED: Final = OutputAccepted
_PLAYBACK_STARTED: Final = PlaybackStarted
_TURN_OPEN: Final = TurnOpen
_TURN_ACTIVE: Final = TurnActive
_TURN_COMMIT: Final = TurnCommit
_TURN_ABORT: Final = TurnAbort
_TURN_CLOSE: Final = TurnClose
_ADMIT: Final = Admit
_REJECT: Final = Reject
_DEFER: Final = Defer
_CANCEL_REQUESTED: Final = CancelRequested
_CANCEL_ACCEPTED: Final = CancelAccepted
_OUTPUT_REJECTED: Final = OutputRejected
_LEASE_ACQUIRED: Final = LeaseAcquired
_LEASE_RELEASED: Final = LeaseReleased
# The events after which a session may hold nothing (a turn closed, a candidate rejected, a
# lease released, a turn_open refused after its candidate was taken): only then, or when the
# event made the session, is it worth asking whether to drop the session's record.
_MAY_EMPTY: Final = frozenset({TurnClose, Reject, LeaseReleased, TurnOpen})
_DECODE: Final = decoder().decode
_ENCODE: Final = msgspec.json.Encoder().encode
NAMES: Final = frozenset(EVENT_NAMES)


# ---------------------------------------------------------------------- event handlers
def _turn_open(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
               line: int) -> None:
    sid, tid = f[_SID], f[_TID]
    if not tid:
        c.not_open(event, session, line)
        return
    current = session.turns.get(tid)
    if current is not None:
        c.emit("TRC010", line, f"session {sid} turn {tid}: turn_open again (the turn is "
               f"{_STATE[current.state]} since line {current.line})", (current.line,))
        return
    was = c.closed.get((sid, tid))
    pre = session.pre.pop(tid, None)
    if was is not None or (pre is not None and pre[0] != _ADMITTED):
        rejected = was == _REJECTED or (pre is not None and pre[0] == _REJECTED)
        what = ("closed before" if was == _CLOSED else
                "a rejected candidate" if rejected else "deferred and not admitted")
        c.emit("TRC010", line, f"session {sid} turn {tid}: turn_open of a turn {what}",
               (pre[1],) if pre is not None else ())
        return
    c.accepted += 1
    turn = session.turns[tid] = _Turn(line, f[_TS], f[_PLAN], f[_CORR], c.all_missing)
    c.evidence_of(turn, event)


def _in_turn(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
             line: int) -> _Turn | None:
    """The open turn of an in-turn event, after the checks every such event gets."""
    turn = session.turns.get(f[_TID])
    if turn is None:
        c.not_open(event, session, line)
        return None
    if turn.missing:
        c.evidence_of(turn, event)
    plan = f[_PLAN]
    if plan is not _UNSET and plan != turn.plan:
        c.emit("TRC016", line, f"session {event.session_id} turn {event.turn_id}: "
               f"{NAME_OF[type(event)]} names plan {plan}, not the plan frozen at turn open "
               f"({'none' if turn.plan is _UNSET else turn.plan})", (turn.line,))
    corr = f[_CORR]
    if corr != turn.corr and corr:
        c.emit("TRC014", line, f"session {event.session_id} turn {event.turn_id}: "
               f"correlation id {corr!r} differs from the turn's "
               f"{'none' if turn.corr is _UNSET else repr(turn.corr)}", (turn.line,))
    return turn


def _transition(c: _Checker, event: TraceEvent, f: Fields, session: _Session, line: int,
                want: int, to: int) -> None:
    """A lifecycle event moving its turn from state ``want`` to ``to``."""
    if to in (_COMMIT, _ABORT) and _only_candidate(c, f, session):
        _pre_terminal(c, event, session, line)
        return
    turn = _in_turn(c, event, f, session, line)
    if turn is None:
        return
    if turn.state != want:
        c.emit("TRC010", line, f"session {event.session_id} turn {event.turn_id}: "
               f"{NAME_OF[type(event)]} in state {_STATE[turn.state]} (allowed only in "
               f"{_STATE[want]})", (turn.line,))
        if turn.state >= to or turn.state == _ABORT:
            return
        # A forward move that skipped a state: reported once, then followed, so the
        # turn's later events are judged from where the runtime says it is.
    turn.state = to
    if to == _COMMIT:
        turn.commit_ts = f[_TS]
    if to in (_COMMIT, _ABORT):
        outcome = f[_OUTCOME]
        expected = "commit" if to == _COMMIT else "abort"
        turn.terminal = None if outcome == expected else (
            f"terminal_outcome ({NAME_OF[type(event)]} at line {line} carries "
            f"{'none' if outcome is _UNSET else repr(outcome)})")


def _turn_close(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
                line: int) -> None:
    tid = f[_TID]
    if _only_candidate(c, f, session):
        _pre_terminal(c, event, session, line)
        return
    turn = _in_turn(c, event, f, session, line)
    if turn is None:
        return
    if turn.state not in (_COMMIT, _ABORT):
        c.emit("TRC010", line, f"session {event.session_id} turn {tid}: turn_close in state "
               f"{_STATE[turn.state]} (allowed only after COMMIT or ABORT)", (turn.line,))
        turn.terminal = None  # reported here: the turn had no terminal event at all
    c.close(event, session, turn, line)


def _only_candidate(c: _Checker, f: Fields, session: _Session) -> bool:
    """Whether the event's turn is only a pre-turn candidate: admitted or deferred and not
    opened (pending), or rejected (remembered in the ring), never an open turn."""
    tid = f[_TID]
    return bool(tid) and tid not in session.turns and (
        tid in session.pre or c.closed.get((f[_SID], tid)) == _REJECTED)


def _pre_terminal(c: _Checker, event: TraceEvent, session: _Session, line: int) -> None:
    sid, tid = event.session_id, event.turn_id
    pre = session.pre.get(tid)
    what = pre[0] if pre is not None else _REJECTED
    c.emit("TRC011", line, f"session {sid} turn {tid}: {NAME_OF[type(event)]} is a turn "
           f"terminal marker for a candidate that was only {what} (a pre-turn outcome never "
           "ends a turn)", (pre[1],) if pre is not None else ())


_PRE_MOVES: Final = MappingProxyType({
    None: frozenset({"admit", "reject", "defer"}),
    _DEFERRED: frozenset({"admit", "reject", "defer"}),
})
_PRE_STATE: Final = MappingProxyType({"admit": _ADMITTED, "reject": _REJECTED,
                                      "defer": _DEFERRED})


def _pre_turn(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
              line: int) -> None:
    sid, tid, name = f[_SID], f[_TID], NAME_OF[type(event)]
    if not tid:
        c.not_open(event, session, line)
        return
    if f[_OUTCOME] is not _UNSET:
        # Reported, and the outcome itself still taken: the candidate's later events are
        # judged as the runtime treats them.
        c.emit("TRC011", line, f"session {sid} turn {tid}: {name} carries terminal_outcome "
               f"{event.terminal_outcome!r}; admit, reject and defer are pre-turn outcomes "
               "and never emit turn terminal markers")
    if tid in session.turns:
        c.emit("TRC010", line, f"session {sid} turn {tid}: {name} for a turn already open "
               f"(line {session.turns[tid].line})", (session.turns[tid].line,))
        return
    pre = session.pre.get(tid)
    state = pre[0] if pre is not None else c.closed.get((sid, tid))
    if name not in _PRE_MOVES.get(state, frozenset()):
        c.emit("TRC010", line, f"session {sid} turn {tid}: {name} after the candidate was "
               f"{state}", (pre[1],) if pre is not None else ())
        return
    new = _PRE_STATE[name]
    if new == _REJECTED:
        session.pre.pop(tid, None)
        c.remember(sid, tid, _REJECTED)
    else:
        session.pre[tid] = (new, line)


def _missing(c: _Checker, event: TraceEvent, line: int, field: str, allowed: str) -> bool:
    """Whether ``event`` lacks ``field`` (then reported as TRC002)."""
    if getattr(event, field) is not _UNSET:
        return False
    c.events -= 1
    c._unreadable("TRC002", line, f"{NAME_OF[type(event)]} needs a {field} ({allowed})")
    return True


def _cancel_requested(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
                      line: int) -> None:
    if _missing(c, event, line, "scope", "turn or session"):
        return
    turn = _in_turn(c, event, f, session, line)
    if turn is not None:
        turn.requested.setdefault(str(event.scope), event.ts_mono_ns)


def _cancel_accepted(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
                     line: int) -> None:
    if _missing(c, event, line, "scope", "turn or session"):
        return
    turn = _in_turn(c, event, f, session, line)
    if turn is None:
        return
    scope = str(event.scope)
    asked = turn.requested.get(scope)
    if asked is None:
        if not turn.cancel_bad:
            turn.cancel_bad = line
    elif not turn.sampled & _CANCEL_BIT[scope]:
        turn.sampled |= _CANCEL_BIT[scope]
        c.sample("cancel_accept", event.ts_mono_ns - asked, turn.line, event.session_id,
                 event.turn_id)
    if scope == "turn":
        if not turn.cancel:
            turn.cancel = line
    else:
        for other in session.turns.values():
            if not other.cancel:
                other.cancel = line


def _output(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
            line: int) -> None:
    turn = _in_turn(c, event, f, session, line)
    if turn is None:
        return
    if turn.cancel:
        c.emit("TRC012", line, f"session {event.session_id} turn {event.turn_id}: "
               f"{NAME_OF[type(event)]} after cancel_accepted at line {turn.cancel}; no output "
               "may follow an accepted cancel in its scope", (turn.cancel,))
    elif turn.state == _ABORT:
        c.emit("TRC010", line, f"session {event.session_id} turn {event.turn_id}: "
               f"{NAME_OF[type(event)]} after turn_abort", (turn.line,))
    epoch = f[_EPOCH]
    if epoch < session.epoch:
        turn.stale = True
        c.emit("TRC013", line, f"session {event.session_id} turn {event.turn_id}: "
               f"{NAME_OF[type(event)]} accepted with lease epoch {epoch}, below the session's "
               f"epoch {session.epoch}; a stale holder's output must be rejected")
    if not turn.played and type(event) is _PLAYBACK_STARTED:
        turn.played = True
        ts = f[_TS]
        sid, tid = f[_SID], f[_TID]
        start = turn.speech_end if turn.speech_end >= 0 else turn.open_ts
        c.sample("turn_latency", ts - start, turn.line, sid, tid)
        if turn.commit_ts >= 0:
            c.sample("first_audio", ts - turn.commit_ts, turn.line, sid, tid)


def _stage_mark(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
                line: int) -> None:
    if f[_STAGE] is _UNSET:
        _missing(c, event, line, "stage", ", ".join(STAGE_MARKS))
        return
    turn = _in_turn(c, event, f, session, line)
    if turn is None:
        return
    stage, ts = f[_STAGE], f[_TS]
    if stage == "speech_end":
        if turn.speech_end < 0:
            turn.speech_end = ts
    elif stage == "llm_request":
        if turn.llm_request < 0:
            turn.llm_request = ts
    elif stage == "llm_first_token":
        if turn.llm_first < 0:
            turn.llm_first = ts
            if turn.llm_request >= 0:
                c.sample("first_token", ts - turn.llm_request, turn.line, event.session_id,
                         event.turn_id)
    elif stage == "stt_final":
        if turn.speech_end >= 0 and not turn.sampled & _STT:
            turn.sampled |= _STT
            c.sample("stt_final", ts - turn.speech_end, turn.line, event.session_id,
                     event.turn_id)
    elif turn.llm_first >= 0 and not turn.sampled & _TTS:  # tts_first_byte
        turn.sampled |= _TTS
        c.sample("tts_first_byte", ts - turn.llm_first, turn.line, event.session_id,
                 event.turn_id)


def _lease_acquired(c: _Checker, event: TraceEvent, f: Fields, session: _Session,
                    line: int) -> None:
    epoch = f[_EPOCH]
    if epoch <= session.epoch:
        c.emit("TRC013", line, f"session {event.session_id}: lease_acquired with epoch "
               f"{epoch}, not above the session's epoch {session.epoch}; a lease handover "
               "raises the epoch")
    session.leased = True


def _dispatch(c: _Checker, event: TraceEvent, f: Fields, kind: type, session: _Session,
              line: int) -> None:
    """Call the handler of ``kind`` (the most frequent kinds first; a chain of identity tests
    rather than a table, so that compiled code calls each handler directly)."""
    if kind is _STAGE_MARK:
        _stage_mark(c, event, f, session, line)
    elif kind is _OUTPUT_ACCEPTED or kind is _PLAYBACK_STARTED:
        _output(c, event, f, session, line)
    elif kind is _TURN_OPEN:
        _turn_open(c, event, f, session, line)
    elif kind is _TURN_ACTIVE:
        _transition(c, event, f, session, line, _OPEN, _ACTIVE)
    elif kind is _TURN_COMMIT:
        _transition(c, event, f, session, line, _ACTIVE, _COMMIT)
    elif kind is _TURN_CLOSE:
        _turn_close(c, event, f, session, line)
    elif kind is _ADMIT or kind is _REJECT or kind is _DEFER:
        _pre_turn(c, event, f, session, line)
    elif kind is _TURN_ABORT:
        _transition(c, event, f, session, line, _ACTIVE, _ABORT)
    elif kind is _CANCEL_REQUESTED:
        _cancel_requested(c, event, f, session, line)
    elif kind is _CANCEL_ACCEPTED:
        _cancel_accepted(c, event, f, session, line)
    elif kind is _OUTPUT_REJECTED:
        _in_turn(c, event, f, session, line)
    elif kind is _LEASE_ACQUIRED:
        _lease_acquired(c, event, f, session, line)
    else:
        assert kind is _LEASE_RELEASED, kind
        session.leased = False


# ---------------------------------------------------------------------- structure
def _event_problem(name: object) -> str:
    if name is None:
        return "the event has no 'event' field"
    shown = json.dumps(name)[:60] if isinstance(name, str) else type(name).__name__
    return f"unknown event {shown} (known: {', '.join(EVENT_NAMES)})"


def _shape_problem(event: object, raw: bytes) -> str:
    """Why a line that parsed is still malformed (not an object, a duplicate key at any
    depth), or ""."""
    if type(event) is not dict:
        return "not a JSON object"
    if _deeper_than(event, _MAX_NESTING):
        # before the recursive parse below, which a deep enough line would exhaust
        return f"nesting deeper than {_MAX_NESTING} levels"
    dupes: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            dupes.append(next(k for k in keys if keys.count(k) > 1))
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return f"duplicate key {dupes[0]!r:.60}" if dupes else ""


def _deeper_than(value: object, limit: int) -> bool:
    """Whether ``value`` nests mappings and lists more than ``limit`` levels deep (the value
    itself is level 1); iterative, so any depth is measured without recursion."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} ms"


def _keep(buffer: bytearray, view: memoryview, start: int, end: int) -> int:
    """Move ``buffer[start:end]`` (an unfinished line) to the start of ``buffer``, whose size
    does not change (``view`` is exported); returns its length."""
    kept = end - start
    if kept:
        buffer[:kept] = view[start:end].tobytes()
    return kept


def _reader(stream: IO[bytes]) -> Callable[[memoryview], int]:
    """``readinto(view)`` of ``stream`` (the number of bytes read into ``view``, 0 at the
    end), decompressing it when it starts with the gzip magic bytes (RFC 1952 section
    2.3.1), whatever its name."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(
        _Raw(stream))
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return _Gunzip(buffered).readinto
    return buffered.readinto


class _Gunzip:
    """Reads a gzip stream in pieces, so the events before a corrupt or truncated part are
    returned (and checked) and the error is raised on the next read, after them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._file = gzip.GzipFile(fileobj=raw, mode="rb")
        self._error: Exception | None = None

    def read(self, size: int) -> bytes:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        parts: list[bytes] = []
        got = 0
        while got < size:
            try:
                piece = self._file.read1(size - got)
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                if not parts:
                    raise
                self._error = exc
                break
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
        return b"".join(parts)

    def readinto(self, view: memoryview) -> int:
        data = self.read(len(view))
        view[:len(data)] = data
        return len(data)


class _Raw(io.RawIOBase):
    """A raw reader over any binary stream, so it can be buffered (and peeked)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def check_traces(sources: Iterable[TraceSource], *, evidence: Evidence,
                 budgets: Budgets | None = None) -> TraceResult:
    """Check each trace of ``sources`` in turn; every trace is a recording of its own (turns
    open at its end are findings; no state carries over), while the counts, the sessions and
    the latency histograms add up over all of them.

    Raises OSError or gzip.BadGzipFile (EOFError for a truncated gzip stream) when a stream
    cannot be read; the commands turn those into one-line errors. A trace's findings carry its
    ``name``, the line (1-based) and column 1.
    """
    checker = _Checker(evidence, budgets)
    for source in sources:
        checker.feed(source)
    return checker.result()
