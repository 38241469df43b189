"""ConformanceGates rules (GAT001-GAT008): unique ids, the MVP suite, thresholds and fields
that can mean something for their gate type, and required MVP gates that hold their invariants
(no tolerated violations, a latency budget to measure against).

The metric table the threshold rules read is :data:`rspp.model.gates.METRICS` (ADR 0011), the
same the gate runner (:mod:`rspp.conform.gates`) compares measurements with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.core.suggest import did_you_mean
from rspp.model.access import bundle_body, gates_body, profile_body
from rspp.model.artifact import Artifact, Index
from rspp.model.gates import METRICS, MVP_GATE_TYPES, TRACE_GATE_TYPES
from rspp.model.ids import parse_ref
from rspp.rules.base import Check, Context, Hit

if TYPE_CHECKING:
    from rspp.model.views import Gate  # a view costs start-up time; types only


def _gate_ids(art: Artifact, ctx: Context) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, gate in enumerate(gates_body(art)["gates"]):
        if gate["id"] in seen:
            yield Hit(f"/spec/gates/{i}/id", f"gate id {gate['id']!r} is used twice")
        seen.add(gate["id"])


def _required(gate: Gate) -> bool:
    """Whether a failing ``gate`` blocks certification (``required`` defaults to true)."""
    return bool(gate.get("required", True))


def _mvp_gates(art: Artifact, ctx: Context) -> Iterator[Hit]:
    gates = gates_body(art)["gates"]
    required = {g["type"] for g in gates if _required(g)}
    for gate_type in (t for t in MVP_GATE_TYPES if t not in required):
        optional = next((i for i, g in enumerate(gates) if g["type"] == gate_type), None)
        if optional is None:
            yield Hit("/spec/gates", f"no gate of type {gate_type}: the MVP suite needs a "
                                     f"required {gate_type} gate")
        else:
            yield Hit(f"/spec/gates/{optional}/required",
                      f"the {gate_type} gate is optional; an MVP gate must be required")


def _pointer(i: int, name: str) -> str:
    return f"/spec/gates/{i}/thresholds/{name.replace('~', '~0').replace('/', '~1')}"


def _threshold_range(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, gate in enumerate(gates_body(art)["gates"]):
        metrics = METRICS.get(gate["type"], {})
        for name, value in (gate.get("thresholds") or {}).items():
            metric = metrics.get(name)
            if metric is None:
                continue
            if metric.unit == "count" and value != int(value):
                yield Hit(_pointer(i, name), f"{name} counts, so its threshold is a whole "
                                             f"number, not {value}")
            if value < 0:
                yield Hit(_pointer(i, name), f"{name} is never negative; a threshold of {value} "
                          + ("can never be met" if metric.direction == "max" else "never fails"))
            upper = metric.upper
            if upper is not None and value > upper:
                yield Hit(_pointer(i, name), f"{name} is a percentage (0-100); {value} is "
                                             "above 100")


def _threshold_names(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, gate in enumerate(gates_body(art)["gates"]):
        metrics = METRICS.get(gate["type"])
        if _is_pack_type(gate["type"]):
            continue  # a pack's gate reads its own thresholds
        for name in gate.get("thresholds") or {}:
            if metrics is None:
                yield Hit(_pointer(i, name),
                          f"a gate of type {gate['type']} passes or fails and takes no "
                          "thresholds", key=True)
            elif name not in metrics:
                owner = next((t for t, ms in METRICS.items() if name in ms), None)
                where = f" (a {owner} gate measures it)" if owner else ""
                yield Hit(_pointer(i, name),
                          f"a gate of type {gate['type']} measures no metric {name!r}{where}"
                          f"{did_you_mean(name, metrics)}", key=True)


def profile_budgets(index: Index, bundle: str) -> tuple[Artifact, Mapping[str, int]] | None:
    """The ``ExecutionProfile`` the bundle ``bundle`` (id@version) pins and its ``spec.budgets``
    (camelCase field -> ms), or None when the bundle or its profile is not in ``index``."""
    ref = parse_ref(bundle)
    found = index.get("PipelineBundle", ref.id, ref.version) if ref else None
    if found is None:
        return None
    pin = next((p for p in bundle_body(found).get("pins") or []
                if p["kind"] == "ExecutionProfile"), None)
    pref = parse_ref(pin["ref"]) if pin else None
    profile = index.get("ExecutionProfile", pref.id, pref.version) if pref else None
    if profile is None:
        return None
    budgets = profile_body(profile).get("budgets") or {}
    return profile, {k: int(v) for k, v in budgets.items() if isinstance(v, int)}


def _threshold_budget(art: Artifact, ctx: Context) -> Iterator[Hit]:
    bundle = gates_body(art).get("bundle")
    found = profile_budgets(ctx.index, bundle) if bundle else None
    if found is None:
        return
    profile, budgets = found
    for i, gate in enumerate(gates_body(art)["gates"]):
        metrics = METRICS.get(gate["type"], {})
        for name, value in (gate.get("thresholds") or {}).items():
            metric = metrics.get(name)
            budget = budgets.get(metric.budget) if metric and metric.budget else None
            if metric is not None and budget is not None and value > budget:
                yield Hit(_pointer(i, name),
                          f"{name} {value} is looser than the {metric.budget} budget {budget} of "
                          f"profile {profile.ref} (pinned by {bundle}): a bundle over its budget "
                          "would pass", refers_to=("ExecutionProfile", profile.id))


# Listed, not derived from the "max" counts of METRICS: turns_over_budget is one of those too,
# but a p95 budget lets some turns over it, so a threshold above 0 is legitimate there.
VIOLATION_COUNTS: Final = ("cancel_fence_violations", "stale_epoch_outputs", "split_brain_turns",
                           "incomplete_turns", "missing_correlation_ids", "plan_hash_drifts",
                           "illegal_transitions", "pre_turn_terminal_markers")
"""The metrics (:data:`rspp.model.gates.METRICS`) that count broken runtime invariants
(TRC010-TRC016): a required MVP gate holds each to 0 (GAT007)."""

_COMPLETENESS: Final = "baseline_completeness_pct"  # TRC015; a required MVP gate holds it at 100


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _tolerated(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, gate in enumerate(gates_body(art)["gates"]):
        if gate["type"] not in MVP_GATE_TYPES or not _required(gate):
            continue
        metrics = METRICS[gate["type"]]
        for name, value in (gate.get("thresholds") or {}).items():
            # Below 1 no count passes but 0 (a fraction or a negative count is GAT003's).
            if name in VIOLATION_COUNTS and name in metrics and value >= 1:
                yield Hit(_pointer(i, name),
                          f"{name} {_number(value)} lets the required {gate['type']} gate pass "
                          f"with up to {_number(value)} violation(s) of the invariant it "
                          "certifies; leave the threshold out (the limit is then 0) or set 0")
            # Below 0 or above 100 is GAT003's.
            elif name == _COMPLETENESS and name in metrics and 0 <= value < 100:
                yield Hit(_pointer(i, name),
                          f"{name} {_number(value)} lets the required {gate['type']} gate pass "
                          "with accepted turns missing required evidence; leave the threshold "
                          "out (the limit is then 100) or set 100")


def _unbudgeted(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = gates_body(art)
    if body.get("bundle"):
        return
    for i, gate in enumerate(body["gates"]):
        if gate["type"] != "latency" or not _required(gate):
            continue
        metrics = METRICS["latency"]
        thresholds = gate.get("thresholds") or {}
        if not any(metrics[n].unit == "ms" for n in thresholds if n in metrics):
            yield Hit(f"/spec/gates/{i}",
                      "this required latency gate holds turns to no limit: the manifest names no "
                      "bundle (whose profile budgets would be the p95 limits) and the gate sets no "
                      "latency percentile threshold; add spec.bundle or a threshold such as "
                      "p95_turn_latency_ms")


_FIELD_OWNER = MappingProxyType({"traces": "trace", "paths": "artifact", "command": "command"})


def _is_pack_type(kind: str) -> bool:
    """A gate type an enabled pack provides (``vendor.kind``), not a built-in one."""
    return "." in kind


def _fields(gate: Gate) -> Iterator[tuple[str, str]]:
    kind = gate["type"]
    own = "traces" if kind in TRACE_GATE_TYPES else "paths" if kind == "artifact" or \
        _is_pack_type(kind) else "command"
    for field, owner in _FIELD_OWNER.items():
        if field != own and field in gate:
            yield f"/{field}", f"{field} is for {owner} gates; this gate is of type {kind}"
    if kind == "artifact" and not gate.get("paths"):
        yield "", "an artifact gate needs paths: the files or folders it validates"
    if kind == "command":
        argv = gate.get("command")
        if not argv:
            yield "", "a command gate needs command: the argument vector it runs"
        elif not argv[0] or "/" in argv[0]:
            yield "/command/0", (f"{argv[0]!r} is not a bare executable name: the executable is "
                                 "looked up on PATH among the allow-listed commands")


def _pack_gate_known(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, gate in enumerate(gates_body(art)["gates"]):
        kind = gate["type"]
        if _is_pack_type(kind) and kind not in ctx.index.pack_gate_types:
            known = sorted(ctx.index.pack_gate_types)
            yield Hit(f"/spec/gates/{i}/type",
                      f"no enabled pack provides gate type {kind!r} (pack gate types: "
                      f"{', '.join(known) or 'none'}){did_you_mean(kind, known)}")


def _gate_fields(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, gate in enumerate(gates_body(art)["gates"]):
        for pointer, message in _fields(gate):
            yield Hit(f"/spec/gates/{i}{pointer}", message)


CHECKS: tuple[Check, ...] = (
    Check("GAT001", kinds=("ConformanceGates",), check=_gate_ids),
    Check("GAT002", kinds=("ConformanceGates",), check=_mvp_gates),
    Check("GAT003", kinds=("ConformanceGates",), check=_threshold_range),
    Check("GAT004", kinds=("ConformanceGates",), check=_threshold_names),
    Check("GAT005", kinds=("ConformanceGates",), check=_threshold_budget),
    Check("GAT006", kinds=("ConformanceGates",), check=_gate_fields),
    Check("GAT007", kinds=("ConformanceGates",), check=_tolerated),
    Check("GAT008", kinds=("ConformanceGates",), check=_unbudgeted),
    Check("GAT009", kinds=("ConformanceGates",), check=_pack_gate_known),
)
