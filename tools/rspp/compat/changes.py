"""Changes between two versions of one artifact, each with its rule code and the directions
it breaks (ADR 0007, docs/compat.md).

The inputs are *views*: the resolved view's ``spec`` for specs and bundles (so a default that
moves from the spec into the profile changes nothing), the authored ``spec`` for every other
kind. Lists of nodes, edges and rules are matched by identity (node id, ``from -> to``, the
rule's node or scope), never by position. A change ``backward`` breaks BACKWARD (the new
version no longer reads what was written against the old one: something was removed,
renamed, narrowed or made stricter); ``forward`` breaks FORWARD (the old version would not read
what is written against the new one: something was added or loosened that dependents may
start to rely on). Whatever no specific rule claims is CHG016 (a value changed) or, for
descriptions, labels and owners, CHG000 (cosmetic); in an artifact of a pack's kind, whose
meaning rspp does not know, a changed value is CHG022, breaking both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from rspp.core.constants import AUTHORED_KINDS
from rspp.core.jsontypes import JsonValue, as_array, as_object
from rspp.load.spans import escape_token

Json = JsonValue


@dataclass(frozen=True, slots=True)
class Change:
    """One change: its code, a one-line message, the directions it breaks, and where it is
    (a JSON pointer into the new view, or into the old one when the thing is gone)."""

    code: str
    message: str
    backward: bool = False
    forward: bool = False
    cosmetic: bool = False
    pointer: str = ""  # in the new view ("" when removed)
    was: str = ""  # in the old view ("" when added)


@dataclass(frozen=True, slots=True)
class Dependents:
    """What the repository's specs and modules rely on of node types: the ports their edges
    connect (a fallback or degrade stand-in takes over its primary's wiring, so the primary's
    connected ports count for the stand-in's type too), the parameters they set, the types
    they instantiate. Called as ``dependents(node_type, port)`` it answers for ports."""

    ports: frozenset[tuple[str, str]] = frozenset()
    params: frozenset[tuple[str, str]] = frozenset()
    types: frozenset[str] = frozenset()

    def __call__(self, node_type: str, port: str) -> bool:
        return (node_type, port) in self.ports


@dataclass(slots=True)
class Pair:
    """The two views compared, with what a detector has already explained."""

    old: Mapping[str, Json]
    new: Mapping[str, Json]
    kind: str
    low_latency: bool = False
    claimed: set[str] = field(default_factory=set)  # identity pointers already reported
    uses: Callable[[str, str], bool] | None = None  # (node type, port) used by a dependent?

    def claim(self, *pointers: str) -> None:
        self.claimed.update(pointers)


def _by(items: object, key: Callable[[dict[str, Json]], str | None]
        ) -> dict[str, tuple[int, dict[str, Json]]]:
    out: dict[str, tuple[int, dict[str, Json]]] = {}
    for i, item in enumerate(as_array(items)):
        obj = as_object(item)
        name = key(obj)
        if name is not None:
            out[unique(name, out)] = (i, obj)
    return out


def unique(name: str, taken: Mapping[str, object]) -> str:
    """``name``, or ``name#2``, ``name#3``... for the second, third... item of one identity
    (two provider rules for one node with different conditions): matched in order."""
    if name not in taken:
        return name
    n = 2
    while f"{name}#{n}" in taken:
        n += 1
    return f"{name}#{n}"


def _node_id(obj: dict[str, Json]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) else None


def _edge_id(obj: dict[str, Json]) -> str | None:
    src, dst = obj.get("from"), obj.get("to")
    return f"{src} -> {dst}" if isinstance(src, str) and isinstance(dst, str) else None


def _port_type(decl: Json) -> str | None:
    if isinstance(decl, str):
        return decl
    value = as_object(decl).get("type")
    return value if isinstance(value, str) else None


def _port_required(decl: Json) -> bool:
    return not isinstance(decl, dict) or decl.get("required", True) is not False


def narrows(old: str, new: str) -> bool:
    """Whether port type ``new`` accepts less than ``old``: another base type, or a
    parameter added or changed (DESIGN.md, port types: every declared parameter must match)."""
    old_base, *old_params = [p.strip() for p in old.split(";")]
    new_base, *new_params = [p.strip() for p in new.split(";")]
    return old_base != new_base or not set(new_params) <= set(old_params)


# --------------------------------------------------------------------------- graphs
def _rename_target(node: dict[str, Json], old_edges: list[str], new_edges: list[str],
                   added: dict[str, tuple[int, dict[str, Json]]], old_id: str) -> str | None:
    """The id of an added node of the same type whose edges are the removed node's with the
    id substituted: a rename."""
    mine = sorted(e for e in old_edges if _touches(e, old_id))
    for new_id, (_, other) in sorted(added.items()):
        if other.get("type") != node.get("type"):
            continue
        theirs = sorted(_swap(e, new_id, old_id) for e in new_edges if _touches(e, new_id))
        if theirs == mine:
            return new_id
    return None


def _touches(edge: str, node: str) -> bool:
    src, _, dst = edge.partition(" -> ")
    return src.rsplit(".", 1)[0] == node or dst.rsplit(".", 1)[0] == node


def _swap(edge: str, new_id: str, old_id: str) -> str:
    def fix(end: str) -> str:
        node, _, port = end.rpartition(".")
        return f"{old_id}.{port}" if node == new_id else end

    src, _, dst = edge.partition(" -> ")
    return f"{fix(src)} -> {fix(dst)}"


def graph(pair: Pair) -> Iterator[Change]:
    """Nodes (CHG001 removed or renamed, CHG002 added, CHG015 type changed, CHG003 port
    removed or narrowed) and edges (CHG005 removed, CHG006 added, CHG004 lane changed,
    CHG007 buffer capacity below the old high watermark, or shedding changed on a
    low-latency profile)."""
    old_nodes = _by(pair.old.get("nodes"), _node_id)
    new_nodes = _by(pair.new.get("nodes"), _node_id)
    old_edges = _by(pair.old.get("edges"), _edge_id)
    new_edges = _by(pair.new.get("edges"), _edge_id)
    added = {k: v for k, v in new_nodes.items() if k not in old_nodes}
    renamed: set[str] = set()
    moved: dict[str, str] = {}  # old edge id -> new edge id, for the edges of renamed nodes
    for ident, (i, node) in sorted(old_nodes.items()):
        if ident in new_nodes:
            continue
        target = _rename_target(node, list(old_edges), list(new_edges), added, ident)
        pair.claim(f"/nodes/{escape_token(ident)}")
        if target is not None:
            renamed.add(target)
            pair.claim(f"/nodes/{escape_token(target)}")
            moved.update({_swap(e, target, ident): e for e in new_edges
                          if _touches(e, target)})
            j = new_nodes[target][0]
            yield Change("CHG001", f"node {ident} renamed to {target}", backward=True,
                         forward=True, pointer=f"/nodes/{j}/id", was=f"/nodes/{i}")
        else:
            yield Change("CHG001", f"node {ident} ({node.get('type')}) removed", backward=True,
                         was=f"/nodes/{i}")
    for ident, (j, node) in sorted(added.items()):
        if ident not in renamed:
            pair.claim(f"/nodes/{escape_token(ident)}")
            yield Change("CHG002", f"node {ident} ({node.get('type')}) added", forward=True,
                         pointer=f"/nodes/{j}")
    for ident, (j, node) in sorted(new_nodes.items()):
        if ident not in old_nodes:
            continue
        i, before = old_nodes[ident]
        key = f"/nodes/{escape_token(ident)}"
        if before.get("type") != node.get("type"):
            pair.claim(f"{key}/type", f"{key}/inputs", f"{key}/outputs", f"{key}/params")
            yield Change("CHG015", f"node {ident} type {before.get('type')} -> {node.get('type')}",
                         backward=True, forward=True, pointer=f"/nodes/{j}/type",
                         was=f"/nodes/{i}/type")
            continue
        yield from _package(pair, ident, key, as_object(before.get("package")),
                            as_object(node.get("package")), i, j)
        yield from _ports(pair, f"node {ident}", key, as_object(before), as_object(node),
                          f"/nodes/{i}", f"/nodes/{j}")
    for ident, (i, _) in sorted(old_edges.items()):
        if ident not in new_edges and ident not in moved:
            pair.claim(f"/edges/{escape_token(ident)}")
            yield Change("CHG005", f"edge {ident} removed", backward=True, was=f"/edges/{i}")
    carried = {new: old for old, new in moved.items()}  # an edge of a renamed node, renamed
    for ident, (j, edge) in sorted(new_edges.items()):
        key = f"/edges/{escape_token(ident)}"
        if ident in carried and ident not in old_edges:
            pair.claim(key, f"/edges/{escape_token(carried[ident])}")
            i, before = old_edges[carried[ident]]
            yield from _edge(pair, ident, before, edge, i, j)
            continue
        if ident not in old_edges:
            pair.claim(key)
            yield Change("CHG006", f"edge {ident} added", forward=True, pointer=f"/edges/{j}")
            continue
        i, before = old_edges[ident]
        yield from _edge(pair, ident, before, edge, i, j)


def _package(pair: Pair, ident: str, key: str, old: dict[str, Json], new: dict[str, Json],
             i: int, j: int) -> Iterator[Change]:
    """CHG016, once per node: its implementation package or digest changed."""
    if old == new or not old or not new:
        return
    pair.claim(f"{key}/package")
    what = (f"{old.get('impl')} -> {new.get('impl')}" if old.get("impl") != new.get("impl")
            else f"{old.get('impl')} digest {old.get('digest')} -> {new.get('digest')}")
    yield Change("CHG016", f"node {ident} package {what}", pointer=f"/nodes/{j}/package/impl",
                 was=f"/nodes/{i}/package/impl")


def _edge(pair: Pair, ident: str, before: dict[str, Json], edge: dict[str, Json],
          i: int, j: int) -> Iterator[Change]:
    key = f"/edges/{escape_token(ident)}"
    if before.get("lane", "data") != edge.get("lane", "data"):
        pair.claim(f"{key}/lane", f"{key}/priority")
        yield Change("CHG004", f"edge {ident} lane {before.get('lane', 'data')} -> "
                     f"{edge.get('lane', 'data')}", backward=True, forward=True,
                     pointer=f"/edges/{j}/lane", was=f"/edges/{i}/lane")
    yield from buffer(pair, f"edge {ident}", f"{key}/buffer", as_object(before.get("buffer")),
                      as_object(edge.get("buffer")), f"/edges/{i}/buffer", f"/edges/{j}/buffer")


def buffer(pair: Pair, what: str, key: str, old: dict[str, Json], new: dict[str, Json],
           was: str, at: str) -> Iterator[Change]:
    """CHG007: capacity below the old high watermark, or shedding changed on low latency."""
    capacity, high = new.get("capacity"), old.get("highWatermark")
    if isinstance(capacity, int) and isinstance(high, int) and capacity < high \
            and capacity != old.get("capacity"):
        pair.claim(f"{key}/capacity")
        yield Change("CHG007", f"{what} buffer capacity {old.get('capacity')} -> {capacity}, "
                     f"below the previous high watermark {high}", backward=True, forward=True,
                     pointer=f"{at}/capacity", was=f"{was}/capacity")
    if pair.low_latency and "shedding" in old and "shedding" in new \
            and old["shedding"] != new["shedding"]:
        pair.claim(f"{key}/shedding")
        yield Change("CHG007", f"{what} shedding {old['shedding']} -> {new['shedding']} on a "
                     "low-latency profile", backward=True, forward=True,
                     pointer=f"{at}/shedding", was=f"{was}/shedding")


def _ports(pair: Pair, what: str, key: str, old: dict[str, Json], new: dict[str, Json],
           was: str, at: str, *, node_type: str | None = None) -> Iterator[Change]:
    """CHG003: a port removed, or its type narrowed (for a node type: only while a
    dependent uses it; otherwise the generic diff reports it as compatible)."""
    for side in ("inputs", "outputs"):
        before, after = as_object(old.get(side)), as_object(new.get(side))
        for port, decl in sorted(before.items()):
            used = node_type is None or pair.uses is None or pair.uses(node_type, port)
            if not used:
                continue
            if port not in after:
                pair.claim(f"{key}/{side}/{escape_token(port)}")
                yield Change("CHG003", f"{what} {side[:-1]} port {port} removed", backward=True,
                             was=f"{was}/{side}/{escape_token(port)}")
                continue
            old_type, new_type = _port_type(decl), _port_type(after[port])
            if old_type and new_type and old_type != new_type and narrows(old_type, new_type):
                pair.claim(f"{key}/{side}/{escape_token(port)}")
                yield Change("CHG003", f"{what} {side[:-1]} port {port} narrowed {old_type} -> "
                             f"{new_type}", backward=True, forward=narrows(new_type, old_type),
                             pointer=f"{at}/{side}/{escape_token(port)}",
                             was=f"{was}/{side}/{escape_token(port)}")


# --------------------------------------------------------------------------- budgets
def budgets(pair: Pair, prefix: str = "/budgets") -> Iterator[Change]:
    """CHG009 a budget tightened (or added), CHG010 loosened (or removed)."""
    token = prefix.strip("/")
    old, new = as_object(pair.old.get(token)), as_object(pair.new.get(token))
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        at = was = f"{prefix}/{escape_token(name)}"
        pair.claim(at)
        if after is None:
            yield Change("CHG010", f"budget {name} {before} removed (no limit)", forward=True,
                         was=was)
        elif before is None:
            yield Change("CHG009", f"budget {name} {after} added", backward=True, pointer=at)
        elif isinstance(before, int | float) and isinstance(after, int | float):
            if after < before:
                yield Change("CHG009", f"budget {name} tightened {before} -> {after}",
                             backward=True, pointer=at, was=was)
            else:
                yield Change("CHG010", f"budget {name} loosened {before} -> {after}",
                             forward=True, pointer=at, was=was)


# --------------------------------------------------------------------------- policies
_POLICY_RULES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = MappingProxyType({
    # list -> (identity fields, target fields)
    "providerRules": (("node",), ("prefer",)),
    "circuitBreakers": (("node",), ()),
    "costCaps": (("scope",), ("action",)),
    "degradeRules": (("node",), ("to",)),
    "insertRules": (("node/id",), ("onEdge",)),
})


def _field(obj: dict[str, Json], path: str) -> Json:
    value: Json = obj
    for part in path.split("/"):
        value = as_object(value).get(part)
    return value


def policy_rules(pair: Pair, lists: Mapping[str, str] | None = None) -> Iterator[Change]:
    """CHG011 a policy rule removed or its target changed; CHG017 a rule added. ``lists``
    maps a view key to the rule list name (resolved views keep them under turnPolicy)."""
    names = lists or {name: name for name in _POLICY_RULES}
    for view_key, name in names.items():
        ident_fields, targets = _POLICY_RULES[name]

        def ident(obj: dict[str, Json], fields: tuple[str, ...] = ident_fields) -> str | None:
            values = [_field(obj, f) for f in fields]
            return "/".join(str(v) for v in values) if all(v is not None for v in values) \
                else None

        old = _by(_field(dict(pair.old), view_key), ident)
        new = _by(_field(dict(pair.new), view_key), ident)
        for key, (i, rule) in sorted(old.items()):
            where = f"/{view_key}/{i}"
            if key not in new:
                pair.claim(f"/{view_key}/{escape_token(key)}")
                yield Change("CHG011", f"{name} rule for {key} removed", backward=True, was=where)
                continue
            j, after = new[key]
            for target in targets:
                if _field(rule, target) != _field(after, target):
                    pair.claim(f"/{view_key}/{escape_token(key)}/{target}")
                    yield Change("CHG011", f"{name} rule for {key}: {target} "
                                 f"{show(_field(rule, target))} -> {show(_field(after, target))}",
                                 backward=True, forward=True, pointer=f"/{view_key}/{j}/{target}",
                                 was=f"{where}/{target}")
        for key, (j, _) in sorted(new.items()):
            if key not in old:
                pair.claim(f"/{view_key}/{escape_token(key)}")
                yield Change("CHG017", f"{name} rule for {key} added", forward=True,
                             pointer=f"/{view_key}/{j}")


# --------------------------------------------------------------------------- kinds
def module_interface(pair: Pair) -> Iterator[Change]:
    """CHG008: the interface a module offers its importers."""
    old, new = as_object(pair.old.get("interface")), as_object(pair.new.get("interface"))
    for side in ("inputs", "outputs"):
        before, after = as_object(old.get(side)), as_object(new.get(side))
        for port in sorted(set(before) | set(after)):
            at = f"/interface/{side}/{escape_token(port)}"
            key = at
            if port not in after:
                pair.claim(key)
                yield Change("CHG008", f"interface {side[:-1]} {port} removed", backward=True,
                             was=at)
            elif port not in before:
                pair.claim(key)
                required = side == "inputs" and _port_required(after[port])
                yield Change("CHG008", f"interface {side[:-1]} {port} added"
                             + (" as required (no default)" if required else ""),
                             backward=required, forward=True, pointer=at)
            elif _port_type(before[port]) != _port_type(after[port]):
                pair.claim(key)
                yield Change("CHG008", f"interface {side[:-1]} {port} retyped "
                             f"{_port_type(before[port])} -> {_port_type(after[port])}",
                             backward=True, forward=True, pointer=at, was=at)
            elif side == "inputs" and _port_required(after[port]) \
                    and not _port_required(before[port]):
                pair.claim(key)
                yield Change("CHG008", f"interface input {port} made required", backward=True,
                             pointer=at, was=at)


def node_type_ports(pair: Pair) -> Iterator[Change]:
    """For an extension's node type, what its users rely on: CHG003 a port they connect
    removed or narrowed, a required input added (or an input made required) while specs
    use the type, the type no longer implementing what it implemented; CHG020 a parameter
    a spec sets removed."""
    node_type = pair.new.get("nodeType")
    if not isinstance(node_type, str):
        return
    deps = pair.uses if isinstance(pair.uses, Dependents) else None
    used = deps is None or node_type in deps.types
    what = f"node type {node_type}"
    yield from _ports(pair, what, "/ports", as_object(pair.old.get("ports")),
                      as_object(pair.new.get("ports")), "/ports", "/ports", node_type=node_type)
    before = as_object(as_object(pair.old.get("ports")).get("inputs"))
    after = as_object(as_object(pair.new.get("ports")).get("inputs"))
    for port, decl in sorted(after.items()):
        at = f"/ports/inputs/{escape_token(port)}"
        newly = port not in before or not _port_required(before[port])
        if used and _port_required(decl) and newly:
            pair.claim(at)
            how = "added as required" if port not in before else "made required"
            yield Change("CHG003", f"{what} input port {port} {how}: every node of the type "
                         "must now connect it", backward=True, pointer=at,
                         was=at if port in before else "")
    old_impl, new_impl = pair.old.get("implements"), pair.new.get("implements")
    if used and old_impl is not None and old_impl != new_impl:
        pair.claim("/implements")
        yield Change("CHG003", f"{what} no longer implements {old_impl}"
                     + (f" (now {new_impl})" if new_impl else "")
                     + ": stand-ins and users relying on that port signature break",
                     backward=True, pointer="/implements" if new_impl else "",
                     was="/implements")
    for name in sorted(set(as_object(pair.old.get("params"))) - set(as_object(pair.new.get("params")))):
        if deps is None or (node_type, name) in deps.params:
            at = f"/params/{escape_token(name)}"
            pair.claim(at)
            yield Change("CHG020", f"{what} parameter {name} removed while a spec or module "
                         "sets it", backward=True, was=at)
    yield from _narrowed_params(pair, what, node_type, deps)


def _narrowed_params(pair: Pair, what: str, node_type: str,
                     deps: Dependents | None) -> Iterator[Change]:
    """CHG021: a parameter declaration (ExtensionManifest rspp.dev/v1beta1) that now refuses
    a value it accepted, while a spec or module sets the parameter: a type, item type, range
    or allowed values added or tightened."""
    old_params, new_params = as_object(pair.old.get("params")), as_object(pair.new.get("params"))
    for name in sorted(set(old_params) & set(new_params)):
        if deps is not None and (node_type, name) not in deps.params:
            continue
        before, after = as_object(old_params[name]), as_object(new_params[name])
        for key, why in _narrowings(before, after):
            at = f"/params/{escape_token(name)}/{key}"
            pair.claim(at)
            yield Change("CHG021", f"{what} parameter {name} {why} while a spec or module sets "
                         "it: values it accepted may now be refused (PRM002)", backward=True,
                         pointer=at, was=at if key in before else "")


def _narrowings(before: Mapping[str, Json], after: Mapping[str, Json]
                ) -> Iterator[tuple[str, str]]:
    """(field, what happened) for each way ``after`` accepts less than ``before``."""
    for key in ("type", "items"):
        if key in after and after[key] != before.get(key):
            yield key, (f"now declares {key} {show(after[key])}" if key not in before else
                        f"changes {key} from {show(before[key])} to {show(after[key])}")
    old_enum, new_enum = before.get("enum"), after.get("enum")
    if isinstance(new_enum, list):
        lost = [v for v in old_enum if v not in new_enum] if isinstance(old_enum, list) else None
        if lost is None or lost:
            yield "enum", ("now allows only " + show(new_enum) if lost is None
                           else "no longer allows " + show(lost))
    for key, sign in (("minimum", 1), ("maximum", -1)):
        new, old = after.get(key), before.get(key)
        if isinstance(new, int | float) and (not isinstance(old, int | float)
                                             or sign * (new - old) > 0):
            yield key, (f"now has {key} {show(new)}" if old is None
                        else f"tightens {key} from {show(old)} to {show(new)}")


def event_fields(pair: Pair) -> Iterator[Change]:
    """CHG013 an event ABI field made required (or added as required); CHG014 one removed.
    When the previous version declared no fields, declaring them is a compatible change."""
    old = as_object(as_object(pair.old.get("eventAbi")).get("fields"))
    new = as_object(as_object(pair.new.get("eventAbi")).get("fields"))
    if not old:
        return  # the first declaration of the fields describes the ABI, it does not change it
    for name in sorted(set(old) | set(new)):
        at = f"/eventAbi/fields/{escape_token(name)}"
        before, after = as_object(old.get(name)), as_object(new.get(name))
        was_required = name in old and before.get("required", True) is not False
        now_required = name in new and after.get("required", True) is not False
        if name not in new:
            pair.claim(at)
            yield Change("CHG014", f"event field {name} removed", forward=was_required, was=at)
        elif name in old and before.get("type") != after.get("type"):
            pair.claim(f"{at}/type")
            yield Change("CHG014", f"event field {name} retyped {before.get('type')} -> "
                         f"{after.get('type')}", backward=True, forward=True,
                         pointer=f"{at}/type", was=f"{at}/type")
        elif now_required and not was_required:
            pair.claim(at)
            how = "added as required" if name not in old else "made required"
            yield Change("CHG013", f"event field {name} {how}", backward=True, pointer=at,
                         was=at if name in old else "")


def modes(pair: Pair) -> Iterator[Change]:
    """CHG019: a compatibility mode relaxed (a direction or transitivity no longer checked):
    what was promised to every dependent is withdrawn. Tightening is compatible (CHG016)."""
    from rspp.compat.versions import MODES, relaxes

    old = as_object(pair.old.get("schemaCompatibility"))
    new = as_object(pair.new.get("schemaCompatibility"))
    old_kinds, new_kinds = as_object(old.get("perKind")), as_object(new.get("perKind"))
    for kind in ["", *sorted(set(old_kinds) | set(new_kinds))]:
        before = old_kinds.get(kind, old.get("default")) if kind else old.get("default")
        after = new_kinds.get(kind, new.get("default")) if kind else new.get("default")
        if not isinstance(before, str) or not isinstance(after, str) \
                or before not in MODES or after not in MODES or before == after:
            continue
        if relaxes(MODES[before], MODES[after]):
            where = f"/schemaCompatibility/perKind/{escape_token(kind)}" if kind in new_kinds \
                else "/schemaCompatibility/default"
            pair.claim(where)
            yield Change("CHG019", f"compatibility mode of {kind or 'every kind by default'} "
                         f"relaxed {before} -> {after}", backward=True, pointer=where)


def evidence_fields(pair: Pair) -> Iterator[Change]:
    """Replay evidence ``requiredFields``, read as a set: CHG013 a field added (evidence
    recorded before lacks it), CHG014 one removed (readers of the previous manifest require
    it); a new order alone is cosmetic."""
    before = [v for v in as_array(pair.old.get("requiredFields")) if isinstance(v, str)]
    after = [v for v in as_array(pair.new.get("requiredFields")) if isinstance(v, str)]
    if before == after:
        return
    pair.claim("/requiredFields")
    for j, name in enumerate(after):
        if name not in before:
            yield Change("CHG013", f"evidence field {name} made required", backward=True,
                         pointer=f"/requiredFields/{j}")
    for i, name in enumerate(before):
        if name not in after:
            yield Change("CHG014", f"evidence field {name} no longer required", forward=True,
                         was=f"/requiredFields/{i}")
    if sorted(before) == sorted(after):
        yield Change("CHG000", "requiredFields reordered", cosmetic=True,
                     pointer="/requiredFields", was="/requiredFields")


def window(pair: Pair) -> Iterator[Change]:
    """CHG018: a bundle's runtime window or event ABI changed."""
    old, new = as_object(pair.old.get("compatibility")), as_object(pair.new.get("compatibility"))
    from rspp.compat.contract import parse_version

    for name in ("minRuntime", "maxRuntime"):
        before, after = parse_version(old.get(name)), parse_version(new.get(name))
        if old.get(name) == new.get(name):
            continue
        pair.claim(f"/compatibility/{name}")
        at = f"/compatibility/{name}"
        if before is None or after is None:
            narrowed = name == "maxRuntime" and before is None
            yield Change("CHG018", f"{name} {old.get(name, 'unbounded')} -> "
                         f"{new.get(name, 'unbounded')}", backward=narrowed,
                         forward=not narrowed, pointer=at, was=at)
        else:
            narrowed = after > before if name == "minRuntime" else after < before
            yield Change("CHG018", f"{name} {before} -> {after} ("
                         f"{'narrower' if narrowed else 'wider'} runtime window)",
                         backward=narrowed, forward=not narrowed, pointer=at, was=at)
    if old.get("eventAbi") != new.get("eventAbi"):
        pair.claim("/compatibility/eventAbi")
        yield Change("CHG018", f"event ABI {old.get('eventAbi')} -> {new.get('eventAbi')}",
                     backward=True, forward=True, pointer="/compatibility/eventAbi",
                     was="/compatibility/eventAbi")


def profile_lanes(pair: Pair) -> Iterator[Change]:
    """CHG007 for a profile's lane default buffers."""
    for lane in ("control", "data", "telemetry"):
        key = f"/lanes/{lane}/buffer"
        yield from buffer(pair, f"{lane} lane default", key,
                          as_object(_field(dict(pair.old), f"lanes/{lane}/buffer")),
                          as_object(_field(dict(pair.new), f"lanes/{lane}/buffer")), key, key)


# --------------------------------------------------------------------------- the rest
_COSMETIC = frozenset({"description", "labels", "owners"})
_IDENTITY: Final[Mapping[str, Callable[[dict[str, Json]], str | None]]] = MappingProxyType({
    "nodes": _node_id, "edges": _edge_id,
    "providerRules": lambda o: _text(o.get("node")),
    "circuitBreakers": lambda o: _text(o.get("node")),
    "degradeRules": lambda o: _text(o.get("node")),
    "costCaps": lambda o: _text(o.get("scope")),
    "insertRules": lambda o: _text(as_object(o.get("node")).get("id")),
    "deprecations": lambda o: _text(o.get("target")),
    "gates": lambda o: _text(o.get("id")),
    "pins": lambda o: _text(o.get("kind")),
    "nodePackages": lambda o: _text(o.get("type")),
})


# Lists whose items are matched by identity (``identity``), not by position.
IDENTITY_LISTS: Final = frozenset(_IDENTITY)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def identity(list_key: str, item: Json) -> str | None:
    """The identity an item of a list named ``list_key`` is matched by (a node's id, an
    edge's ``from -> to``, a rule's node or scope...); None when such lists are matched by
    position."""
    name = _IDENTITY.get(list_key)
    return name(as_object(item)) if name is not None else None


def leaves(value: Json, ident: str = "", real: str = "") -> Iterator[tuple[str, str, Json]]:
    """(identity pointer, real pointer, leaf value) of every scalar; lists of nodes and edges
    are keyed by identity, other lists are leaves as a whole."""
    if isinstance(value, dict):
        if not value:
            yield ident, real, value
        for key, child in value.items():
            token = escape_token(key)
            if key in _IDENTITY and isinstance(child, list):
                seen: dict[str, int] = {}
                for i, item in enumerate(child):
                    name = _IDENTITY[key](as_object(item))
                    if name is not None:
                        name = unique(name, seen)
                        seen[name] = i
                    yield from leaves(item, f"{ident}/{key}/{escape_token(name) if name else i}",
                                      f"{real}/{token}/{i}")
            else:
                yield from leaves(child, f"{ident}/{key}", f"{real}/{token}")
    else:
        yield ident, real, value


def rest(pair: Pair, skip: frozenset[str] = frozenset()) -> Iterator[Change]:
    """CHG016 a value changed, CHG000 a cosmetic change, for what no rule above claimed."""
    old = {i: (r, v) for i, r, v in leaves(dict(pair.old))}
    new = {i: (r, v) for i, r, v in leaves(dict(pair.new))}

    def claimed(ident: str) -> bool:
        top = ident.split("/")[1] if "/" in ident else ident
        if top in skip:
            return True
        if top == "turnPolicy" and ident.endswith("/policy"):
            return True  # the policy a resolved rule came from: its version, not a change
        return any(ident == c or ident.startswith(c + "/") for c in pair.claimed)

    old_dirs, new_dirs = _prefixes(old), _prefixes(new)
    reported: set[str] = set()
    for ident in sorted(set(old) | set(new)):
        before, after = old.get(ident), new.get(ident)
        if before is not None and after is not None and before[1] == after[1]:
            continue
        if claimed(ident) or _emptied(ident, before, after, old, new):
            continue
        cosmetic = bool(_COSMETIC & set(ident.split("/")))
        code = "CHG000" if cosmetic else "CHG016"
        shown = dotted(ident)
        if before is None and after is not None:
            # A whole subtree added: one change at its root, not one per leaf.
            root, depth = _root(ident, old_dirs | set(old))
            if root in reported:
                continue
            reported.add(root)
            at = "/".join(after[0].split("/")[:depth + 1])
            yield Change(code, f"{dotted(root)} added: "
                         f"{show(_at(pair.new, at))}", cosmetic=cosmetic, pointer=at)
        elif after is None and before is not None:
            root, depth = _root(ident, new_dirs | set(new))
            if root in reported:
                continue
            reported.add(root)
            was = "/".join(before[0].split("/")[:depth + 1])
            yield Change(code, f"{dotted(root)} removed (was "
                         f"{show(_at(pair.old, was))})", cosmetic=cosmetic, was=was)
        else:
            assert before is not None and after is not None
            yield Change(code, f"{shown} {show(before[1])} -> {show(after[1])}",
                         cosmetic=cosmetic, pointer=after[0], was=before[0])


def dotted(ident: str) -> str:
    """An identity pointer as people read it: ``/nodes/vad/params/x`` -> ``nodes.vad.params.x``
    (tokens unescaped, RFC 6901 section 4)."""
    return ".".join(t.replace("~1", "/").replace("~0", "~") for t in ident.split("/")[1:])


def _prefixes(leaves_: Mapping[str, object]) -> set[str]:
    """Every proper ancestor of the leaves' identity pointers."""
    out: set[str] = set()
    for ident in leaves_:
        parts = ident.split("/")
        out.update("/".join(parts[:k]) for k in range(2, len(parts)))
    return out


def _root(ident: str, other: set[str]) -> tuple[str, int]:
    """The shortest ancestor (or ``ident`` itself) the other side lacks, and its depth."""
    parts = ident.split("/")
    for depth in range(1, len(parts)):
        candidate = "/".join(parts[:depth + 1])
        if candidate not in other:
            return candidate, depth
    return ident, len(parts) - 1


def _at(view: Mapping[str, Json], pointer: str) -> Json:
    """The value at a real JSON pointer (RFC 6901) of ``view``."""
    value: Json = dict(view)
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def _emptied(ident: str, before: tuple[str, Json] | None, after: tuple[str, Json] | None,
             old: Mapping[str, object], new: Mapping[str, object]) -> bool:
    """Whether ``ident`` is a mapping that lost (or gained) all its members: an empty mapping
    is a leaf of its own, and the members gone (or added) are reported already."""
    if before is None and after is not None and after[1] == {}:
        return any(i.startswith(ident + "/") for i in old)
    if after is None and before is not None and before[1] == {}:
        return any(i.startswith(ident + "/") for i in new)
    return False


def show(value: Json) -> str:
    """``value`` as compact JSON (keys sorted, ASCII), cut to 60 characters."""
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


DETECTORS: Final[Mapping[str, tuple[Callable[[Pair], Iterator[Change]], ...]]] = MappingProxyType({
    "PipelineSpec": (graph, budgets),
    "PipelineBundle": (graph, budgets, window),
    "Module": (module_interface, graph),
    "ExecutionProfile": (profile_lanes, budgets),
    "PolicyOverlay": (policy_rules,),
    "ExtensionManifest": (node_type_ports,),
    "CompatibilityContract": (event_fields, modes),
    "ReplayEvidenceManifest": (evidence_fields,),
})
# View keys that change with every new version by construction (references to the inputs,
# positions): never reported as changes themselves.
_SKIP: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "PipelineSpec": frozenset({"source", "profile", "policies", "bundle", "defaultingSources"}),
    "PipelineBundle": frozenset({"source", "profile", "policies", "bundle", "defaultingSources",
                                 "pins"}),
})


def compare(kind: str, old: Mapping[str, Json], new: Mapping[str, Json], *,
            low_latency: bool = False,
            uses: Callable[[str, str], bool] | None = None) -> list[Change]:
    """Every change from ``old`` to ``new`` (views of one artifact id), in a stable order."""
    pair = Pair(old, new, kind, low_latency=low_latency, uses=uses)
    found: list[Change] = []
    for detect in DETECTORS.get(kind, ()):
        found.extend(detect(pair))
    if kind in ("PipelineSpec", "PipelineBundle"):
        found.extend(policy_rules(pair, {"turnPolicy/providerRules": "providerRules",
                                          "turnPolicy/circuitBreakers": "circuitBreakers",
                                          "turnPolicy/costCaps": "costCaps",
                                          "turnPolicy/degradeRules": "degradeRules"}))
    found.extend(rest(pair, _SKIP.get(kind, frozenset())))
    if kind not in AUTHORED_KINDS:  # a pack's kind: no rule of rspp knows what it means
        found = [Change("CHG022", c.message, backward=True, forward=True, pointer=c.pointer,
                        was=c.was) if c.code == "CHG016" else c for c in found]
    return found
