"""A reference runtime: a small model of a correct voice runtime that writes event traces.

The model follows ADR 0011 ("Settled while building": the event ABI 1.x and the rules
TRC010-TRC017). :func:`traces` is a hypothesis strategy that draws a program — how many
sessions, how many turns each, each turn's pre-turn outcome and fate (committed, cancelled
with scope ``turn`` or ``session``, cancelled after commit, aborted after provider errors,
rejected before it opened), lease handovers between workers, provider fallbacks, and the
interleaving of turns within a session and of sessions in the trace — and returns the trace as
a list of event dicts, in line order, ready to be written as JSON Lines.

What a correct trace looks like here:

- each session starts with ``lease_acquired`` (epoch >= 1) and ends with ``lease_released``
  once every turn has closed and every candidate was opened or rejected; a handover is a
  ``lease_acquired`` by the next worker with a higher epoch, after which every event of the
  session carries that epoch except ``output_rejected`` events of the old worker (reason
  ``stale_epoch``); session-level events carry ``turn_id`` ``""``;
- a candidate is ``admit``-ted, ``reject``-ed, or ``defer``-red and later admitted or
  rejected, under the ``turn_id`` and ``correlation_id`` of the turn it would become; an
  admitted candidate opens; a turn may also open with no pre-turn event;
- an accepted turn is ``turn_open`` -> ``turn_active`` -> (``turn_commit`` | ``turn_abort``)
  -> ``turn_close``, with stage marks, outputs and cancels in between; several turns of one
  session may be open at once (the next turn opens while the last one still plays);
- after a ``cancel_accepted`` of scope ``turn`` the turn emits no ``output_accepted`` or
  ``playback_started`` (only ``output_rejected``) and aborts (or closes, when it had
  committed); scope ``session`` fences every turn of the session open at that time;
- every stage a turn measures stays far below :data:`BUDGETS_MS` (each step takes at most
  :data:`STEP_NS_MAX` and a session has at most a few hundred steps), so TRC017 stays quiet;
- every accepted turn carries every field of ``required`` on at least one of its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from rspp.rules.replay import OR02_BASELINE

Event = dict[str, Any]

REQUIRED: Final = (*OR02_BASELINE, "routing_snapshot_ref", "lane")
"""The evidence fields every generated accepted turn carries by default."""

BUDGETS_MS: Final = MappingProxyType({
    "turn_latency": 2000, "first_audio": 2000, "stt_final": 2000, "first_token": 2000,
    "tts_first_byte": 2000,
})
"""Stage -> p95 budget (ms) that generated traces stay under."""

STEP_NS_MAX: Final = 2_000_000
"""The longest gap between two consecutive events of one session, in ns."""

# Fields the runtime writes itself; any other required field is evidence it adds on purpose.
_OWN_FIELDS: Final = frozenset({
    "event", "session_id", "turn_id", "correlation_id", "lease_epoch", "lane", "ts_mono_ns",
    "bundle_ref", "plan_hash", "routing_snapshot_ref", "terminal_outcome", "reason", "scope",
    "node", "worker", "stage", "provider_request_id",
})
# Derived by the checker from the lifecycle (ADR 0011, TRC015).
_DERIVED: Final = frozenset({"turn_open_ts", "turn_close_ts", "terminal_outcome",
                             "cancel_events"})
_PLANS: Final = tuple(f"sha256:{c * 64}" for c in "0123abcd")
_BUNDLES: Final = ("voice_bundle@1.0.0", "voice_bundle@1.1.0")
_OPEN_STATES: Final = frozenset({"open", "active", "commit", "abort"})


@dataclass
class _Turn:
    """One candidate or accepted turn: its remaining script and its lifecycle state."""

    tid: str
    corr: str
    plan: str
    bundle: str
    scope: str  # the scope of its own cancel, if its script has one
    script: list[str]
    unplaced: list[str]
    state: str = "new"  # new -> open -> active -> commit | abort -> closed; or rejected
    cancel_pending: bool = False
    fenced: bool = False


@dataclass
class _Session:
    sid: str
    epoch: int
    worker: int
    clock: int
    events: list[Event] = field(default_factory=list)
    turns: list[_Turn] = field(default_factory=list)


def _pre(draw: DrawFn, accepted: bool) -> list[str]:
    outcome = "admit" if accepted else "reject"
    return list(draw(st.sampled_from(((), (outcome,), ("defer", outcome)) if accepted
                                     else ((outcome,), ("defer", outcome)))))


def _turn(draw: DrawFn, k: int, sid: str, required: Sequence[str]) -> _Turn:
    """Draw turn ``k``'s program: pre-turn outcome, fate, optional steps."""
    fate = draw(st.sampled_from(("commit", "commit", "cancel", "late_cancel", "fail",
                                 "reject")))
    tid, corr = f"t{k}", f"{sid}-t{k}"
    plan, bundle = draw(st.sampled_from(_PLANS)), draw(st.sampled_from(_BUNDLES))
    scope = draw(st.sampled_from(("turn", "session")))
    unplaced = [f for f in required if f not in _OWN_FIELDS and f not in _DERIVED]
    if fate == "reject":
        return _Turn(tid, corr, plan, bundle, scope, _pre(draw, False), [])
    script = [*_pre(draw, True), "open"]
    if fate == "cancel" and draw(st.integers(0, 3)) == 0:  # cancelled while still OPEN
        return _Turn(tid, corr, plan, bundle, scope, [*script, "cancel_req", "cancel_acc"],
                     unplaced)
    if draw(st.booleans()):
        script += ["speech_end", *(["stt_final"] if draw(st.booleans()) else [])]
    script += ["active", "llm_request", "llm_first_token"]
    if fate == "fail":  # the provider fails, maybe mid-answer, and no fallback is left
        if draw(st.booleans()):
            script += ["tts_first_byte", "out_ok", *(["play"] if draw(st.booleans()) else [])]
        script += ["out_fail"] * draw(st.integers(1, 2)) + ["abort"]
        if draw(st.booleans()):  # a barge-in after the abort: cancels are allowed in ABORT
            script += ["cancel_req", "cancel_acc"]
        script.append("close")
    elif fate == "cancel":
        progress = ["tts_first_byte", "out_ok", "play", "out_ok", "play"]
        script += progress[:draw(st.integers(0, len(progress)))]
        script += ["cancel_req", *(["out_ok"] if draw(st.booleans()) else []), "cancel_acc",
                   "abort", "close"]  # the fence rewrites what follows cancel_acc
    else:
        if draw(st.booleans()):
            script.append("out_fail")  # provider error, then the fallback provider answers
        answer = ["tts_first_byte", "out_ok"]
        at = draw(st.integers(0, len(answer)))  # the turn may commit before its answer
        script += [*answer[:at], "commit", *answer[at:], "play"]
        script += ["out_ok", "play"] * draw(st.integers(0, 2))
        if fate == "late_cancel":
            script += ["cancel_req", "cancel_acc"]
        script.append("close")
    return _Turn(tid, corr, plan, bundle, scope, script, unplaced)


def _emit(s: _Session, draw: DrawFn, name: str, turn: _Turn | None, lane: str,
          **extra: Any) -> Event:
    s.clock += draw(st.integers(0, STEP_NS_MAX))
    event: Event = {
        "event": name, "session_id": s.sid,
        "turn_id": turn.tid if turn else "",
        "correlation_id": turn.corr if turn else f"{s.sid}-lease",
        "lease_epoch": s.epoch, "lane": lane, "ts_mono_ns": s.clock, **extra,
    }
    s.events.append(event)
    return event


def _fence(turn: _Turn, draw: DrawFn) -> None:
    """After an accepted cancel in scope: only rejected outputs, then the way out."""
    turn.fenced = True
    tail = ["cancel_acc"] if turn.cancel_pending else []
    tail += ["rej"] * draw(st.integers(0, 2))
    tail += {"open": ["active", "abort"], "active": ["abort"]}.get(turn.state, [])
    if draw(st.booleans()):
        tail.append("rej")  # output_rejected is allowed after ABORT too
    turn.script = [*tail, "close"]


_LANES: Final = MappingProxyType({
    "admit": "control", "defer": "control", "reject": "control", "open": "control",
    "active": "control", "commit": "control", "abort": "control", "close": "control",
    "cancel_req": "control", "cancel_acc": "control",
})


def _step(s: _Session, turn: _Turn, draw: DrawFn) -> None:
    """Emit ``turn``'s next event and update the states it touches."""
    token = turn.script.pop(0)
    lane = _LANES.get(token, "data")
    ev: Event
    if token in ("admit", "defer", "reject"):
        _emit(s, draw, token, turn, lane, reason=f"{token}_by_policy")
        turn.state = "rejected" if token == "reject" else turn.state
        return
    if token == "open":
        turn.state = "open"
        _emit(s, draw, "turn_open", turn, lane, bundle_ref=turn.bundle, plan_hash=turn.plan,
              routing_snapshot_ref=f"routing/{s.sid}/{turn.tid}")
        return
    if token in ("speech_end", "stt_final", "llm_request", "llm_first_token",
                 "tts_first_byte"):
        ev = _emit(s, draw, "stage_mark", turn, "telemetry", stage=token)
    elif token == "active":
        turn.state = "active"
        ev = _emit(s, draw, "turn_active", turn, lane)
    elif token == "commit":
        turn.state = "commit"
        ev = _emit(s, draw, "turn_commit", turn, lane, terminal_outcome="commit",
                   reason="completed")
    elif token == "abort":
        reason = "cancelled" if turn.fenced else "provider_error"
        turn.state = "abort"
        ev = _emit(s, draw, "turn_abort", turn, lane, terminal_outcome="abort", reason=reason)
    elif token == "close":
        ev = _emit(s, draw, "turn_close", turn, lane)
    elif token == "out_ok":
        ev = _emit(s, draw, "output_accepted", turn, lane, node="tts",
                   provider_request_id=f"req-{draw(st.integers(0, 9999))}")
    elif token == "out_fail":
        ev = _emit(s, draw, "output_rejected", turn, lane, node="tts_primary",
                   reason="provider_error")
    elif token == "rej":
        ev = _emit(s, draw, "output_rejected", turn, lane, node="tts", reason="cancelled")
    elif token.startswith("stale:"):
        ev = _emit(s, draw, "output_rejected", turn, lane, node="tts", reason="stale_epoch")
        ev["lease_epoch"] = int(token.partition(":")[2])
    elif token == "play":
        ev = _emit(s, draw, "playback_started", turn, lane, node="room_out")
    elif token == "cancel_req":
        turn.cancel_pending = True
        ev = _emit(s, draw, "cancel_requested", turn, lane, scope=turn.scope,
                   reason="barge_in", node="interrupt")
    else:
        assert token == "cancel_acc", token
        turn.cancel_pending = False
        ev = _emit(s, draw, "cancel_accepted", turn, lane, scope=turn.scope,
                   reason="barge_in", node="interrupt")
        fenced = [t for t in s.turns if t.state in _OPEN_STATES] if turn.scope == "session" \
            else [turn]
        for other in fenced:
            _fence(other, draw)
    if draw(st.integers(0, 3)) == 0:
        ev["plan_hash"] = turn.plan  # any event may repeat the frozen plan hash
    for name in list(turn.unplaced):
        if token == "close" or draw(st.booleans()):
            ev[name] = f"{name}:{turn.tid}"
            turn.unplaced.remove(name)
    if token == "close":
        turn.state = "closed"


def _handover(s: _Session, draw: DrawFn) -> None:
    old = s.epoch
    s.epoch += draw(st.integers(1, 3))
    s.worker += 1
    _emit(s, draw, "lease_acquired", None, "control", worker=f"worker-{s.worker}")
    for turn in s.turns:
        if turn.state in _OPEN_STATES and draw(st.booleans()):
            turn.script.insert(0, f"stale:{old}")  # the old worker's late output


@st.composite
def _session(draw: DrawFn, index: int, required: Sequence[str], max_turns: int,
             start_ns: int) -> list[Event]:
    sid = f"sess-{index}"
    s = _Session(sid, draw(st.integers(1, 40)), 0, start_ns)
    _emit(s, draw, "lease_acquired", None, "control", worker="worker-0")
    pending = [_turn(draw, k, sid, required) for k in range(1, draw(st.integers(1, max_turns)) + 1)]
    max_open = draw(st.integers(1, 3))
    handovers = draw(st.integers(0, 2))
    while pending or any(t.script for t in s.turns):
        running = [t for t in s.turns if t.script]
        choices: list[_Turn | str | None] = list(running)
        if pending and len(running) < max_open:
            choices.append(None)  # start the next turn
        if handovers:
            choices.append("handover")
        choice = choices[draw(st.integers(0, len(choices) - 1))]
        if choice is None:
            s.turns.append(pending.pop(0))
        elif choice == "handover":
            handovers -= 1
            _handover(s, draw)
        else:
            assert isinstance(choice, _Turn)
            _step(s, choice, draw)
    _emit(s, draw, "lease_released", None, "control", worker=f"worker-{s.worker}")
    return s.events


@st.composite
def traces(draw: DrawFn, *, required: Sequence[str] = REQUIRED, max_sessions: int = 3,
           max_turns: int = 4) -> list[Event]:
    """A trace of a correct runtime: 1..``max_sessions`` sessions of 1..``max_turns`` turns,
    interleaved, as event dicts in line order (``ts_mono_ns`` never decreases). Every accepted
    turn carries each field of ``required`` (OR-02 names and any extra evidence name)."""
    sessions = []
    for i in range(draw(st.integers(1, max_sessions))):
        start = draw(st.integers(0, 50 * STEP_NS_MAX))
        sessions.append(draw(_session(i, required, max_turns, start)))
    merged = sorted((e for events in sessions for e in events),
                    key=lambda e: e["ts_mono_ns"])  # stable: a session keeps its order
    return merged
