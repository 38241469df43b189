"""Graph analysis shared by the PipelineSpec and Module rules.

The graph is built once per artifact (cached in the rule context) from the artifact's nodes,
its module imports (ports = the imported module's interface) and, for modules, the interface
bindings. Rules read it; none of them rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from rspp.model.access import extension_body, extension_defaults, graph_body, module_body
from rspp.model.artifact import Artifact, Index
from rspp.model.catalog import render, value_problem
from rspp.model.ids import PortType, parse_port_type, parse_ref
from rspp.rules.base import Context

if TYPE_CHECKING:
    from rspp.model.views import Import, Lane, Node, Ports

Typed = PortType | str  # a str is the name of an unbound parameter


class GNode(msgspec.Struct):
    id: str
    pointer: str
    kind: str  # "node" | "import" | "interface"
    type: str = ""
    known: bool = False  # ports are known (type found in the catalog, extension or module)
    inputs: dict[str, tuple[Typed, bool]] = msgspec.field(default_factory=dict)
    outputs: dict[str, Typed] = msgspec.field(default_factory=dict)
    # what the author wrote: the node (kind "node") or the module import (kind "import")
    authored: Node | None = None
    imported: Import | None = None


class GEdge(msgspec.Struct, frozen=True):
    index: int
    pointer: str
    src: str
    src_port: str
    dst: str
    dst_port: str
    lane: Lane | None


class PortGraph(msgspec.Struct):
    """One spec's or module's nodes and edges with their typed ports, as authored (module
    imports not expanded): what the graph, type and lane rules read."""

    art: Artifact
    nodes: dict[str, GNode] = msgspec.field(default_factory=dict)
    duplicates: list[GNode] = msgspec.field(default_factory=list)
    edges: list[GEdge] = msgspec.field(default_factory=list)
    standby: set[str] = msgspec.field(default_factory=set)

    def incoming(self) -> dict[tuple[str, str], list[GEdge]]:
        result: dict[tuple[str, str], list[GEdge]] = {}
        for e in self.edges:
            result.setdefault((e.dst, e.dst_port), []).append(e)
        return result

    def port_type(self, node: str, port: str, *, output: bool) -> Typed | None:
        g = self.nodes.get(node)
        if g is None or not g.known:
            return None
        if output:
            return g.outputs.get(port)
        decl = g.inputs.get(port)
        return decl[0] if decl else None


def _types_from_ports(ports: Ports, params: Mapping[str, object]) -> tuple[
    dict[str, tuple[Typed, bool]], dict[str, Typed]
]:
    inputs = {
        name: (render(decl["type"], params), bool(decl.get("required", True)))
        for name, decl in (ports.get("inputs") or {}).items()
    }
    outputs = {name: render(t, params) for name, t in (ports.get("outputs") or {}).items()}
    return inputs, outputs


def find_extension(index: Index, node: Node) -> Artifact | None:
    ref = parse_ref(node.get("extension"))
    return index.get("ExtensionManifest", ref.id, ref.version) if ref else None


def _node(index: Index, pointer: str, node: Node) -> GNode:
    g = GNode(node["id"], pointer, "node", node["type"], authored=node)
    params = dict(node.get("params") or {})
    builtin = index.node_types.get(node["type"])
    if node.get("extension") is not None:
        ext = find_extension(index, node)
        if ext is None or not ext.schema_valid or ext.spec.get("nodeType") != node["type"]:
            return g
        body = extension_body(ext)
        merged = {**extension_defaults(body), **params}
        g.inputs, g.outputs = _types_from_ports(body.get("ports") or {}, merged)
        g.known = True
        return g
    if builtin is None:
        return g
    # A value its declaration refuses (PRM002 reports it) types the ports as the default
    # would, so one mistake is reported once, not again as a port type mismatch.
    merged = {**builtin.params, **{k: v for k, v in params.items()
                                   if k not in builtin.decls
                                   or value_problem(builtin.decls[k], v) is None}}
    g.inputs = {n: (render(d.type, merged), d.required) for n, d in builtin.inputs.items()}
    g.outputs = {n: render(t, merged) for n, t in builtin.outputs.items()}
    if builtin.dynamic_outputs:
        routes = node.get("routes")
        out_type = render("{type}", merged)
        names = [c["port"] for c in routes["cases"]] if routes else []
        default = routes.get("default") if routes else None
        if default:
            names.append(default)
        g.outputs = dict.fromkeys(names, out_type)
    g.known = True
    return g


def _import(index: Index, pointer: str, imp: Import) -> GNode:
    g = GNode(imp["as"], pointer, "import", imported=imp)
    ref = parse_ref(imp.get("module"))
    module = index.get("Module", ref.id, ref.version) if ref else None
    if module is not None and module.schema_valid:
        g.type = f"module {module.ref}"
        g.inputs, g.outputs = _types_from_ports(module_body(module)["interface"], {})
        g.known = True
    return g


def _split(port_ref: str) -> tuple[str, str]:
    node, _, port = port_ref.partition(".")
    return node, port


def build(art: Artifact, ctx: Context) -> PortGraph:
    cached = ctx.cache.get(("graph", art.path))
    if isinstance(cached, PortGraph):
        return cached
    graph = PortGraph(art)
    spec = graph_body(art)
    members: list[GNode] = [
        _import(ctx.index, f"/spec/imports/{i}/as", imp)
        for i, imp in enumerate(spec.get("imports") or [])
    ]
    members += [_node(ctx.index, f"/spec/nodes/{i}", n) for i, n in enumerate(spec["nodes"])]
    for g in members:
        if g.id in graph.nodes:
            graph.duplicates.append(g)
        else:
            graph.nodes[g.id] = g
    for n in spec["nodes"]:
        fallback = n.get("fallback")
        for target in fallback["targets"] if fallback else []:
            graph.standby.add(target)
        degrade = n.get("degrade")
        if degrade:
            graph.standby.add(degrade["target"])
    for i, e in enumerate(spec.get("edges") or []):
        src, src_port = _split(e["from"])
        dst, dst_port = _split(e["to"])
        graph.edges.append(GEdge(i, f"/spec/edges/{i}", src, src_port, dst, dst_port,
                                 e.get("lane")))
    ctx.cache[("graph", art.path)] = graph
    return graph


def bound_sources(art: Artifact) -> set[str]:
    """Module nodes fed by the module's interface inputs."""
    if art.kind != "Module":
        return set()
    bind = module_body(art)["bind"]
    return {_split(t)[0] for targets in (bind.get("inputs") or {}).values() for t in targets}


def show(t: Typed | None) -> str:
    if t is None:
        return "unknown"
    return str(t) if isinstance(t, PortType) else f"unbound (parameter {t!r} has no value)"


def accepts(consumer: Typed | None, producer: Typed | None) -> bool:
    """Unknown or unbound types never cause a mismatch finding (another rule reports them)."""
    if not isinstance(consumer, PortType) or not isinstance(producer, PortType):
        return True
    return consumer.accepts(producer)


def cycles(graph: PortGraph) -> Iterator[list[str]]:
    """Each strongly connected component that holds a cycle, as a closed node path."""
    succ: dict[str, list[str]] = {n: [] for n in graph.nodes}
    for e in graph.edges:
        if e.src in succ and e.dst in succ:
            succ[e.src].append(e.dst)
    for comp in strongly_connected(succ):
        if len(comp) > 1 or comp[0] in succ[comp[0]]:
            yield _cycle_path(set(comp), succ)


def strongly_connected(succ: Mapping[str, Sequence[str]]) -> Iterator[list[str]]:
    """The strongly connected components of the graph ``succ`` (node -> successors; every
    successor is a key), each as it leaves Tarjan's stack, the component's root last.
    Iterative: deep graphs do not reach the recursion limit."""
    order = 0
    num: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in succ:
        if start in num:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                num[node] = low[node] = order
                order += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(succ[node]):
                work.append((node, i + 1))
                nxt = succ[node][i]
                if nxt not in num:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], num[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == num[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                yield comp


def _cycle_path(comp: set[str], succ: dict[str, list[str]]) -> list[str]:
    start = min(comp)
    path = [start]
    seen = {start}
    node = start
    while True:
        nxt = min(n for n in succ[node] if n in comp)
        path.append(nxt)
        if nxt in seen:
            return path[path.index(nxt):]
        seen.add(nxt)
        node = nxt


def reachable(graph: PortGraph, sources: set[str]) -> set[str]:
    succ: dict[str, list[str]] = {}
    for e in graph.edges:
        succ.setdefault(e.src, []).append(e.dst)
    seen = set(sources)
    todo = list(sources)
    while todo:
        for nxt in succ.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def parse_type(text: str) -> PortType:
    return parse_port_type(text)
