"""Parameter values against the catalog (PRM002), and "did you mean" in the messages of rules
that name something unknown. Messages are a contract: asserted as exact text."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.model.catalog import BUILTIN, value_problem
from rspp.resolve.gate import validate, validate_repository
from rspp.resolve.normalize import normalize
from rspp.validate.engine import ValidateOptions
from tests.helpers.files import edit, write

SPEC = "pipelines/specs/agent.yaml"
MODULE = "pipelines/modules/clean.yaml"
PROFILE = "pipelines/profiles/base.yaml"
EXTENSION = "pipelines/extensions/scorer.yaml"
BUNDLE = "pipelines/bundles/agent.json"


def _findings(repo: Path) -> list[str]:
    result = validate(ValidateOptions(root=repo))
    return [f"{f.location()} {f.code} {f.message}" for f in result.findings]


_STT = "      type: stt.deepgram\n"


# ------------------------------------------------------------------ the mistakes
def test_the_reported_values_are_refused_with_a_remedy(base_repo: Path) -> None:
    edit(base_repo, SPEC, _STT, _STT + "      params:\n"
          "        sample_rate: banana\n"
          "        endpointing_ms: -5\n"
          "        interim_results: no\n"
          "        model: 42\n")
    edit(base_repo, SPEC, "      type: llm.openai\n",
          "      type: llm.openai\n      params: {max_completion_tokens: 64.0}\n")
    assert _findings(base_repo) == [
        "pipelines/specs/agent.yaml:20:22 PRM002 stt.deepgram parameter 'sample_rate' is "
        "'banana' (a string); expected an integer in Hz from 8000 to 192000",
        "pipelines/specs/agent.yaml:21:25 PRM002 stt.deepgram parameter 'endpointing_ms' is -5; "
        "expected an integer in ms, at least 0",
        "pipelines/specs/agent.yaml:22:26 PRM002 stt.deepgram parameter 'interim_results' is "
        "'no' (a string); expected a boolean (true or false); YAML 1.2 reads no as a string; "
        "use false",
        "pipelines/specs/agent.yaml:23:16 PRM002 stt.deepgram parameter 'model' is 42 (an "
        "integer); expected a string; quote it: \"42\"",
        "pipelines/specs/agent.yaml:34:39 PRM002 llm.openai parameter 'max_completion_tokens' "
        "is 64.0 (a float); expected an integer in tokens, at least 1; write 64",
    ]


def test_an_import_override_names_the_module_node(base_repo: Path) -> None:
    edit(base_repo, SPEC, "      as: clean\n",
          "      as: clean\n      params: {normalize: {casing: 3}}\n")
    assert _findings(base_repo) == [
        "pipelines/specs/agent.yaml:10:36 PRM002 text.normalize (node 'normalize' of "
        "clean@1.0.0) parameter 'casing' is 3 (an integer); expected a string; quote it: \"3\"",
    ]


def test_an_allowed_value_near_miss_is_suggested(base_repo: Path) -> None:
    edit(base_repo, SPEC, _STT, "      type: stt.deepgram\n"
          "      params: {sample_rate: 16000}\n")
    edit(base_repo, SPEC, "    - id: vad\n      type: vad.silero\n",
          "    - id: vad\n      type: vad.silero\n      params: {sample_rate: 16000.0}\n")
    edit(base_repo, SPEC, "      type: tts.cartesia\n",
          "      type: tts.cartesia\n      params: {encoding: PCM_S16LE}\n")
    assert _findings(base_repo) == [
        "pipelines/specs/agent.yaml:16:29 PRM002 vad.silero parameter 'sample_rate' is 16000.0 "
        "(a float); expected one of 8000, 16000 (Hz); write 16000",
        "pipelines/specs/agent.yaml:34:26 PRM002 tts.cartesia parameter 'encoding' is "
        "'PCM_S16LE'; expected one of 'pcm_s16le', 'pcm_f32le', 'pcm_mulaw', 'pcm_alaw'; did "
        "you mean 'pcm_s16le'?",
    ]


def test_a_refused_port_shaping_value_is_reported_once(base_repo: Path) -> None:
    """A sample rate of banana is one mistake: not also a port type mismatch (TYP001) or an
    unbound port type (TYP002)."""
    edit(base_repo, SPEC, "      type: stt.deepgram\n",
          "      type: stt.deepgram\n      params: {sample_rate: banana}\n")
    write(base_repo, "pipelines/specs/resampler.yaml", """\
apiVersion: rspp.dev/v1alpha1
kind: PipelineSpec
metadata: {id: resampler, version: "1.0.0"}
spec:
  nodes:
    - {id: mic, type: transport.sip.input, cancel: {scope: session}}
    - id: up
      type: audio.resample
      params: {from_rate: 8000.0, to_rate: 16000}
      cancel: {scope: session}
    - {id: vad, type: vad.silero, cancel: {scope: session}}
  edges:
    - {from: mic.audio, to: up.audio}
    - {from: up.audio, to: vad.audio}
""")
    assert [line.split(" ", 2)[:2] for line in _findings(base_repo)] == [
        ["pipelines/specs/agent.yaml:19:29", "PRM002"],
        ["pipelines/specs/resampler.yaml:9:27", "PRM002"],
    ]


# ------------------------------------------------------------------ valid values stay quiet
def test_valid_values_are_quiet_in_every_place(base_repo: Path) -> None:
    """Bounds are inclusive, an integer is a number, closed sets accept their members, open
    sets (models, languages) accept any string, an empty list is a list of strings."""
    edit(base_repo, SPEC, _STT, _STT + "      params:\n"
          "        model: nova-2-phonecall\n"
          "        language: no\n"
          "        sample_rate: 16000\n"
          "        interim_results: false\n"
          "        endpointing_ms: 0\n")
    edit(base_repo, SPEC, "      type: llm.openai\n",
          "      type: llm.openai\n      params: {temperature: 2, max_completion_tokens: 1}\n")
    edit(base_repo, SPEC, "      as: clean\n", "      as: clean\n"
          "      params: {redact: {entities: []}, normalize: {locale: de-DE}}\n")
    edit(base_repo, MODULE, "      type: text.redact\n",
          "      type: text.redact\n      params: {entities: [email_address], "
          "replacement: '*'}\n")
    edit(base_repo, PROFILE, "  budgets:\n", "  nodeDefaults:\n"
          "    tts.elevenlabs: {streaming_latency: 4, auto_mode: false}\n"
          "    vad.silero: {activation_threshold: 1}\n"
          "    audio.resample: {quality: very_high}\n"
          "    turn.detector: {model: english, unlikely_threshold: 0}\n"
          "  budgets:\n")
    write(base_repo, "pipelines/policies/p.yaml", """\
apiVersion: rspp.dev/v1alpha1
kind: PolicyOverlay
metadata: {id: p, version: "1.0.0"}
spec:
  insertRules:
    - onEdge: [clean.text, llm.transcript]
      node:
        id: second_redact
        type: text.redact
        params: {entities: [phone_number], replacement: "[number]"}
        cancel: {scope: turn}
      input: text
      output: text
""")
    assert _findings(base_repo) == []


def test_every_catalog_default_fits_its_declaration() -> None:
    for name, t in BUILTIN.items():
        assert list(t.params) == list(t.decls), name
        for param, decl in t.decls.items():
            if decl.default is not None:
                assert value_problem(decl, decl.default) is None, (name, param)


@pytest.mark.parametrize(("value", "problem"), [
    (True, "true (a boolean); a boolean is not a number"),
    ("16000", "'16000' (a string); write 16000 without quotes"),
    (None, "null"),
    (7999, "7999"),
    (192001, "192001"),
    (16000.5, "16000.5 (a float)"),
])
def test_integer_refusals(value: object, problem: str) -> None:
    refusal = value_problem(BUILTIN["stt.deepgram"].decls["sample_rate"], value)
    assert refusal is not None and refusal.shown + refusal.hint == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("yes", "'yes' (a string); YAML 1.2 reads yes as a string; use true"),
    ("Off", "'Off' (a string); YAML 1.2 reads Off as a string; use false"),
    ("false", "'false' (a string); write false without quotes"),
    (0, "0 (an integer)"),
    (None, "null"),
])
def test_boolean_refusals(value: object, problem: str) -> None:
    refusal = value_problem(BUILTIN["stt.deepgram"].decls["punctuate"], value)
    assert refusal is not None and refusal.shown + refusal.hint == problem


def test_a_router_type_must_be_a_port_type(base_repo: Path) -> None:
    write(base_repo, "pipelines/modules/route.yaml", """\
apiVersion: rspp.dev/v1alpha1
kind: Module
metadata: {id: route, version: "1.0.0"}
spec:
  interface:
    inputs: {text: {type: text/plain}}
    outputs: {text: text/plain}
  bind:
    inputs: {text: [split.in]}
    outputs: {text: split.other}
  nodes:
    - id: split
      type: router
      params: {type: plain text}
      routes: {cases: [{when: "true", port: other}], default: rest}
      cancel: {scope: turn}
""")
    assert _findings(base_repo) == [
        "pipelines/modules/route.yaml:14:22 PRM002 router parameter 'type' is 'plain text'; "
        "expected a port type such as text/plain or audio/pcm16;rate=16000;channels=1",
    ]


def test_extension_parameters_are_checked_by_name_only(base_repo: Path) -> None:
    edit(base_repo, EXTENSION, "  trustLevel:", "  params: {window: 3}\n  trustLevel:")
    edit(base_repo, PROFILE, "  budgets:\n", "  nodeDefaults:\n"
          "    custom.scorer: {window: banana, windw: 2}\n  budgets:\n")
    assert _findings(base_repo) == [
        "pipelines/profiles/base.yaml:13:37 PRM001 custom.scorer has no parameter 'windw' "
        "(parameters: window); did you mean 'window'?",
    ]


def test_declared_extension_parameters_are_checked_like_built_in_ones(base_repo: Path) -> None:
    """A v1beta1 manifest types its parameters: a module node's value and a profile default
    are refused like a built-in type's (PRM002); an untyped parameter takes any value."""
    edit(base_repo, EXTENSION, "apiVersion: rspp.dev/v1alpha1", "apiVersion: rspp.dev/v1beta1")
    edit(base_repo, EXTENSION, "  trustLevel:", "  params:\n"
         "    threshold: {type: number, minimum: 0, maximum: 1, default: 0.5}\n"
         "    mode: {type: string, enum: [fast, exact], default: fast}\n"
         "    anything: {default: 1}\n  trustLevel:")
    edit(base_repo, PROFILE, "  budgets:\n", "  nodeDefaults:\n"
         "    custom.scorer: {threshold: 2}\n  budgets:\n")
    edit(base_repo, MODULE, "  edges:\n", "    - id: score\n      type: custom.scorer\n"
         "      extension: scorer@1.0.0\n      params: {mode: exakt, anything: [x]}\n"
         "      cancel: {scope: turn}\n  edges:\n")
    assert [line for line in _findings(base_repo) if " PRM00" in line] == [
        "pipelines/modules/clean.yaml:23:22 PRM002 custom.scorer parameter 'mode' is 'exakt'; "
        "expected one of 'fast', 'exact'; did you mean 'exact'?",
        "pipelines/profiles/base.yaml:13:32 PRM002 custom.scorer parameter 'threshold' is 2; "
        "expected a number from 0 to 1",
    ]


def test_the_library_refuses_values_of_a_node_a_policy_inserts(base_repo: Path) -> None:
    """Resolving without validating first still refuses the value (the resolve stage)."""
    write(base_repo, "pipelines/policies/p.yaml", """\
apiVersion: rspp.dev/v1alpha1
kind: PolicyOverlay
metadata: {id: p, version: "1.0.0"}
spec:
  insertRules:
    - onEdge: [clean.text, llm.transcript]
      node:
        id: second_redact
        type: text.redact
        params: {entities: [phone_number, 7]}
        cancel: {scope: turn}
      input: text
      output: text
""")
    _, repo = validate_repository(ValidateOptions(root=base_repo, jobs=1))
    index = repo.index
    spec = index.get("PipelineSpec", "agent", "1.0.0")
    profile = index.get("ExecutionProfile", "base/v1", "1.0.0")
    policy = index.get("PolicyOverlay", "p", "1.0.0")
    assert spec is not None and profile is not None and policy is not None
    res = normalize(spec, profile, [policy], index=index)
    assert [(p.code, p.pointer, p.message) for p in res.problems] == [
        ("PRM002", "/spec/insertRules/0/node/params/entities/1",
         "text.redact parameter 'entities' item 1 is 7 (an integer); expected a list of "
         "strings"),
    ]


# ------------------------------------------------------------------ did you mean
def test_misspelled_parameter_is_suggested(base_repo: Path) -> None:
    edit(base_repo, SPEC, "      type: llm.openai\n",
          "      type: llm.openai\n      params: {temprature: 0.3, xyz: 1}\n")
    assert _findings(base_repo) == [
        "pipelines/specs/agent.yaml:29:16 PRM001 llm.openai has no parameter 'temprature' "
        "(parameters: max_completion_tokens, model, parallel_tool_calls, temperature); did "
        "you mean 'temperature'?",
        "pipelines/specs/agent.yaml:29:33 PRM001 llm.openai has no parameter 'xyz' "
        "(parameters: max_completion_tokens, model, parallel_tool_calls, temperature)",
    ]


def test_misspelled_node_type_is_suggested(base_repo: Path) -> None:
    edit(base_repo, SPEC, "      type: stt.openai\n", "      type: stt.opneai\n")
    edit(base_repo, PROFILE, "  budgets:\n",
          "  nodeDefaults:\n    custom.scorr: {}\n  budgets:\n")
    edit(base_repo, EXTENSION, "  ports:", "  implements: llm.openia\n  ports:")
    found = _findings(base_repo)
    assert "pipelines/specs/agent.yaml:22:13 REF002 unknown node type 'stt.opneai': not in " \
           "the built-in catalog; custom types name their extension (extension: id@version); " \
           "did you mean 'stt.openai'?" in found
    assert "pipelines/profiles/base.yaml:13:5 PRM001 no node type custom.scorr in the " \
           "built-in catalog or any extension manifest; did you mean 'custom.scorer'?" in found
    assert "pipelines/extensions/scorer.yaml:10:15 REF003 extension implements 'llm.openia', " \
           "which is not a built-in node type; did you mean 'llm.openai'?" in found


def test_misspelled_node_and_port_are_suggested(base_repo: Path) -> None:
    edit(base_repo, SPEC, "{from: turn.turn, to: llm.turn}", "{from: turn.turn, to: llm.tern}")
    edit(base_repo, SPEC, "{from: llm.text, to: tts.text}", "{from: llm.text, to: ttx.text}")
    edit(base_repo, SPEC, "fallback: {targets: [stt_backup]}",
          "fallback: {targets: [stt_bakup]}")
    found = _findings(base_repo)
    assert "pipelines/specs/agent.yaml:43:29 DAG003 'llm' (llm.openai) has no input port " \
           "'tern' (inputs: cancel, transcript, turn); did you mean 'turn'?" in found
    assert "pipelines/specs/agent.yaml:44:28 DAG002 edge to ttx.text: no node 'ttx' (nodes: " \
           "clean, llm, mic, speaker, stt, stt_backup, tts, turn, vad); did you mean 'tts'?" \
           in found
    assert "pipelines/specs/agent.yaml:20:28 FBK001 stand-in 'stt_bakup' for 'stt' is not a " \
           "node of this graph; did you mean 'stt_backup'?" in found


def test_misspelled_module_node_and_import_parameter_are_suggested(base_repo: Path) -> None:
    edit(base_repo, SPEC, "      as: clean\n", "      as: clean\n"
          "      params: {redcat: {}, normalize: {lokale: en-GB}}\n")
    assert _findings(base_repo) == [
        "pipelines/specs/agent.yaml:10:16 MOD003 module clean@1.0.0 has no node 'redcat' "
        "(nodes: normalize, redact); did you mean 'redact'?",
        "pipelines/specs/agent.yaml:10:40 MOD003 text.normalize (node 'normalize' of "
        "clean@1.0.0) has no parameter 'lokale' (parameters: casing, locale, numbers); did you "
        "mean 'locale'?",
    ]


def test_misspelled_reference_id_is_suggested(base_repo: Path) -> None:
    edit(base_repo, BUNDLE, '"ref": "agent@1.0.0"', '"ref": "agnet@1.0.0"')
    edit(base_repo, SPEC, "module: clean@1.0.0", "module: cleen@2.0.0")
    found = _findings(base_repo)
    assert "pipelines/bundles/agent.json:12:16 REF001 PipelineSpec agnet@1.0.0 is not " \
           "defined (no PipelineSpec has id 'agnet'); did you mean 'agent@1.0.0'?" in found
    assert "pipelines/specs/agent.yaml:8:15 REF001 Module cleen@2.0.0 is not defined (no " \
           "Module has id 'cleen'); did you mean 'clean' (versions: 1.0.0)?" in found
