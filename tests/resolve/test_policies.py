"""Policy overlays: insert rules in the graph, turn-boundary rules in turnPolicy, problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rspp.commands.resolve import ResolveOptions, resolve_target
from rspp.core.canonical import canonical_bytes, pretty
from rspp.load.api import load_bytes
from rspp.model.artifact import Artifact, Index
from rspp.model.digest import pinned_ref
from rspp.resolve.api import to_finding
from rspp.resolve.normalize import normalize
from tests.helpers import RULE_CASES
from tests.helpers.files import edit
from tests.helpers.repos import build_case_repo
from tests.helpers.resolve import (
    BASE_SPEC,
    INSERT_EXTRA,
    add_package,
    add_policy,
    as_artifact,
    clean_index,
    edge,
    edge_pairs,
    get,
    load_index,
    node,
    node_source,
    policy_text,
    position,
    problems,
    renormalize,
    resolve_bundle,
    source,
    view_of,
)

POLICY = "pipelines/policies/p.yaml"
AGENT = "agent_bundle@1.0.0"
CASE_BUNDLE = "agent_policy_bundle@1.0.0"


# ---------------------------------------------------------------------- insert rules
def test_insert_rule_adds_a_node_and_two_edges(base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "{from: clean.text, to: llm.transcript}",
         "{from: clean.text, to: llm.transcript, lane: data, buffer: {capacity: 100}}")
    add_policy(base_repo, INSERT_EXTRA % "")
    index = clean_index(base_repo)
    view = view_of(index, AGENT)
    _, extra = node(view, "extra")
    assert extra["type"] == "text.redact" and "module" not in extra
    got = node_source(view, "extra", "id")
    assert (got["kind"], got["file"], got["pointer"], got["ref"]) == (
        "policy", POLICY, "/spec/insertRules/0/node/id", "p@1.0.0")
    pairs = edge_pairs(view)
    assert ("clean/normalize.text", "extra.text") in pairs
    assert ("extra.text", "llm.transcript") in pairs
    assert ("clean/normalize.text", "llm.transcript") not in pairs
    assert ("clean/normalize.text", "turn.transcript") in pairs  # the other edge stays
    into_ptr, into = edge(view, "clean/normalize.text", "extra.text")
    out_ptr, out = edge(view, "extra.text", "llm.transcript")
    assert where_pointer(view, f"{into_ptr}/to") == ("policy", "/spec/insertRules/0/input")
    assert where_pointer(view, f"{out_ptr}/from") == ("policy", "/spec/insertRules/0/output")
    assert (source(view, f"{into_ptr}/to")["line"], source(view, f"{into_ptr}/to")["column"]) \
        == position(base_repo, POLICY, "input: text", "text")
    assert source(view, f"{into_ptr}/from")["kind"] == "spec"
    assert source(view, f"{out_ptr}/to")["kind"] == "spec"
    # Both new edges keep the replaced edge's lane and buffer (and its sources).
    for pointer, item in ((into_ptr, into), (out_ptr, out)):
        assert item["lane"] == "data" and item["buffer"]["capacity"] == 100
        assert source(view, f"{pointer}/buffer/capacity")["file"] == BASE_SPEC
        assert source(view, f"{pointer}/buffer/shedding")["kind"] == "profile"
        assert item["type"] == "text/transcript+json"
    policy = get(index, "PolicyOverlay", "p@1.0.0")
    assert view["spec"]["policies"] == [pinned_ref(policy)]
    assert source(view, "/spec/policies")["kind"] == "bundle"


def where_pointer(view: Mapping[str, Any], pointer: str) -> tuple[str, str]:
    got = source(view, pointer)
    return got["kind"], got["pointer"]


def test_insert_breaking_typing_is_pol003_at_resolve_time(tmp_path: Path) -> None:
    repo = build_case_repo(RULE_CASES / "POL003" / "insert_breaks_typing", tmp_path / "r")
    _, index = load_index(repo)
    res = resolve_bundle(index, CASE_BUNDLE)
    assert res.view is None
    assert problems(res) == [("POL003", POLICY, "/spec/insertRules/0/input"),
                             ("POL003", POLICY, "/spec/insertRules/0/output")]
    into, out = res.problems
    assert into.message == ("edge clean/normalize.text -> speak.text: text/transcript+json does "
                            "not satisfy text/plain once the defaults of profile base/v1@1.0.0 "
                            "apply")
    assert "speak.audio -> llm.transcript" in out.message
    assert [to_finding(p).location() for p in res.problems] == [
        f"{POLICY}:11:14", f"{POLICY}:12:15"]
    # The service refuses the view and reports the same findings.
    outcome = resolve_target(ResolveOptions(repo, CASE_BUNDLE))
    assert outcome.view is None
    assert {(f.code, f.location()) for f in outcome.report.findings} == {
        ("POL003", f"{POLICY}:11:14"), ("POL003", f"{POLICY}:12:15")}


def test_insert_breaking_the_lane_is_pol003(base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "{from: vad.events, to: turn.vad}",
         "{from: vad.events, to: turn.vad, lane: data}")
    add_policy(base_repo, "  insertRules:\n    - onEdge: [vad.events, turn.vad]\n"
                          "      node: {id: barge, type: control.interruption, "
                          "cancel: {scope: none}}\n      input: vad\n      output: cancel\n")
    add_package(base_repo, "control.interruption")
    res = resolve_bundle(load_index(base_repo)[1], AGENT)
    assert res.view is None
    name = "edge barge.cancel -> turn.vad"
    assert [(p.code, p.pointer, p.message) for p in res.problems] == [
        ("POL003", "/spec/insertRules/0/output", f"{name}: control/cancel does not satisfy "
         "event/vad once the defaults of profile base/v1@1.0.0 apply"),
        ("POL003", "/spec/insertRules/0/output", f"{name}: control/cancel traffic may not ride "
         "the data lane (allowed: control)")]


def test_insert_of_an_unusable_node_is_pol005(tmp_path: Path) -> None:
    repo = build_case_repo(RULE_CASES / "POL005" / "insert_clashes_and_needs_input", tmp_path / "r")
    _, index = load_index(repo)
    res = resolve_bundle(index, CASE_BUNDLE)
    assert res.view is None
    assert problems(res) == [("POL005", POLICY, "/spec/insertRules/0/node/id"),
                             ("POL005", POLICY, "/spec/insertRules/1/node")]
    assert "already has a node with that id" in res.problems[0].message
    assert "needs input vad too" in res.problems[1].message


def test_provider_rule_for_an_unavailable_type_is_pol006(tmp_path: Path) -> None:
    repo = build_case_repo(RULE_CASES / "POL006" / "prefers_unavailable_type", tmp_path / "r")
    _, index = load_index(repo)
    res = resolve_bundle(index, CASE_BUNDLE)
    assert problems(res) == [("POL006", POLICY, "/spec/providerRules/0/prefer/1")]
    assert "offered: stt.deepgram, stt.openai" in res.problems[0].message


def test_policy_naming_a_module_alias_or_unknown_node_is_pol001(base_repo: Path) -> None:
    add_policy(base_repo, "  circuitBreakers:\n    - {node: clean, failureThreshold: 3, "
                          "windowMs: 1000, openForMs: 1000}\n"
                          "  degradeRules:\n    - {node: tts, to: nope, when: overload}\n",
               pinned=False)
    _, index = load_index(base_repo)
    res = normalize(get(index, "PipelineSpec", "agent@1.0.0"),
                    get(index, "ExecutionProfile", "base/v1@1.0.0"),
                    [get(index, "PolicyOverlay", "p@1.0.0")], index=index)
    assert problems(res) == [("POL001", POLICY, "/spec/circuitBreakers/0/node"),
                             ("POL001", POLICY, "/spec/degradeRules/0/to")]


def test_condition_that_does_not_parse_is_pol002(base_repo: Path) -> None:
    add_policy(base_repo, "  degradeRules:\n    - {node: stt, to: stt_backup, when: 'a >'}\n",
               pinned=False)
    _, index = load_index(base_repo)
    res = normalize(get(index, "PipelineSpec", "agent@1.0.0"),
                    get(index, "ExecutionProfile", "base/v1@1.0.0"),
                    [get(index, "PolicyOverlay", "p@1.0.0")], index=index)
    assert problems(res) == [("POL002", POLICY, "/spec/degradeRules/0/when")]


# ---------------------------------------------------------------------- turn policy
_RULES = """\
  providerRules:
    - {node: stt, prefer: [stt.openai, stt.deepgram], when: 'tenant.tier == "gold"'}
  circuitBreakers:
    - {node: stt, failureThreshold: 3, windowMs: 10000, openForMs: 20000}
  costCaps:
    - {scope: tenant_day, maxUsd: 100, action: reject}
  degradeRules:
    - {node: stt, to: stt_backup, when: session.cost_usd >= 1.5}
"""


def test_turn_rules_land_in_turn_policy_with_the_policy_ref(base_repo: Path) -> None:
    add_policy(base_repo, _RULES)
    add_policy(base_repo, "  degradeRules:\n    - {node: llm, to: tts, when: overload}\n", "q")
    index = clean_index(base_repo)
    view = view_of(index, AGENT)
    p = pinned_ref(get(index, "PolicyOverlay", "p@1.0.0"))
    q = pinned_ref(get(index, "PolicyOverlay", "q@1.0.0"))
    assert view["spec"]["policies"] == [p, q]
    assert view["spec"]["turnPolicy"] == {
        "providerRules": [{"policy": p, "node": "stt", "prefer": ["stt.openai", "stt.deepgram"],
                           "when": 'tenant.tier == "gold"'}],
        "circuitBreakers": [{"policy": p, "node": "stt", "failureThreshold": 3,
                             "windowMs": 10000, "openForMs": 20000, "halfOpenProbes": 1}],
        "costCaps": [{"policy": p, "scope": "tenant_day", "maxUsd": 100, "action": "reject"}],
        "degradeRules": [
            {"policy": p, "node": "stt", "to": "stt_backup", "when": "session.cost_usd >= 1.5"},
            {"policy": q, "node": "llm", "to": "tts", "when": "overload"}],
    }
    # Every node a rule names is a node of the resolved view.
    ids = {n["id"] for n in view["spec"]["nodes"]}
    for rules in view["spec"]["turnPolicy"].values():
        for rule in rules:
            assert {rule[k] for k in ("node", "to") if k in rule} <= ids
    got = source(view, "/spec/turnPolicy/circuitBreakers/0/failureThreshold")
    assert (got["kind"], got["file"], got["pointer"]) == (
        "policy", POLICY, "/spec/circuitBreakers/0/failureThreshold")
    assert source(view, "/spec/turnPolicy/circuitBreakers/0/halfOpenProbes") == {
        "kind": "builtin", "ref": "model", "reason": "default of circuitBreakers.halfOpenProbes"}
    second = source(view, "/spec/turnPolicy/degradeRules/1/node")
    assert (second["file"], second["pointer"]) == ("pipelines/policies/q.yaml",
                                                   "/spec/degradeRules/0/node")
    assert source(view, "/spec/turnPolicy/degradeRules/1/policy")["ref"] == "q@1.0.0"


def test_without_overlays_turn_policy_is_explicitly_empty(base_repo: Path) -> None:
    view = view_of(clean_index(base_repo), AGENT)
    assert view["spec"]["policies"] == []
    assert view["spec"]["turnPolicy"] == {"providerRules": [], "circuitBreakers": [],
                                          "costCaps": [], "degradeRules": []}
    assert source(view, "/spec/turnPolicy/costCaps")["kind"] == "builtin"


# ---------------------------------------------------------------------- overlays on a view
def _extra_overlay() -> Artifact:
    doc = load_bytes(policy_text("extra", "  degradeRules:\n"
                                          "    - {node: tts, to: tts_flash, when: overload}\n"
                                 ).encode(), "pipelines/policies/extra.yaml", syntax="yaml").document
    assert doc is not None
    return Artifact(doc, "PolicyOverlay", "extra", "1.0.0")


def test_a_view_is_renormalized_only_with_the_overlays_it_pins(example_index: Index) -> None:
    """Adding (or dropping) an overlay on a resolved view is refused: the spec is resolved
    again instead, so module aliases, cost caps and insert rules all apply as they would."""
    spec = get(example_index, "PipelineSpec", "livekit_voice_assistant@1.0.0")
    profile = get(example_index, "ExecutionProfile", "simple/v1@1.0.0")
    policy = get(example_index, "PolicyOverlay", "default_voice_policy@1.0.0")
    plain = normalize(spec, profile, [], index=example_index).view
    with_policy = normalize(spec, profile, [policy], index=example_index).view
    assert plain is not None and with_policy is not None
    added = renormalize(plain, profile, (policy,), index=example_index)
    dropped = renormalize(with_policy, profile, (), index=example_index)
    for result in (added, dropped):
        assert result.view is None
        assert [(p.code, p.pointer) for p in result.problems] == [("RSV001", "/spec/policies")]
    same = renormalize(with_policy, profile, (policy,), index=example_index)
    assert same.view is not None and pretty(same.view) == pretty(with_policy)


def test_renormalizing_a_view_leaves_the_input_alone(example_index: Index) -> None:
    spec = get(example_index, "PipelineSpec", "sip_telephony_assistant@1.0.0")
    profile = get(example_index, "ExecutionProfile", "low_latency/v1@1.0.0")
    plain = normalize(spec, profile, index=example_index).view
    assert plain is not None
    view = as_artifact(plain)
    before = canonical_bytes(view.doc.data)
    refused = normalize(view, profile, [_extra_overlay()], index=example_index)
    assert [p.code for p in refused.problems] == ["RSV001"]
    again = normalize(view, profile, [], index=example_index)
    assert canonical_bytes(view.doc.data) == before
    assert again.view is not None and pretty(again.view) == pretty(plain)
