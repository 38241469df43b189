"""Precedence of resolved values, each level against the next, with exact source locations.

spec (and an import's params for module nodes) > module > policy overlay > profile >
extension manifest > built-in default; defaults only fill what is absent. A module and a
policy never set the same value (an overlay adds nodes and budgets, it does not edit module
nodes), so that pair shows as the two staying apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.files import edit
from tests.helpers.resolve import (
    BASE_SPEC,
    INSERT_EXTRA,
    add_policy,
    add_scorer_node,
    agent_view,
    edge,
    node,
    node_source,
    position,
    source,
    where,
)

PROFILE = "pipelines/profiles/base.yaml"
MODULE = "pipelines/modules/clean.yaml"
EXTENSION = "pipelines/extensions/scorer.yaml"
POLICY = "pipelines/policies/p.yaml"


def _node_defaults(root: Path, text: str) -> None:
    edit(root, PROFILE, "  budgets:\n", f"  nodeDefaults:\n{text}  budgets:\n")


# ---------------------------------------------------------------------- spec nodes
@pytest.mark.parametrize("levels", [(), ("profile",), ("profile", "spec")])
def test_spec_node_param(base_repo: Path, levels: tuple[str, ...]) -> None:
    """llm.temperature: built-in default < profile nodeDefaults < the spec."""
    if "profile" in levels:
        _node_defaults(base_repo, "    llm.openai: {temperature: 0.3, model: gpt-x}\n")
    if "spec" in levels:
        edit(base_repo, BASE_SPEC, "      type: llm.openai\n",
             "      type: llm.openai\n      params: {temperature: 0.1}\n")
    view = agent_view(base_repo)
    _, llm = node(view, "llm")
    got = node_source(view, "llm", "params", "temperature")
    if "spec" in levels:
        assert llm["params"]["temperature"] == 0.1
        assert where(got) == ("spec", BASE_SPEC,
                              *position(base_repo, BASE_SPEC, "temperature: 0.1", "0.1"))
        assert got["pointer"] == "/spec/nodes/5/params/temperature"
        assert got["ref"] == "agent@1.0.0"
    elif "profile" in levels:
        assert llm["params"]["temperature"] == 0.3
        assert where(got) == ("profile", PROFILE,
                              *position(base_repo, PROFILE, "temperature: 0.3", "0.3"))
        assert got["pointer"] == "/spec/nodeDefaults/llm.openai/temperature"
        assert got["ref"] == "base/v1@1.0.0"
    else:
        assert llm["params"]["temperature"] == 0.8
        assert got == {"kind": "builtin", "ref": "llm.openai",
                       "reason": "catalog default of llm.openai.temperature"}
    # A parameter nobody sets keeps the catalog default; one only the profile sets is its.
    assert node_source(view, "llm", "params", "max_completion_tokens")["kind"] == "builtin"
    if "profile" in levels:
        assert llm["params"]["model"] == "gpt-x"
        assert node_source(view, "llm", "params", "model")["kind"] == "profile"


# ---------------------------------------------------------------------- module nodes
@pytest.mark.parametrize("levels", [(), ("profile",), ("profile", "module"),
                                    ("profile", "module", "import"), ("import",)])
def test_module_node_param(base_repo: Path, levels: tuple[str, ...]) -> None:
    """clean/redact.replacement: built-in < profile < module < the importing spec's params."""
    if "profile" in levels:
        _node_defaults(base_repo, '    text.redact: {replacement: "[profile]", '
                                  "entities: [email_address]}\n")
    if "module" in levels:
        edit(base_repo, MODULE, "      type: text.redact\n",
             '      type: text.redact\n      params: {replacement: "[module]"}\n')
    if "import" in levels:
        edit(base_repo, BASE_SPEC, "      as: clean\n",
             '      as: clean\n      params: {redact: {replacement: "[import]"}}\n')
    view = agent_view(base_repo)
    _, redact = node(view, "clean/redact")
    got = node_source(view, "clean/redact", "params", "replacement")
    value = redact["params"]["replacement"]
    if "import" in levels:
        assert value == "[import]"
        assert where(got) == ("spec", BASE_SPEC,
                              *position(base_repo, BASE_SPEC, "params: {redact:", '"[import]"'))
        assert got["pointer"] == "/spec/imports/0/params/redact/replacement"
        assert "import parameter of agent@1.0.0" in got["reason"]
    elif "module" in levels:
        assert value == "[module]"
        assert where(got) == ("module", MODULE,
                              *position(base_repo, MODULE, "[module]", '"[module]"'))
        assert (got["ref"], got["pointer"]) == ("clean@1.0.0", "/spec/nodes/0/params/replacement")
    elif "profile" in levels:
        assert value == "[profile]"
        assert where(got) == ("profile", PROFILE,
                              *position(base_repo, PROFILE, "[profile]", '"[profile]"'))
    else:
        assert value == "[redacted]" and got["kind"] == "builtin"
    # The module node's other parameter comes from the profile when it has one.
    entities = node_source(view, "clean/redact", "params", "entities")
    assert entities["kind"] == ("profile" if "profile" in levels else "builtin")
    # The import's parameters apply to the named module node only.
    assert node_source(view, "clean/normalize", "params", "casing")["kind"] == "builtin"


# ---------------------------------------------------------------------- policy nodes
@pytest.mark.parametrize("levels", [(), ("profile",), ("profile", "policy")])
def test_inserted_node_param(base_repo: Path, levels: tuple[str, ...]) -> None:
    """A node a policy inserts: built-in < profile < the policy's own params."""
    if "profile" in levels:
        _node_defaults(base_repo, '    text.redact: {replacement: "[profile]"}\n')
    params = ', params: {replacement: "[policy]"}' if "policy" in levels else ""
    add_policy(base_repo, INSERT_EXTRA % params)
    view = agent_view(base_repo)
    _, extra = node(view, "extra")
    got = node_source(view, "extra", "params", "replacement")
    if "policy" in levels:
        assert extra["params"]["replacement"] == "[policy]"
        assert where(got) == ("policy", POLICY,
                              *position(base_repo, POLICY, "id: extra", '"[policy]"'))
        assert got["pointer"] == "/spec/insertRules/0/node/params/replacement"
    elif "profile" in levels:
        assert where(got) == ("profile", PROFILE,
                              *position(base_repo, PROFILE, "[profile]", '"[profile]"'))
    else:
        assert got["kind"] == "builtin"
    # The module's own redact node is not the policy's: the policy never reaches it.
    module_src = node_source(view, "clean/redact", "params", "replacement")
    assert module_src["kind"] == ("profile" if "profile" in levels else "builtin")


# ---------------------------------------------------------------------- extension nodes
def _scorer(root: Path, node_params: str = "") -> None:
    edit(root, EXTENSION, "  trustLevel:", "  params: {window: 3, threshold: 0.5}\n"
                                           "  defaultCancel: {scope: session, inFlight: flush}\n"
                                           "  trustLevel:")
    add_scorer_node(root, node_params=node_params)


@pytest.mark.parametrize("levels", [(), ("profile",), ("profile", "spec")])
def test_extension_node_param(base_repo: Path, levels: tuple[str, ...]) -> None:
    """custom.scorer.window: extension manifest < profile < spec."""
    _scorer(base_repo, "      params: {window: 9}\n" if "spec" in levels else "")
    if "profile" in levels:
        _node_defaults(base_repo, "    custom.scorer: {window: 5}\n")
    view = agent_view(base_repo)
    _, scorer = node(view, "scorer")
    got = node_source(view, "scorer", "params", "window")
    expected = {"": (3, "extension", EXTENSION, "window: 3"),
                "profile": (5, "profile", PROFILE, "window: 5"),
                "spec": (9, "spec", BASE_SPEC, "window: 9")}[levels[-1] if levels else ""]
    value, kind, rel, text = expected
    assert scorer["params"]["window"] == value
    assert where(got) == (kind, rel, *position(base_repo, rel, text, str(value)))
    assert node_source(view, "scorer", "params", "threshold")["kind"] == "extension"
    # Extension > built-in: the manifest's default cancel fills what the spec leaves out.
    assert scorer["cancel"] == {"scope": "turn", "inFlight": "flush"}
    assert node_source(view, "scorer", "cancel", "scope")["kind"] == "spec"
    assert where(node_source(view, "scorer", "cancel", "inFlight")) == (
        "extension", EXTENSION, *position(base_repo, EXTENSION, "defaultCancel", "flush"))
    assert node_source(view, "scorer", "executionMode")["kind"] == "extension"
    assert scorer["inputs"] == {"text": "text/transcript+json"}


def test_builtin_model_defaults_fill_the_rest(base_repo: Path) -> None:
    view = agent_view(base_repo)
    _, stt = node(view, "stt")
    assert stt["fallback"] == {"targets": ["stt_backup"], "attemptTimeoutMs": 10000,
                               "maxRetries": 0, "retryIntervalMs": 500}
    assert node_source(view, "stt", "fallback", "targets")["kind"] == "spec"
    for key in ("attemptTimeoutMs", "maxRetries", "retryIntervalMs"):
        assert node_source(view, "stt", "fallback", key) == {
            "kind": "builtin", "ref": "model", "reason": f"default of fallback.{key}"}
    _, tts = node(view, "tts")
    assert tts["cancel"] == {"scope": "turn", "inFlight": "flush"}
    assert node_source(view, "tts", "cancel", "inFlight")["kind"] == "spec"
    assert node_source(view, "vad", "cancel", "inFlight")["kind"] == "builtin"
    assert view["spec"]["sheddingOnBudgetBreach"] == "degrade"
    assert source(view, "/spec/sheddingOnBudgetBreach")["kind"] == "builtin"
    # The bundle pins each node's package.
    package = node_source(view, "stt", "package", "digest")
    assert (package["kind"], package["file"], package["pointer"]) == (
        "bundle", "pipelines/bundles/agent.json", "/spec/nodePackages/2/digest")


def test_profile_top_level_values(base_repo: Path) -> None:
    edit(base_repo, PROFILE, "  budgets:\n", "  sheddingOnBudgetBreach: drop_newest\n  budgets:\n")
    view = agent_view(base_repo)
    assert view["spec"]["sheddingOnBudgetBreach"] == "drop_newest"
    assert where(source(view, "/spec/sheddingOnBudgetBreach")) == (
        "profile", PROFILE, *position(base_repo, PROFILE, "sheddingOnBudgetBreach", "drop_newest"))
    assert where(source(view, "/spec/lanes/data/priority")) == (
        "profile", PROFILE, *position(base_repo, PROFILE, "data: {priority", "200"))
    assert where(source(view, "/spec/budgets/turnLatencyMs")) == (
        "profile", PROFILE, *position(base_repo, PROFILE, "turnLatencyMs", "800"))
    assert source(view, "/spec/mode")["kind"] == "profile"


# ---------------------------------------------------------------------- edges
def test_edge_buffer_fields_set_on_the_edge_beat_the_lane_default(base_repo: Path) -> None:
    view = agent_view(base_repo)
    pointer, out = edge(view, "tts.audio", "speaker.audio")
    assert out["buffer"] == {"capacity": 128, "lowWatermark": 32, "highWatermark": 96,
                             "shedding": "drop_oldest"}
    assert where(source(view, f"{pointer}/buffer/capacity")) == (
        "spec", BASE_SPEC, *position(base_repo, BASE_SPEC, "capacity: 128", "128"))
    assert where(source(view, f"{pointer}/buffer/highWatermark")) == (
        "spec", BASE_SPEC, *position(base_repo, BASE_SPEC, "capacity: 128", "96"))
    # The edge leaves shedding out: the data lane's default of the profile fills it.
    shed = source(view, f"{pointer}/buffer/shedding")
    assert where(shed) == ("profile", PROFILE,
                           *position(base_repo, PROFILE, "data: {priority", "drop_oldest"))
    assert shed["pointer"] == "/spec/lanes/data/buffer/shedding"
    # No lane on the edge: the port type's default lane, the profile's priority for it.
    assert out["lane"] == "data" and out["priority"] == 200
    assert source(view, f"{pointer}/lane") == {
        "kind": "builtin", "ref": "lanes", "reason": "default lane of audio/pcm16 traffic"}
    assert source(view, f"{pointer}/priority")["pointer"] == "/spec/lanes/data/priority"
    assert out["type"] == "audio/pcm16;rate=24000;channels=1"


def test_edge_lane_set_on_the_edge_picks_the_lane_default(base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "{from: vad.events, to: turn.vad}",
         "{from: vad.events, to: turn.vad, lane: control, buffer: {capacity: 14}}")
    view = agent_view(base_repo)
    pointer, out = edge(view, "vad.events", "turn.vad")
    assert out["lane"] == "control" and out["priority"] == 300
    assert out["buffer"] == {"capacity": 14, "lowWatermark": 4, "highWatermark": 12,
                             "shedding": "drop_oldest"}
    assert source(view, f"{pointer}/lane")["kind"] == "spec"
    assert source(view, f"{pointer}/buffer/capacity")["kind"] == "spec"
    assert source(view, f"{pointer}/buffer/lowWatermark")["pointer"] == \
        "/spec/lanes/control/buffer/lowWatermark"


# ---------------------------------------------------------------------- budgets
def test_policy_cost_caps_override_profile_budgets_tightest_wins(base_repo: Path) -> None:
    edit(base_repo, PROFILE, "    turnLatencyMs: 800\n",
         "    turnLatencyMs: 800\n    maxCostPerTurnUsd: 0.05\n    maxCostPerSessionUsd: 2.0\n")
    add_policy(base_repo, "  costCaps:\n"
                          "    - {scope: turn, maxUsd: 0.04, action: degrade}\n"
                          "    - {scope: tenant_day, maxUsd: 0.001, action: reject}\n")
    add_policy(base_repo, "  costCaps:\n"
                          "    - {scope: turn, maxUsd: 0.035, action: alert}\n"
                          "    - {scope: turn, maxUsd: 0.03, action: degrade}\n"
                          "    - {scope: turn, maxUsd: 0.045, action: alert}\n", "q")
    view = agent_view(base_repo)
    budgets = view["spec"]["budgets"]
    assert budgets == {"turnLatencyMs": 800, "maxCostPerTurnUsd": 0.03,
                       "maxCostPerSessionUsd": 2.0}
    turn = source(view, "/spec/budgets/maxCostPerTurnUsd")
    assert where(turn) == ("policy", "pipelines/policies/q.yaml",
                           *position(base_repo, "pipelines/policies/q.yaml", "0.03,", "0.03"))
    assert (turn["ref"], turn["pointer"]) == ("q@1.0.0", "/spec/costCaps/1/maxUsd")
    # No session cap in any overlay: the profile's budget stays.
    assert source(view, "/spec/budgets/maxCostPerSessionUsd")["kind"] == "profile"
    # Every cap is still a turn-boundary rule, tenant_day included, in pin order.
    caps = view["spec"]["turnPolicy"]["costCaps"]
    assert [(c["policy"].split("#")[0], c["maxUsd"]) for c in caps] == [
        ("p@1.0.0", 0.04), ("p@1.0.0", 0.001), ("q@1.0.0", 0.035), ("q@1.0.0", 0.03),
        ("q@1.0.0", 0.045)]


def test_a_looser_policy_cap_does_not_raise_the_profile_budget(base_repo: Path) -> None:
    edit(base_repo, PROFILE, "    turnLatencyMs: 800\n",
         "    turnLatencyMs: 800\n    maxCostPerTurnUsd: 0.05\n")
    add_policy(base_repo, "  costCaps:\n    - {scope: turn, maxUsd: 0.5, action: alert}\n")
    view = agent_view(base_repo)
    assert view["spec"]["budgets"]["maxCostPerTurnUsd"] == 0.05
    assert source(view, "/spec/budgets/maxCostPerTurnUsd")["kind"] == "profile"
