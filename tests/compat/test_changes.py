"""changes.compare on small views: identity matching (renames, reordering), port narrowing,
budgets, policy rule identity, event fields, the runtime window, and leaves()."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from rspp.compat.changes import Change, Dependents, compare, leaves, narrows
from rspp.core.jsontypes import JsonValue

View = dict[str, JsonValue]


def codes(found: list[Change]) -> list[tuple[str, bool, bool]]:
    """(code, breaks backward, breaks forward) of each change."""
    return [(c.code, c.backward, c.forward) for c in found]


def spec(nodes: list[tuple[str, str]], edges: list[tuple[str, str]],
         **more: JsonValue) -> View:
    """A view with nodes (id, type) and edges (from, to)."""
    view: View = {"nodes": [{"id": i, "type": t} for i, t in nodes],
                  "edges": [{"from": a, "to": b} for a, b in edges]}
    view.update(more)
    return view


NODES = [("mic", "transport.websocket.input"), ("tts", "tts.cartesia"),
         ("speaker", "transport.websocket.output")]
EDGES = [("mic.audio", "tts.text"), ("tts.audio", "speaker.audio")]


# --------------------------------------------------------------------------- graphs
def test_a_renamed_node_is_one_change_and_its_edges_follow_it() -> None:
    new = spec([NODES[0], ("voice", "tts.cartesia"), NODES[2]],
               [("mic.audio", "voice.text"), ("voice.audio", "speaker.audio")])
    found = compare("PipelineSpec", spec(NODES, EDGES), new)
    assert codes(found) == [("CHG001", True, True)]
    assert found[0].message == "node tts renamed to voice"
    assert (found[0].pointer, found[0].was) == ("/nodes/1/id", "/nodes/1")


def test_the_edges_of_a_renamed_node_are_still_compared() -> None:
    old = spec(NODES, EDGES)
    old_edges = old["edges"]
    assert isinstance(old_edges, list) and isinstance(old_edges[1], dict)
    old_edges[1]["buffer"] = {"capacity": 128, "highWatermark": 96}
    new = spec([NODES[0], ("voice", "tts.cartesia"), NODES[2]],
               [("mic.audio", "voice.text"), ("voice.audio", "speaker.audio")])
    new_edges = new["edges"]
    assert isinstance(new_edges, list) and isinstance(new_edges[1], dict)
    new_edges[1]["buffer"] = {"capacity": 64, "highWatermark": 96}
    assert [c.code for c in compare("PipelineSpec", old, new)] == ["CHG001", "CHG007"]


def test_another_type_under_a_new_id_is_a_removal_and_an_addition() -> None:
    new = spec([NODES[0], ("voice", "tts.openai"), NODES[2]],
               [("mic.audio", "voice.text"), ("voice.audio", "speaker.audio")])
    assert codes(compare("PipelineSpec", spec(NODES, EDGES), new)) == [
        ("CHG001", True, False), ("CHG002", False, True),
        ("CHG005", True, False), ("CHG005", True, False),
        ("CHG006", False, True), ("CHG006", False, True)]


def test_nodes_and_edges_are_matched_by_identity_not_position() -> None:
    new = spec(list(reversed(NODES)), list(reversed(EDGES)))
    assert compare("PipelineSpec", spec(NODES, EDGES), new) == []


def test_a_type_change_claims_the_node_s_ports_and_parameters() -> None:
    old = spec(NODES, EDGES)
    new = spec(NODES, EDGES)
    sides: list[tuple[View, str, JsonValue]] = [(old, "tts.cartesia", {"voice": "a"}),
                                                (new, "tts.openai", {"model": "b"})]
    for view, ntype, params in sides:
        nodes = view["nodes"]
        assert isinstance(nodes, list) and isinstance(nodes[1], dict)
        outputs: JsonValue = {"audio": "audio/pcm16"}
        nodes[1].update({"type": ntype, "params": params, "outputs": outputs})
    assert codes(compare("PipelineSpec", old, new)) == [("CHG015", True, True)]


def test_a_lane_change_and_shedding_on_low_latency() -> None:
    old = spec(NODES, EDGES)
    new = spec(NODES, EDGES)
    for view, lane, shedding in ((old, "data", "drop_oldest"), (new, "control", "drop_newest")):
        edges = view["edges"]
        assert isinstance(edges, list) and isinstance(edges[0], dict)
        edges[0].update({"lane": lane, "buffer": {"capacity": 8, "shedding": shedding}})
    assert [c.code for c in compare("PipelineSpec", old, new)] == ["CHG004", "CHG016"]
    assert [c.code for c in compare("PipelineSpec", old, new, low_latency=True)] == [
        "CHG004", "CHG007"]


@pytest.mark.parametrize(("old", "new", "narrower"), [
    ("audio/pcm16;rate=16000", "audio/pcm16;rate=8000", True),  # a parameter changed
    ("audio/pcm16", "audio/pcm16;rate=16000", True),  # a parameter added
    ("text/plain", "text/markdown", True),  # another base type
    ("audio/pcm16;rate=16000;channels=1", "audio/pcm16;rate=16000", False),  # one dropped
    ("audio/pcm16;rate=16000;channels=1", "audio/pcm16; channels=1; rate=16000", False),
    ("text/plain", "text/plain", False),
])
def test_narrows(old: str, new: str, narrower: bool) -> None:
    assert narrows(old, new) is narrower


def test_a_node_type_port_counts_only_while_a_dependent_uses_it() -> None:
    old: View = {"nodeType": "custom.scorer",
                 "ports": {"inputs": {"text": {"type": "text/plain"}}, "outputs": {"score": "x"}}}
    new: View = {"nodeType": "custom.scorer", "ports": {"inputs": {}, "outputs": {}}}

    def used(node_type: str, port: str) -> bool:
        return (node_type, port) == ("custom.scorer", "text")

    found = compare("ExtensionManifest", old, new, uses=used)
    assert [(c.code, c.message) for c in found] == [
        ("CHG003", "node type custom.scorer input port text removed"),
        ("CHG016", 'ports.outputs.score removed (was "x")')]


@pytest.mark.parametrize(("old", "new", "forward"), [
    ("a/b", "a/b;x=1", False),  # only narrower: what the new type accepts, the old one reads
    ("a/b;x=1", "a/b;x=2", True),  # neither reads the other's
    ("a/b", "c/d", True),  # another base type
])
def test_a_narrowed_port_breaks_forward_when_the_old_type_rejects_the_new(
        old: str, new: str, forward: bool) -> None:
    def spec_with(port: str) -> View:
        return {"nodes": [{"id": "n", "type": "t", "inputs": {"in": port}}], "edges": []}

    [found] = compare("PipelineSpec", spec_with(old), spec_with(new))
    assert (found.code, found.backward, found.forward) == ("CHG003", True, forward)


# --------------------------------------------------------------------------- budgets
@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"turnLatencyMs": 800}, {"turnLatencyMs": 700}, ("CHG009", True, False)),
    ({}, {"turnLatencyMs": 700}, ("CHG009", True, False)),
    ({"turnLatencyMs": 800}, {"turnLatencyMs": 900}, ("CHG010", False, True)),
    ({"turnLatencyMs": 800}, {}, ("CHG010", False, True)),
])
def test_budgets(old: Mapping[str, JsonValue], new: Mapping[str, JsonValue],
                 expected: tuple[str, bool, bool]) -> None:
    found = compare("ExecutionProfile", {"budgets": dict(old)}, {"budgets": dict(new)})
    assert codes(found) == [expected]
    assert found[0].pointer in ("", "/budgets/turnLatencyMs")


# --------------------------------------------------------------------------- policies
def policy(**lists: list[JsonValue]) -> View:
    return dict(lists)


def test_policy_rules_are_matched_by_their_node_or_scope() -> None:
    caps: list[JsonValue] = [{"scope": "turn", "maxUsd": 0.02, "action": "alert"},
                             {"scope": "session", "maxUsd": 1.5, "action": "alert"}]
    assert compare("PolicyOverlay", policy(costCaps=caps),
                   policy(costCaps=list(reversed(caps)))) == []


def test_a_policy_rule_s_target_and_its_other_fields() -> None:
    old = policy(providerRules=[{"node": "stt", "prefer": ["a", "b"]}],
                 circuitBreakers=[{"node": "stt", "failureThreshold": 5}])
    new = policy(providerRules=[{"node": "stt", "prefer": ["b", "a"]}],
                 circuitBreakers=[{"node": "stt", "failureThreshold": 3}])
    found = compare("PolicyOverlay", old, new)
    assert [(c.code, c.message) for c in found] == [
        ("CHG011", 'providerRules rule for stt: prefer ["a", "b"] -> ["b", "a"]'),
        ("CHG016", "circuitBreakers.stt.failureThreshold 5 -> 3")]
    assert (found[0].backward, found[0].forward) == (True, True)


def test_policy_rules_removed_and_added() -> None:
    old = policy(insertRules=[{"onEdge": ["a.x", "b.y"], "node": {"id": "redact"}}])
    new = policy(insertRules=[{"onEdge": ["a.x", "b.y"], "node": {"id": "scrub"}}])
    assert codes(compare("PolicyOverlay", old, new)) == [
        ("CHG011", True, False), ("CHG017", False, True)]


def test_a_resolved_view_s_turn_policy_is_compared_too() -> None:
    old = spec(NODES, EDGES, turnPolicy={"degradeRules": [{"node": "tts", "to": "a"}]})
    new = spec(NODES, EDGES, turnPolicy={"degradeRules": [{"node": "tts", "to": "b"}]})
    found = compare("PipelineSpec", old, new)
    assert [(c.code, c.pointer) for c in found] == [("CHG011", "/turnPolicy/degradeRules/0/to")]


# --------------------------------------------------------------------------- other kinds
def abi(**fields: JsonValue) -> View:
    return {"eventAbi": {"current": "1.0.0", "fields": dict(fields)}}


def test_event_fields() -> None:
    required: JsonValue = {"type": "string"}
    optional: JsonValue = {"type": "string", "required": False}
    kind = "CompatibilityContract"
    assert codes(compare(kind, abi(a=optional), abi(a=required))) == [("CHG013", True, False)]
    assert codes(compare(kind, abi(a=required), abi())) == [("CHG014", False, True)]
    assert codes(compare(kind, abi(a=optional), abi())) == [("CHG014", False, False)]
    # A whole field added is one change, at its root.
    assert [c.message for c in compare(kind, abi(), abi(a=optional))] == [
        'eventAbi.fields.a added: {"required": false, "type": "string"}']
    assert [c.message for c in compare(kind, abi(b=required), abi(b=required, a=optional))] \
        == ['eventAbi.fields.a added: {"required": false, "type": "string"}']


def test_evidence_fields() -> None:
    found = compare("ReplayEvidenceManifest", {"requiredFields": ["a"]},
                    {"requiredFields": ["a", "b"]})
    assert [(c.code, c.pointer) for c in found] == [("CHG013", "/requiredFields/1")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"minRuntime": "1.4.0"}, {"minRuntime": "1.5.0"}, (True, False)),
    ({"minRuntime": "1.4.0"}, {"minRuntime": "1.3.0"}, (False, True)),
    ({"maxRuntime": "2.0.0"}, {"maxRuntime": "1.9.0"}, (True, False)),
    ({}, {"maxRuntime": "2.0.0"}, (True, False)),
    ({"maxRuntime": "2.0.0"}, {}, (False, True)),
    ({"eventAbi": "1.1.0"}, {"eventAbi": "1.2.0"}, (True, True)),
])
def test_runtime_window(old: Mapping[str, JsonValue], new: Mapping[str, JsonValue],
                        expected: tuple[bool, bool]) -> None:
    found = compare("PipelineBundle", {"compatibility": dict(old)},
                    {"compatibility": dict(new)})
    assert codes(found) == [("CHG018", *expected)]


def test_module_interface() -> None:
    def module(inputs: JsonValue, outputs: JsonValue) -> View:
        return {"interface": {"inputs": inputs, "outputs": outputs}}

    text: JsonValue = {"type": "text/plain"}
    found = compare("Module", module({"a": text}, {"x": "t"}),
                    module({"a": text, "b": text, "c": {"type": "t", "required": False}},
                           {"y": "t"}))
    assert [(c.code, c.message, c.backward, c.forward) for c in found] == [
        ("CHG008", "interface input b added as required (no default)", True, True),
        ("CHG008", "interface input c added", False, True),
        ("CHG008", "interface output x removed", True, False),
        ("CHG008", "interface output y added", False, True)]


# --------------------------------------------------------------------------- the rest
def test_cosmetic_and_value_changes() -> None:
    old: View = {"description": "a", "labels": {"team": "x"}, "mode": "standard"}
    new: View = {"description": "b", "labels": {"team": "y"}, "mode": "low_latency"}
    found = compare("ExecutionProfile", old, new)
    assert [(c.code, c.cosmetic) for c in found] == [
        ("CHG000", True), ("CHG000", True), ("CHG016", False)]


def test_an_emptied_mapping_is_reported_by_its_members_only() -> None:
    found = compare("ExecutionProfile", {"nodeDefaults": {"vad": {"a": 1}}},
                    {"nodeDefaults": {"vad": {}}})
    assert [c.message for c in found] == ["nodeDefaults.vad.a removed (was 1)"]


def test_leaves_key_nodes_and_edges_by_identity() -> None:
    view: JsonValue = {"nodes": [{"id": "a", "params": {"p": 1, "q": [1, 2]}}],
                       "edges": [{"from": "a.x", "to": "b.y"}], "empty": {},
                       "plain": [{"id": "z"}]}
    assert list(leaves(view)) == [
        ("/nodes/a/id", "/nodes/0/id", "a"),
        ("/nodes/a/params/p", "/nodes/0/params/p", 1),
        ("/nodes/a/params/q", "/nodes/0/params/q", [1, 2]),
        ("/edges/a.x -> b.y/from", "/edges/0/from", "a.x"),
        ("/edges/a.x -> b.y/to", "/edges/0/to", "b.y"),
        ("/empty", "/empty", {}),
        ("/plain", "/plain", [{"id": "z"}]),
    ]


def test_leaves_escape_pointer_tokens() -> None:
    assert list(leaves({"a/b": {"c~d": 1}})) == [("/a/b/c~d", "/a~1b/c~0d", 1)]


def test_a_deprecation_added_is_named_by_its_target() -> None:
    dep: JsonValue = {"target": "PipelineSpec/x@1.0.0", "since": "2026-01-01",
                      "removeAfter": "2026-06-01"}
    other: JsonValue = {"target": "event ABI 1.0.0", "since": "2026-01-01",
                        "removeAfter": "2026-06-01"}
    found = compare("CompatibilityContract", {"deprecations": [other]},
                    {"deprecations": [other, dep]})
    assert [(c.code, c.message.split(":")[0], c.pointer) for c in found] == [
        ("CHG016", "deprecations.PipelineSpec/x@1.0.0 added", "/deprecations/1")]


def test_a_node_type_users_rely_on() -> None:
    deps = Dependents(ports=frozenset({("custom.x", "text")}),
                      params=frozenset({("custom.x", "k")}), types=frozenset({"custom.x"}))
    old: View = {"nodeType": "custom.x", "implements": "llm.openai", "params": {"k": 1, "j": 2},
                 "ports": {"inputs": {"text": {"type": "text/plain"},
                                      "aux": {"type": "t", "required": False}}}}
    new: View = {"nodeType": "custom.x", "params": {},
                 "ports": {"inputs": {"text": {"type": "text/plain"}, "aux": {"type": "t"},
                                      "ctx": {"type": "text/plain"}}}}
    found = compare("ExtensionManifest", old, new, uses=deps)
    assert [(c.code, c.message, c.backward) for c in found] == [
        ("CHG003", "node type custom.x input port aux made required: every node of the type "
                   "must now connect it", True),
        ("CHG003", "node type custom.x input port ctx added as required: every node of the "
                   "type must now connect it", True),
        ("CHG003", "node type custom.x no longer implements llm.openai: stand-ins and users "
                   "relying on that port signature break", True),
        ("CHG020", "node type custom.x parameter k removed while a spec or module sets it",
         True),
        ("CHG016", 'params.j removed (was 2)', False)]
    # A type nobody instantiates: the same edits are compatible.
    unused = compare("ExtensionManifest", old, new, uses=Dependents())
    assert {c.code for c in unused} == {"CHG016"}


def test_an_event_field_retyped_breaks_both_ways() -> None:
    found = compare("CompatibilityContract", abi(a={"type": "integer"}), abi(a={"type": "string"}))
    assert [(c.code, c.message, c.backward, c.forward) for c in found] == [
        ("CHG014", "event field a retyped integer -> string", True, True)]


def test_evidence_fields_read_as_a_set() -> None:
    def manifest(*names: str) -> View:
        return {"requiredFields": list(names)}

    kind = "ReplayEvidenceManifest"
    assert [(c.code, c.message) for c in compare(kind, manifest("a", "b"), manifest("b"))] == [
        ("CHG014", "evidence field a no longer required")]
    assert [(c.code, c.cosmetic) for c in compare(kind, manifest("a", "b"),
                                                  manifest("b", "a"))] == [("CHG000", True)]
    assert [c.code for c in compare(kind, manifest("a"), manifest("b"))] == ["CHG013", "CHG014"]


def test_two_rules_of_one_identity_are_matched_in_order() -> None:
    old: View = {"providerRules": [{"node": "stt", "prefer": ["a", "b"]}]}
    new: View = {"providerRules": [{"node": "stt", "prefer": ["a", "b"]},
                                   {"node": "stt", "prefer": ["b"], "when": "x"}]}
    assert [(c.code, c.message) for c in compare("PolicyOverlay", old, new)] == [
        ("CHG017", "providerRules rule for stt#2 added")]


@pytest.mark.parametrize(("before", "after", "found"), [
    ({}, {"type": "number"}, [("type", 'now declares type "number"')]),
    ({"type": "integer"}, {"type": "number"}, [("type", 'changes type from "integer" to '
                                                       '"number"')]),
    ({"enum": ["a", "b"]}, {"enum": ["a"]}, [("enum", 'no longer allows ["b"]')]),
    ({}, {"enum": ["a"]}, [("enum", 'now allows only ["a"]')]),
    ({"minimum": 0, "maximum": 9}, {"minimum": 1, "maximum": 8},
     [("minimum", "tightens minimum from 0 to 1"), ("maximum", "tightens maximum from 9 to 8")]),
    ({}, {"items": "string"}, [("items", 'now declares items "string"')]),
    # widening, or describing, refuses nothing
    ({"type": "number", "minimum": 1, "maximum": 2, "enum": ["a"]},
     {"type": "number", "minimum": 0, "maximum": 3, "enum": ["a", "b"], "unit": "ms"}, []),
    ({"type": "number"}, {}, []),
])
def test_a_parameter_declaration_narrowing(before: dict[str, object], after: dict[str, object],
                                           found: list[tuple[str, str]]) -> None:
    """CHG021's judgement of one declaration (ExtensionManifest rspp.dev/v1beta1)."""
    from rspp.compat.changes import _narrowings

    assert list(_narrowings(before, after)) == found  # type: ignore[arg-type]
