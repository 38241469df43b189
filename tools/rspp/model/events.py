"""The turn-event ABI 1.x: one recorded runtime event, as read from a trace line.

Source: the platform design's turn events (DESIGN.md "Artifact kinds": ``turn_open`` ...
``playback_started``, each with session, turn, correlation id, lease epoch, lane and a
monotonic timestamp) and the compatibility contract's ``eventAbi.fields``
(``compat/version_skew_policy.yaml``, ABI 1.1.0: ``session_id``, ``turn_id``,
``correlation_id``, ``lease_epoch``, ``lane``, ``ts_mono_ns``, optional ``plan_hash``). ADR
0011 fixes the closed set of event names and the event-specific fields below.

The classes are ``msgspec`` structs, tagged by ``event``: one decoder validates a line's types
while parsing it (the trace checker's hot path). They refuse unknown fields so that the
checker can count a line's keys; the checker accepts unknown fields on its slow path (the ABI
grows by optional fields), but never a known field of another type. ``correlation_id`` is
optional here because its absence is its own finding (``TRC014``), not a schema error.
``schemas/TraceEvent.schema.json`` is generated from :data:`EVENT_TYPES`
(:func:`json_schema`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, Union

import msgspec
from msgspec import UNSET, Meta, UnsetType

EVENT_ABI_MAJOR: Final = 1
"""The event ABI major version these classes read (every 1.x ABI; SemVer: a minor release
only adds optional fields)."""

Lane = Literal["control", "data", "telemetry"]
Scope = Literal["turn", "session"]
Stage = Literal["speech_end", "stt_final", "llm_request", "llm_first_token", "tts_first_byte"]
_NonNegative = Annotated[int, Meta(ge=0, le=2**63 - 1)]
_Name = Annotated[str, Meta(min_length=1, max_length=512)]
_Text = Annotated[str, Meta(max_length=4096)]


class TraceEvent(msgspec.Struct, tag_field="event", forbid_unknown_fields=True, gc=False):
    """The fields every event may carry. Required: ``session_id`` (non-empty), ``turn_id``
    (empty only on lease events), ``lease_epoch`` (>= 0), ``lane``, ``ts_mono_ns`` (>= 0,
    nanoseconds of a monotonic clock)."""

    session_id: _Name
    turn_id: Annotated[str, Meta(max_length=512)]
    lease_epoch: _NonNegative
    lane: Lane
    ts_mono_ns: _NonNegative
    correlation_id: _Text | UnsetType = UNSET
    plan_hash: _Text | UnsetType = UNSET
    bundle_ref: _Text | UnsetType = UNSET
    routing_snapshot_ref: _Text | UnsetType = UNSET
    terminal_outcome: _Text | UnsetType = UNSET
    scope: Scope | UnsetType = UNSET
    stage: Stage | UnsetType = UNSET
    reason: _Text | UnsetType = UNSET
    node: _Text | UnsetType = UNSET
    worker: _Text | UnsetType = UNSET
    provider_request_id: _Text | UnsetType = UNSET


class TurnOpen(TraceEvent, tag="turn_open"):
    """An accepted turn starts; carries the frozen plan (``plan_hash``, ``bundle_ref``,
    ``routing_snapshot_ref``)."""


class TurnActive(TraceEvent, tag="turn_active"):
    """The turn is running."""


class TurnCommit(TraceEvent, tag="turn_commit"):
    """The end-of-turn decision; carries ``terminal_outcome: commit``."""


class TurnAbort(TraceEvent, tag="turn_abort"):
    """The turn is abandoned (a cancel, an error); carries ``terminal_outcome: abort``."""


class TurnClose(TraceEvent, tag="turn_close"):
    """The turn's last event."""


class Admit(TraceEvent, tag="admit"):
    """Pre-turn: the candidate is admitted (a ``turn_open`` may follow)."""


class Reject(TraceEvent, tag="reject"):
    """Pre-turn: the candidate is refused; it never opens."""


class Defer(TraceEvent, tag="defer"):
    """Pre-turn: the decision is postponed (admit or reject follows)."""


class CancelRequested(TraceEvent, tag="cancel_requested"):
    """A cancel is asked for ``scope`` (turn or session), with ``reason`` and ``node``."""


class CancelAccepted(TraceEvent, tag="cancel_accepted"):
    """The cancel of ``scope`` takes effect: no output may follow in that scope."""


class OutputAccepted(TraceEvent, tag="output_accepted"):
    """An output of ``node`` passes egress fencing."""


class OutputRejected(TraceEvent, tag="output_rejected"):
    """An output of ``node`` is refused (``reason``: stale_epoch, cancelled, provider_error)."""


class PlaybackStarted(TraceEvent, tag="playback_started"):
    """Audio starts playing to the user."""


class LeaseAcquired(TraceEvent, tag="lease_acquired"):
    """``worker`` holds the session's lease at ``lease_epoch`` (higher than any before)."""


class LeaseReleased(TraceEvent, tag="lease_released"):
    """``worker`` gives the session's lease up."""


class StageMark(TraceEvent, tag="stage_mark"):
    """A latency milestone of the turn: ``stage``."""


EVENT_TYPES: Final = (TurnOpen, TurnActive, TurnCommit, TurnAbort, TurnClose, Admit, Reject,
                      Defer, CancelRequested, CancelAccepted, OutputAccepted, OutputRejected,
                      PlaybackStarted, LeaseAcquired, LeaseReleased, StageMark)
"""Every event class, in the ABI's order."""

AnyEvent = Union[TurnOpen, TurnActive, TurnCommit, TurnAbort, TurnClose, Admit,  # noqa: UP007
                 Reject, Defer, CancelRequested, CancelAccepted, OutputAccepted,
                 OutputRejected, PlaybackStarted, LeaseAcquired, LeaseReleased, StageMark]

EVENT_NAMES: Final = tuple(str(t.__struct_config__.tag) for t in EVENT_TYPES)
"""The closed set of event names."""

NAME_OF: Final[Mapping[type, str]] = MappingProxyType(
    {t: str(t.__struct_config__.tag) for t in EVENT_TYPES})

FIELDS: Final = TraceEvent.__struct_fields__
"""Every field name an event of ABI 1.x may carry, ``event`` aside."""

FIELD_DOCS: Final[Mapping[str, str]] = MappingProxyType({
    "event": "What happened: one of the closed set of event names of the ABI.",
    "session_id": "The session the event belongs to (non-empty).",
    "turn_id": "The turn (or pre-turn candidate) the event belongs to; empty only on lease "
               "events.",
    "lease_epoch": "The lease epoch of the worker that emitted the event; a handover raises "
                   "it.",
    "lane": "The lane the event travelled on: control, data or telemetry.",
    "ts_mono_ns": "When the event happened, in nanoseconds of a monotonic clock (not wall "
                  "time).",
    "correlation_id": "The correlation id carried end to end; every event of a turn carries "
                      "the one its turn_open carried.",
    "plan_hash": "The hash of the ResolvedTurnPlan frozen at turn open (sha256:<hex>).",
    "bundle_ref": "The bundle the turn runs (id@version), on turn_open.",
    "routing_snapshot_ref": "The routing snapshot the plan was frozen from, on turn_open.",
    "terminal_outcome": "commit or abort, on turn_commit and turn_abort only.",
    "scope": "What a cancel covers: turn or session.",
    "stage": "The latency milestone of a stage_mark: speech_end, stt_final, llm_request, "
             "llm_first_token or tts_first_byte.",
    "reason": "Why (a cancel, a rejection, a pre-turn outcome, an abort).",
    "node": "The pipeline node that emitted or produced the event.",
    "worker": "The worker that acquired or released the lease.",
    "provider_request_id": "The provider's request id (differs on every call; never compared "
                           "on replay).",
})
"""One line per field, for the generated schema and docs/replay.md."""


def decoder() -> msgspec.json.Decoder[AnyEvent]:
    """The strict line decoder (known fields only, typed); raises ``msgspec.DecodeError`` on
    bad JSON and ``msgspec.ValidationError`` (a subclass) on a schema violation."""
    return msgspec.json.Decoder(AnyEvent)


def convert(obj: Mapping[str, Any]) -> AnyEvent:
    """``obj`` (a parsed line, unknown fields already removed) as an event; raises
    ``msgspec.ValidationError`` with a JSON path in its message."""
    event: AnyEvent = msgspec.convert(obj, AnyEvent)
    return event


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of one trace line, without ``$schema``/``$id`` (the
    generator adds rspp's): the event classes, with unknown fields allowed (the ABI grows by
    optional fields), ``correlation_id`` required."""
    schema: dict[str, Any] = msgspec.json.schema(AnyEvent)
    for definition in schema.get("$defs", {}).values():
        definition.pop("additionalProperties", None)
        definition.pop("title", None)
        properties = definition.get("properties", {})
        for name, prop in properties.items():
            prop["description"] = FIELD_DOCS[name]
        if "correlation_id" in properties:
            definition["required"] = sorted({*definition.get("required", ()),
                                             "correlation_id"})
    return {
        "title": "TraceEvent",
        "description": "One line of a recorded turn-event trace (event ABI 1.x, ADR 0011).",
        **schema,
    }
