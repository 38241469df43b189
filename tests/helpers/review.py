"""Realistic pull requests on the example repository, for `rspp diff` (issue 12): each one
edits a git repository of the examples (``example_repo``: branch ``feature`` on ``main``) the
way a platform engineer would: new versions of the artifacts it changes, a new bundle version
pinning them, ``rspp build`` to pin digests and refresh derived files."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from tests.helpers.files import edit, read, write
from tests.helpers.repos import PROFILE, new_version

SPEC: Final = "pipelines/specs/livekit_voice_assistant.yaml"
BUNDLE: Final = "pipelines/bundles/livekit_voice_assistant_bundle.json"
MODULE: Final = "pipelines/modules/transcription_normalize.yaml"
POLICY: Final = "pipelines/policies/default_voice_policy.yaml"
# A package digest the examples do not use (a new provider's wheel).
DIGEST: Final = "sha256:" + "5e" * 32


def _file(path: str, version: str) -> str:
    stem, dot, ext = path.rpartition(".")
    return f"{stem}_{version.replace('.', '_')}{dot}{ext}"


def _build(root: Path) -> None:
    """``rspp build`` then ``rspp lock``, as the author of a change does before pushing."""
    from rspp.commands.build import BuildOptions, build
    from rspp.commands.lock import LockOptions, lock

    outcome = build(BuildOptions(root))
    assert not outcome.failed and not outcome.report.failed, \
        [f.message for f in outcome.report.findings if f.is_error]
    locked = lock(LockOptions(root))
    assert not locked.report.failed, [f.message for f in locked.report.findings]


def release(root: Path, version: str, spec: Callable[[str], str],
            packages: Mapping[str, str | None] | None = None,
            pins: Mapping[str, str] | None = None) -> None:
    """Spec ``livekit_voice_assistant`` and its bundle at ``version``: the spec edited by
    ``spec`` (text in, text out), the bundle's ``nodePackages`` changed by ``packages`` (type
    -> impl, None removes it), its pins of other kinds replaced by ``pins`` (kind -> ref)."""
    new_version(root, SPEC, _file(SPEC, version), version)
    write(root, _file(SPEC, version), spec(read(root, _file(SPEC, version))))
    doc: dict[str, Any] = json.loads(read(root, BUNDLE))
    doc["metadata"]["version"] = version
    doc["metadata"]["description"] = f"Release {version} of the LiveKit voice assistant."
    for pin in doc["spec"]["pins"]:
        if pin["kind"] == "PipelineSpec":
            pin["ref"] = f"livekit_voice_assistant@{version}"
        elif pins and pin["kind"] in pins:
            pin["ref"] = pins[pin["kind"]]
    listed = [p for p in doc["spec"]["nodePackages"]
              if (packages or {}).get(p["type"], p["impl"]) is not None]
    for ntype, impl in (packages or {}).items():
        if impl is not None and all(p["type"] != ntype for p in listed):
            listed.append({"type": ntype, "impl": impl, "digest": DIGEST,
                           "executionMode": "in_process"})
    doc["spec"]["nodePackages"] = listed
    write(root, _file(BUNDLE, version), json.dumps(doc, indent=2) + "\n")
    _build(root)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --------------------------------------------------------------------------- the changes
def provider_swap(root: Path) -> None:
    """STT from Deepgram Nova-3 to AssemblyAI Universal-Streaming, with its own parameters."""
    def spec(text: str) -> str:
        return _replace(text, """      type: stt.deepgram
      params:
        model: nova-3
        language: en-US
        sample_rate: 16000
        interim_results: true
        punctuate: true
        smart_format: true
        endpointing_ms: 25
        filler_words: true
""", """      type: stt.assemblyai
      params:
        sample_rate: 16000
        end_of_turn_confidence_threshold: 0.5
        min_end_of_turn_silence_when_confident: 300
        max_turn_silence: 1000
""")
    policy = _file(POLICY, "2.0.0")  # the provider rule names the new primary
    new_version(root, POLICY, policy, "2.0.0")
    edit(root, policy, "prefer: [stt.deepgram, stt.openai]", "prefer: [stt.assemblyai, stt.openai]")
    release(root, "2.0.0", spec, {"stt.deepgram": None,
                                  "stt.assemblyai": "pkg:pypi/livekit-plugins-assemblyai@1.2.6"},
            {"PolicyOverlay": "default_voice_policy@2.0.0"})


def new_fallback(root: Path) -> None:
    """The LLM gains a fallback: Anthropic takes over when OpenAI fails."""
    def spec(text: str) -> str:
        text = _replace(text, """        max_completion_tokens: 512
      # A reply belongs to its turn: on barge-in the stream is cancelled, queued tokens dropped.
      cancel:
        scope: turn
        inFlight: drop
""", """        max_completion_tokens: 512
      # A reply belongs to its turn: on barge-in the stream is cancelled, queued tokens dropped.
      cancel:
        scope: turn
        inFlight: drop
      fallback:
        targets: [llm_fallback]
        attemptTimeoutMs: 8000
        maxRetries: 0
    - id: llm_fallback
      type: llm.anthropic
      description: Stand-in for llm; takes over its ports when OpenAI fails.
      params:
        model: claude-3-5-haiku-latest
        temperature: 0.7
        max_tokens: 512
      cancel:
        scope: turn
        inFlight: drop
""")
        return text
    release(root, "1.1.0", spec, {"llm.anthropic": "pkg:pypi/livekit-plugins-anthropic@1.2.6"})


def buffer_resize(root: Path) -> None:
    """Room audio buffer from 5 s to 8 s of 10 ms frames."""
    def spec(text: str) -> str:
        return _replace(text, """      to: resample.audio
      lane: data
      buffer:
        capacity: 500
        lowWatermark: 50
        highWatermark: 400
""", """      to: resample.audio
      lane: data
      buffer:
        capacity: 800
        lowWatermark: 50
        highWatermark: 700
""")
    release(root, "1.1.0", spec)


def profile_default(root: Path) -> None:
    """simple/v1 2.0.0: a bigger default data-lane buffer and a tighter turn budget. Every
    bundle pinning simple/v1@1.0.0 resolves differently with it."""
    new = _file(PROFILE, "2.0.0")
    new_version(root, PROFILE, new, "2.0.0")
    edit(root, new, "capacity: 256", "capacity: 384")
    edit(root, new, "turnLatencyMs: 800", "turnLatencyMs: 700")
    _build(root)


def module_upgrade(root: Path) -> None:
    """transcription_normalize 1.1.0 (lower-case output, phone numbers no longer redacted as
    such), imported by the spec."""
    new = _file(MODULE, "1.1.0")
    new_version(root, MODULE, new, "1.1.0")
    edit(root, new, "casing: sentence", "casing: lower")
    edit(root, new, "entities: [credit_card, ssn, phone_number, email_address]",
         "entities: [credit_card, ssn, email_address]")

    def spec(text: str) -> str:
        return _replace(text, "module: transcription_normalize@1.0.0",
                        "module: transcription_normalize@1.1.0")
    release(root, "1.1.0", spec)


def breaking_port_change(root: Path) -> None:
    """Narrowband audio: the resampler now outputs 8 kHz, VAD and both STTs take 8 kHz. The
    ports of four nodes change type."""
    def spec(text: str) -> str:
        text = _replace(text, "        to_rate: 16000\n", "        to_rate: 8000\n")
        return text.replace("        sample_rate: 16000\n", "        sample_rate: 8000\n")
    release(root, "2.0.0", spec)


def policy_rule_added(root: Path) -> None:
    """default_voice_policy 1.1.0 adds a circuit breaker for the LLM."""
    new = _file(POLICY, "1.1.0")
    new_version(root, POLICY, new, "1.1.0")
    edit(root, new, "  circuitBreakers:\n", """  circuitBreakers:
    # Three failed LLM calls within 20 s open the breaker for 30 s.
    - node: llm
      failureThreshold: 3
      windowMs: 20000
      openForMs: 30000
""")
    _build(root)


SCENARIOS: Final[Mapping[str, Callable[[Path], None]]] = {
    "provider_swap": provider_swap,
    "new_fallback": new_fallback,
    "buffer_resize": buffer_resize,
    "profile_default": profile_default,
    "module_upgrade": module_upgrade,
    "breaking_port_change": breaking_port_change,
    "policy_rule_added": policy_rule_added,
}
