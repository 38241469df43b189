"""Buffer rules: every edge bounded after profile defaults, sane watermarks, no blocking
data lanes in low-latency mode. Spec edges are checked against each profile a bundle pairs
them with, and located on the spec edge."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import msgspec

from rspp.core.findings import Related
from rspp.model.access import bundle_body, graph_body, profile_body
from rspp.model.artifact import Artifact
from rspp.model.ids import PortType, parse_ref
from rspp.model.lanes import LANES, default_lane
from rspp.rules import graph as g
from rspp.rules.base import Check, Context, Hit

if TYPE_CHECKING:
    from rspp.model.views import Buffer, Lane

FIELDS = ("capacity", "lowWatermark", "highWatermark", "shedding")


class Pairing(msgspec.Struct, frozen=True):
    """A spec paired with a profile by a bundle."""

    bundle: Artifact
    spec: Artifact
    profile: Artifact


def pairings(bundle: Artifact, ctx: Context) -> list[Pairing]:
    specs: list[Artifact] = []
    profiles: list[Artifact] = []
    for pin in bundle_body(bundle).get("pins") or []:
        ref = parse_ref(pin["ref"])
        found = ctx.index.get(pin["kind"], ref.id, ref.version) if ref else None
        if found is None or not found.schema_valid:
            continue
        if found.kind == "PipelineSpec":
            specs.append(found)
        elif found.kind == "ExecutionProfile":
            profiles.append(found)
    if len(specs) != 1 or len(profiles) != 1:
        return []
    return [Pairing(bundle, specs[0], profiles[0])]


def edge_lane(graph: g.PortGraph, edge: g.GEdge) -> Lane:
    if edge.lane:
        return edge.lane
    produced = graph.port_type(edge.src, edge.src_port, output=True)
    return default_lane(produced) if isinstance(produced, PortType) else "data"


def _graph_members(spec: Artifact, ctx: Context) -> list[Artifact]:
    """The spec and every module it imports, directly or through other modules."""
    members = [spec]
    seen = {spec.key}
    i = 0
    while i < len(members):
        for imp in graph_body(members[i]).get("imports") or []:
            ref = parse_ref(imp.get("module"))
            module = ctx.index.get("Module", ref.id, ref.version) if ref else None
            if module is not None and module.schema_valid and module.key not in seen:
                seen.add(module.key)
                members.append(module)
        i += 1
    return members


class EdgeBuffer(msgspec.Struct, frozen=True):
    owner: Artifact
    edge: g.GEdge
    lane: Lane
    own: Buffer
    merged: Buffer

    def name(self) -> str:
        e = self.edge
        return f"edge {e.src}.{e.src_port} -> {e.dst}.{e.dst_port}"


def effective(pair: Pairing, ctx: Context) -> list[EdgeBuffer]:
    """Each edge of the spec and its modules, with its buffer after the profile's defaults."""
    key = ("effective", f"{pair.spec.path}|{pair.profile.path}")
    cached = ctx.cache.get(key)
    if isinstance(cached, list):
        return cached
    result = ctx.cache[key] = list(_effective(pair, ctx))
    return result


def _effective(pair: Pairing, ctx: Context) -> Iterator[EdgeBuffer]:
    lanes = profile_body(pair.profile)["lanes"]
    for owner in _graph_members(pair.spec, ctx):
        graph = g.build(owner, ctx)
        raw_edges = graph_body(owner).get("edges") or []
        for edge in graph.edges:
            lane = edge_lane(graph, edge)
            own: Buffer = raw_edges[edge.index].get("buffer") or {}
            yield EdgeBuffer(owner, edge, lane, own, {**lanes[lane]["buffer"], **own})


def _related(pair: Pairing) -> tuple[Related, ...]:
    b = pair.bundle.doc.span("/spec/pins")
    p = pair.profile.doc.span("/spec/lanes")
    return (Related(pair.bundle.path, b.line, b.col, f"paired by bundle {pair.bundle.ref}"),
            Related(pair.profile.path, p.line, p.col, f"profile {pair.profile.ref}"))


def _unbounded(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for pair in pairings(art, ctx):
        for eb in effective(pair, ctx):
            missing = [f for f in FIELDS if f not in eb.merged]
            if missing:
                yield Hit(eb.edge.pointer, f"{eb.name()} has no {', '.join(missing)} after the "
                          f"defaults of profile {pair.profile.ref} ({eb.lane} lane)",
                          target=eb.owner, related=_related(pair))


def watermark_problem(buf: Mapping[str, object]) -> str | None:
    cap, low, high = buf.get("capacity"), buf.get("lowWatermark"), buf.get("highWatermark")
    if not all(isinstance(v, int) for v in (cap, low, high)):
        return None
    assert isinstance(cap, int) and isinstance(low, int) and isinstance(high, int)
    if 0 < low < high <= cap:
        return None
    return f"watermarks must satisfy 0 < low < high <= capacity (low {low}, high {high}, " \
           f"capacity {cap})"


def _watermarks(art: Artifact, ctx: Context) -> Iterator[Hit]:
    if art.kind == "ExecutionProfile":
        lanes = profile_body(art)["lanes"]
        for lane in LANES:  # findings are sorted: the order here does not show
            problem = watermark_problem(lanes[lane]["buffer"])
            if problem:
                yield Hit(f"/spec/lanes/{lane}/buffer", f"{lane} lane default buffer: {problem}")
    elif art.kind in ("PipelineSpec", "Module"):
        for i, edge in enumerate(graph_body(art).get("edges") or []):
            problem = watermark_problem(edge.get("buffer") or {})
            if problem:
                yield Hit(f"/spec/edges/{i}/buffer", problem)
    else:
        for pair in pairings(art, ctx):
            for eb in effective(pair, ctx):
                problem = watermark_problem(eb.merged)
                inherited = not any(k in eb.own for k in FIELDS[:3])
                if problem and watermark_problem(eb.own) is None and not inherited:
                    # A complete edge buffer was reported on the edge, an inherited one on
                    # the profile; only a mix of both is reported here.
                    yield Hit(f"{eb.edge.pointer}/buffer",
                              f"after the defaults of profile {pair.profile.ref}: {problem}",
                              target=eb.owner, related=_related(pair))


def _blocking(art: Artifact, ctx: Context) -> Iterator[Hit]:
    if art.kind == "ExecutionProfile":
        profile = profile_body(art)
        if profile["mode"] == "low_latency":
            shed = profile["lanes"]["data"]["buffer"].get("shedding")
            if shed in (None, "block"):
                yield Hit("/spec/lanes/data/buffer", "a low_latency profile needs a shedding "
                          f"mode on the data lane that never blocks (got {shed or 'none'})")
        return
    for pair in pairings(art, ctx):
        if profile_body(pair.profile)["mode"] != "low_latency":
            continue
        for eb in effective(pair, ctx):
            # An inherited blocking default is reported once, on the profile.
            if eb.lane == "data" and eb.own.get("shedding") == "block":
                yield Hit(f"{eb.edge.pointer}/buffer/shedding",
                          f"data-lane {eb.name()} can block, but profile {pair.profile.ref} is "
                          "low_latency: use drop_oldest, drop_newest or degrade",
                          target=eb.owner, related=_related(pair))


def _lane_priority(art: Artifact, ctx: Context) -> Iterator[Hit]:
    lanes = profile_body(art)["lanes"]
    c, d, t = (lanes[n]["priority"] for n in ("control", "data", "telemetry"))
    if not c > d > t:
        at = "data" if not c > d else "telemetry"
        yield Hit(f"/spec/lanes/{at}/priority", f"lane priority must be control > data > "
                  f"telemetry (got control {c}, data {d}, telemetry {t})")


CHECKS: tuple[Check, ...] = (
    Check("BUF001", kinds=("PipelineBundle",), check=_unbounded),
    Check("BUF002", kinds=("ExecutionProfile", "PipelineSpec", "Module", "PipelineBundle"),
          check=_watermarks),
    Check("BUF003", kinds=("ExecutionProfile", "PipelineBundle"), check=_blocking),
    Check("LANE001", kinds=("ExecutionProfile",), check=_lane_priority),
)
