"""The trace checker against a reference runtime (tests/replay/runtime.py): every trace a
correct runtime writes passes, and every single mutation that breaks an invariant of ADR 0011
("Settled while building") is caught with the rule's code; a mutation that breaks nothing
keeps the trace clean.

A mutation is a function ``(trace, pick) -> Mutant | None``: ``pick`` (drawn) chooses the
place among those the trace offers; None when it offers none. ``Mutant.exact`` says the spec
makes the expected code the only one the mutated trace may raise.
"""

from __future__ import annotations

import copy
import io
import json
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from rspp.conform.trace import Budgets, Evidence, TraceResult, TraceSource, check_traces
from rspp.model.gates import STAGE_BUDGETS
from tests.replay.runtime import BUDGETS_MS, REQUIRED, Event, traces

_SETTINGS = settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.filter_too_much,
                                            HealthCheck.too_slow])
EXTRA = ("asr_model", "voice_id")  # evidence a stricter manifest may require
_OUTPUTS = ("output_accepted", "playback_started")
_PICK = st.integers(0, 2**16)
_T = TypeVar("_T")


def check(events: Sequence[Event], required: Sequence[str] = REQUIRED,
          budgets: Budgets | None = None) -> TraceResult:
    """Check ``events`` written as JSON Lines to ``gen.jsonl``."""
    data = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    return check_traces([TraceSource(name="gen.jsonl", stream=io.BytesIO(data))],
                        evidence=Evidence(tuple(required), "reference runtime"),
                        budgets=budgets)


def codes(result: TraceResult) -> set[str]:
    return {f.code for f in result.findings}


def shown(result: TraceResult) -> list[str]:
    return [f"{f.code} line {f.line}: {f.message}" for f in result.findings]


# --- the places a mutation can go ----------------------------------------------------------

class Mutant(NamedTuple):
    events: list[Event]
    code: str
    exact: bool = True


Mutation = Callable[[list[Event], int], Mutant | None]


def _key(e: Event) -> tuple[str, str]:
    return e["session_id"], e["turn_id"]


def _where(trace: Sequence[Event], name: str, **fields: Any) -> list[int]:
    return [i for i, e in enumerate(trace)
            if e["event"] == name and all(e.get(k) == v for k, v in fields.items())]


def _of_turn(trace: Sequence[Event], key: tuple[str, str]) -> list[int]:
    """Indexes of the accepted turn's events, turn_open to turn_close."""
    opened = next(i for i in _where(trace, "turn_open") if _key(trace[i]) == key)
    return [i for i, e in enumerate(trace) if i >= opened and _key(e) == key]


def _choose(places: Sequence[_T], pick: int) -> _T | None:
    return places[pick % len(places)] if places else None


def _epoch_raised(trace: Sequence[Event], sid: str, lo: int, hi: int) -> bool:
    """True when a lease_acquired of session ``sid`` lies in trace[lo:hi]."""
    return any(e["event"] == "lease_acquired" and e["session_id"] == sid
               for e in trace[lo:hi])


def _move(trace: list[Event], i: int, j: int) -> list[Event]:
    """Event ``i`` moved to just after event ``j`` (j > i) or just before it (j < i), taking
    the timestamp of its new neighbour so ``ts_mono_ns`` still never decreases."""
    out = copy.deepcopy(trace)
    event = out.pop(i)
    if j > i:
        event["ts_mono_ns"] = out[j - 1]["ts_mono_ns"]
        out.insert(j, event)
    else:
        event["ts_mono_ns"] = out[j]["ts_mono_ns"]
        out.insert(j, event)
    return out


def _insert_copy(trace: list[Event], i: int, at: int) -> list[Event]:
    """A copy of event ``i`` inserted before position ``at`` (at > i), re-stamped."""
    out = copy.deepcopy(trace)
    dup = copy.deepcopy(out[i])
    dup["ts_mono_ns"] = out[at - 1]["ts_mono_ns"]
    out.insert(at, dup)
    return out


def _drop(trace: list[Event], i: int) -> list[Event]:
    return [copy.deepcopy(e) for k, e in enumerate(trace) if k != i]


def _edit(trace: list[Event], i: int, **changes: Any) -> list[Event]:
    out = copy.deepcopy(trace)
    for name, value in changes.items():
        if value is _REMOVE:
            del out[i][name]
        else:
            out[i][name] = value
    return out


_REMOVE = object()


# --- mutations that break an invariant ------------------------------------------------------

def _sole_evidence(event: Event) -> bool:
    """Whether ``event`` carries a stricter manifest's field (placed on one event only): then
    dropping it also drops that evidence (TRC015 besides)."""
    return any(name in event for name in EXTRA)


def drop_turn_active(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(_where(trace, "turn_active"), pick)
    return None if i is None else Mutant(_drop(trace, i), "TRC010",
                                         exact=not _sole_evidence(trace[i]))


def drop_turn_close(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(_where(trace, "turn_close"), pick)
    return None if i is None else Mutant(_drop(trace, i), "TRC010")


def drop_cancel_requested(trace: list[Event], pick: int) -> Mutant | None:
    places = [i for i in _where(trace, "cancel_requested")
              if any(_key(trace[j]) == _key(trace[i]) and trace[j]["scope"] == trace[i]["scope"]
                     for j in _where(trace, "cancel_accepted") if j > i)]
    i = _choose(places, pick)
    return None if i is None else Mutant(_drop(trace, i), "TRC015")  # TRC015 either way


def playback_after_cancel(trace: list[Event], pick: int) -> Mutant | None:
    """A playback_started (or output_accepted) of a turn moved after its cancel_accepted."""
    places = []
    for j in _where(trace, "cancel_accepted"):
        for i in range(j):
            e = trace[i]
            if e["event"] in _OUTPUTS and _key(e) == _key(trace[j]) and \
                    not _epoch_raised(trace, e["session_id"], i, j):
                places.append((i, j))
    place = _choose(places, pick)
    return None if place is None else Mutant(_move(trace, *place), "TRC012")


def commit_before_active(trace: list[Event], pick: int) -> Mutant | None:
    places = []
    for j in _where(trace, "turn_commit"):
        i = next(k for k in _where(trace, "turn_active") if _key(trace[k]) == _key(trace[j]))
        if not _epoch_raised(trace, trace[j]["session_id"], i, j):
            places.append((j, i))
    place = _choose(places, pick)
    return None if place is None else Mutant(_move(trace, *place), "TRC010")


def duplicate_turn_open(trace: list[Event], pick: int) -> Mutant | None:
    places = [(i, at) for i in _where(trace, "turn_open") for at in range(i + 1, len(trace) + 1)]
    place = _choose(places, pick)
    return None if place is None else Mutant(_insert_copy(trace, *place), "TRC010")


def duplicate_turn_close(trace: list[Event], pick: int) -> Mutant | None:
    places = [(i, at) for i in _where(trace, "turn_close")
              for at in range(i + 1, len(trace) + 1)]
    place = _choose(places, pick)
    return None if place is None else Mutant(_insert_copy(trace, *place), "TRC010")


def lower_output_epoch(trace: list[Event], pick: int) -> Mutant | None:
    """An accepted output's lease_epoch below the highest its session has seen."""
    places = []
    for i, e in enumerate(trace):
        if e["event"] in _OUTPUTS:
            top = max(x["lease_epoch"] for x in trace[:i + 1]
                      if x["session_id"] == e["session_id"])
            places += [(i, epoch) for epoch in range(top)]
    place = _choose(places, pick)
    return None if place is None else Mutant(_edit(trace, place[0], lease_epoch=place[1]),
                                             "TRC013")


def lease_not_raised(trace: list[Event], pick: int) -> Mutant | None:
    """A handover's lease_acquired that does not raise the session's epoch."""
    places = []
    for i in _where(trace, "lease_acquired"):
        sid = trace[i]["session_id"]
        before = [x["lease_epoch"] for x in trace[:i] if x["session_id"] == sid]
        if before:
            places += [(i, epoch) for epoch in range(max(before) + 1)]
    place = _choose(places, pick)
    return None if place is None else Mutant(_edit(trace, place[0], lease_epoch=place[1]),
                                             "TRC013")


def turn_scope_to_session(trace: list[Event], pick: int) -> Mutant | None:
    """A turn-scope cancel (requested and accepted) made session-scope while another turn of
    the session is open and outputs after it."""
    places = []
    for j in _where(trace, "cancel_accepted", scope="turn"):
        sid, tid = _key(trace[j])
        i = max(k for k in _where(trace, "cancel_requested", scope="turn")
                if k < j and _key(trace[k]) == (sid, tid))
        for o in _where(trace, "turn_open", session_id=sid):
            other = _of_turn(trace, _key(trace[o]))
            if o < j and trace[other[-1]]["event"] == "turn_close" and other[-1] > j and \
                    _key(trace[o]) != (sid, tid) and \
                    any(trace[k]["event"] in _OUTPUTS for k in other if k > j):
                places.append((i, j))
                break
    place = _choose(places, pick)
    if place is None:
        return None
    out = _edit(trace, place[0], scope="session")
    return Mutant(_edit(out, place[1], scope="session"), "TRC012")


def cancel_scope_mismatch(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(_where(trace, "cancel_requested"), pick)
    if i is None:
        return None
    flipped = "session" if trace[i]["scope"] == "turn" else "turn"
    return Mutant(_edit(trace, i, scope=flipped), "TRC015")


def remove_correlation_id(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(range(len(trace)), pick)
    return None if i is None else Mutant(_edit(trace, i, correlation_id=_REMOVE), "TRC014")


def other_correlation_id(trace: list[Event], pick: int) -> Mutant | None:
    places = [i for i, e in enumerate(trace) if e["event"] not in (
        "turn_open", "admit", "defer", "reject", "lease_acquired", "lease_released")]
    i = _choose(places, pick)
    return None if i is None else Mutant(_edit(trace, i, correlation_id="corr-elsewhere"),
                                         "TRC014")


def remove_evidence(trace: list[Event], pick: int) -> Mutant | None:
    """A required evidence field removed from the only event of its turn carrying it."""
    places = []
    for o in _where(trace, "turn_open"):
        turn = _of_turn(trace, _key(trace[o]))
        for name in (*REQUIRED, *EXTRA):
            carriers = [i for i in turn if name in trace[i]]
            if len(carriers) == 1 and name not in ("session_id", "turn_id", "lease_epoch",
                                                   "lane", "correlation_id"):
                places.append((carriers[0], name))
    place = _choose(places, pick)
    return None if place is None else Mutant(_edit(trace, place[0], **{place[1]: _REMOVE}),
                                             "TRC015")


def remove_terminal_outcome(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(_where(trace, "turn_commit") + _where(trace, "turn_abort"), pick)
    return None if i is None else Mutant(_edit(trace, i, terminal_outcome=_REMOVE), "TRC015")


def wrong_terminal_outcome(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(_where(trace, "turn_commit") + _where(trace, "turn_abort"), pick)
    if i is None:
        return None
    other = "abort" if trace[i]["terminal_outcome"] == "commit" else "commit"
    return Mutant(_edit(trace, i, terminal_outcome=other), "TRC015")


def plan_hash_drift(trace: list[Event], pick: int) -> Mutant | None:
    places = [i for o in _where(trace, "turn_open") for i in _of_turn(trace, _key(trace[o]))
              if i != o]
    i = _choose(places, pick)
    return None if i is None else Mutant(_edit(trace, i, plan_hash="sha256:" + "f" * 64),
                                         "TRC016")


def pre_turn_terminal_outcome(trace: list[Event], pick: int) -> Mutant | None:
    """terminal_outcome added to an admit, reject or defer: reported, and the outcome still
    taken (see test_admit_with_marker_still_admits)."""
    places = _where(trace, "admit") + _where(trace, "reject") + _where(trace, "defer")
    i = _choose(places, pick)
    if i is None:
        return None
    return Mutant(_edit(trace, i, terminal_outcome="commit"), "TRC011")


def terminal_for_candidate(trace: list[Event], pick: int) -> Mutant | None:
    """A turn_commit, turn_abort or turn_close for a candidate only deferred or rejected:
    inserted right after its defer or reject."""
    places = [(i, name) for i in _where(trace, "reject") + _where(trace, "defer")
              for name in ("turn_commit", "turn_abort", "turn_close")]
    place = _choose(places, pick)
    if place is None:
        return None
    i, name = place
    out = copy.deepcopy(trace)
    marker = {k: out[i][k] for k in ("session_id", "turn_id", "correlation_id", "lease_epoch",
                                     "lane", "ts_mono_ns")}
    marker["event"] = name
    if name != "turn_close":
        marker["terminal_outcome"] = name.removeprefix("turn_")
    out.insert(i + 1, marker)
    return Mutant(out, "TRC011")


def output_after_abort(trace: list[Event], pick: int) -> Mutant | None:
    """An output of a turn that aborted without a cancel (provider errors), moved after its
    turn_abort. (After a cancel see test_output_after_cancel_and_abort.)"""
    places = []
    for j in _where(trace, "turn_abort"):
        turn = _of_turn(trace, _key(trace[j]))
        if any(trace[k]["event"] == "cancel_accepted" for k in turn):
            continue
        sid = trace[j]["session_id"]
        fenced = any(e["event"] == "cancel_accepted" and e["scope"] == "session"
                     and e["session_id"] == sid for e in trace[turn[0]:j])
        places += [(i, j) for i in turn if i < j and trace[i]["event"] in _OUTPUTS
                   and not fenced and not _epoch_raised(trace, sid, i, j)]
    place = _choose(places, pick)
    return None if place is None else Mutant(_move(trace, *place), "TRC010")


def remove_common_field(trace: list[Event], pick: int) -> Mutant | None:
    """A common field other than correlation_id removed: a schema error, and the line is
    skipped, so what follows may break the lifecycle too (not exact)."""
    places = [(i, name) for i, e in enumerate(trace)
              for name in ("session_id", "turn_id", "lease_epoch", "lane", "ts_mono_ns")]
    place = _choose(places, pick)
    return None if place is None else Mutant(_edit(trace, place[0], **{place[1]: _REMOVE}),
                                             "TRC002", exact=False)


BREAKING: tuple[Mutation, ...] = (
    drop_turn_active, drop_turn_close, drop_cancel_requested, playback_after_cancel,
    commit_before_active, duplicate_turn_open, duplicate_turn_close, lower_output_epoch,
    lease_not_raised, turn_scope_to_session, cancel_scope_mismatch, remove_correlation_id,
    other_correlation_id, remove_evidence, remove_terminal_outcome, wrong_terminal_outcome,
    plan_hash_drift, pre_turn_terminal_outcome, terminal_for_candidate, output_after_abort,
    remove_common_field,
)


# --- mutations that break nothing ---------------------------------------------------------

def new_provider_request_id(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose([i for i, e in enumerate(trace) if "provider_request_id" in e], pick)
    return None if i is None else Mutant(_edit(trace, i, provider_request_id=f"other-{pick}"),
                                         "")


def unknown_optional_field(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose(range(len(trace)), pick)
    return None if i is None else Mutant(_edit(trace, i, x_debug_note={"pick": pick}), "")


def other_reason(trace: list[Event], pick: int) -> Mutant | None:
    i = _choose([i for i, e in enumerate(trace) if "reason" in e], pick)
    return None if i is None else Mutant(_edit(trace, i, reason="because"), "")


def shifted_clock(trace: list[Event], pick: int) -> Mutant | None:
    out = copy.deepcopy(trace)
    for e in out:
        e["ts_mono_ns"] += pick * 1_000_003
    return Mutant(out, "")


def repeated_plan_hash(trace: list[Event], pick: int) -> Mutant | None:
    """The frozen plan hash repeated on one more event of its turn."""
    places = [(i, trace[o]["plan_hash"]) for o in _where(trace, "turn_open")
              for i in _of_turn(trace, _key(trace[o]))]
    place = _choose(places, pick)
    return None if place is None else Mutant(_edit(trace, place[0], plan_hash=place[1]), "")


HARMLESS: tuple[Mutation, ...] = (new_provider_request_id, unknown_optional_field,
                                  other_reason, shifted_clock, repeated_plan_hash)


# --- the properties -----------------------------------------------------------------------

@pytest.mark.slow
@settings(_SETTINGS, max_examples=100)
@given(trace=traces())
def test_generated_traces_pass(trace: list[Event]) -> None:
    result = check(trace, budgets=Budgets(BUDGETS_MS, "reference runtime budgets"))
    assert shown(result) == []
    opened = len(_where(trace, "turn_open"))
    assert (result.events, result.unreadable) == (len(trace), 0)
    assert result.accepted_turns == result.closed_turns == result.complete_turns == opened
    assert result.sessions == len({e["session_id"] for e in trace})
    assert result.metrics["baseline_completeness_pct"] == (100.0 if opened else 0.0)


@pytest.mark.slow
@settings(_SETTINGS, max_examples=30)
@given(trace=traces(required=(*REQUIRED, *EXTRA)))
def test_stricter_manifest_passes_when_its_fields_are_carried(trace: list[Event]) -> None:
    assert shown(check(trace, required=(*REQUIRED, *EXTRA))) == []
    opened = _where(trace, "turn_open")
    if opened:  # the checker does look for them: without the extra fields every turn fails
        result = check(traces_without(trace, EXTRA), required=(*REQUIRED, *EXTRA))
        assert result.counts.get("TRC015") == len(opened)


def traces_without(trace: list[Event], names: Sequence[str]) -> list[Event]:
    return [{k: v for k, v in e.items() if k not in names} for e in trace]


@pytest.mark.slow
@pytest.mark.parametrize("mutation", BREAKING, ids=lambda m: m.__name__)
@_SETTINGS
@given(trace=traces(required=(*REQUIRED, *EXTRA)), pick=_PICK)
def test_breaking_mutation_is_caught(mutation: Mutation, trace: list[Event],
                                     pick: int) -> None:
    mutant = mutation(trace, pick)
    assume(mutant is not None)
    assert mutant is not None
    result = check(mutant.events, required=(*REQUIRED, *EXTRA))
    note("\n".join(json.dumps(e) for e in mutant.events))
    found = codes(result)
    assert mutant.code in found, shown(result)
    if mutant.exact:
        assert found == {mutant.code}, shown(result)


@pytest.mark.slow
@pytest.mark.parametrize("mutation", HARMLESS, ids=lambda m: m.__name__)
@settings(_SETTINGS, max_examples=25)
@given(trace=traces(), pick=_PICK)
def test_harmless_mutation_stays_clean(mutation: Mutation, trace: list[Event],
                                       pick: int) -> None:
    mutant = mutation(trace, pick)
    assume(mutant is not None)
    assert mutant is not None
    assert shown(check(mutant.events)) == []


# --- latency: the stages of ADR 0011, measured here from the trace, against TRC017 ---------

def stage_samples(trace: Sequence[Event]) -> dict[str, list[float]]:
    """Stage -> per-turn durations in ms, as ADR 0011 defines them ("Turn stages"); each
    stage mark appears at most once per turn in a generated trace."""
    samples: dict[str, list[float]] = {stage: [] for stage in STAGE_BUDGETS}
    for o in _where(trace, "turn_open"):
        at: dict[str, int] = {"turn_open": trace[o]["ts_mono_ns"]}
        for i in _of_turn(trace, _key(trace[o])):
            e = trace[i]
            name = e["stage"] if e["event"] == "stage_mark" else e["event"]
            at.setdefault(name, e["ts_mono_ns"])
        spans = {"turn_latency": ("speech_end" if "speech_end" in at else "turn_open",
                                  "playback_started"),
                 "first_audio": ("turn_commit", "playback_started"),
                 "stt_final": ("speech_end", "stt_final"),
                 "first_token": ("llm_request", "llm_first_token"),
                 "tts_first_byte": ("llm_first_token", "tts_first_byte")}
        for stage, (start, end) in spans.items():
            if start in at and end in at and at[end] >= at[start]:
                samples[stage].append((at[end] - at[start]) / 1e6)
    return samples


def _p95(values: list[float]) -> float:
    return sorted(values)[math.ceil(0.95 * len(values)) - 1]  # nearest rank


@pytest.mark.slow
@settings(_SETTINGS, max_examples=40)
@given(trace=traces(), stage=st.sampled_from(sorted(STAGE_BUDGETS)))
def test_latency_budget(trace: list[Event], stage: str) -> None:
    samples = stage_samples(trace)[stage]
    assume(samples and _p95(samples) >= 1.0)
    quiet = check(trace, budgets=Budgets({stage: math.ceil(max(samples)) + 1}, "roomy"))
    assert shown(quiet) == []
    stats = next(s for s in quiet.stages if s.stage == stage)
    assert (stats.count, stats.max_ms) == (len(samples), round(max(samples), 3))
    assert stats.p95_ms == pytest.approx(_p95(samples), rel=0.011)
    tight = check(trace, budgets=Budgets({stage: int(_p95(samples) * 0.95)}, "tight"))
    assert codes(tight) == {"TRC017"}, shown(tight)
    assert [f.message.split(":")[0] for f in tight.findings] == [stage]


# --- where the checker and ADR 0011 disagree (minimal traces) ------------------------------

def minimal(*events: tuple[str, dict[str, Any]]) -> list[Event]:
    """Session ``s``, lease epoch 1, one event per ms; turn ``t1`` unless a turn_id is given
    (``""`` for session events)."""
    return [{"event": name, "session_id": "s", "turn_id": extra.pop("turn_id", "t1"),
             "correlation_id": "c1", "lease_epoch": 1, "lane": "control",
             "ts_mono_ns": n * 1_000_000, **extra}
            for n, (name, extra) in enumerate(copy.deepcopy(events))]


_LEASE = ("lease_acquired", {"turn_id": "", "worker": "w0"})
_RELEASE = ("lease_released", {"turn_id": "", "worker": "w0"})
_OPEN = ("turn_open", {"bundle_ref": "b@1.0.0", "plan_hash": "sha256:" + "a" * 64,
                       "routing_snapshot_ref": "r"})
_ACTIVE: tuple[str, dict[str, Any]] = ("turn_active", {})
_ABORT = ("turn_abort", {"terminal_outcome": "abort", "reason": "cancelled"})
_CLOSE: tuple[str, dict[str, Any]] = ("turn_close", {})
_CANCEL = (("cancel_requested", {"scope": "turn"}), ("cancel_accepted", {"scope": "turn"}))


def test_minimal_aborted_turn_is_clean() -> None:
    assert shown(check(minimal(_LEASE, _OPEN, _ACTIVE, *_CANCEL, _ABORT,
                               ("output_rejected", {"node": "tts", "reason": "cancelled"}),
                               _CLOSE, _RELEASE))) == []


# The cases ADR 0011 settles after the first build ("Settled while building", TRC010,
# TRC014): one wrong event gives one finding, no cascade.

def test_stage_mark_after_abort_is_late_telemetry() -> None:
    trace = minimal(_LEASE, _OPEN, _ACTIVE, _ABORT, ("stage_mark", {"stage": "llm_request"}),
                    _CLOSE, _RELEASE)
    assert codes(check(trace)) == set()


def test_output_after_a_cancelled_abort_is_the_cancel_fence_only() -> None:
    trace = minimal(_LEASE, _OPEN, _ACTIVE, *_CANCEL, _ABORT,
                    ("output_accepted", {"node": "tts"}), _CLOSE, _RELEASE)
    assert codes(check(trace)) == {"TRC012"}


def test_output_after_an_abort_without_cancel_is_lifecycle() -> None:
    trace = minimal(_LEASE, _OPEN, _ACTIVE, _ABORT, ("output_accepted", {"node": "tts"}),
                    _CLOSE, _RELEASE)
    assert codes(check(trace)) == {"TRC010"}


def test_admit_with_marker_still_admits() -> None:
    trace = minimal(_LEASE, ("defer", {"reason": "busy"}),
                    ("admit", {"reason": "ok", "terminal_outcome": "commit"}),
                    _OPEN, _ACTIVE, _ABORT, _CLOSE, _RELEASE)
    assert codes(check(trace)) == {"TRC011"}


def test_turn_without_any_correlation_id_is_trc014_per_event() -> None:
    trace = minimal(_LEASE, _OPEN, _ACTIVE, _ABORT, _CLOSE, _RELEASE)
    for event in trace[1:5]:
        del event["correlation_id"]
    result = check(trace)
    assert codes(result) == {"TRC014"} and result.counts["TRC014"] == 4


def test_mistyped_correlation_id_is_trc014_and_the_event_is_kept() -> None:
    trace = minimal(_LEASE, _OPEN, _ACTIVE, ("output_rejected", {"node": "tts"}), _ABORT,
                    _CLOSE, _RELEASE)
    trace[3]["correlation_id"] = 5
    result = check(trace)
    assert codes(result) == {"TRC014"} and result.events == len(trace)
