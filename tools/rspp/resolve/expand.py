"""Module expansion: a spec and the modules it imports become one flat graph.

Module nodes are namespaced by the import alias path (``norm/redact``), module imports of
modules nest (``outer/inner/node``), and every edge that reaches a module through its
interface is rewired to the node ports the module binds that interface port to. The edge's
own lane and buffer travel with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from rspp.core.jsontypes import JsonValue
from rspp.load.spans import pointer_join
from rspp.model.access import graph_body, module_body
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref
from rspp.resolve.items import Item, Problem, authored

if TYPE_CHECKING:
    from rspp.model.views import Edge, Import, Node

MAX_DEPTH = 16

Endpoint = tuple[str, str]  # (resolved node id, port)


class Interface(msgspec.Struct):
    """How a (module) graph's interface ports map onto resolved node ports."""

    inputs: dict[str, list[Endpoint]] = msgspec.field(default_factory=dict)
    outputs: dict[str, Endpoint] = msgspec.field(default_factory=dict)


class ModuleGraph(msgspec.Struct):
    """A spec with every module import expanded in place: the nodes and edges the resolver
    normalises."""

    nodes: dict[str, Item] = msgspec.field(default_factory=dict)
    edges: list[Item] = msgspec.field(default_factory=list)
    problems: list[Problem] = msgspec.field(default_factory=list)
    # Top-level import aliases -> their interface, for policies that name alias ports.
    aliases: dict[str, Interface] = msgspec.field(default_factory=dict)


def expand(spec: Artifact, index: Index) -> ModuleGraph:
    graph = ModuleGraph()
    graph.aliases = _Expander(index, graph).run(spec, "", [spec], {}, None)
    return graph


def split(port_ref: str) -> Endpoint:
    node, _, port = port_ref.partition(".")
    return node, port


class _Expander:
    def __init__(self, index: Index, graph: ModuleGraph) -> None:
        self.index = index
        self.graph = graph

    def run(self, art: Artifact, prefix: str, chain: list[Artifact],
            overrides: Mapping[str, JsonValue], importer: tuple[Artifact, str] | None
            ) -> dict[str, Interface]:
        """Expand ``art`` under ``prefix``; returns the interfaces of its own imports."""
        body = graph_body(art)
        aliases: dict[str, Interface] = {}
        for i, imp in enumerate(body.get("imports") or []):
            found = self._module(art, i, imp, chain)
            if found is None:
                continue
            alias = imp["as"]
            inner_prefix = f"{prefix}{alias}/"
            inner_aliases = self.run(found, inner_prefix, [*chain, found],
                                     dict(imp.get("params") or {}), (art, f"/spec/imports/{i}"))
            aliases[alias] = self._interface(found, inner_prefix, inner_aliases)
        for i, node in enumerate(body["nodes"]):
            self._node(art, prefix, i, node, overrides, importer)
        for i, edge in enumerate(body.get("edges") or []):
            self._edges(art, prefix, i, edge, aliases)
        return aliases

    def _module(self, art: Artifact, i: int, imp: Import,
                chain: list[Artifact]) -> Artifact | None:
        pointer = f"/spec/imports/{i}/module"
        ref = parse_ref(imp.get("module"))
        found = self.index.get("Module", ref.id, ref.version) if ref else None
        if found is None or not found.schema_valid:
            self.graph.problems.append(Problem("REF001", art, pointer,
                                               f"module {imp.get('module')} is not defined"))
            return None
        if any(m.key == found.key for m in chain) or len(chain) > MAX_DEPTH:
            cycle = " -> ".join(a.ref for a in [*chain, found])
            self.graph.problems.append(Problem("MOD002", art, pointer,
                                               f"module import cycle: {cycle}"))
            return None
        return found

    def _interface(self, module: Artifact, prefix: str,
                   inner_aliases: dict[str, Interface]) -> Interface:
        bind = module_body(module)["bind"]
        iface = Interface()
        for name, targets in (bind.get("inputs") or {}).items():
            ends: list[Endpoint] = []
            for target in targets:
                ends.extend(self._dst(prefix, split(target), inner_aliases))
            iface.inputs[name] = ends
        for name, source in (bind.get("outputs") or {}).items():
            end = self._src(prefix, split(source), inner_aliases)
            if end is not None:
                iface.outputs[name] = end
        return iface

    @staticmethod
    def _src(prefix: str, end: Endpoint, aliases: dict[str, Interface]) -> Endpoint | None:
        node, port = end
        if node in aliases:
            return aliases[node].outputs.get(port)
        return (prefix + node, port)

    @staticmethod
    def _dst(prefix: str, end: Endpoint, aliases: dict[str, Interface]) -> list[Endpoint]:
        node, port = end
        if node in aliases:
            return list(aliases[node].inputs.get(port, []))
        return [(prefix + node, port)]

    def _node(self, art: Artifact, prefix: str, i: int, node: Node,
              overrides: Mapping[str, JsonValue], importer: tuple[Artifact, str] | None) -> None:
        base = f"/spec/nodes/{i}"
        item = node_item(art, prefix, base, node, overrides.get(node["id"]), importer)
        rid = item.text("id")
        if rid in self.graph.nodes:
            self.graph.problems.append(Problem(
                "DAG001", art, f"{base}/id", f"node id {rid!r} appears twice after module "
                "expansion"))
            return
        self.graph.nodes[rid] = item

    def _edges(self, art: Artifact, prefix: str, i: int, edge: Edge,
               aliases: dict[str, Interface]) -> None:
        base = f"/spec/edges/{i}"
        src = self._src(prefix, split(edge["from"]), aliases)
        dsts = self._dst(prefix, split(edge["to"]), aliases)
        if src is None or not dsts:
            self.graph.problems.append(Problem(
                "MOD001", art, base, f"edge {edge['from']} -> {edge['to']} reaches a module "
                "interface port that is not bound to a node port"))
            return
        via = src[0] != prefix + split(edge["from"])[0] or len(dsts) > 1 or \
            dsts[0][0] != prefix + split(edge["to"])[0]
        reason = f"edge {edge['from']} -> {edge['to']} of {art.ref}"
        if via:
            reason += ", wired through the imported module's interface bindings"
        for dst in dsts:
            item = Item(blame=(art, base))
            item.put(("from",), f"{src[0]}.{src[1]}", authored(art, f"{base}/from", reason))
            item.put(("to",), f"{dst[0]}.{dst[1]}", authored(art, f"{base}/to", reason))
            if "lane" in edge:
                item.put(("lane",), edge["lane"], authored(art, f"{base}/lane", f"set on {reason}"))
            for key, value in (edge.get("buffer") or {}).items():
                item.put(("buffer", key), value,
                         authored(art, f"{base}/buffer/{key}", f"set on {reason}"))
            self.graph.edges.append(item)


def node_item(art: Artifact, prefix: str, base: str, node: Node,
              own: JsonValue = None, importer: tuple[Artifact, str] | None = None) -> Item:
    """A node as its author wrote it (namespaced), each field with its origin."""
    rid = prefix + node["id"]
    item = Item(blame=(art, base))
    where = {"Module": "module ", "PolicyOverlay": "policy "}.get(art.kind, "spec ") + art.ref
    item.put(("id",), rid, authored(art, f"{base}/id", f"node {node['id']!r} of {where}"))
    item.put(("type",), node["type"], authored(art, f"{base}/type", f"set in {where}"))
    if art.kind == "Module":
        item.put(("module",), art.ref, authored(art, "/metadata/id",
                                                f"expanded from module {art.ref}"))
    if "extension" in node:
        item.put(("extension",), node["extension"],
                 authored(art, f"{base}/extension", f"set in {where}"))
    item.data["params"] = {}
    for key, value in (node.get("params") or {}).items():
        item.put(("params", key), value,
                 authored(art, pointer_join(f"{base}/params", key), f"set on the node in {where}"))
    if isinstance(own, dict) and importer is not None:
        imp_art, imp_ptr = importer
        for key, value in own.items():
            item.put(("params", key), value, authored(
                imp_art, pointer_join(f"{imp_ptr}/params/{node['id']}", key),
                f"import parameter of {imp_art.ref} overrides the module's value"))
    fallback, degrade = node.get("fallback"), node.get("degrade")
    groups: tuple[tuple[str, Mapping[str, object] | None], ...] = (
        ("cancel", node.get("cancel")), ("fallback", fallback), ("degrade", degrade))
    for group, values in groups:
        if values is None:
            continue
        for key, setting in values.items():
            if fallback is not None and group == "fallback" and key == "targets":
                setting = [prefix + t for t in fallback["targets"]]  # stand-ins are namespaced
            elif degrade is not None and group == "degrade" and key == "target":
                setting = prefix + degrade["target"]
            item.put((group, key), setting, authored(art, f"{base}/{group}/{key}",
                                                     f"set in {where}"))
    routes = node.get("routes")
    if routes is not None:
        item.put(("routes",), routes, authored(art, f"{base}/routes", f"set in {where}"))
    return item
