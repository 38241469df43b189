"""Write a synthetic, valid rspp repository for benchmarks.

    python3 benchmarks/generate.py --specs 1000 --out /tmp/bench-repo [--seed 7]

The repository holds N PipelineSpecs of about 6.5 KB each (8-16 nodes from the built-in
catalog, typed ports that match, buffered edges on explicit lanes, fallbacks, degrade
stand-ins, routers, comments), one PipelineBundle per spec (JSON, as bundles are usually
written by tools) and the handful of ExecutionProfiles and Modules they reference. Every file
is valid: ``rspp validate --root DIR`` reports no findings and each file passes its kind's
JSON Schema. The output depends only on N and the seed.

The YAML is written by string templates, not by a YAML library, so the files look like
hand-written artifacts (flow mappings for short values, comments, quoted versions).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API = "rspp.dev/v1alpha1"
TEAMS = ("billing", "support", "sales", "clinic", "travel", "banking", "retail", "telco")
PRODUCTS = (
    "concierge", "intake", "triage", "reminder", "survey", "assistant", "booking", "helpdesk",
    "callback", "onboarding", "collections", "dispatch",
)
LANGUAGES = ("en-US", "en-GB", "es-ES", "de-DE", "fr-FR", "pt-BR", "it-IT", "nl-NL")
OWNER_DOMAIN = "example.com"
CHANGES = (
    "shorter endpointing after the latency review",
    "backup recogniser for provider outages",
    "barge-in enabled for all callers",
    "cheaper model when the turn budget is exceeded",
    "card numbers redacted before the model",
    "new voice for the second language",
    "metrics exported to the shared collector",
    "larger audio buffers on congested links",
)

# Buffers a spec edge may declare: capacity with watermarks at 1/4 and 3/4.
CAPACITIES = (16, 32, 64, 128, 256)
SHEDDING_BY_LANE = {
    "data": ("drop_oldest", "drop_newest", "degrade"),
    "control": ("drop_oldest", "drop_newest"),
    "telemetry": ("drop_newest", "drop_oldest"),
}

# --------------------------------------------------------------------------- YAML scalars
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
_RESERVED = frozenset(
    {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"}
)


def scalar(value: Any) -> str:
    """A YAML scalar that every YAML 1.1 and 1.2 reader types the same way."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- modules
@dataclass(frozen=True, slots=True)
class ModuleDef:
    id: str
    version: str
    text: str  # the YAML file
    node_types: tuple[str, ...]
    inputs: tuple[str, ...]  # interface input port names
    outputs: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def filename(self) -> str:
        return f"{self.id}-{self.version}.yaml"


def _module(ident: str, version: str, description: str, body: str, node_types: Sequence[str],
            inputs: Sequence[str], outputs: Sequence[str]) -> ModuleDef:
    text = (
        f"# Module {ident} {version}: {description}\n"
        f"apiVersion: {API}\n"
        "kind: Module\n"
        "metadata:\n"
        f"  id: {ident}\n"
        f'  version: "{version}"\n'
        f"  owners: [{scalar('platform@' + OWNER_DOMAIN)}]\n"
        f"  description: {scalar(description)}\n"
        "spec:\n" + body
    )
    return ModuleDef(ident, version, text, tuple(node_types), tuple(inputs), tuple(outputs))


def modules() -> tuple[ModuleDef, ...]:
    transcript = "text/transcript+json"
    clean_body = (
        "  interface:\n"
        f"    inputs: {{text: {{type: {transcript}}}}}\n"
        f"    outputs: {{text: {transcript}}}\n"
        "  bind:\n"
        "    inputs: {text: [redact.text]}\n"
        "    outputs: {text: normalize.text}\n"
        "  nodes:\n"
        "    # Personal data never reaches the model or the logs.\n"
        "    - id: redact\n"
        "      type: text.redact\n"
        "      params: {entities: [credit_card, ssn, iban], replacement: \"[redacted]\"}\n"
        "      cancel: {scope: turn}\n"
        "    - id: normalize\n"
        "      type: text.normalize\n"
        "      params: {numbers: spoken_to_digits, casing: sentence%s}\n"
        "      cancel: {scope: turn}\n"
        "  edges:\n"
        "    - {from: redact.text, to: normalize.text, lane: data}\n"
    )
    return (
        _module("clean", "1.0.0", "redact personal data, then normalise the transcript",
                clean_body % "", ("text.redact", "text.normalize"), ("text",), ("text",)),
        _module("clean", "1.1.0", "redact personal data, then normalise the transcript",
                clean_body % ", locale: en-US", ("text.redact", "text.normalize"),
                ("text",), ("text",)),
        _module(
            "redact", "1.0.0", "redact card numbers from the transcript",
            "  interface:\n"
            f"    inputs: {{text: {{type: {transcript}}}}}\n"
            f"    outputs: {{text: {transcript}}}\n"
            "  bind:\n"
            "    inputs: {text: [mask.text]}\n"
            "    outputs: {text: mask.text}\n"
            "  nodes:\n"
            "    - id: mask\n"
            "      type: text.redact\n"
            "      params: {entities: [credit_card], replacement: \"[card]\"}\n"
            "      cancel: {scope: turn}\n",
            ("text.redact",), ("text",), ("text",),
        ),
        _module(
            "telemetry", "1.0.0", "export provider metrics over OpenTelemetry",
            "  interface:\n"
            "    inputs: {metrics: {type: metrics/otel}}\n"
            "  bind:\n"
            "    inputs: {metrics: [export.metrics]}\n"
            "  nodes:\n"
            "    - id: export\n"
            "      type: metrics.otel_exporter\n"
            "      params: {export_interval_ms: 10000, service_name: voice-agents}\n"
            "      cancel: {scope: none}\n",
            ("metrics.otel_exporter",), ("metrics",), (),
        ),
    )


# --------------------------------------------------------------------------- profiles
@dataclass(frozen=True, slots=True)
class ProfileDef:
    id: str
    version: str
    mode: str
    text: str

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def filename(self) -> str:
        return self.id.split("/")[0] + ".yaml"


def _lane(name: str, priority: int, capacity: int, shedding: str) -> str:
    return (f"    {name}: {{priority: {priority}, buffer: {{capacity: {capacity}, "
            f"lowWatermark: {capacity // 4}, highWatermark: {capacity * 3 // 4}, "
            f"shedding: {shedding}}}}}\n")


def _profile(ident: str, mode: str, description: str, data_capacity: int, budgets: str,
             defaults: str) -> ProfileDef:
    text = (
        f"# Execution profile {ident}: {description}\n"
        f"apiVersion: {API}\n"
        "kind: ExecutionProfile\n"
        "metadata:\n"
        f"  id: {ident}\n"
        '  version: "1.0.0"\n'
        f"  owners: [{scalar('runtime@' + OWNER_DOMAIN)}]\n"
        "spec:\n"
        f"  description: {scalar(description)}\n"
        f"  mode: {mode}\n"
        "  # Lane defaults apply to every edge field a spec leaves out.\n"
        "  lanes:\n"
        + _lane("control", 300, 16, "drop_oldest")
        + _lane("data", 200, data_capacity, "drop_oldest")
        + _lane("telemetry", 100, data_capacity * 4, "drop_newest")
        + "  budgets:\n" + budgets
        + "  sheddingOnBudgetBreach: degrade\n"
        + "  nodeDefaults:\n" + defaults
    )
    return ProfileDef(ident, "1.0.0", mode, text)


def profiles() -> tuple[ProfileDef, ...]:
    return (
        _profile("base/v1", "standard", "general purpose voice agents", 64,
                 "    turnLatencyMs: 800\n    firstAudioMs: 500\n",
                 "    stt.deepgram: {endpointing_ms: 25}\n"),
        _profile("fast/v1", "low_latency", "browser and WebRTC agents with tight budgets", 32,
                 "    turnLatencyMs: 600\n    firstAudioMs: 350\n    sttFinalMs: 200\n"
                 "    llmFirstTokenMs: 250\n    ttsFirstByteMs: 120\n",
                 "    tts.cartesia: {speed: 1.0}\n    llm.openai: {temperature: 0.6}\n"),
        _profile("telephony/v1", "standard", "PSTN and SIP trunks at 8 kHz", 48,
                 "    turnLatencyMs: 900\n    maxCostPerTurnUsd: 0.02\n",
                 "    transport.sip.input: {jitter_buffer_ms: 80}\n"),
        _profile("premium/v1", "low_latency", "premium tier, larger models, higher cost cap", 32,
                 "    turnLatencyMs: 700\n    firstAudioMs: 400\n"
                 "    maxCostPerSessionUsd: 1.5\n",
                 "    llm.anthropic: {max_tokens: 2048}\n"),
    )


# --------------------------------------------------------------------------- spec graphs
@dataclass(slots=True)
class GenNode:
    id: str
    type: str
    params: dict[str, Any]
    cancel: dict[str, str]
    comment: str
    description: str | None = None
    fallback: dict[str, Any] | None = None
    degrade: dict[str, str] | None = None
    routes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class GenEdge:
    src: str
    dst: str
    lane: str
    buffer: dict[str, Any] | None
    comment: str | None = None


@dataclass(slots=True)
class Graph:
    rng: random.Random
    nodes: list[GenNode] = field(default_factory=list)
    edges: list[GenEdge] = field(default_factory=list)
    imports: list[tuple[ModuleDef, str]] = field(default_factory=list)

    def add(self, node: GenNode) -> str:
        self.nodes.append(node)
        return node.id

    def wire(self, src: str, dst: str, lane: str, comment: str | None = None) -> None:
        self.edges.append(GenEdge(src, dst, lane, _buffer(self.rng, lane), comment))

    def node_types(self) -> set[str]:
        types = {n.type for n in self.nodes}
        for module, _ in self.imports:
            types.update(module.node_types)
        return types


def _buffer(rng: random.Random, lane: str) -> dict[str, Any] | None:
    roll = rng.random()
    if roll < 0.25:
        return None  # the profile's lane default applies
    shedding = rng.choice(SHEDDING_BY_LANE[lane])
    if roll < 0.4:
        return {"shedding": shedding}
    capacity = rng.choice(CAPACITIES)
    return {"capacity": capacity, "lowWatermark": capacity // 4,
            "highWatermark": capacity * 3 // 4, "shedding": shedding}


def _pick(rng: random.Random, values: Sequence[Any]) -> Any:
    return values[rng.randrange(len(values))]


def _stt_params(rng: random.Random, kind: str, language: str) -> dict[str, Any]:
    if kind == "stt.deepgram":
        return {"model": _pick(rng, ("nova-3", "nova-2", "nova-3-medical")),
                "language": language, "sample_rate": 16000, "interim_results": True,
                "punctuate": True, "smart_format": rng.random() < 0.7,
                "endpointing_ms": _pick(rng, (10, 25, 50, 100)), "filler_words": True}
    if kind == "stt.openai":
        return {"model": _pick(rng, ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")),
                "language": language.split("-")[0], "sample_rate": 16000}
    return {"sample_rate": 16000,
            "end_of_turn_confidence_threshold": _pick(rng, (0.4, 0.5, 0.6)),
            "min_end_of_turn_silence_when_confident": _pick(rng, (160, 400, 560)),
            "max_turn_silence": _pick(rng, (1280, 2400))}


def _llm_params(rng: random.Random, kind: str, fast: bool = False) -> dict[str, Any]:
    temperature = _pick(rng, (0.2, 0.4, 0.6, 0.8))
    if kind == "llm.openai":
        model = "gpt-4o-mini" if fast else _pick(rng, ("gpt-4o", "gpt-4.1", "gpt-4o-mini"))
        return {"model": model, "temperature": temperature,
                "parallel_tool_calls": rng.random() < 0.5,
                "max_completion_tokens": _pick(rng, (256, 512, 1024))}
    model = ("claude-3-5-haiku-latest" if fast
             else _pick(rng, ("claude-sonnet-4-0", "claude-3-7-sonnet-latest")))
    return {"model": model, "temperature": temperature,
            "max_tokens": _pick(rng, (512, 1024, 2048))}


def _tts_params(rng: random.Random, kind: str, rate: int) -> dict[str, Any]:
    if kind == "tts.cartesia":
        voice = "-".join(f"{rng.getrandbits(b):0{b // 4}x}" for b in (32, 16, 16, 16, 48))
        return {"model": _pick(rng, ("sonic-2", "sonic-turbo")), "voice": voice,
                "sample_rate": rate, "encoding": "pcm_s16le",
                "speed": _pick(rng, (0.9, 1.0, 1.1))}
    return {"model": _pick(rng, ("eleven_flash_v2_5", "eleven_turbo_v2_5")),
            "voice_id": _pick(rng, ("EXAVITQu4vr4xnSDxMaL", "21m00Tcm4TlvDq8ikWAM")),
            "sample_rate": rate, "streaming_latency": _pick(rng, (1, 2, 3)),
            "auto_mode": True}


_TRANSPORTS = {
    # name: (input type, output type, input rate, output rate, comment)
    "websocket": ("transport.websocket.input", "transport.websocket.output", 16000, 24000,
                  "browser or app client over a WebSocket"),
    "livekit": ("transport.livekit.input", "transport.livekit.output", 48000, 24000,
                "WebRTC room via LiveKit"),
    "sip": ("transport.sip.input", "transport.sip.output", 8000, 8000,
            "PSTN caller through a SIP trunk"),
}
_STT = ("stt.deepgram", "stt.openai", "stt.assemblyai")
_LLM = ("llm.openai", "llm.anthropic")
_TTS = ("tts.cartesia", "tts.elevenlabs")
# Optional features and how many nodes each adds.
_FEATURES = {
    "stt_fallback": 1, "llm_fallback": 1, "llm_degrade": 1, "tts_fallback": 1,
    "interruption": 1, "metrics": 1, "redact": 1, "normalize": 1, "router": 2,
}
_TARGET_SIZE = range(8, 17)


def _choose_features(rng: random.Random, base: int) -> tuple[set[str], str | None, str | None]:
    """Features (node-adding options) so that the graph has 8-16 nodes, and module imports."""
    target = max(base, rng.choice(_TARGET_SIZE))
    text_module = _pick(rng, (None, None, "clean@1.0.0", "clean@1.1.0", "redact@1.0.0"))
    metrics_module = _pick(rng, (None, "telemetry@1.0.0"))
    names = list(_FEATURES)
    rng.shuffle(names)
    chosen: set[str] = set()
    size = base
    for name in names:
        if text_module and name in ("redact", "normalize"):
            continue
        if metrics_module and name == "metrics":
            continue
        if size + _FEATURES[name] <= target:
            chosen.add(name)
            size += _FEATURES[name]
    return chosen, text_module, metrics_module


def build_graph(rng: random.Random, mods: dict[str, ModuleDef]) -> tuple[Graph, str, str]:
    """A voice-agent graph; returns it with its transport name and main language."""
    g = Graph(rng)
    transport = _pick(rng, ("websocket", "websocket", "livekit", "sip"))
    in_type, out_type, in_rate, out_rate, transport_comment = _TRANSPORTS[transport]
    language = _pick(rng, LANGUAGES)
    base = 7 + (in_rate != 16000) + (out_rate != 24000)
    features, text_module, metrics_module = _choose_features(rng, base)

    # --- audio in
    in_params: dict[str, Any] = {
        "websocket": {"sample_rate": 16000, "frame_ms": _pick(rng, (10, 20, 30))},
        "livekit": {"sample_rate": 48000, "num_channels": 1, "room_input": "microphone"},
        "sip": {"codec": _pick(rng, ("pcmu", "pcma")),
                "jitter_buffer_ms": _pick(rng, (40, 60, 80))},
    }[transport]
    audio = g.add(GenNode("caller", in_type, in_params, {"scope": "session"},
                          f"Audio in: {transport_comment}.")) + ".audio"
    if in_rate != 16000:
        g.add(GenNode("upsample" if in_rate < 16000 else "downsample", "audio.resample",
                      {"from_rate": in_rate, "to_rate": 16000,
                       "quality": _pick(rng, ("medium", "high"))},
                      {"scope": "session"},
                      f"The recognisers want 16 kHz mono; the transport gives {in_rate} Hz."))
        g.wire(audio, f"{g.nodes[-1].id}.audio", "data", "resample before anything listens")
        audio = f"{g.nodes[-1].id}.audio"
    g.add(GenNode("vad", "vad.silero",
                  {"sample_rate": 16000,
                   "activation_threshold": _pick(rng, (0.45, 0.5, 0.6)),
                   "min_speech_duration": 0.05,
                   "min_silence_duration": _pick(rng, (0.35, 0.55, 0.8)),
                   "prefix_padding_duration": 0.5},
                  {"scope": "session"}, "Voice activity gates recognition and barge-in.",
                  description="speech start and end events from 16 kHz audio"))
    g.wire(audio, "vad.audio", "data", "audio path")

    # --- recognition
    stt_type = _pick(rng, _STT)
    stt = g.add(GenNode("stt", stt_type, _stt_params(rng, stt_type, language),
                        {"scope": "turn", "inFlight": "drop"},
                        "Streaming recognition with interim results.",
                        description=f"primary recogniser for {language}"))
    if "stt_fallback" in features:
        backup = _pick(rng, [t for t in _STT if t != stt_type])
        g.nodes[-1].fallback = {"targets": ["stt_backup"], "attemptTimeoutMs": 2000,
                                "maxRetries": 1, "retryIntervalMs": 250}
        g.add(GenNode("stt_backup", backup, _stt_params(rng, backup, language),
                      {"scope": "turn", "inFlight": "drop"},
                      "Stand-in recogniser: takes over the primary's wiring on failure."))
    g.wire("vad.audio", f"{stt}.audio", "data")
    text = f"{stt}.transcript"
    if text_module:
        module = mods[text_module]
        alias = "clean" if module.id == "clean" else "pii"
        g.imports.append((module, alias))
        g.wire(text, f"{alias}.text", "data", f"transcripts go through module {module.ref}")
        text = f"{alias}.text"
    for name, ntype, params, comment in (
        ("redact", "text.redact",
         {"entities": ["credit_card", "ssn"], "replacement": "[redacted]"},
         "Mask card and social security numbers before the model sees them."),
        ("normalize", "text.normalize",
         {"numbers": "spoken_to_digits", "casing": "sentence", "locale": language},
         "Digits and casing the model and the logs can read."),
    ):
        if name in features:
            g.add(GenNode(name, ntype, params, {"scope": "turn"}, comment))
            g.wire(text, f"{name}.text", "data")
            text = f"{name}.text"

    # --- turn taking
    g.add(GenNode("turn", "turn.detector",
                  {"model": _pick(rng, ("multilingual", "english")),
                   "min_endpointing_delay": _pick(rng, (0.3, 0.5, 0.7)),
                   "max_endpointing_delay": _pick(rng, (3.0, 6.0)),
                   "unlikely_threshold": 0.15},
                  {"scope": "turn"}, "End-of-turn detection from words and silence.",
                  description="decides when the caller has finished speaking"))
    g.wire(text, "turn.transcript", "data", "turn taking")
    g.wire("vad.events", "turn.vad", "control")

    # --- language model
    llm_type = _pick(rng, _LLM)
    g.add(GenNode("llm", llm_type, _llm_params(rng, llm_type),
                  {"scope": "turn", "inFlight": "drop"},
                  "The agent's brain; a barge-in drops its partial answer.",
                  description="answers the caller within the turn budget"))
    llm = g.nodes[-1]
    stand_ins: list[GenNode] = []
    if "llm_fallback" in features:
        other = _pick(rng, [t for t in _LLM if t != llm_type])
        llm.fallback = {"targets": ["llm_backup"], "attemptTimeoutMs": 4000}
        stand_ins.append(GenNode("llm_backup", other, _llm_params(rng, other),
                                 {"scope": "turn", "inFlight": "drop"},
                                 "Other provider, used when the primary errors or times out."))
    if "llm_degrade" in features:
        llm.degrade = {"target": "llm_fast",
                       "trigger": _pick(rng, ("budget_exceeded", "overload", "cost_cap"))}
        stand_ins.append(GenNode("llm_fast", llm_type, _llm_params(rng, llm_type, fast=True),
                                 {"scope": "turn", "inFlight": "drop"},
                                 "Smaller model for turns over budget."))
    for node in stand_ins:
        g.add(node)
    g.wire(text, "llm.transcript", "data")
    g.wire("turn.turn", "llm.turn", "control")

    # --- speech out
    tts_rate = 24000
    speakers: list[str] = []
    tts_type = _pick(rng, _TTS)
    g.add(GenNode("tts", tts_type, _tts_params(rng, tts_type, tts_rate),
                  {"scope": "turn", "inFlight": "flush"},
                  "Speech synthesis; a barge-in flushes queued audio.",
                  description=f"primary voice for {language}"))
    speakers.append("tts")
    if "tts_fallback" in features:
        other = _pick(rng, [t for t in _TTS if t != tts_type])
        g.nodes[-1].fallback = {"targets": ["tts_backup"], "maxRetries": 2}
        g.add(GenNode("tts_backup", other, _tts_params(rng, other, tts_rate),
                      {"scope": "turn", "inFlight": "flush"}, "Stand-in voice."))
    if "router" in features:
        second = _pick(rng, LANGUAGES[2:])
        g.add(GenNode("by_language", "router", {"type": "text/plain"}, {"scope": "turn"},
                      "Answers in a second language go to a matching voice.",
                      routes={"cases": [{"when": f"session.language == '{second}'",
                                         "port": "second"}],
                              "default": "primary"}))
        g.wire("llm.text", "by_language.in", "data", "route answers by language")
        g.wire("by_language.primary", "tts.text", "data")
        g.wire("by_language.second", "tts_second.text", "data")
        alt = _pick(rng, _TTS)
        g.add(GenNode("tts_second", alt, _tts_params(rng, alt, tts_rate),
                      {"scope": "turn", "inFlight": "flush"},
                      f"Voice for {second} answers.", description=f"{second} voice"))
        speakers.append("tts_second")
    else:
        g.wire("llm.text", "tts.text", "data", "speech out")
    sink_audio = "speaker.audio"
    if out_rate != tts_rate:
        g.add(GenNode("telephone_rate", "audio.resample",
                      {"from_rate": tts_rate, "to_rate": out_rate, "quality": "high"},
                      {"scope": "session"}, "Telephone audio is 8 kHz."))
        sink_audio = "telephone_rate.audio"
    for name in speakers:
        g.wire(f"{name}.audio", sink_audio, "data")
    if sink_audio != "speaker.audio":
        g.wire("telephone_rate.audio", "speaker.audio", "data")
    out_params: dict[str, Any] = {
        "websocket": {"sample_rate": out_rate},
        "livekit": {"sample_rate": out_rate, "num_channels": 1, "sync_transcription": True},
        "sip": {"codec": in_params.get("codec", "pcmu")},
    }[transport]
    g.add(GenNode("speaker", out_type, out_params, {"scope": "session"},
                  "Audio out to the same client.", description=f"{transport} audio out"))

    # --- barge-in
    if "interruption" in features:
        g.add(GenNode("barge_in", "control.interruption",
                      {"min_interruption_duration": _pick(rng, (0.3, 0.5, 0.8)),
                       "min_interruption_words": _pick(rng, (0, 1, 2)),
                       "allow_interruptions": True},
                      {"scope": "session"},
                      "Barge-in: the caller talking over the agent cancels the turn."))
        g.wire("vad.events", "barge_in.vad", "control", "cancellation fences")
        g.wire("turn.turn", "barge_in.turn", "control")
        for target in ("llm", *speakers, "speaker"):
            g.wire("barge_in.cancel", f"{target}.cancel", "control")

    # --- telemetry
    sink = None
    if metrics_module:
        g.imports.append((mods[metrics_module], "telemetry"))
        sink = "telemetry.metrics"
    elif "metrics" in features:
        g.add(GenNode("metrics", "metrics.otel_exporter",
                      {"export_interval_ms": _pick(rng, (5000, 10000)),
                       "service_name": "voice-agent"},
                      {"scope": "none"}, "Provider latency and token metrics."))
        sink = "metrics.metrics"
    if sink:
        first = True
        for name in (stt, "llm", *speakers):
            g.wire(f"{name}.metrics", sink, "telemetry", "telemetry" if first else None)
            first = False
    return g, transport, language


# --------------------------------------------------------------------------- rendering
def _render_node(node: GenNode) -> list[str]:
    lines = [f"    # {node.comment}", f"    - id: {node.id}", f"      type: {node.type}"]
    if node.description:
        lines.append(f"      description: {scalar(node.description)}")
    if node.params:
        lines.append("      params:")
        lines.extend(f"        {k}: {scalar(v)}" for k, v in node.params.items())
    lines.append(f"      cancel: {scalar(node.cancel)}")
    if node.fallback:
        lines.append(f"      fallback: {scalar(node.fallback)}")
    if node.degrade:
        lines.append(f"      degrade: {scalar(node.degrade)}")
    if node.routes:
        lines.append("      routes:")
        lines.append("        cases:")
        lines.extend(f"          - {scalar(c)}" for c in node.routes["cases"])
        lines.append(f"        default: {node.routes['default']}")
    return lines


def _render_edge(edge: GenEdge) -> list[str]:
    lines = [f"    # {edge.comment}"] if edge.comment else []
    body = f"from: {edge.src}, to: {edge.dst}, lane: {edge.lane}"
    if edge.buffer:
        body += f", buffer: {scalar(edge.buffer)}"
    lines.append(f"    - {{{body}}}")
    return lines


@dataclass(frozen=True, slots=True)
class SpecDef:
    id: str
    version: str
    team: str
    name: str
    text: str
    node_types: tuple[str, ...]
    profile: ProfileDef

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def build_spec(index: int, rng: random.Random, mods: dict[str, ModuleDef],
               profs: dict[str, ProfileDef]) -> SpecDef:
    team = _pick(rng, TEAMS)
    product = _pick(rng, PRODUCTS)
    name = f"{product}-{index:05d}"
    ident = f"{team}/{name}"
    version = f"{rng.randint(1, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
    graph, transport, language = build_graph(rng, mods)
    profile = profs[{
        "sip": _pick(rng, ("telephony/v1", "base/v1")),
        "livekit": _pick(rng, ("fast/v1", "premium/v1", "base/v1")),
        "websocket": _pick(rng, ("base/v1", "fast/v1", "premium/v1")),
    }[transport]]
    title = f"{team.title()} {product} agent ({language}, {transport})"
    major, minor, _ = (int(x) for x in version.split("."))
    history = [f"#   {major}.{m}.0  {_pick(rng, CHANGES)}" for m in range(minor, -1, -4)][:3]
    lines = [
        f"# {title}.",
        f"# Owned by the {team} team; reviewed by the speech platform team.",
        f"# Runs with profile {profile.ref}; see the bundle of the same name.",
        f"# Graph: {len(graph.nodes)} nodes, {len(graph.edges)} edges, "
        f"{len(graph.imports)} module import{'' if len(graph.imports) == 1 else 's'}.",
        "# Recent changes:",
        *history,
        f"apiVersion: {API}",
        "kind: PipelineSpec",
        "metadata:",
        f"  id: {ident}",
        f'  version: "{version}"',
        f"  owners: [{scalar(f'{team}-voice@{OWNER_DOMAIN}')}, "
        f"{scalar(f'oncall-{team}@{OWNER_DOMAIN}')}]",
        f"  description: {scalar(title)}",
        "  labels:",
        f"    team: {team}",
        "    tier: realtime",
        f"    locale: {language.lower()}",
        f"    transport: {transport}",
        "spec:",
        f"  description: {scalar(f'{product} flow for {team} callers, {language}')}",
    ]
    if graph.imports:
        lines.append("  imports:")
        for module, alias in graph.imports:
            lines += [f"    - module: {module.ref}", f"      as: {alias}"]
    lines.append("  nodes:")
    for node in graph.nodes:
        lines += _render_node(node)
    lines.append("  # Edges name node.port; lanes are explicit, buffers override the profile.")
    lines.append("  edges:")
    for edge in graph.edges:
        lines += _render_edge(edge)
    text = "\n".join(lines) + "\n"
    return SpecDef(ident, version, team, name, text, tuple(sorted(graph.node_types())),
                   profile)


def bundle_json(spec: SpecDef, rng: random.Random) -> str:
    packages = [
        {"type": t, "impl": f"pkg:pypi/rspp-node-{t.replace('.', '-').replace('_', '-')}@1.4.2",
         "digest": digest_of(f"{t}@1.4.2")}
        for t in spec.node_types
    ]
    minor = rng.randint(2, 6)
    doc = {
        "apiVersion": API,
        "kind": "PipelineBundle",
        "metadata": {
            "id": f"{spec.id}-bundle",
            "version": spec.version,
            "owners": [f"{spec.team}-voice@{OWNER_DOMAIN}"],
            "labels": {"team": spec.team, "release-channel": _pick(rng, ("stable", "beta"))},
        },
        "spec": {
            "description": f"Release of {spec.ref} with profile {spec.profile.ref}",
            "pins": [{"kind": "PipelineSpec", "ref": spec.ref},
                     {"kind": "ExecutionProfile", "ref": spec.profile.ref}],
            "nodePackages": packages,
            "compatibility": {"minRuntime": f"1.{minor}.0", "maxRuntime": f"1.{minor + 3}.0",
                              "eventAbi": "1.2.0"},
        },
    }
    return json.dumps(doc, indent=2) + "\n"


# --------------------------------------------------------------------------- entry points
def _write(path: Path, text: str, out: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    out.append(path)


def generate(out: Path, specs: int, seed: int = 7) -> list[Path]:
    """Write the repository under ``out`` (missing or empty); return the files written."""
    if specs < 1:
        raise ValueError("specs must be at least 1")
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    rng = random.Random(seed)
    written: list[Path] = []
    mods = {module.ref: module for module in modules()}
    for module in mods.values():
        _write(out / "pipelines" / "modules" / module.filename, module.text, written)
    profs = {p.id: p for p in profiles()}
    for profile in profs.values():
        _write(out / "pipelines" / "profiles" / profile.filename, profile.text, written)
    for i in range(1, specs + 1):
        spec = build_spec(i, rng, mods, profs)
        _write(out / "pipelines" / "specs" / spec.team / f"{spec.name}.yaml", spec.text,
               written)
        _write(out / "pipelines" / "bundles" / spec.team / f"{spec.name}.json",
               bundle_json(spec, rng), written)
    return written


_KIND_BY_FOLDER = {
    "specs": "PipelineSpec",
    "bundles": "PipelineBundle",
    "profiles": "ExecutionProfile",
    "modules": "Module",
}


def by_kind(root: Path, files: Iterable[Path]) -> dict[str, list[Path]]:
    """Generated files grouped by kind, as paths relative to ``root``."""
    groups: dict[str, list[Path]] = {}
    for path in files:
        rel = path.relative_to(root)
        groups.setdefault(_KIND_BY_FOLDER[rel.parts[1]], []).append(rel)
    return groups


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--specs", type=int, required=True, help="number of PipelineSpecs")
    parser.add_argument("--out", type=Path, required=True, help="missing or empty folder")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    try:
        files = generate(args.out, args.specs, args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    groups = by_kind(args.out, files)
    size = sum(p.stat().st_size for p in files)
    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(groups.items()))
    sys.stdout.write(f"wrote {len(files)} files ({counts}; {size / 1e6:.1f} MB) to {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
