"""Policy overlays in the resolved view.

Insert rules change the graph, so they are applied while resolving: the inserted node and
its two edges are written into the view (with the policy as their source) and checked like
any other node and edge; a rule that would break port typing or lane rules fails here, at
resolve time. Provider rules, circuit breakers, cost caps and degrade rules depend on the
state of the platform when a turn opens; they are written, with node ids resolved, into
``turnPolicy``, which the turn-plan resolver evaluates at each turn boundary, never mid-turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.core.suggest import did_you_mean
from rspp.load.spans import pointer_join
from rspp.model.access import policy_body
from rspp.model.artifact import Artifact
from rspp.model.catalog import BUILTIN, NodeType, value_problem
from rspp.model.expr import ExprError, parse
from rspp.resolve import expand as ex
from rspp.resolve.items import Item, Problem, authored, builtin

if TYPE_CHECKING:
    from rspp.model.views import InsertRule, Node, PolicyOverlayBody

GROUPS = ("providerRules", "circuitBreakers", "costCaps", "degradeRules")
_DEFAULTS: Final = MappingProxyType({"circuitBreakers": {"halfOpenProbes": 1}})


def _endpoints(graph: ex.ModuleGraph, port_ref: str, *, output: bool) -> list[ex.Endpoint]:
    node, port = ex.split(port_ref)
    if node in graph.aliases:
        iface = graph.aliases[node]
        if output:
            return [iface.outputs[port]] if port in iface.outputs else []
        return list(iface.inputs.get(port, []))
    return [(node, port)]


def apply_inserts(policy: Artifact, graph: ex.ModuleGraph,
                  types: Mapping[str, NodeType] = BUILTIN) -> None:
    """Insert the nodes of ``policy``'s insert rules into ``graph``; ``types``: the node
    catalog (the repository index's)."""
    for i, rule in enumerate(policy_body(policy).get("insertRules") or []):
        base = f"/spec/insertRules/{i}"
        src_ref, dst_ref = rule["onEdge"]
        srcs = {f"{n}.{p}" for n, p in _endpoints(graph, src_ref, output=True)}
        dsts = {f"{n}.{p}" for n, p in _endpoints(graph, dst_ref, output=False)}
        matched = [e for e in graph.edges if e.data["from"] in srcs and e.data["to"] in dsts]
        if not matched:
            graph.problems.append(Problem(
                "POL001", policy, f"{base}/onEdge", f"policy {policy.ref} inserts on edge "
                f"{src_ref} -> {dst_ref}, which the resolved graph does not have (another "
                "insert rule may have split it already)"))
            continue
        node = ex.node_item(policy, "", f"{base}/node", rule["node"])
        nid = node.text("id")
        if nid in graph.nodes:
            graph.problems.append(Problem(
                "POL005", policy, f"{base}/node/id", f"policy {policy.ref} inserts node "
                f"{nid!r}, but the pipeline already has a node with that id"))
            continue
        problem = _node_problem(rule, types)
        if problem:
            graph.problems.append(Problem("POL005", policy, f"{base}/node", problem))
            continue
        refused = list(_value_problems(policy, base, rule["node"], types))
        if refused:
            graph.problems.extend(refused)
            continue
        graph.nodes[nid] = node
        why = f"inserted by policy {policy.ref} on edge {src_ref} -> {dst_ref}"
        for edge in matched:
            graph.edges.remove(edge)
            into = _copy(edge, policy, f"{base}/input")
            out = _copy(edge, policy, f"{base}/output")
            into.put(("to",), f"{nid}.{rule['input']}", authored(policy, f"{base}/input", why))
            out.put(("from",), f"{nid}.{rule['output']}", authored(policy, f"{base}/output",
                                                                   why))
            graph.edges.extend((into, out))


def _copy(edge: Item, policy: Artifact, pointer: str) -> Item:
    data: dict[str, object] = {k: (dict(v) if isinstance(v, dict) else v)
                               for k, v in edge.data.items()}
    return Item(data, dict(edge.origins), blame=(policy, pointer))


def _node_problem(rule: InsertRule, types: Mapping[str, NodeType]) -> str | None:
    """What makes an inserted node unusable before any edge is looked at."""
    node = rule["node"]
    t = types.get(node["type"])
    if node.get("extension") is None and t is None:
        return (f"node type {node['type']} is not in the built-in catalog"
                f"{did_you_mean(node['type'], types)}")
    if t is None:
        return None  # extension nodes: ports and parameters are checked when resolving
    unknown = sorted(set(node.get("params") or {}) - set(t.params))
    if unknown:
        hint = did_you_mean(unknown[0], t.params) if len(unknown) == 1 else ""
        return f"{node['type']} has no parameter {', '.join(unknown)}{hint}"
    for side, port in (("input", rule["input"]), ("output", rule["output"])):
        ports = t.inputs if side == "input" else t.outputs
        if port not in ports:
            return f"{node['type']} has no {side} port {port!r}{did_you_mean(port, ports)}"
    others = sorted(n for n, d in t.inputs.items() if d.required and n != rule["input"])
    if others:
        return (f"{node['type']} needs input {', '.join(others)} too, but an insert rule "
                "connects only one input")
    return None


def _value_problems(policy: Artifact, base: str, node: Node,
                    types: Mapping[str, NodeType]) -> Iterator[Problem]:
    """PRM002 for the inserted node's parameter values (the static rule's check, for callers
    of the library that resolve without validating first)."""
    t = types.get(node["type"])
    if t is None or node.get("extension") is not None:
        return
    for name, value in (node.get("params") or {}).items():
        refusal = value_problem(t.decls[name], value)
        if refusal:
            pointer = pointer_join(f"{base}/node/params", name)
            yield Problem("PRM002", policy,
                          pointer if refusal.item is None else f"{pointer}/{refusal.item}",
                          refusal.message(node["type"], name, t.decls[name]))


def turn_policy(top: Item, graph: ex.ModuleGraph, policies: Iterable[Artifact],
                ref_of: Callable[[Artifact], str]) -> None:
    """Append the turn-boundary rules of ``policies`` to ``turnPolicy`` with node ids checked."""
    tp = top.mapping("turnPolicy")
    for group in GROUPS:
        if group not in tp:
            tp[group] = []
            top.origins[("turnPolicy", group)] = builtin(
                "model", f"{group} of every applied policy overlay, in order (none is empty)")
    for policy in policies:
        body = policy_body(policy)
        for group in GROUPS:
            for i, rule in enumerate(_rules(body, group)):
                if _rule_ok(policy, group, i, rule, graph):
                    _append(top, ref_of(policy), policy, group, i, rule)


def _rules(body: PolicyOverlayBody, group: str) -> Sequence[Mapping[str, object]]:
    """The rules of one turn-policy group (``GROUPS``), each read as a mapping."""
    if group == "providerRules":
        return body.get("providerRules") or []
    if group == "circuitBreakers":
        return body.get("circuitBreakers") or []
    if group == "costCaps":
        return body.get("costCaps") or []
    return body.get("degradeRules") or []


def _rule_ok(policy: Artifact, group: str, i: int, rule: Mapping[str, object],
             graph: ex.ModuleGraph) -> bool:
    base = f"/spec/{group}/{i}"
    ok = True
    for key in ("node", "to"):
        name = rule.get(key)
        if isinstance(name, str) and name not in graph.nodes:
            graph.problems.append(Problem(
                "POL001", policy, f"{base}/{key}", f"policy {policy.ref} names node {name!r}, "
                f"which the resolved pipeline does not have{did_you_mean(name, graph.nodes)}"))
            ok = False
    if not ok:
        return False
    node_id, prefer = rule.get("node"), rule.get("prefer")
    if group == "providerRules" and isinstance(node_id, str) and isinstance(prefer, list):
        node = graph.nodes[node_id]
        offered = _candidate_types(node, graph)
        for j, ptype in enumerate(prefer):
            if ptype not in offered:
                graph.problems.append(Problem(
                    "POL006", policy, f"{base}/prefer/{j}", f"policy {policy.ref} prefers "
                    f"{ptype} for node {node_id!r}, but neither the node nor its "
                    f"stand-ins are of that type (offered: {', '.join(sorted(offered))})"
                    f"{did_you_mean(ptype, offered)}"))
                ok = False
    when = rule.get("when")
    if isinstance(when, str):
        try:
            parse(when)
        except ExprError as exc:
            graph.problems.append(Problem("POL002", policy, f"{base}/when",
                                          f"condition does not parse: {exc}"))
            ok = False
    return ok


def candidates(node: Item) -> list[str]:
    """The node and its stand-ins, in the order the runtime would try them."""
    out = [str(node.data["id"])]
    targets = node.get(("fallback", "targets"))
    if isinstance(targets, list):
        out.extend(str(t) for t in targets)
    target = node.get(("degrade", "target"))
    if isinstance(target, str):
        out.append(target)
    return out


def _candidate_types(node: Item, graph: ex.ModuleGraph) -> set[str]:
    return {str(graph.nodes[c].data["type"]) for c in candidates(node) if c in graph.nodes}


def _append(top: Item, ref: str, policy: Artifact, group: str, i: int,
            rule: Mapping[str, object]) -> None:
    entries = top.mapping("turnPolicy")[group]
    assert isinstance(entries, list)  # turn_policy made it
    at = str(len(entries))
    entry: dict[str, object] = {"policy": ref}
    entries.append(entry)
    top.origins[("turnPolicy", group, at, "policy")] = authored(
        policy, "/metadata/version", f"rule {group}[{i}] of policy {policy.ref}")
    for key, value in rule.items():
        entry[key] = value
        top.origins[("turnPolicy", group, at, key)] = authored(
            policy, f"/spec/{group}/{i}/{key}", f"set in policy {policy.ref}")
    for key, value in _DEFAULTS.get(group, {}).items():
        if key not in entry:
            entry[key] = value
            top.origins[("turnPolicy", group, at, key)] = builtin(
                "model", f"default of {group}.{key}")
