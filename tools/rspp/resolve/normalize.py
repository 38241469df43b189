"""normalize(spec, profile, overlays) -> the ResolvedSpec view, with the source of every value.

Order of work: expand modules -> apply the overlays' insert rules -> complete every node
(parameters, cancel, stand-in settings, ports, execution mode, package) -> complete every
edge (type, lane, priority, buffer) -> check what the defaults and inserts may have broken ->
top level (budgets, lanes, turn policy) -> write the view in canonical order.

Precedence, most specific first (ADR 0002): the spec (and an import's parameters for the
module's nodes) > the module > a policy overlay > the execution profile > the extension
manifest > the built-in default. Defaults only ever fill what is absent, which is also what
makes normalize idempotent: a resolved view has nothing absent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

import msgspec

from rspp.core.constants import API_VERSION
from rspp.core.findings import Related
from rspp.core.jsontypes import as_array, as_object
from rspp.load.spans import escape_token
from rspp.model.access import (
    bundle_body,
    extension_body,
    extension_defaults,
    policy_body,
    profile_body,
)
from rspp.model.artifact import Artifact, Index
from rspp.model.catalog import render
from rspp.model.digest import pinned_ref
from rspp.model.ids import PortType, parse_port_type, parse_ref
from rspp.model.lanes import LANES, allowed_lanes, default_lane, lane_of
from rspp.resolve import expand as ex
from rspp.resolve.items import FieldPath, Item, Origin, Problem, authored, builtin
from rspp.resolve.policy import apply_inserts, turn_policy

if TYPE_CHECKING:
    from rspp.model.views import NodePackage, ResolvedSpec, Routes

BUFFER_FIELDS = ("capacity", "lowWatermark", "highWatermark", "shedding")
# Defaults the artifact models declare (kept equal to the schemas by a test).
NODE_DEFAULTS: Final[Mapping[FieldPath, object]] = MappingProxyType({
    ("cancel", "inFlight"): "drop",
    ("fallback", "attemptTimeoutMs"): 10_000,
    ("fallback", "maxRetries"): 0,
    ("fallback", "retryIntervalMs"): 500,
})
PROFILE_DEFAULTS: Final = MappingProxyType({"sheddingOnBudgetBreach": "degrade"})
COST_BUDGETS: Final = MappingProxyType({
    "turn": "maxCostPerTurnUsd", "session": "maxCostPerSessionUsd",
})


class Resolution(msgspec.Struct, frozen=True):
    """The resolved view (None when resolving failed) and the problems found on the way."""

    view: ResolvedSpec | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.view is not None


def normalize(spec: Artifact, profile: Artifact, overlays: Sequence[Artifact] = (), *,
              index: Index, bundle: Artifact | None = None,
              checks_only: bool = False) -> Resolution:
    """Resolve ``spec`` (a PipelineSpec, or a ResolvedSpec to re-normalize) for ``profile``.

    ``checks_only`` (validation) finds the same problems but builds no view: no digests,
    no source lines.
    """
    if spec.kind == "ResolvedSpec":
        graph, top, applied = _from_view(spec)
        mismatch = _view_mismatch(top, profile, overlays)
        if mismatch:
            return Resolution(None, (Problem("RSV001", spec, mismatch[0], mismatch[1]),))
    else:
        graph, top, applied = ex.expand(spec, index), Item(), set()
    work = _Work(index, profile, bundle, graph)
    fresh = [p for p in overlays if p.ref not in applied]
    for policy in fresh:
        apply_inserts(policy, graph, index.node_types)
    for node in graph.nodes.values():
        work.complete_node(node)
    for edge in graph.edges:
        work.complete_edge(edge)
    if not graph.problems:
        work.check_edges()
    ref_of = (lambda art: art.ref) if checks_only else pinned_ref
    _top(top, spec, profile, overlays, bundle, graph, fresh, ref_of)
    if graph.problems or checks_only:
        return Resolution(None, tuple(graph.problems))
    return Resolution(_emit(spec, top, graph), ())


def _view_mismatch(top: Item, profile: Artifact,
                   overlays: Sequence[Artifact]) -> tuple[str, str] | None:
    """A view is re-normalized only with exactly the inputs it pins (digests included)."""
    if top.data.get("profile") != pinned_ref(profile):
        return ("/spec/profile", f"this view was resolved with profile "
                f"{top.data.get('profile')}, not {pinned_ref(profile)}")
    given = [pinned_ref(p) for p in overlays]
    if as_array(top.data.get("policies")) != given:
        return ("/spec/policies", f"this view was resolved with policies "
                f"{top.data.get('policies') or 'none'}, not {given or 'none'}; resolve the "
                "spec again to apply other overlays")
    return None


# The codes that already name a policy's fault (spelled out: a code's letters are no category).
_POLICY_CODES = frozenset({"POL001", "POL002", "POL003", "POL005", "POL006"})


class _Work:
    def __init__(self, index: Index, profile: Artifact, bundle: Artifact | None,
                 graph: ex.ModuleGraph) -> None:
        self.index = index
        self.profile = profile
        self.graph = graph
        packages: list[NodePackage] = (
            bundle_body(bundle).get("nodePackages") or [] if bundle else [])
        self.packages = {p["type"]: (i, p) for i, p in enumerate(packages)}
        self.bundle = bundle

    def _problem(self, code: str, item: Item, message: str,
                 related: tuple[Related, ...] = ()) -> None:
        assert item.blame is not None
        art, pointer = item.blame
        if art.kind == "PolicyOverlay" and code not in _POLICY_CODES:
            code = "POL005"  # whatever breaks in an inserted node is the insert rule's fault
        self.graph.problems.append(Problem(code, art, pointer, message, related))

    # ------------------------------------------------------------------ nodes
    def complete_node(self, node: Item) -> None:
        ntype = node.text("type")
        ext = None
        if "extension" in node.data:
            ref = parse_ref(node.data["extension"])
            ext = self.index.get("ExtensionManifest", ref.id, ref.version) if ref else None
            if ext is None or ext.spec.get("nodeType") != ntype:
                self._problem("REF002", node, f"extension {node.data['extension']} does not "
                              f"provide node type {ntype}")
                return
        elif ntype not in self.index.node_types:
            self._problem("REF002", node, f"node type {ntype} is not in the built-in catalog")
            return
        defaults = profile_body(self.profile).get("nodeDefaults") or {}
        for key, value in (defaults.get(ntype) or {}).items():
            node.fill(("params", key), value, authored(
                self.profile, f"/spec/nodeDefaults/{escape_token(ntype)}/{escape_token(key)}",
                f"node default for {ntype} in profile {self.profile.ref}"))
        if ext is not None:
            self._from_extension(node, ext)
        else:
            self._from_catalog(node, ntype)
        for path, default in NODE_DEFAULTS.items():
            if path[0] in node.data or path[0] == "cancel":
                node.fill(path, default, builtin("model", f"default of {'.'.join(path)}"))
        if not node.data["params"]:
            node.origins[("params",)] = builtin(ntype, f"{ntype} takes no parameters here")
        if not node.has(("cancel", "scope")):
            self._problem("CAN001", node, f"node {node.data['id']!r} declares no cancel scope")
        self._package(node, ntype)

    def _from_catalog(self, node: Item, ntype: str) -> None:
        t = self.index.node_types[ntype]
        for key, value in t.params.items():
            if value is not None:
                node.fill(("params", key), value,
                          builtin(ntype, f"catalog default of {ntype}.{key}"))
        params = node.mapping("params")
        why = builtin(ntype, f"port of {ntype}, typed with the node's parameters")
        inputs = {n: render(d.type, params) for n, d in t.inputs.items()}
        if t.dynamic_outputs:
            # written from the node's view (or read back from a resolved view) as it is
            routes = cast("Routes | None", node.data.get("routes"))
            names = [c["port"] for c in routes["cases"]] if routes else []
            default = routes.get("default") if routes else None
            if default:
                names.append(default)
            outputs = dict.fromkeys(names, render("{type}", params))
        else:
            outputs = {n: render(v, params) for n, v in t.outputs.items()}
        self._ports(node, inputs, outputs, why)
        node.fill(("executionMode",), t.execution, builtin(ntype, "catalog execution mode"))

    def _from_extension(self, node: Item, ext: Artifact) -> None:
        body = extension_body(ext)
        for key, value in extension_defaults(body).items():
            node.fill(("params", key), value, authored(
                ext, f"/spec/params/{escape_token(key)}/default",
                f"parameter default of {ext.ref}"))
        for key, setting in (body.get("defaultCancel") or {}).items():
            node.fill(("cancel", key), setting, authored(
                ext, f"/spec/defaultCancel/{key}", f"default cancel of {ext.ref}"))
        params = node.mapping("params")
        ports = body.get("ports")
        inputs = {n: render(d["type"], params)
                  for n, d in ((ports.get("inputs") if ports else None) or {}).items()}
        outputs = {n: render(t, params)
                   for n, t in ((ports.get("outputs") if ports else None) or {}).items()}
        self._ports(node, inputs, outputs, authored(ext, "/spec/ports",
                                                    f"port of {ext.ref}, typed with the "
                                                    "node's parameters"))
        package = body.get("package")
        mode = (package.get("executionMode") if package else None) or (
            "external" if body.get("type") == "external_node" else "in_process")
        node.fill(("executionMode",), mode, authored(ext, "/spec/type",
                                                     f"execution mode of {ext.ref}"))

    def _ports(self, node: Item, inputs: dict[str, PortType | str],
               outputs: dict[str, PortType | str], why: Origin) -> None:
        for side, ports in (("inputs", inputs), ("outputs", outputs)):
            if side in node.data:
                continue  # a resolved view already carries its ports
            node.data[side] = {}
            if not ports:
                node.origins[(side,)] = why
            for name, t in ports.items():
                if isinstance(t, str):
                    self._problem("TYP002", node, f"port {name!r} of node {node.text('id')!r} "
                                  f"needs parameter {t!r}, which has no value")
                    continue
                node.put((side, name), str(t), why)

    def _package(self, node: Item, ntype: str) -> None:
        if self.bundle is None or ntype not in self.packages:
            return
        i, pkg = self.packages[ntype]
        for key in ("impl", "digest"):
            node.fill(("package", key), pkg[key], authored(
                self.bundle, f"/spec/nodePackages/{i}/{key}",
                f"node package pinned by bundle {self.bundle.ref}"))

    # ------------------------------------------------------------------ edges
    def complete_edge(self, edge: Item) -> None:
        src, src_port = _split(edge.text("from"))
        producer = self.graph.nodes.get(src)
        produced = producer.get(("outputs", src_port)) if producer else None
        if producer is None or produced is None:
            self._problem("DAG003", edge, f"{edge.data['from']} is not an output port after "
                          "module expansion")
            return
        ptype = parse_port_type(str(produced))
        edge.fill(("type",), produced, producer.origins.get(("outputs", src_port))
                  or builtin("model", "type of the producing port"))
        written = edge.data.get("lane")
        if written is None:
            lane = default_lane(ptype)
            edge.put(("lane",), lane, builtin("lanes", f"default lane of {ptype.base} traffic"))
        else:
            lane = lane_of(written)
        setting = profile_body(self.profile)["lanes"][lane]
        buffer: Mapping[str, object] = setting["buffer"]
        lane_ptr = f"/spec/lanes/{lane}"
        edge.fill(("priority",), setting["priority"], authored(
            self.profile, f"{lane_ptr}/priority", f"{lane} lane priority of profile "
            f"{self.profile.ref}"))
        for key in BUFFER_FIELDS:
            if key in buffer:
                edge.fill(("buffer", key), buffer[key], authored(
                    self.profile, f"{lane_ptr}/buffer/{key}",
                    f"{lane} lane default buffer of profile {self.profile.ref}"))
            elif not edge.has(("buffer", key)):
                self._problem("BUF001", edge, f"edge {edge.data['from']} -> {edge.data['to']} "
                              f"has no buffer {key} after the defaults of profile "
                              f"{self.profile.ref}")

    def check_edges(self) -> None:
        """What defaults and inserts can break: port types and lanes."""
        for edge in self.graph.edges:
            dst, dst_port = _split(edge.text("to"))
            consumer = self.graph.nodes.get(dst)
            wanted = consumer.get(("inputs", dst_port)) if consumer else None
            inserted = edge.blame is not None and edge.blame[0].kind == "PolicyOverlay"
            name = f"edge {edge.data['from']} -> {edge.data['to']}"
            if wanted is None:
                self._problem("POL005" if inserted else "DAG003", edge,
                              f"{name}: {edge.data['to']} is not an input port")
                continue
            produced = parse_port_type(edge.text("type"))
            if not parse_port_type(str(wanted)).accepts(produced):
                code = "POL003" if inserted else "TYP003"
                self._problem(code, edge, f"{name}: {produced} does not satisfy {wanted} once "
                              f"the defaults of profile {self.profile.ref} apply")
            allowed = allowed_lanes(produced)
            if allowed is not None and edge.data["lane"] not in allowed:
                self._problem("POL003" if inserted else "LANE002", edge,
                              f"{name}: {produced.base} traffic may not ride the "
                              f"{edge.data['lane']} lane (allowed: {', '.join(sorted(allowed))})")


def _split(port_ref: str) -> tuple[str, str]:
    node, _, port = port_ref.rpartition(".")
    return node, port


# ---------------------------------------------------------------------- top level
def _top(top: Item, spec: Artifact, profile: Artifact, overlays: Sequence[Artifact],
         bundle: Artifact | None, graph: ex.ModuleGraph, fresh: Iterable[Artifact],
         ref_of: Callable[[Artifact], str]) -> None:
    if spec.kind != "ResolvedSpec":
        top.put(("source",), ref_of(spec), authored(spec, "/metadata/version",
                                                        "the spec being resolved"))
    top.fill(("profile",), ref_of(profile), authored(profile, "/metadata/version",
                                                         "the execution profile"))
    refs = list(as_array(top.data.get("policies")))
    for policy in fresh:
        refs.append(ref_of(policy))
    top.data["policies"] = refs
    if ("policies",) not in top.origins:
        top.origins[("policies",)] = (
            authored(bundle, "/spec/pins", f"policy overlays pinned by bundle {bundle.ref}, "
                     "applied in pin order") if bundle is not None
            else builtin("request", "policy overlays named by the caller, applied in order"))
    if bundle is not None:
        top.fill(("bundle",), ref_of(bundle), authored(bundle, "/metadata/version",
                                                           "the bundle that pairs them"))
    body = profile_body(profile)
    top.fill(("mode",), body["mode"], authored(profile, "/spec/mode",
                                               f"mode of profile {profile.ref}"))
    for lane in LANES:
        top.fill(("lanes", lane, "priority"), body["lanes"][lane]["priority"], authored(
            profile, f"/spec/lanes/{lane}/priority", f"{lane} lane priority of profile "
            f"{profile.ref}"))
    written: Mapping[str, object] = body
    for key, value in PROFILE_DEFAULTS.items():
        if key in written:
            top.fill((key,), written[key], authored(profile, f"/spec/{key}",
                                                 f"set in profile {profile.ref}"))
        else:
            top.fill((key,), value, builtin("model", f"default of {key}"))
    _budgets(top, profile, overlays)
    turn_policy(top, graph, fresh, ref_of)


def _budgets(top: Item, profile: Artifact, overlays: Sequence[Artifact]) -> None:
    """Profile budgets; policy cost caps only ever tighten the cost budgets."""
    budgets: Mapping[str, object] = profile_body(profile)["budgets"]
    best: dict[str, tuple[float, Origin]] = {
        key: (value, authored(profile, f"/spec/budgets/{key}",
                              f"budget of profile {profile.ref}"))
        for key, value in budgets.items()
        if key in COST_BUDGETS.values() and isinstance(value, (int, float))}
    for policy in overlays:
        for i, cap in enumerate(policy_body(policy).get("costCaps") or []):
            key = COST_BUDGETS.get(cap["scope"])
            if key is not None and (key not in best or cap["maxUsd"] < best[key][0]):
                best[key] = (cap["maxUsd"], authored(
                    policy, f"/spec/costCaps/{i}/maxUsd",
                    f"{cap['scope']} cost cap of policy {policy.ref}, tighter than the "
                    "profile's budget (the lowest cap wins)"))
    for key, (cost, origin) in sorted(best.items()):
        top.fill(("budgets", key), cost, origin)
    for key, value in budgets.items():
        top.fill(("budgets", key), value, authored(profile, f"/spec/budgets/{key}",
                                                   f"budget of profile {profile.ref}"))


# ---------------------------------------------------------------------- views
def _from_view(view: Artifact) -> tuple[ex.ModuleGraph, Item, set[str]]:
    """Read a resolved view back into items, with the origins it recorded."""
    # read as loaded: a view file is read back whatever it holds
    raw = as_object(view.spec.get("defaultingSources"))
    graph = ex.ModuleGraph()
    body = copy.deepcopy(view.spec)  # the view read back is never changed
    nodes = as_array(body.get("nodes"))
    edges = as_array(body.get("edges"))
    items: dict[str, Item] = {}
    for i, node in enumerate(nodes):
        item = Item(dict(as_object(node)), blame=(view, f"/spec/nodes/{i}"))
        items[f"/spec/nodes/{i}"] = item
        graph.nodes[item.text("id")] = item
    for i, edge in enumerate(edges):
        item = Item(dict(as_object(edge)), blame=(view, f"/spec/edges/{i}"))
        items[f"/spec/edges/{i}"] = item
        graph.edges.append(item)
    top = Item({k: v for k, v in body.items()
                if k not in ("nodes", "edges", "defaultingSources")}, blame=(view, "/spec"))
    for pointer, value in raw.items():
        entry = as_object(value)
        origin = Origin(str(entry.get("kind")), str(entry.get("reason")), raw=entry)
        parts = pointer.split("/")
        if len(parts) >= 4 and parts[2] in ("nodes", "edges"):
            owner = items.get("/".join(parts[:4]))
            if owner is not None:
                owner.origins[tuple(_unescape(p) for p in parts[4:])] = origin
        elif len(parts) >= 3 and parts[1] == "spec":
            top.origins[tuple(_unescape(p) for p in parts[2:])] = origin
    applied = {str(p).split("#")[0] for p in as_array(body.get("policies"))}
    return graph, top, applied


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _emit(spec: Artifact, top: Item, graph: ex.ModuleGraph) -> ResolvedSpec:
    sources: dict[str, object] = {}

    def record(prefix: str, item: Item) -> None:
        for path, origin in item.origins.items():
            if item.has(path):
                pointer = prefix + "".join("/" + escape_token(p) for p in path)
                sources[pointer] = origin.to_json()

    nodes = sorted(graph.nodes.values(), key=lambda n: str(n.data["id"]))
    edges = sorted(graph.edges, key=lambda e: (str(e.data["from"]), str(e.data["to"])))
    for i, node in enumerate(nodes):
        record(f"/spec/nodes/{i}", node)
    for i, edge in enumerate(edges):
        record(f"/spec/edges/{i}", edge)
    record("/spec", top)
    body = dict(top.data)
    body["nodes"] = [n.data for n in nodes]
    body["edges"] = [e.data for e in edges]
    body["defaultingSources"] = sources
    metadata: dict[str, object]
    if spec.kind == "ResolvedSpec":
        metadata = dict(as_object(spec.doc.data["metadata"]))
        old = as_object(spec.spec.get("defaultingSources"))
        sources.update((k, v) for k, v in old.items() if not k.startswith("/spec/"))
    else:
        metadata = {"id": spec.id, "version": spec.version,
                    "description": f"Resolved view of {spec.ref}: generated, never edited "
                                   "by hand."}
        head = Item({"metadata": metadata})
        head.origins[("apiVersion",)] = builtin("model", "the resolved view's API version")
        head.origins[("kind",)] = builtin("model", "the resolved view's kind")
        head.origins[("metadata", "id")] = authored(spec, "/metadata/id", "the spec's id")
        head.origins[("metadata", "version")] = authored(spec, "/metadata/version",
                                                         "the spec's version")
        head.origins[("metadata", "description")] = builtin("model", "written by rspp")
        for path, origin in head.origins.items():
            sources["/" + "/".join(path)] = origin.to_json()
    view = {"apiVersion": API_VERSION, "kind": "ResolvedSpec", "metadata": metadata,
            "spec": body}
    # Every node, edge and top-level field was completed above to what the ResolvedSpec
    # model requires (the resolve tests validate views against it).
    return cast("ResolvedSpec", view)
