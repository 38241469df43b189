"""The built-in node catalog: node types, their ports, parameters and defaults.

Port types may name a parameter in braces (``rate={sample_rate}``); the node's parameter value
(or the catalog default) is substituted before edges are type-checked. Parameter names and
defaults follow today's voice-agent frameworks (LiveKit Agents, Pipecat, provider SDKs).

Each parameter is declared with a JSON-Schema-like type (integer, number, boolean, string,
array of strings), a unit, an inclusive minimum/maximum and, where the provider's set is
closed, the allowed values (``enum``). Where the provider documents no bound, the bound is
the physical one (a duration is at least 0 ms; a sample rate lies between 8 kHz telephony and
192 kHz studio audio). Open sets (model names, voices, languages) stay plain strings.
:func:`value_problem` checks one value against its declaration (rule PRM002).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import msgspec

from rspp.core.jsontypes import JsonValue
from rspp.core.suggest import did_you_mean
from rspp.model.ids import PORT_TYPE_PATTERN, PortType, parse_port_type

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")

ParamKind = Literal["integer", "number", "boolean", "string", "array"]


class Param(msgspec.Struct, frozen=True):
    """One parameter's declaration.

    ``default`` None means the parameter has no default (the node must set it). ``unit`` is a
    display unit (``Hz``, ``ms``, ``s``, ``tokens``). ``minimum``/``maximum`` are inclusive.
    ``enum`` lists the allowed values of a closed set; ``items`` is the item type of an array;
    ``pattern`` a regular expression a string must match, described by ``pattern_name``.
    """

    default: JsonValue
    type: ParamKind
    unit: str | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    enum: tuple[str | int, ...] = ()
    items: ParamKind | None = None
    pattern: str | None = None
    pattern_name: str | None = None

    def describe(self) -> str:
        """What the parameter takes, in words: ``an integer in Hz from 8000 to 192000``."""
        unit = f" in {self.unit}" if self.unit else ""
        if self.enum:
            shown = ", ".join(_show(v) for v in self.enum)
            return f"one of {shown}" + (f" ({self.unit})" if self.unit else "")
        if self.type == "array":
            return f"a list of {self.items or 'value'}s"
        if self.type == "string" and self.pattern:
            return self.pattern_name or f"a string matching {self.pattern}"
        return _ARTICLE[self.type] + unit + self.range_text(prefix=", ")

    def range_text(self, prefix: str = "") -> str:
        """``from 8000 to 192000``, ``at least 0``, ``at most 4`` or ``""`` (no bound)."""
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f" from {_num(lo)} to {_num(hi)}"
        if lo is not None:
            return f"{prefix}at least {_num(lo)}"
        if hi is not None:
            return f"{prefix}at most {_num(hi)}"
        return ""


_ARTICLE: Final[Mapping[str, str]] = MappingProxyType({
    "integer": "an integer", "number": "a number", "boolean": "a boolean (true or false)",
    "string": "a string", "array": "a list",
})

# YAML 1.1 spelled booleans with these words; YAML 1.2 (and rspp) reads them as strings.
_YAML11_BOOL: Final = MappingProxyType({
    "y": True, "yes": True, "on": True, "true": True, "n": False, "no": False, "off": False,
    "false": False,
})


def _num(x: int | float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _show(value: object) -> str:
    """A value as the author would write it (true, null, 'text', 64.0)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (int, float)):
        return repr(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def kind_of(value: object) -> str:
    """The JSON kind of a loaded value, with its article: ``a string``, ``a float``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


class Refusal(msgspec.Struct, frozen=True):
    """Why a value does not fit its declaration.

    ``shown`` is the value as written, with its kind when the kind is the problem
    (``'banana' (a string)``); ``hint`` a remedy (``; use false``, ``; write 64``) or a
    did-you-mean, or ""; ``item`` the index of the refused list item, None for the value.
    """

    shown: str
    hint: str = ""
    item: int | None = None

    def message(self, subject: str, name: str, decl: Param) -> str:
        """The PRM002 message; ``subject`` names the node type as the reader knows it
        (``stt.deepgram``, or ``text.redact (node 'redact' of clean@1.0.0)``)."""
        what = f"parameter {name!r}" + (f" item {self.item}" if self.item is not None else "")
        return f"{subject} {what} is {self.shown}; expected {decl.describe()}{self.hint}"


def value_problem(decl: Param, value: object) -> Refusal | None:
    """Why ``value`` does not fit ``decl``, or None when it does.

    A boolean is never a number, a float (even 64.0) never an integer, and a string never a
    boolean or a number; null is never a value (leave the parameter out instead).
    """
    if decl.type == "boolean":
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.lower() in _YAML11_BOOL:
            word = "true" if _YAML11_BOOL[value.lower()] else "false"
            if value.lower() == word:
                return Refusal(_written(value), f"; write {word} without quotes")
            return Refusal(_written(value), f"; YAML 1.2 reads {value} as a string; use {word}")
        return Refusal(_written(value))
    if decl.type in ("integer", "number"):
        return _number_problem(decl, value)
    if decl.type == "string":
        if not isinstance(value, str):
            if value is None or isinstance(value, (dict, list)):
                return Refusal(_written(value))
            return Refusal(_written(value), f'; quote it: "{_show(value)}"')
        if decl.enum and value not in decl.enum:
            return Refusal(_show(value), did_you_mean(value, [str(v) for v in decl.enum]))
        if decl.pattern and not re.fullmatch(decl.pattern, value):
            return Refusal(_show(value))
        return None
    if not isinstance(value, list):
        return Refusal(_written(value))
    for i, item in enumerate(value):
        if decl.items == "string" and not isinstance(item, str):
            return Refusal(f"{_show(item)} ({kind_of(item)})", item=i)
    return None


def _written(value: object) -> str:
    """A refused value as written, with its kind (``'banana' (a string)``); made only for a
    refusal: most values fit."""
    return f"{_show(value)} ({kind_of(value)})" if value is not None else "null"


def _number_problem(decl: Param, value: object) -> Refusal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and _looks_numeric(value):
            return Refusal(_written(value), f"; write {value.strip()} without quotes")
        if isinstance(value, bool):
            return Refusal(_written(value), "; a boolean is not a number")
        return Refusal(_written(value))
    if decl.type == "integer" and isinstance(value, float):
        return Refusal(_written(value), f"; write {int(value)}" if value.is_integer() else "")
    if decl.enum and value not in decl.enum:
        return Refusal(_show(value))
    if (decl.minimum is not None and value < decl.minimum) or (
            decl.maximum is not None and value > decl.maximum):
        return Refusal(_show(value))
    return None


def _looks_numeric(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


class PortDecl(msgspec.Struct, frozen=True):
    type: str
    required: bool = True


class NodeType(msgspec.Struct, frozen=True):
    """A built-in node type. ``params`` maps each parameter to its default (None: none);
    ``decls`` maps it to its full declaration (the same keys, in the same order)."""

    name: str
    category: str
    inputs: dict[str, PortDecl] = msgspec.field(default_factory=dict)
    outputs: dict[str, str] = msgspec.field(default_factory=dict)
    params: dict[str, JsonValue] = msgspec.field(default_factory=dict)
    execution: str = "in_process"
    source: str = "builtin"
    dynamic_outputs: bool = False
    decls: dict[str, Param] = msgspec.field(default_factory=dict)


def render(template: str, params: Mapping[str, object]) -> PortType | str:
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


def shaping_params(node_type: str,
                   types: Mapping[str, NodeType] | None = None) -> frozenset[str] | None:
    """Parameters that appear in a catalog type's port types (None: not in ``types``, by
    default the built-in catalog)."""
    t = (BUILTIN if types is None else types).get(node_type)
    if t is None:
        return None
    templates = [d.type for d in t.inputs.values()] + list(t.outputs.values())
    if t.dynamic_outputs:
        templates.append("{type}")
    return frozenset(m for text in templates for m in _PLACEHOLDER.findall(text))


def _pcm(rate: str = "{sample_rate}", channels: str = "1") -> str:
    return f"audio/pcm16;rate={rate};channels={channels}"


_TRANSCRIPT = "text/transcript+json"


# Declaration shorthands: each returns a literal Param; the catalog below reads as a table.
def _rate(default: int | None) -> Param:
    """A PCM sample rate in Hz, from 8 kHz telephony to 192 kHz studio audio."""
    return Param(default, "integer", unit="Hz", minimum=8000, maximum=192000)


def _ms(default: int, minimum: int = 0) -> Param:
    return Param(default, "integer", unit="ms", minimum=minimum)


def _seconds(default: float) -> Param:
    return Param(default, "number", unit="s", minimum=0)


def _fraction(default: float) -> Param:
    """A probability or confidence threshold."""
    return Param(default, "number", minimum=0, maximum=1)


def _count(default: int, minimum: int = 0, maximum: int | None = None,
           unit: str | None = None) -> Param:
    return Param(default, "integer", unit=unit, minimum=minimum, maximum=maximum)


def _flag(default: bool) -> Param:
    return Param(default, "boolean")


def _text(default: str | None, *allowed: str) -> Param:
    """A string; ``allowed`` lists the values of a closed set (empty: any string)."""
    return Param(default, "string", enum=allowed)


def _t(name: str, category: str, *, inputs: dict[str, PortDecl] | None = None,
       outputs: dict[str, str] | None = None, params: dict[str, Param] | None = None,
       dynamic_outputs: bool = False) -> NodeType:
    decls = params or {}
    return NodeType(name, category, inputs=inputs or {}, outputs=outputs or {},
                    params={k: d.default for k, d in decls.items()},
                    dynamic_outputs=dynamic_outputs, decls=decls)


BUILTIN: Final[Mapping[str, NodeType]] = MappingProxyType({
    t.name: t
    for t in (
        _t(
            "transport.livekit.input", "transport",
            outputs={"audio": _pcm(channels="{num_channels}"), "events": "event/transport"},
            params={"sample_rate": _rate(48000), "num_channels": _count(1, minimum=1),
                    "room_input": _text("microphone")},
        ),
        _t(
            "transport.livekit.output", "transport",
            inputs={"audio": PortDecl(_pcm(channels="{num_channels}")),
                    "cancel": PortDecl("control/cancel", required=False),
                    "transcript": PortDecl("text/plain", required=False)},
            params={"sample_rate": _rate(24000), "num_channels": _count(1, minimum=1),
                    "sync_transcription": _flag(True)},
        ),
        _t(
            "transport.sip.input", "transport",
            outputs={"audio": _pcm(rate="8000"), "events": "event/transport"},
            params={"codec": _text("pcmu"), "jitter_buffer_ms": _ms(60)},
        ),
        _t(
            "transport.sip.output", "transport",
            inputs={"audio": PortDecl(_pcm(rate="8000")),
                    "cancel": PortDecl("control/cancel", required=False)},
            params={"codec": _text("pcmu")},
        ),
        _t(
            "transport.websocket.input", "transport",
            outputs={"audio": _pcm(), "events": "event/transport"},
            params={"sample_rate": _rate(16000), "frame_ms": _ms(20, minimum=1)},
        ),
        _t(
            "transport.websocket.output", "transport",
            inputs={"audio": PortDecl(_pcm()),
                    "cancel": PortDecl("control/cancel", required=False)},
            params={"sample_rate": _rate(24000)},
        ),
        _t(
            "audio.resample", "audio",
            inputs={"audio": PortDecl(_pcm(rate="{from_rate}"))},
            outputs={"audio": _pcm(rate="{to_rate}")},
            # The quality presets of the soxr resampler (LiveKit's AudioResamplerQuality).
            params={"from_rate": _rate(None), "to_rate": _rate(16000),
                    "quality": _text("medium", "quick", "low", "medium", "high", "very_high")},
        ),
        _t(
            "vad.silero", "vad",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"events": "event/vad", "audio": _pcm()},
            # Silero VAD runs at 8 kHz or 16 kHz only.
            params={"sample_rate": Param(16000, "integer", unit="Hz", enum=(8000, 16000)),
                    "activation_threshold": _fraction(0.5),
                    "min_speech_duration": _seconds(0.05),
                    "min_silence_duration": _seconds(0.55),
                    "prefix_padding_duration": _seconds(0.5)},
        ),
        _t(
            "turn.detector", "turn",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "vad": PortDecl("event/vad")},
            outputs={"turn": "event/turn"},
            # The end-of-turn model ships in an English and a multilingual variant.
            params={"model": _text("multilingual", "english", "multilingual"),
                    "min_endpointing_delay": _seconds(0.5),
                    "max_endpointing_delay": _seconds(6.0),
                    "unlikely_threshold": _fraction(0.15)},
        ),
        _t(
            "control.interruption", "control",
            inputs={"vad": PortDecl("event/vad"), "turn": PortDecl("event/turn", required=False)},
            outputs={"cancel": "control/cancel"},
            params={"min_interruption_duration": _seconds(0.5),
                    "min_interruption_words": _count(0, unit="words"),
                    "allow_interruptions": _flag(True)},
        ),
        _t(
            "stt.deepgram", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"model": _text("nova-3"), "language": _text("en-US"),
                    "sample_rate": _rate(16000), "interim_results": _flag(True),
                    "punctuate": _flag(True), "smart_format": _flag(True),
                    "endpointing_ms": _ms(25), "filler_words": _flag(True)},
        ),
        _t(
            "stt.openai", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"model": _text("gpt-4o-transcribe"), "language": _text("en"),
                    "sample_rate": _rate(16000)},
        ),
        _t(
            "stt.assemblyai", "stt",
            inputs={"audio": PortDecl(_pcm())},
            outputs={"transcript": _TRANSCRIPT, "metrics": "metrics/otel"},
            params={"sample_rate": _rate(16000),
                    "end_of_turn_confidence_threshold": _fraction(0.4),
                    "min_end_of_turn_silence_when_confident": _ms(400),
                    "max_turn_silence": _ms(1280)},
        ),
        _t(
            "llm.openai", "llm",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "turn": PortDecl("event/turn"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"text": "text/plain", "metrics": "metrics/otel"},
            # OpenAI's sampling temperature lies between 0 and 2.
            params={"model": _text("gpt-4o-mini"),
                    "temperature": Param(0.8, "number", minimum=0, maximum=2),
                    "parallel_tool_calls": _flag(True),
                    "max_completion_tokens": _count(512, minimum=1, unit="tokens")},
        ),
        _t(
            "llm.anthropic", "llm",
            inputs={"transcript": PortDecl(_TRANSCRIPT), "turn": PortDecl("event/turn"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"text": "text/plain", "metrics": "metrics/otel"},
            # Anthropic's sampling temperature lies between 0 and 1.
            params={"model": _text("claude-3-5-haiku-latest"),
                    "temperature": Param(0.8, "number", minimum=0, maximum=1),
                    "max_tokens": _count(1024, minimum=1, unit="tokens")},
        ),
        _t(
            "tts.cartesia", "tts",
            inputs={"text": PortDecl("text/plain"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"audio": _pcm(), "metrics": "metrics/otel"},
            # Cartesia's raw output encodings.
            params={"model": _text("sonic-2"),
                    "voice": _text("794f9389-aac1-45b6-b726-9d9369183238"),
                    "sample_rate": _rate(24000),
                    "encoding": _text("pcm_s16le", "pcm_s16le", "pcm_f32le", "pcm_mulaw",
                                      "pcm_alaw"),
                    "speed": Param(1.0, "number")},
        ),
        _t(
            "tts.elevenlabs", "tts",
            inputs={"text": PortDecl("text/plain"),
                    "cancel": PortDecl("control/cancel", required=False)},
            outputs={"audio": _pcm(), "metrics": "metrics/otel"},
            # ElevenLabs' optimize_streaming_latency levels run from 0 (none) to 4 (most).
            params={"model": _text("eleven_flash_v2_5"),
                    "voice_id": _text("EXAVITQu4vr4xnSDxMaL"),
                    "sample_rate": _rate(22050),
                    "streaming_latency": _count(3, maximum=4),
                    "auto_mode": _flag(True)},
        ),
        _t(
            "text.normalize", "text",
            inputs={"text": PortDecl(_TRANSCRIPT)},
            outputs={"text": _TRANSCRIPT},
            params={"numbers": _text("spoken_to_digits"), "casing": _text("sentence"),
                    "locale": _text("en-US")},
        ),
        _t(
            "text.redact", "text",
            inputs={"text": PortDecl(_TRANSCRIPT)},
            outputs={"text": _TRANSCRIPT},
            params={"entities": Param(["credit_card", "ssn"], "array", items="string"),
                    "replacement": _text("[redacted]")},
        ),
        _t(
            "router", "control",
            inputs={"in": PortDecl("{type}")},
            params={"type": Param(None, "string", pattern=PORT_TYPE_PATTERN,
                                  pattern_name="a port type such as text/plain or "
                                               "audio/pcm16;rate=16000;channels=1")},
            dynamic_outputs=True,
        ),
        _t(
            "metrics.otel_exporter", "telemetry",
            inputs={"metrics": PortDecl("metrics/otel")},
            params={"export_interval_ms": _ms(5000, minimum=1),
                    "service_name": _text("voice-agent")},
        ),
    )
})
