"""Buffer rules: every edge bounded after profile defaults, sane watermarks, no blocking
data lanes in low-latency mode. Spec edges are checked against each profile a bundle pairs
them with, and located on the spec edge."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rspp.findings import Related, Severity
from rspp.model.artifact import Artifact
from rspp.model.ids import PortType, parse_ref
from rspp.rules import graph as g
from rspp.rules.base import Context, Hit, Rule
from rspp.rules.spec import default_lane

FIELDS = ("capacity", "lowWatermark", "highWatermark", "shedding")


@dataclass(frozen=True, slots=True)
class Pairing:
    """A spec paired with a profile by a bundle."""

    bundle: Artifact
    spec: Artifact
    profile: Artifact


def pairings(bundle: Artifact, ctx: Context) -> list[Pairing]:
    specs: list[Artifact] = []
    profiles: list[Artifact] = []
    for pin in bundle.spec.get("pins") or []:
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


def edge_lane(graph: g.Graph, edge: g.GEdge) -> str:
    if edge.lane:
        return edge.lane
    produced = graph.port_type(edge.src, edge.src_port, output=True)
    return default_lane(produced) if isinstance(produced, PortType) else "data"


def effective(pair: Pairing, ctx: Context) -> Iterator[tuple[g.GEdge, str, dict[str, Any],
                                                             dict[str, Any]]]:
    """(edge, lane, edge's own buffer, buffer after profile defaults) for each spec edge."""
    graph = g.build(pair.spec, ctx)
    lanes = pair.profile.spec["lanes"]
    raw_edges = pair.spec.spec.get("edges") or []
    for edge in graph.edges:
        lane = edge_lane(graph, edge)
        own = raw_edges[edge.index].get("buffer") or {}
        merged = {**lanes[lane]["buffer"], **own}
        yield edge, lane, own, merged


def _related(pair: Pairing) -> tuple[Related, ...]:
    b = pair.bundle.doc.span("/spec/pins")
    p = pair.profile.doc.span("/spec/lanes")
    return (Related(pair.bundle.path, b.line, b.col, f"paired by bundle {pair.bundle.ref}"),
            Related(pair.profile.path, p.line, p.col, f"profile {pair.profile.ref}"))


def _unbounded(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for pair in pairings(art, ctx):
        for edge, lane, _, merged in effective(pair, ctx):
            missing = [f for f in FIELDS if f not in merged]
            if missing:
                yield Hit(edge.pointer, f"edge {edge.src}.{edge.src_port} -> {edge.dst}."
                          f"{edge.dst_port} has no {', '.join(missing)} after the defaults of "
                          f"profile {pair.profile.ref} ({lane} lane)",
                          target=pair.spec, related=_related(pair))


def watermark_problem(buf: dict[str, Any]) -> str | None:
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
        for lane, setting in art.spec["lanes"].items():
            problem = watermark_problem(setting["buffer"])
            if problem:
                yield Hit(f"/spec/lanes/{lane}/buffer", f"{lane} lane default buffer: {problem}")
    elif art.kind in ("PipelineSpec", "Module"):
        for i, edge in enumerate(art.spec.get("edges") or []):
            problem = watermark_problem(edge.get("buffer") or {})
            if problem:
                yield Hit(f"/spec/edges/{i}/buffer", problem)
    else:
        for pair in pairings(art, ctx):
            for edge, _, own, merged in effective(pair, ctx):
                problem = watermark_problem(merged)
                if problem and watermark_problem(own) is None:
                    yield Hit(f"{edge.pointer}/buffer" if own else edge.pointer,
                              f"after the defaults of profile {pair.profile.ref}: {problem}",
                              target=pair.spec, related=_related(pair))


def _blocking(art: Artifact, ctx: Context) -> Iterator[Hit]:
    if art.kind == "ExecutionProfile":
        if art.spec["mode"] == "low_latency":
            shed = art.spec["lanes"]["data"]["buffer"].get("shedding")
            if shed in (None, "block"):
                yield Hit("/spec/lanes/data/buffer", "a low_latency profile needs a shedding "
                          f"mode on the data lane that never blocks (got {shed or 'none'})")
        return
    for pair in pairings(art, ctx):
        if pair.profile.spec["mode"] != "low_latency":
            continue
        for edge, lane, own, merged in effective(pair, ctx):
            if lane == "data" and merged.get("shedding") == "block":
                yield Hit(f"{edge.pointer}/buffer/shedding" if "shedding" in own
                          else edge.pointer,
                          f"data-lane edge {edge.src}.{edge.src_port} -> {edge.dst}."
                          f"{edge.dst_port} can block, but profile {pair.profile.ref} is "
                          "low_latency: use drop_oldest, drop_newest or degrade",
                          target=pair.spec, related=_related(pair))


def _lane_priority(art: Artifact, ctx: Context) -> Iterator[Hit]:
    lanes = art.spec["lanes"]
    c, d, t = (lanes[n]["priority"] for n in ("control", "data", "telemetry"))
    if not c > d > t:
        yield Hit("/spec/lanes", f"lane priority must be control > data > telemetry "
                                 f"(got control {c}, data {d}, telemetry {t})")


RULES: tuple[Rule, ...] = (
    Rule("BUF001", "buffer", Severity.ERROR,
         "An edge has no bounded buffer after profile defaults.",
         "Every edge has a bounded buffer with explicit capacity, low and high watermarks and a "
         "shedding mode. Fields the edge leaves out come from the execution profile's default "
         "for the edge's lane. The check runs for each bundle, with the profile it pins, and "
         "points at the spec edge.",
         kinds=("PipelineBundle",), check=_unbounded),
    Rule("BUF002", "buffer", Severity.ERROR,
         "Buffer watermarks are not 0 < low < high <= capacity.",
         "The low watermark resumes producers, the high watermark starts shedding; both lie "
         "strictly inside the capacity. Checked on profile lane defaults, on complete edge "
         "buffers, and on edge buffers completed by a bundle's profile.",
         kinds=("ExecutionProfile", "PipelineSpec", "Module", "PipelineBundle"),
         check=_watermarks),
    Rule("BUF003", "buffer", Severity.ERROR,
         "A low-latency profile lets a data-lane edge block.",
         "In low_latency mode no data-lane edge may block indefinitely: a deterministic "
         "shedding path (drop_oldest, drop_newest or degrade) is required, on the profile's "
         "data-lane default and on every data-lane edge of a spec bundled with the profile.",
         kinds=("ExecutionProfile", "PipelineBundle"), check=_blocking),
    Rule("LANE001", "lane", Severity.ERROR,
         "Lane priority is not control > data > telemetry.",
         "Under pressure the runtime serves lanes by strict priority: control (cancel, turn "
         "events) before data (audio, text) before telemetry. A profile must keep that order.",
         kinds=("ExecutionProfile",), check=_lane_priority),
)
