"""What each conformance gate type measures: the metric names a ``ConformanceGates`` threshold
may use, with their direction, unit and range (ADR 0011).

A threshold ``name: value`` of a gate of type ``T`` is meaningful only when ``name`` is one of
``METRICS[T]``. Its metric says whether the measured value must stay at most (``"max"``) or at
least (``"min"``) the threshold, its unit (``ms``, ``count``, ``pct``) and, for a latency
percentile, the ``ExecutionProfile`` budget it may never be looser than (profiles state p95
targets, so a p50 or p95 threshold above the budget cannot pass a conforming bundle and
cannot fail a non-conforming one; p99 thresholds are not compared).

Stages of a turn (ms), measured by the trace checker (:mod:`rspp.conform`):

- ``turn_latency``: end of user speech (``stage_mark`` ``speech_end``, else ``turn_open``) to
  the first ``playback_started``;
- ``first_audio``: ``turn_commit`` to the first ``playback_started``;
- ``stt_final``: ``speech_end`` to ``stt_final``;
- ``first_token``: ``llm_request`` to ``llm_first_token``;
- ``tts_first_byte``: ``llm_first_token`` to ``tts_first_byte``;
- ``cancel_accept``: ``cancel_requested`` to its ``cancel_accepted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import msgspec

Direction = Literal["max", "min"]
Unit = Literal["ms", "count", "pct"]

TRACE_GATE_TYPES: Final = ("latency", "cancel_fence", "authority", "replay_completeness",
                           "lifecycle")
"""The gate types measured over recorded traces (the five MVP gates)."""

MVP_GATE_TYPES: Final = TRACE_GATE_TYPES
"""The gate types a certifying manifest must have, each required (GAT002)."""

STAGES: Final = ("turn_latency", "first_audio", "stt_final", "first_token", "tts_first_byte",
                 "cancel_accept")
"""The measured stages of a turn, in report order."""

STAGE_BUDGETS: Final = MappingProxyType({
    "turn_latency": "turnLatencyMs",
    "first_audio": "firstAudioMs",
    "stt_final": "sttFinalMs",
    "first_token": "llmFirstTokenMs",
    "tts_first_byte": "ttsFirstByteMs",
})
"""Stage -> the ``ExecutionProfile`` ``spec.budgets`` field that bounds its p95, in ms."""

QUANTILES: Final = (50, 95, 99)
"""The percentiles reported per stage."""


class Metric(msgspec.Struct, frozen=True):
    """One measured quantity: ``direction`` ``"max"`` (the value must be <= the threshold) or
    ``"min"`` (>=); ``unit``; ``budget``: the profile budget field (camelCase) a p50/p95
    threshold may not exceed, or None; ``summary``: one line for docs and reports."""

    name: str
    direction: Direction
    unit: Unit
    summary: str
    budget: str | None = None

    @property
    def upper(self) -> float | None:
        """The largest value a threshold may have: 100 for a percentage, else None."""
        return 100.0 if self.unit == "pct" else None


def _percentiles(stage: str, what: str) -> tuple[Metric, ...]:
    budget = STAGE_BUDGETS.get(stage)
    return tuple(
        Metric(f"p{q}_{stage}_ms", "max", "ms", f"p{q} of {what}, in ms",
               budget if q in (50, 95) else None)
        for q in QUANTILES)


_STAGE_WORDS: Final = MappingProxyType({
    "turn_latency": "end of user speech to first agent audio",
    "first_audio": "turn commit to first agent audio",
    "stt_final": "end of user speech to the final transcript",
    "first_token": "LLM request to first token",
    "tts_first_byte": "first LLM token to first TTS byte",
    "cancel_accept": "cancel request to cancel acceptance",
})


def _table() -> Mapping[str, Mapping[str, Metric]]:
    latency = [m for stage in STAGES if stage != "cancel_accept"
               for m in _percentiles(stage, _STAGE_WORDS[stage])]
    latency += [
        Metric("turns_over_budget", "max", "count",
               "accepted turns slower than the profile's turn latency budget"),
        Metric("soak_sessions", "min", "count", "distinct sessions the traces cover"),
        Metric("accepted_turns", "min", "count", "accepted turns the traces cover"),
    ]
    cancel = [*_percentiles("cancel_accept", _STAGE_WORDS["cancel_accept"]),
              Metric("cancel_fence_violations", "max", "count",
                     "output_accepted or playback_started after an accepted cancel (TRC012)")]
    authority = [
        Metric("stale_epoch_outputs", "max", "count",
               "outputs accepted with a stale lease epoch (TRC013)"),
        Metric("split_brain_turns", "max", "count",
               "turns with an output accepted from a stale lease holder (TRC013)"),
    ]
    completeness = [
        Metric("baseline_completeness_pct", "min", "pct",
               "accepted turns carrying every required evidence field, in percent (TRC015)"),
        Metric("incomplete_turns", "max", "count",
               "accepted turns missing a required evidence field (TRC015)"),
        Metric("missing_correlation_ids", "max", "count",
               "events without (or with another) correlation id (TRC014)"),
        Metric("plan_hash_drifts", "max", "count",
               "events naming another plan hash than the one frozen at turn open (TRC016)"),
    ]
    lifecycle = [
        Metric("illegal_transitions", "max", "count",
               "events not allowed in their turn's lifecycle state (TRC010)"),
        Metric("pre_turn_terminal_markers", "max", "count",
               "terminal markers on admit/reject/defer outcomes (TRC011)"),
    ]
    table = {"latency": latency, "cancel_fence": cancel, "authority": authority,
             "replay_completeness": completeness, "lifecycle": lifecycle}
    return MappingProxyType({kind: MappingProxyType({m.name: m for m in metrics})
                             for kind, metrics in table.items()})


METRICS: Final = _table()
"""Gate type -> metric name -> :class:`Metric`; trace gate types only (``artifact`` and
``command`` gates pass or fail and take no thresholds)."""


def metric(name: str) -> Metric | None:
    """The metric called ``name`` in any gate type, or None."""
    for metrics in METRICS.values():
        found = metrics.get(name)
        if found is not None:
            return found
    return None
