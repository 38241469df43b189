"""Rules for the graphs of PipelineSpec and Module artifacts, and for parameter names and
values wherever they are written (specs, modules, import overrides, profile nodeDefaults,
policy insert rules)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Literal

import msgspec

from rspp.core.constants import GRAPH_KINDS
from rspp.core.findings import Related
from rspp.core.jsontypes import JsonValue
from rspp.core.suggest import did_you_mean
from rspp.load.spans import escape_token, pointer_join
from rspp.model.access import (
    extension_body,
    extension_declarations,
    graph_body,
    module_body,
    policy_body,
    profile_body,
)
from rspp.model.artifact import Artifact
from rspp.model.catalog import NodeType, Param, value_problem
from rspp.model.ids import PortType, parse_ref
from rspp.model.lanes import allowed_lanes
from rspp.rules import graph as g
from rspp.rules.base import Check, Context, Hit

if TYPE_CHECKING:
    from rspp.model.views import Import, Node

_PARAM_KINDS = (*GRAPH_KINDS, "ExecutionProfile", "PolicyOverlay")


def _duplicate_nodes(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for dup in graph.duplicates:
        first = graph.nodes[dup.id]
        line = art.doc.span(first.pointer).line
        yield Hit(dup.pointer if dup.kind == "import" else f"{dup.pointer}/id",
                  f"node id {dup.id!r} is already used on line {line}")


def _endpoints(art: Artifact, ctx: Context) -> Iterator[tuple[g.GEdge, str, str, bool]]:
    for e in g.build(art, ctx).edges:
        yield e, e.src, e.src_port, True
        yield e, e.dst, e.dst_port, False


def _unknown_node(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for e, node, port, out in _endpoints(art, ctx):
        if node not in graph.nodes:
            known = ", ".join(sorted(graph.nodes)) or "none"
            yield Hit(f"{e.pointer}/{'from' if out else 'to'}",
                      f"edge {'from' if out else 'to'} {node}.{port}: no node {node!r} "
                      f"(nodes: {known}){did_you_mean(node, graph.nodes)}")
    yield from _bind_endpoints(art, ctx, unknown_node=True)


def _port_hit(pointer: str, node: g.GNode, port: str, out: bool) -> Hit | None:
    ports = node.outputs if out else node.inputs
    if not node.known or port in ports:
        return None
    other = node.inputs if out else node.outputs
    if port in other:
        why = f"{port!r} is an {'input' if out else 'output'} of {node.id!r}, not an " \
              f"{'output' if out else 'input'}"
    else:
        listed = ", ".join(sorted(ports)) or "none"
        why = f"{node.id!r} ({node.type}) has no {'output' if out else 'input'} port " \
              f"{port!r} ({'outputs' if out else 'inputs'}: {listed}){did_you_mean(port, ports)}"
    return Hit(pointer, why)


def _unknown_port(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for e, node, port, out in _endpoints(art, ctx):
        gn = graph.nodes.get(node)
        if gn is not None:
            hit = _port_hit(f"{e.pointer}/{'from' if out else 'to'}", gn, port, out)
            if hit:
                yield hit
    yield from _bind_endpoints(art, ctx, unknown_node=False)


def _bind_endpoints(art: Artifact, ctx: Context, *, unknown_node: bool) -> Iterator[Hit]:
    if art.kind != "Module":
        return
    graph = g.build(art, ctx)
    bind = module_body(art)["bind"]
    places: list[tuple[str, str, bool]] = [
        (f"/spec/bind/inputs/{name}/{i}", t, False)
        for name, targets in (bind.get("inputs") or {}).items()
        for i, t in enumerate(targets)
    ]
    places += [(f"/spec/bind/outputs/{name}", s, True)
               for name, s in (bind.get("outputs") or {}).items()]
    for pointer, ref, out in places:
        node, _, port = ref.partition(".")
        gn = graph.nodes.get(node)
        if gn is None:
            if unknown_node:
                yield Hit(pointer, f"binding {ref}: no node {node!r} in the module"
                                   f"{did_you_mean(node, graph.nodes)}")
        elif not unknown_node:
            hit = _port_hit(pointer, gn, port, out)
            if hit:
                yield hit


def _type_mismatch(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for e in graph.edges:
        produced = graph.port_type(e.src, e.src_port, output=True)
        consumed = graph.port_type(e.dst, e.dst_port, output=False)
        if not g.accepts(consumed, produced):
            related = tuple(r for r in (_interface_port(graph, ctx, e.src, e.src_port, True),
                                        _interface_port(graph, ctx, e.dst, e.dst_port, False))
                            if r is not None)
            yield Hit(e.pointer, f"edge {e.src}.{e.src_port} -> {e.dst}.{e.dst_port}: "
                                 f"{g.show(produced)} does not satisfy {g.show(consumed)}",
                      related=related)
    if art.kind == "Module":
        module = module_body(art)
        iface, bind = module["interface"], module["bind"]
        for name, targets in (bind.get("inputs") or {}).items():
            decl = (iface.get("inputs") or {}).get(name)
            if decl is None:
                continue
            produced = g.parse_type(decl["type"])
            for i, t in enumerate(targets):
                node, _, port = t.partition(".")
                consumed = graph.port_type(node, port, output=False)
                if not g.accepts(consumed, produced):
                    yield Hit(f"/spec/bind/inputs/{name}/{i}",
                              f"interface input {name!r} ({produced}) does not satisfy "
                              f"{t} ({g.show(consumed)})")
        for name, source in (bind.get("outputs") or {}).items():
            out_decl = (iface.get("outputs") or {}).get(name)
            if out_decl is None:
                continue
            node, _, port = source.partition(".")
            produced_t = graph.port_type(node, port, output=True)
            if not g.accepts(g.parse_type(out_decl), produced_t):
                yield Hit(f"/spec/bind/outputs/{name}",
                          f"{source} ({g.show(produced_t)}) does not satisfy interface output "
                          f"{name!r} ({out_decl})")


def _interface_port(graph: g.PortGraph, ctx: Context, node: str, port: str,
                    output: bool) -> Related | None:
    """The module interface declaration an import endpoint stands for (the other side)."""
    gn = graph.nodes.get(node)
    if gn is None or gn.imported is None:
        return None
    ref = parse_ref(gn.imported["module"])
    module = ctx.index.get("Module", ref.id, ref.version) if ref else None
    if module is None:
        return None
    side = "outputs" if output else "inputs"
    span = module.doc.span(f"/spec/interface/{side}/{port}", key=True)
    return Related(module.path, span.line, span.col,
                   f"interface {side[:-1]} {port!r} of module {module.ref}")


def _refused_value(node: g.GNode, name: str, types: Mapping[str, NodeType]) -> bool:
    """The node sets ``name`` to a value its declaration refuses (PRM002 reports it)."""
    written = node.authored
    if written is None:
        return False  # a module import: its ports come from the module's interface
    params = written.get("params") or {}
    decl = types[node.type].decls.get(name) if node.type in types else None
    return (written.get("extension") is None and decl is not None and name in params
            and value_problem(decl, params[name]) is not None)


def _written_params(node: g.GNode) -> bool:
    """Whether the node (or the import) sets parameters."""
    written = node.authored or node.imported
    return bool(written and written.get("params"))


def _unbound_type(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for node in g.build(art, ctx).nodes.values():
        ports = [*((p, t) for p, (t, _) in node.inputs.items()), *node.outputs.items()]
        for port, t in ports:
            if isinstance(t, str) and not _refused_value(node, t, ctx.index.node_types):
                yield Hit(f"{node.pointer}/params" if _written_params(node) else node.pointer,
                          f"port {node.id}.{port} of {node.type} needs parameter {t!r} to "
                          f"know its type; set params.{t}")
                break


def _cycle(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for path in g.cycles(graph):
        hops = list(itertools.pairwise(path))
        edges = [max(e.index for e in graph.edges if (e.src, e.dst) == hop) for hop in hops]
        # Blame the cycle's last-written edge (most often the one just added); name the
        # cycle starting after it so the path reads in the order the data flows.
        last = edges.index(max(edges))
        ring = path[:-1]
        ordered = ring[last + 1:] + ring[: last + 1]
        yield Hit(graph.edges[max(edges)].pointer,
                  "cycle: " + " -> ".join([*ordered, ordered[0]]))


def _at_id(node: g.GNode) -> str:
    return f"{node.pointer}/id" if node.kind == "node" else node.pointer


def _unreachable(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    sources = {n.id for n in graph.nodes.values() if n.known and not n.inputs}
    sources |= g.bound_sources(art)
    seen = g.reachable(graph, sources)
    for node in graph.nodes.values():
        if node.id not in seen and node.id not in graph.standby and node.known:
            yield Hit(_at_id(node), f"node {node.id!r} is not reachable from any source "
                                    f"({', '.join(sorted(sources)) or 'no source nodes'})")


def _required_inputs(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    incoming = graph.incoming()
    bind = module_body(art)["bind"] if art.kind == "Module" else None
    bound = {(t.partition(".")[0], t.partition(".")[2])
             for ts in ((bind or {}).get("inputs") or {}).values() for t in ts}
    for node in graph.nodes.values():
        if node.id in graph.standby:
            continue
        for port, (_, required) in sorted(node.inputs.items()):
            if required and (node.id, port) not in incoming and (node.id, port) not in bound:
                yield Hit(_at_id(node), f"required input {node.id}.{port} is not connected")


def _fallback_targets(node: Node) -> Iterator[tuple[str, str]]:
    fb = node.get("fallback")
    if fb is not None:
        for i, t in enumerate(fb["targets"]):
            yield f"/fallback/targets/{i}", t
    dg = node.get("degrade")
    if dg is not None:
        yield "/degrade/target", dg["target"]


def _fallback_missing(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for i, node in enumerate(graph_body(art)["nodes"]):
        for sub, target in _fallback_targets(node):
            if target == node["id"]:
                yield Hit(f"/spec/nodes/{i}{sub}", f"node {target!r} names itself as stand-in")
            elif target not in graph.nodes or graph.nodes[target].kind != "node":
                nodes = [n.id for n in graph.nodes.values()
                         if n.kind == "node" and n.id != node["id"]]
                yield Hit(f"/spec/nodes/{i}{sub}",
                          f"stand-in {target!r} for {node['id']!r} is not a node of this graph"
                          f"{did_you_mean(target, nodes)}")


def _fallback_types(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for i, node in enumerate(graph_body(art)["nodes"]):
        primary = graph.nodes.get(node["id"])
        for sub, target in _fallback_targets(node):
            alt = graph.nodes.get(target)
            if (primary is None or alt is None or not alt.known or alt.kind != "node"
                    or target == node["id"]):
                continue
            for problem in _standby_problems(graph, primary.id, alt):
                yield Hit(f"/spec/nodes/{i}{sub}", f"stand-in {target!r} cannot replace "
                                                   f"{primary.id!r}: {problem}")


def _standby_problems(graph: g.PortGraph, primary: str, alt: g.GNode) -> Iterator[str]:
    for e in graph.edges:
        if e.dst == primary:
            produced = graph.port_type(e.src, e.src_port, output=True)
            if e.dst_port not in alt.inputs:
                yield f"it has no input {e.dst_port!r}"
            elif not g.accepts(alt.inputs[e.dst_port][0], produced):
                yield (f"input {e.dst_port!r} wants {g.show(alt.inputs[e.dst_port][0])}, "
                       f"gets {g.show(produced)}")
        if e.src == primary:
            consumed = graph.port_type(e.dst, e.dst_port, output=False)
            if e.src_port not in alt.outputs:
                yield f"it has no output {e.src_port!r}"
            elif not g.accepts(consumed, alt.outputs[e.src_port]):
                yield (f"output {e.src_port!r} gives {g.show(alt.outputs[e.src_port])}, "
                       f"{e.dst}.{e.dst_port} wants {g.show(consumed)}")


def _route_default(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, node in enumerate(graph_body(art)["nodes"]):
        routes = node.get("routes")
        if routes is not None and not routes.get("default"):
            yield Hit(f"/spec/nodes/{i}/routes",
                      f"router {node['id']!r} has conditional routes but no default route")


def _route_shape(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, node in enumerate(graph_body(art)["nodes"]):
        builtin = ctx.index.node_types.get(node["type"])
        is_router = builtin is not None and builtin.dynamic_outputs
        if is_router and "routes" not in node:
            yield Hit(f"/spec/nodes/{i}", f"router {node['id']!r} declares no routes")
        elif not is_router and "routes" in node:
            yield Hit(f"/spec/nodes/{i}/routes",
                      f"routes are only allowed on router nodes, not on {node['type']}")
        elif is_router:
            routes = node["routes"]
            ports = [c["port"] for c in routes["cases"]]
            default = routes.get("default")
            if default:
                ports.append(default)
            dup = sorted({p for p in ports if ports.count(p) > 1})
            if dup:
                yield Hit(f"/spec/nodes/{i}/routes",
                          f"router {node['id']!r} uses output port(s) {', '.join(dup)} twice")


def _cancel_scope(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, node in enumerate(graph_body(art)["nodes"]):
        if "cancel" not in node:
            yield Hit(f"/spec/nodes/{i}/id",
                      f"node {node['id']!r} declares no cancel scope (cancel.scope: turn, "
                      "session or none)")


def _lane_for_type(art: Artifact, ctx: Context) -> Iterator[Hit]:
    graph = g.build(art, ctx)
    for e in graph.edges:
        produced = graph.port_type(e.src, e.src_port, output=True)
        if e.lane is None or not isinstance(produced, PortType):
            continue
        allowed = allowed_lanes(produced)
        if allowed is not None and e.lane not in allowed:
            yield Hit(f"{e.pointer}/lane", f"{produced.base} traffic may not ride the {e.lane} "
                                           f"lane (allowed: {', '.join(sorted(allowed))})")


def _module_bindings(art: Artifact, ctx: Context) -> Iterator[Hit]:
    module = module_body(art)
    iface, bind = module["interface"], module["bind"]
    sides = (("inputs", set(iface.get("inputs") or {}), set(bind.get("inputs") or {})),
             ("outputs", set(iface.get("outputs") or {}), set(bind.get("outputs") or {})))
    for side, declared, bound in sides:
        for name in sorted(declared - bound):
            yield Hit(f"/spec/interface/{side}/{name}",
                      f"interface {side[:-1]} {name!r} is not bound to a node port", key=True)
        for name in sorted(bound - declared):
            yield Hit(f"/spec/bind/{side}/{name}", f"binding for {name!r}, which is not an "
                                                   f"interface {side[:-1]}"
                                                   f"{did_you_mean(name, declared - bound)}",
                      key=True)


def _import_cycle(art: Artifact, ctx: Context) -> Iterator[Hit]:

    def imports(a: Artifact) -> list[Artifact]:
        out = []
        for imp in graph_body(a).get("imports") or []:
            ref = parse_ref(imp["module"])
            found = ctx.index.get("Module", ref.id, ref.version) if ref else None
            if found is not None and found.schema_valid:
                out.append(found)
        return out

    path = [art]
    stack = [iter(imports(art))]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            path.pop()
            continue
        if nxt.key == art.key:
            names = " -> ".join(a.ref for a in [*path, art])
            yield Hit("/spec/imports", f"module import cycle: {names}")
            return
        if nxt in path or len(path) > 32:
            continue
        path.append(nxt)
        stack.append(iter(imports(nxt)))


class ParamSite(msgspec.Struct, frozen=True):
    """One mapping of parameter values and what its node type declares.

    ``origin`` says where the mapping is written: a node's ``params`` (spec, module), an
    import's override for one module node, a profile's ``nodeDefaults`` for one node type, or
    a policy insert rule's node. ``known`` is None when the node type was not found (another
    rule says why, except for profile defaults, where PRM001 does). ``decls`` holds the typed
    declarations: built-in types have them; extension manifests declare names and defaults
    only.
    """

    pointer: str
    subject: str
    values: dict[str, JsonValue]
    origin: Literal["node", "import", "default", "insert"]
    known: frozenset[str] | None
    decls: dict[str, Param]


def param_sites(art: Artifact, ctx: Context) -> list[ParamSite]:
    """Every parameter mapping of ``art`` with its node type's declarations (cached per run).

    The one traversal behind PRM001 (names), MOD003 (names in import overrides) and PRM002
    (values).
    """
    cached = ctx.cache.get(("param_sites", art.path))
    if isinstance(cached, list):
        return cached
    sites = list(_param_sites(art, ctx))
    ctx.cache[("param_sites", art.path)] = sites
    return sites


def _param_sites(art: Artifact, ctx: Context) -> Iterator[ParamSite]:
    if art.kind == "ExecutionProfile":
        for ntype, params in (profile_body(art).get("nodeDefaults") or {}).items():
            yield _type_site(ctx, f"/spec/nodeDefaults/{escape_token(ntype)}", ntype,
                             params or {})
        return
    if art.kind == "PolicyOverlay":
        for i, rule in enumerate(policy_body(art).get("insertRules") or []):
            node = rule["node"]
            yield _node_site(ctx, f"/spec/insertRules/{i}/node/params", node,
                             node.get("params") or {}, node["type"], "insert")
        return
    spec = graph_body(art)
    for i, node in enumerate(spec["nodes"]):
        yield _node_site(ctx, f"/spec/nodes/{i}/params", node, node.get("params") or {},
                         node["type"], "node")
    for i, imp in enumerate(spec.get("imports") or []):
        module = _imported(ctx, imp)
        if module is None:
            continue
        nodes = {n["id"]: n for n in module_body(module)["nodes"]}
        for node_id, values in (imp.get("params") or {}).items():
            if node_id in nodes and isinstance(values, dict):
                node = nodes[node_id]
                yield _node_site(
                    ctx, f"/spec/imports/{i}/params/{escape_token(node_id)}", node, values,
                    f"{node['type']} (node {node_id!r} of {module.ref})", "import")


def _imported(ctx: Context, imp: Import) -> Artifact | None:
    ref = parse_ref(imp["module"])
    module = ctx.index.get("Module", ref.id, ref.version) if ref else None
    return module if module is not None and module.schema_valid else None


def _node_site(ctx: Context, pointer: str, node: Node, values: dict[str, JsonValue],
               subject: str, origin: Literal["node", "import", "insert"]) -> ParamSite:
    known: frozenset[str] | None = None
    decls: dict[str, Param] = {}
    if node.get("extension") is not None:
        ext = g.find_extension(ctx.index, node)
        if ext is not None and ext.schema_valid:
            body = extension_body(ext)
            known = frozenset(body.get("params") or {})
            decls = extension_declarations(body)
    elif node["type"] in ctx.index.node_types:
        decls = ctx.index.node_types[node["type"]].decls
        known = frozenset(decls)
    return ParamSite(pointer, subject, values, origin, known, decls)


def _type_site(ctx: Context, pointer: str, ntype: str,
               values: dict[str, JsonValue]) -> ParamSite:
    """A profile's defaults for a node type: the built-in type, or every extension's."""
    if ntype in ctx.index.node_types:
        decls = ctx.index.node_types[ntype].decls
        return ParamSite(pointer, ntype, values, "default", frozenset(decls), decls)
    exts = [extension_body(e) for e in ctx.index.of_kind("ExtensionManifest") if e.schema_valid]
    exts = [e for e in exts if e.get("nodeType") == ntype]
    known = frozenset(p for e in exts for p in e.get("params") or {}) if exts else None
    # a name declared by several versions: the newest declaration written first wins
    decls = {name: decl for e in reversed(exts) for name, decl in
             extension_declarations(e).items()}
    return ParamSite(pointer, ntype, values, "default", known, decls)


def _unknown_names(site: ParamSite) -> Iterator[Hit]:
    known = site.known or frozenset()
    for name in sorted(set(site.values) - known):
        yield Hit(pointer_join(site.pointer, name),
                  f"{site.subject} has no parameter {name!r} (parameters: "
                  f"{', '.join(sorted(known)) or 'none'}){did_you_mean(name, known)}", key=True)


def _unknown_params(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for site in param_sites(art, ctx):
        if site.origin == "import":
            continue  # MOD003 reports import overrides
        if site.known is None:
            if site.origin == "default":
                types = [*ctx.index.node_types, *(extension_body(e).get("nodeType") or "" for e in
                                    ctx.index.of_kind("ExtensionManifest") if e.schema_valid)]
                yield Hit(site.pointer, f"no node type {site.subject} in the built-in catalog "
                                        "or any extension manifest"
                                        f"{did_you_mean(site.subject, types)}", key=True)
            continue
        yield from _unknown_names(site)


def _param_values(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for site in param_sites(art, ctx):
        for name, value in site.values.items():
            decl = site.decls.get(name)
            refusal = value_problem(decl, value) if decl else None
            if decl and refusal:
                pointer = pointer_join(site.pointer, name)
                yield Hit(pointer if refusal.item is None else f"{pointer}/{refusal.item}",
                          refusal.message(site.subject, name, decl))


def _route_conditions(art: Artifact, ctx: Context) -> Iterator[Hit]:
    from rspp.rules.policy import condition_hits

    for i, node in enumerate(graph_body(art)["nodes"]):
        routes = node.get("routes")
        for j, case in enumerate(routes["cases"] if routes else []):
            yield from condition_hits(f"/spec/nodes/{i}/routes/cases/{j}/when", case["when"])


def _import_params(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, imp in enumerate(graph_body(art).get("imports") or []):
        module = _imported(ctx, imp)
        if module is None:
            continue
        nodes = sorted(n["id"] for n in module_body(module)["nodes"])
        for node_id, values in (imp.get("params") or {}).items():
            pointer = f"/spec/imports/{i}/params/{escape_token(node_id)}"
            if node_id not in nodes:
                yield Hit(pointer, f"module {module.ref} has no node {node_id!r} (nodes: "
                                   f"{', '.join(nodes)}){did_you_mean(node_id, nodes)}",
                          key=True)
            elif not isinstance(values, dict):
                yield Hit(pointer, f"parameters for node {node_id!r} must be a mapping of "
                                   "parameter names to values")
    for site in param_sites(art, ctx):
        if site.origin == "import" and site.known is not None:
            yield from _unknown_names(site)


CHECKS: tuple[Check, ...] = (
    Check("DAG001", kinds=GRAPH_KINDS, check=_duplicate_nodes),
    Check("DAG002", kinds=GRAPH_KINDS, check=_unknown_node),
    Check("DAG003", kinds=GRAPH_KINDS, check=_unknown_port),
    Check("DAG004", kinds=GRAPH_KINDS, check=_cycle),
    Check("DAG005", kinds=GRAPH_KINDS, check=_unreachable),
    Check("DAG006", kinds=GRAPH_KINDS, check=_required_inputs),
    Check("TYP001", kinds=GRAPH_KINDS, check=_type_mismatch),
    Check("TYP002", kinds=GRAPH_KINDS, check=_unbound_type),
    Check("FBK001", kinds=GRAPH_KINDS, check=_fallback_missing),
    Check("FBK002", kinds=GRAPH_KINDS, check=_fallback_types),
    Check("RTE001", kinds=GRAPH_KINDS, check=_route_default),
    Check("RTE002", kinds=GRAPH_KINDS, check=_route_shape),
    Check("CAN001", kinds=GRAPH_KINDS, check=_cancel_scope),
    Check("PRM001", kinds=_PARAM_KINDS, check=_unknown_params),
    Check("PRM002", kinds=_PARAM_KINDS, check=_param_values),
    Check("LANE002", kinds=GRAPH_KINDS, check=_lane_for_type),
    Check("MOD001", kinds=("Module",), check=_module_bindings),
    Check("RTE003", kinds=GRAPH_KINDS, check=_route_conditions),
    Check("MOD003", kinds=GRAPH_KINDS, check=_import_params),
    Check("MOD002", kinds=GRAPH_KINDS, check=_import_cycle),
)
