"""The built-in node catalog: node types, their ports, parameters and defaults.

Port types may name a parameter in braces (``rate={sample_rate}``); the node's parameter value
(or the catalog default) is substituted before edges are type-checked. Parameter names and
defaults follow today's voice-agent frameworks (LiveKit Agents, Pipecat, provider SDKs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rspp.model.ids import PortType, parse_port_type

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class PortDecl:
    type: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class NodeType:
    name: str
    category: str
    inputs: dict[str, PortDecl] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    execution: str = "in_process"
    source: str = "builtin"
    dynamic_outputs: bool = False


def render(template: str, params: dict[str, Any]) -> PortType | str:
    """Substitute ``{param}`` placeholders; a missing parameter returns its name (unbound)."""
    missing: list[str] = []

    def sub(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        if value is None or isinstance(value, (dict, list)):
            missing.append(match.group(1))
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value)

    text = _PLACEHOLDER.sub(sub, template)
    return missing[0] if missing else parse_port_type(text)


def shaping_params(node_type: str) -> frozenset[str] | None:
    """Parameters that appear in a built-in type's port types (None: not a built-in type)."""
    t = BUILTIN.get(node_type)
    if t is None:
        return None
    templates = [d.type for d in t.inputs.values()] + list(t.outputs.values())
    if t.dynamic_outputs:
        templates.append("{type}")
    return frozenset(m for text in templates for m in _PLACEHOLDER.findall(text))


def _pcm(rate: str = "{sample_rate}", channels: str = "1") -> str:
    return f"audio/pcm16;rate={rate};channels={channels}"


_TRANSCRIPT = "text/transcript+json"

BUILTIN: dict[str, NodeType] = {
    t.name: t
    for t in (
        NodeType(
            "transport.livekit.input", "transport",
            outputs={"audio": _pcm(channels="{num_channels}"), "events": "event/transport"},
            params={"sample_rate": 48000, "num_channels": 1, "room_input": "microphone"},
        ),
        NodeType(
            "transport.livekit.output", "transport",
            inputs={"audio": PortDecl(_pcm(channels="{num_channels}")),
                    "cancel": PortDecl("control/cancel", required=False),
                    "transcript": PortDecl("text/plain", required=False)},
            params={"sample_rate": 24000, "num_channels": 1, "sync_transcription": True},
        ),
        NodeType(
            "transport.sip.input", "transport",
            outputs={"audio": _pcm(rate="8000"), "events": "event/transport"},
            params={"codec": "pcmu", "jitter_buffer_ms": 60},
        ),
        NodeType(
            "transport.sip.output", "transport",
            inputs={"audio": PortDecl(_pcm(rate="8000")),
                    "cancel": PortDecl("control/cancel", required=False)},
            params={"codec": "pcmu"},
        ),
        NodeType(
            "transport.websocket.input", "transport",
            outputs={"audio": _pcm(), "events": "event/transport"},
            params={"sample_rate": 16000, "frame_ms": 20},
        ),
        NodeType(
            "transport.websocket.output", "transport",
            inputs={"audio": PortDecl(_pcm()),
                    "cancel": PortDecl("control/cancel", required=False)},
            params={"sample_rate": 24000},
        ),
        NodeType(
            "audio.resample", "audio",
            inputs={"audio": PortDecl(_pcm(rate="{from_rate}"))},
            outputs={"audio": _pcm(rate="{to_rate}")},
            params={"from_rate": None, "to_rate": 16000, "quality": "medium"},
        ),
        NodeType(
            "vad.silero", "vad",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"events": "event/vad", "audio": _pcm()},
            params={"sample_rate": 16000, "activation_threshold": 0.5,
                    "min_speech_duration": 0.05, "min_silence_duration": 0.55,
                    "prefix_padding_duration": 0.5},
        ),
        NodeType(
            "turn.detector", "turn",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "vad": PortDecl("event/vad")},
            outputs={"turn": "event/turn"},
            params={"model": "multilingual", "min_endpointing_delay": 0.5,
                    "max_endpointing_delay": 6.0, "unlikely_threshold": 0.15},
        ),
        NodeType(
            "control.interruption", "control",
            inputs={"vad": PortDecl("event/vad"), "turn": PortDecl("event/turn", required=False)},
            outputs={"cancel": "control/cancel"},
            params={"min_interruption_duration": 0.5, "min_interruption_words": 0,
                    "allow_interruptions": True},
        ),
        NodeType(
            "stt.deepgram", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"model": "nova-3", "language": "en-US", "sample_rate": 16000,
                    "interim_results": True, "punctuate": True, "smart_format": True,
                    "endpointing_ms": 25, "filler_words": True},
        ),
        NodeType(
            "stt.openai", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"model": "gpt-4o-transcribe", "language": "en", "sample_rate": 16000},
        ),
        NodeType(
            "stt.assemblyai", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"sample_rate": 16000, "end_of_turn_confidence_threshold": 0.4,
                    "min_end_of_turn_silence_when_confident": 400,
                    "max_turn_silence": 1280},
        ),
        NodeType(
            "llm.openai", "llm",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "turn": PortDecl("event/turn"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"text": "text/plain", "metrics": "metrics/otel"},
            params={"model": "gpt-4o-mini", "temperature": 0.8, "parallel_tool_calls": True,
                    "max_completion_tokens": 512},
        ),
        NodeType(
            "llm.anthropic", "llm",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "turn": PortDecl("event/turn"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"text": "text/plain", "metrics": "metrics/otel"},
            params={"model": "claude-3-5-haiku-latest", "temperature": 0.8,
                    "max_tokens": 1024},
        ),
        NodeType(
            "tts.cartesia", "tts",
            inputs={"text": PortDecl("text/plain"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"audio": _pcm(), "metrics": "metrics/otel"},
            params={"model": "sonic-2", "voice": "794f9389-aac1-45b6-b726-9d9369183238",
                    "sample_rate": 24000, "encoding": "pcm_s16le", "speed": 1.0},
        ),
        NodeType(
            "tts.elevenlabs", "tts",
            inputs={"text": PortDecl("text/plain"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"audio": _pcm(), "metrics": "metrics/otel"},
            params={"model": "eleven_flash_v2_5", "voice_id": "EXAVITQu4vr4xnSDxMaL",
                    "sample_rate": 22050, "streaming_latency": 3,
                    "auto_mode": True},
        ),
        NodeType(
            "text.normalize", "text",
            inputs={"text": PortDecl(_TRANSCRIPT)},
            outputs={"text": _TRANSCRIPT},
            params={"numbers": "spoken_to_digits", "casing": "sentence", "locale": "en-US"},
        ),
        NodeType(
            "text.redact", "text",
            inputs={"text": PortDecl(_TRANSCRIPT)},
            outputs={"text": _TRANSCRIPT},
            params={"entities": ["credit_card", "ssn"], "replacement": "[redacted]"},
        ),
        NodeType(
            "router", "control",
            inputs={"in": PortDecl("{type}")},
            params={"type": None},
            dynamic_outputs=True,
        ),
        NodeType(
            "metrics.otel_exporter", "telemetry",
            inputs={"metrics": PortDecl("metrics/otel")},
            params={"export_interval_ms": 5000, "service_name": "voice-agent"},
        ),
    )
}
