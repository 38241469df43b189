"""TurnPlanResolver: freeze the decisions of one turn into a ResolvedTurnPlan.

At turn open the resolver evaluates the resolved view's ``turnPolicy`` against a routing
snapshot (provider health, breaker states, signals such as session cost): admission by cost
caps, the provider each switchable node uses, degrade rules. The plan records every decision
and is hashed: ``planHash`` is ``sha256:`` over the RFC 8785 canonical JSON of the plan
without the hash itself, so identical inputs give an identical hash and any change of input
(bundle, view, session, turn, lease epoch, snapshot) changes it.

Policies apply at turn boundaries only: a resolver keeps the plans it froze; asking again for
a turn it already planned returns the frozen plan when the inputs are the same and refuses
when they differ (new routing applies from the next turn). A lease epoch lower than one
already seen for the session is refused as stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.core.canonical import sha256_digest
from rspp.core.constants import API_VERSION
from rspp.load.numbers import MAX_SAFE_INTEGER
from rspp.model.expr import ExprError, evaluate, lookup, parse

if TYPE_CHECKING:
    from rspp.load.api import LoadResult
    from rspp.model.views import (
        ResolvedNode,
        ResolvedSpec,
        ResolvedTurnPlan,
        ResolvedTurnPlanBody,
        TurnDecision,
        TurnPolicy,
    )

HEALTH = ("healthy", "degraded", "down")
BREAKER = ("closed", "open", "half_open")
COST_SIGNAL: Final = MappingProxyType({
    "session": "session.cost_usd", "tenant_day": "tenant_day.cost_usd",
})


class PlanError(ValueError):
    """The plan cannot be frozen; ``code`` is a registered rule code."""

    def __init__(self, code: str, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.pointer = pointer


# The largest turn number and lease epoch a plan can carry exactly (RFC 8785 section 3.2.2.3).
MAX_TURN_NUMBER = MAX_SAFE_INTEGER


@dataclass(frozen=True, slots=True)
class TurnRequest:
    session: str
    turn: int
    lease_epoch: int


@dataclass(frozen=True, slots=True)
class RoutingSnapshot:
    """Platform state at turn open. ``ref`` names it (an id and its content digest)."""

    ref: str
    providers: Mapping[str, str] = field(default_factory=dict)
    breakers: Mapping[str, str] = field(default_factory=dict)
    signals: Mapping[str, object] = field(default_factory=dict)


def load_snapshot(path: Path, root: Path) -> LoadResult:
    """Read and parse the routing snapshot file ``path`` under the read policy of
    :mod:`rspp.core.paths`.

    The file is read inside ``root`` when it is in it, else inside the repository holding it
    (else its folder): a link out of that base, a link loop, a folder, a FIFO, a device or an
    unreadable file is a FILE finding (nothing is followed or read). Raises
    ``rspp.core.paths.PathError`` PATH002 when nothing has that name.
    """
    from rspp.validate.engine import load_named

    return load_named(path, root)


def routing_snapshot(data: Mapping[str, object]) -> RoutingSnapshot:
    """Check a parsed routing snapshot document; raises PlanError (PLN001) with a pointer."""
    allowed = {"snapshotId", "providers", "breakers", "signals"}
    for key in data:
        if key not in allowed:
            raise PlanError("PLN001", f"unknown field {key!r} (fields: "
                            f"{', '.join(sorted(allowed))})", f"/{key}")
    snapshot_id = data.get("snapshotId", "routing")
    if not isinstance(snapshot_id, str) or not snapshot_id or len(snapshot_id) > 200:
        raise PlanError("PLN001", "snapshotId must be a non-empty string", "/snapshotId")
    tables: dict[str, dict[str, str]] = {}
    for name, values in (("providers", HEALTH), ("breakers", BREAKER)):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise PlanError("PLN001", f"{name} must map names to states", f"/{name}")
        for key, state in table.items():
            if state not in values:
                raise PlanError("PLN001", f"{name}.{key}: {state!r} is not one of "
                                f"{', '.join(values)}", f"/{name}/{key}")
        tables[name] = dict(table)
    signals = data.get("signals", {})
    if not isinstance(signals, dict):
        raise PlanError("PLN001", "signals must be a mapping", "/signals")
    ref = f"{snapshot_id}#{sha256_digest(dict(data))}"
    return RoutingSnapshot(ref, tables["providers"], tables["breakers"], signals)


def resolve_turn_plan(view: ResolvedSpec, bundle_ref: str, request: TurnRequest,
                      routing: RoutingSnapshot) -> ResolvedTurnPlan:
    """The frozen plan of one turn; raises PlanError when a condition cannot be evaluated."""
    if not request.session or not all(0 <= n <= MAX_TURN_NUMBER
                                      for n in (request.turn, request.lease_epoch)):
        raise PlanError("PLN001", "session must be set; turn and lease epoch are integers "
                                  f"from 0 to {MAX_TURN_NUMBER} (2^53-1: canonical JSON, "
                                  "RFC 8785, writes numbers as IEEE 754 doubles)")
    body = view["spec"]
    nodes = {n["id"]: n for n in body["nodes"]}
    policy = body["turnPolicy"]
    decisions: list[TurnDecision] = []
    admitted = _admission(policy, routing, decisions)
    active = _providers(nodes, policy, routing, decisions)
    _degrade(nodes, policy, routing, active, decisions)
    if any(d["outcome"] == "unavailable" for d in decisions):
        admitted = False
    seed = hashlib.sha256(f"{bundle_ref}|{request.session}|{request.turn}|"
                          f"{request.lease_epoch}".encode()).hexdigest()[:16]
    plan_body: ResolvedTurnPlanBody = {
        "planHash": "",  # set below: the hash covers the plan without it
        "bundle": bundle_ref,
        "resolvedSpecDigest": sha256_digest(dict(view)),
        "session": request.session,
        "turn": request.turn,
        "leaseEpoch": request.lease_epoch,
        "routingSnapshotRef": routing.ref,
        "determinismContext": {"seed": seed, "evaluatedAt": "turn_open",
                               "conditionLanguage": "1"},
        "admitted": admitted,
        "activeNodes": active,
        "decisions": decisions,
    }
    metadata = view["metadata"].copy()
    metadata.pop("description", None)
    plan: ResolvedTurnPlan = {"apiVersion": API_VERSION, "kind": "ResolvedTurnPlan",
                              "metadata": metadata, "spec": plan_body}
    plan_body["planHash"] = plan_hash(plan)
    return plan


def plan_hash(plan: ResolvedTurnPlan) -> str:
    """``sha256:`` over the canonical JSON of ``plan`` without its ``planHash``."""
    unhashed = {k: v for k, v in plan["spec"].items() if k != "planHash"}
    return sha256_digest({**plan, "spec": unhashed})


def _condition(text: str, routing: RoutingSnapshot, where: str) -> bool:
    try:
        return evaluate(parse(text), routing.signals)
    except ExprError as exc:
        raise PlanError("PLN002", f"{where}: condition {text!r}: {exc}", "/signals") from None


def _signal(routing: RoutingSnapshot, path: str, where: str) -> float:
    try:
        value = lookup(routing.signals, path)
    except ExprError as exc:
        raise PlanError("PLN002", f"{where}: {exc}", "/signals") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlanError("PLN002", f"{where}: signal {path} must be a number", "/signals")
    return float(value)


def _admission(policy: TurnPolicy, routing: RoutingSnapshot,
               decisions: list[TurnDecision]) -> bool:
    admitted = True
    for i, cap in enumerate(policy["costCaps"]):
        rule = f"costCaps[{i}] {cap['policy'].split('#')[0]}"
        signal = COST_SIGNAL.get(cap["scope"])
        if signal is None:  # a turn cap bounds the turn being opened: armed, not evaluated
            decisions.append({"rule": rule, "outcome": "armed", "reason":
                              f"turn cost cap {cap['maxUsd']} USD, action {cap['action']}"})
            continue
        spent = _signal(routing, signal, rule)
        if spent < cap["maxUsd"]:
            decisions.append({"rule": rule, "outcome": "within", "reason":
                              f"{signal} {spent:g} < {cap['maxUsd']:g}"})
            continue
        outcome = {"reject": "rejected", "alert": "alert", "degrade": "degrade_all"}[
            cap["action"]]
        if cap["action"] == "reject":
            admitted = False
        decisions.append({"rule": rule, "outcome": outcome, "reason":
                          f"{signal} {spent:g} >= {cap['maxUsd']:g}"})
    return admitted


def _usable(node: ResolvedNode, primary: str, routing: RoutingSnapshot) -> bool:
    if routing.providers.get(node["type"], "healthy") == "down":
        return False
    return not (node["id"] == primary and routing.breakers.get(primary) == "open")


def _providers(nodes: Mapping[str, ResolvedNode], policy: TurnPolicy,
               routing: RoutingSnapshot, decisions: list[TurnDecision]) -> dict[str, str]:
    """The node each switchable node runs as this turn (itself, or a stand-in)."""
    rules: dict[str, tuple[str, list[str]]] = {}
    for i, rule in enumerate(policy["providerRules"]):
        where = f"providerRules[{i}] {rule['policy'].split('#')[0]}"
        if "when" not in rule or _condition(rule["when"], routing, where):
            rules.setdefault(rule["node"], (where, rule["prefer"]))
    active: dict[str, str] = {}
    for nid in sorted(nodes):
        node = nodes[nid]
        fallback = node.get("fallback")
        standby = list(fallback["targets"]) if fallback else []
        if not standby and nid not in rules:
            continue
        candidates = [nid, *standby]
        where, prefer = rules.get(nid, ("fallback order", []))
        if prefer:
            candidates = [c for t in prefer for c in candidates if nodes[c]["type"] == t]
        chosen = next((c for c in candidates if _usable(nodes[c], nid, routing)), None)
        if chosen is None:
            decisions.append({"rule": where, "node": nid, "outcome": "unavailable",
                              "reason": "no usable provider: every candidate is down or "
                                        "its breaker is open"})
            continue
        active[nid] = chosen
        reason = _why(nid, chosen, nodes, routing)
        decisions.append({"rule": where, "node": nid, "outcome": "selected", "active": chosen,
                          "reason": reason})
    return active


def _why(nid: str, chosen: str, nodes: Mapping[str, ResolvedNode],
         routing: RoutingSnapshot) -> str:
    if chosen == nid:
        return f"{nodes[nid]['type']} is usable"
    if routing.breakers.get(nid) == "open":
        return f"breaker of {nid} is open; {chosen} ({nodes[chosen]['type']}) takes over"
    return f"{nodes[nid]['type']} is down or less preferred; {chosen} takes over"


def _degrade(nodes: Mapping[str, ResolvedNode], policy: TurnPolicy,
             routing: RoutingSnapshot, active: dict[str, str],
             decisions: list[TurnDecision]) -> None:
    everything = any(d["outcome"] == "degrade_all" for d in decisions)
    for i, rule in enumerate(policy["degradeRules"]):
        where = f"degradeRules[{i}] {rule['policy'].split('#')[0]}"
        if _condition(rule["when"], routing, where):
            active[rule["node"]] = rule["to"]
            decisions.append({"rule": where, "node": rule["node"], "outcome": "degraded",
                              "active": rule["to"], "reason": f"{rule['when']} holds"})
    if everything:
        for nid in sorted(nodes):
            degrade = nodes[nid].get("degrade")
            target = degrade["target"] if degrade else None
            if target is not None and active.get(nid) != target:
                active[nid] = target
                decisions.append({"rule": "cost cap", "node": nid, "outcome": "degraded",
                                  "active": target, "reason": "a cost cap with action "
                                  "degrade was reached"})


@dataclass(slots=True)
class TurnPlanResolver:
    """Freezes one plan per (session, turn); stale lease epochs and mid-turn changes fail."""

    frozen: dict[tuple[str, int], ResolvedTurnPlan] = field(default_factory=dict)
    epochs: dict[str, int] = field(default_factory=dict)

    def open_turn(self, view: ResolvedSpec, bundle_ref: str, request: TurnRequest,
                  routing: RoutingSnapshot) -> ResolvedTurnPlan:
        seen = self.epochs.get(request.session)
        if seen is not None and request.lease_epoch < seen:
            raise PlanError("PLN003", f"lease epoch {request.lease_epoch} is stale: session "
                            f"{request.session} already holds epoch {seen}")
        plan = resolve_turn_plan(view, bundle_ref, request, routing)
        key = (request.session, request.turn)
        old = self.frozen.get(key)
        if old is not None:
            if old["spec"]["planHash"] != plan["spec"]["planHash"]:
                raise PlanError("PLN003", f"turn {request.turn} of session {request.session} "
                                f"is frozen as {old['spec']['planHash']}; policy and routing "
                                "changes apply from the next turn")
            return old
        self.frozen[key] = plan
        self.epochs[request.session] = request.lease_epoch
        return plan
