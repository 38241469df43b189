"""Turn plans: policy decisions frozen at turn open, hashed, never changed mid-turn."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, cast

import pytest

from rspp.cli.main import main
from rspp.commands.resolve import ResolveOptions, resolve_target
from rspp.core.canonical import sha256_digest
from rspp.model.views import ResolvedSpec
from rspp.resolve.plan import (
    PlanError,
    RoutingSnapshot,
    TurnPlanResolver,
    TurnRequest,
    resolve_turn_plan,
    routing_snapshot,
)
from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_examples

BUNDLE = "livekit_voice_assistant_bundle@1.0.0"
EXAMPLE_ROUTING = REPO_ROOT / "docs" / "examples" / "routing_snapshot.yaml"
REQUEST = TurnRequest("s-1", 3, 7)


@pytest.fixture(scope="module")
def view() -> dict[str, Any]:
    resolved = resolve_target(ResolveOptions(REPO_ROOT, BUNDLE))
    assert resolved.view is not None
    return cast("dict[str, Any]", resolved.view)


def _routing(**changes: Any) -> RoutingSnapshot:
    data: dict[str, Any] = {"snapshotId": "r1", "providers": {}, "breakers": {},
                            "signals": {"session": {"cost_usd": 0.1},
                                        "tenant_day": {"cost_usd": 1.0}}}
    data.update(changes)
    return routing_snapshot(data)


def _plan(view: dict[str, Any], routing: RoutingSnapshot,
          request: TurnRequest = REQUEST) -> dict[str, Any]:
    return cast("dict[str, Any]", resolve_turn_plan(cast(ResolvedSpec, view),
                                                    view["spec"]["bundle"], request, routing))


def test_plan_hash_is_the_digest_of_the_plan_without_it(view: dict[str, Any]) -> None:
    plan = _plan(view, _routing())
    body = copy.deepcopy(plan)
    claimed = body["spec"].pop("planHash")
    assert claimed == sha256_digest(body)
    assert plan["spec"]["resolvedSpecDigest"] == sha256_digest(view)
    assert plan["spec"]["bundle"] == view["spec"]["bundle"]
    assert plan["spec"]["leaseEpoch"] == 7 and plan["spec"]["routingSnapshotRef"].startswith(
        "r1#sha256:")


def test_identical_inputs_give_an_identical_hash(view: dict[str, Any]) -> None:
    assert _plan(view, _routing()) == _plan(copy.deepcopy(view), _routing())


@pytest.mark.parametrize("change", [
    {"request": TurnRequest("s-2", 3, 7)},
    {"request": TurnRequest("s-1", 4, 7)},
    {"request": TurnRequest("s-1", 3, 8)},
    {"routing": {"snapshotId": "r2"}},
    {"routing": {"providers": {"stt.openai": "degraded"}}},
    {"routing": {"signals": {"session": {"cost_usd": 0.2}, "tenant_day": {"cost_usd": 1.0}}}},
    {"view": "budgets"},
    {"bundle": "other_bundle@1.0.0"},
])
def test_any_change_of_input_changes_the_hash(view: dict[str, Any],
                                              change: dict[str, Any]) -> None:
    base = _plan(view, _routing())["spec"]["planHash"]
    request = change.get("request", REQUEST)
    routing = _routing(**change.get("routing", {}))
    changed_view = copy.deepcopy(view)
    if change.get("view"):
        changed_view["spec"]["budgets"]["turnLatencyMs"] += 1
    bundle = change.get("bundle", view["spec"]["bundle"])
    other = resolve_turn_plan(cast(ResolvedSpec, changed_view), bundle, request, routing)
    assert other["spec"]["planHash"] != base


def test_open_breaker_hands_the_node_to_its_fallback(view: dict[str, Any]) -> None:
    plan = _plan(view, _routing(breakers={"stt": "open"}))["spec"]
    assert plan["activeNodes"]["stt"] == "stt_fallback"
    healthy = _plan(view, _routing())["spec"]
    assert healthy["activeNodes"]["stt"] == "stt"


def test_provider_down_and_preference_order(view: dict[str, Any]) -> None:
    down = _plan(view, _routing(providers={"stt.deepgram": "down"}))["spec"]
    assert down["activeNodes"]["stt"] == "stt_fallback"
    both = _plan(view, _routing(providers={"stt.deepgram": "down", "stt.openai": "down"}))
    assert both["spec"]["admitted"] is False
    assert any(d["outcome"] == "unavailable" and d["node"] == "stt"
               for d in both["spec"]["decisions"])


def test_degrade_rule_and_cost_caps(view: dict[str, Any]) -> None:
    calm = _plan(view, _routing())["spec"]
    assert "tts" not in calm["activeNodes"]
    costly = _plan(view, _routing(signals={"session": {"cost_usd": 1.3},
                                           "tenant_day": {"cost_usd": 1.0}}))["spec"]
    assert costly["activeNodes"]["tts"] == "tts_turbo"
    over = _plan(view, _routing(signals={"session": {"cost_usd": 1.6},
                                         "tenant_day": {"cost_usd": 260}}))["spec"]
    assert over["admitted"] is False
    outcomes = [d["outcome"] for d in over["decisions"]]
    assert "rejected" in outcomes and "alert" in outcomes


def test_missing_signal_fails_instead_of_counting_as_false(view: dict[str, Any]) -> None:
    with pytest.raises(PlanError) as err:
        _plan(view, _routing(signals={"tenant_day": {"cost_usd": 1.0}}))
    assert err.value.code == "PLN002"
    assert "session.cost_usd" in str(err.value)


@pytest.mark.parametrize(("data", "pointer"), [
    ({"providers": {"stt.deepgram": "sleepy"}}, "/providers/stt.deepgram"),
    ({"breakers": {"stt": "ajar"}}, "/breakers/stt"),
    ({"signals": [1]}, "/signals"),
    ({"weather": "fine"}, "/weather"),
    ({"snapshotId": ""}, "/snapshotId"),
])
def test_invalid_routing_snapshots(data: dict[str, Any], pointer: str) -> None:
    with pytest.raises(PlanError) as err:
        routing_snapshot(data)
    assert (err.value.code, err.value.pointer) == ("PLN001", pointer)


def test_plans_are_frozen_per_turn_and_leases_never_go_back(view: dict[str, Any]) -> None:
    resolver = TurnPlanResolver()
    bundle = view["spec"]["bundle"]
    first = resolver.open_turn(cast(ResolvedSpec, view), bundle, REQUEST, _routing())
    assert resolver.open_turn(cast(ResolvedSpec, view), bundle, REQUEST, _routing()) is first
    with pytest.raises(PlanError) as err:  # routing changed mid-turn
        resolver.open_turn(cast(ResolvedSpec, view), bundle, REQUEST, _routing(breakers={"stt": "open"}))
    assert err.value.code == "PLN003" and "next turn" in str(err.value)
    later = resolver.open_turn(cast(ResolvedSpec, view), bundle, TurnRequest("s-1", 4, 7),
                               _routing(breakers={"stt": "open"}))
    assert later["spec"]["activeNodes"]["stt"] == "stt_fallback"
    with pytest.raises(PlanError) as stale:
        resolver.open_turn(cast(ResolvedSpec, view), bundle, TurnRequest("s-1", 5, 6), _routing())
    assert stale.value.code == "PLN003" and "stale" in str(stale.value)


def test_cli_plan_prints_the_plan_and_writes_it(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_examples(tmp_path / "repo")
    routing = repo / "docs" / "examples" / EXAMPLE_ROUTING.name
    routing.parent.mkdir(parents=True, exist_ok=True)
    routing.write_bytes(EXAMPLE_ROUTING.read_bytes())
    args = ["plan", "--root", str(repo), "--bundle", BUNDLE, "--session", "s-1",
            "--turn", "3", "--lease-epoch", "7", "--routing", str(routing)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    plan = json.loads(printed)
    assert plan["kind"] == "ResolvedTurnPlan"
    assert plan["spec"]["activeNodes"] == {"stt": "stt_fallback", "tts": "tts_turbo"}
    out = repo / "plans" / "plan.json"
    assert main([*args, "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == printed
    # The plan is written inside the repository given by --root, never outside it.
    outside = tmp_path / "plan.json"
    capsys.readouterr()
    assert main([*args, "--out", str(outside)]) == 2
    assert "IO001" in capsys.readouterr().err and not outside.exists()


def test_cli_plan_reports_a_bad_snapshot_with_its_location(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    routing = tmp_path / "routing.yaml"
    routing.write_text("snapshotId: r\nbreakers:\n  stt: ajar\n", encoding="utf-8")
    code = main(["plan", "--root", str(REPO_ROOT), "--bundle", BUNDLE, "--session", "s",
                 "--turn", "0", "--lease-epoch", "0", "--routing", str(routing)])
    assert code == 1
    assert "routing.yaml:3:8 PLN001" in capsys.readouterr().out


def test_plan_needs_a_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--root", str(REPO_ROOT), "--bundle",
                 "pipelines/specs/livekit_voice_assistant.yaml", "--session", "s", "--turn",
                 "0", "--lease-epoch", "0", "--routing", str(EXAMPLE_ROUTING)])
    assert code == 2


@pytest.mark.parametrize("request_", [TurnRequest("s", 2**53, 0), TurnRequest("s", 0, 2**53),
                                      TurnRequest("s", -1, 0), TurnRequest("", 0, 0)])
def test_turn_numbers_a_plan_cannot_carry_are_refused(view: dict[str, Any],
                                                      request_: TurnRequest) -> None:
    """Canonical JSON carries integers up to 2^53-1 exactly: larger ones are PLN001."""
    with pytest.raises(PlanError) as err:
        _plan(view, _routing(), request_)
    assert err.value.code == "PLN001"
    assert _plan(view, _routing(), TurnRequest("s", 2**53 - 1, 2**53 - 1))["spec"]


@pytest.mark.parametrize("flag", ["--turn", "--lease-epoch"])
def test_cli_turn_numbers_beyond_canonical_json_are_usage_errors(
        flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = {"--turn": "0", "--lease-epoch": "0"}
    args[flag] = "99999999999999999999"
    code = main(["plan", "--root", str(REPO_ROOT), "--bundle", BUNDLE, "--session", "s",
                 "--turn", args["--turn"], "--lease-epoch", args["--lease-epoch"],
                 "--routing", str(EXAMPLE_ROUTING)])
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err and flag in err
