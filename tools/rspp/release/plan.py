"""The schedule a RolloutManifest sets out: its stages (canary steps with weights and pauses,
one percentage, or cohorts of tenants), when each starts, the gates that guard it and the
rollback. Pure data from the artifacts; times are seconds from the start of the rollout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import semver

from rspp.model.access import gates_body, rollout_body
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage: the share of new sessions on the bundle (``weight``, percent) or the
    tenants moved so far, when it starts and how long it holds before the next one."""

    number: int
    starts_at_s: int
    hold_s: int
    weight: int | None = None
    cohort: str | None = None
    tenants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gate:
    id: str
    type: str
    required: bool
    source: str  # the ConformanceGates artifact, id@version


@dataclass(frozen=True, slots=True)
class RolloutPlan:
    rollout: str  # id@version
    bundle: str
    strategy: str
    stages: tuple[Stage, ...]
    gates: tuple[Gate, ...]
    rollback: str | None
    triggers: tuple[tuple[str, float, str], ...]  # (metric, threshold above which, unit)
    regions: tuple[str, ...]
    require_signed: bool
    max_runtime_skew_minor: int


def plan(rollout: Artifact, index: Index) -> RolloutPlan:
    """The plan of a schema-valid RolloutManifest; gates are those of every ConformanceGates
    that names the rolled-out bundle, else of those that name no bundle (they apply to all);
    of a manifest with several versions, only its latest (SemVer order) counts."""
    body = rollout_body(rollout)
    strategy = body["strategy"]
    stages: list[Stage] = []
    start = 0
    if strategy["type"] == "canary":
        for n, step in enumerate(strategy.get("steps") or [], 1):
            hold = step.get("pauseSeconds", 0)
            stages.append(Stage(n, start, hold, weight=step["weight"]))
            start += hold
    elif strategy["type"] == "percentage":
        stages.append(Stage(1, 0, 0, weight=strategy.get("percentage", 0)))
    else:
        moved: list[str] = []
        for n, cohort in enumerate(strategy.get("cohorts") or [], 1):
            moved += [t for t in cohort["tenants"] if t not in moved]
            stages.append(Stage(n, 0, 0, cohort=cohort["name"], tenants=tuple(moved)))
    admission = body.get("admission", {})
    rollback = body.get("rollback")
    triggers: list[tuple[str, float, str]] = []
    if rollback is not None and "onErrorRatePct" in rollback:
        triggers.append(("error rate", float(rollback["onErrorRatePct"]), "%"))
    if rollback is not None and "onP95TurnLatencyMs" in rollback:
        triggers.append(("p95 turn latency", float(rollback["onP95TurnLatencyMs"]), "ms"))
    return RolloutPlan(
        rollout=rollout.ref, bundle=body["bundle"], strategy=strategy["type"],
        stages=tuple(stages), gates=_gates(body["bundle"], index),
        rollback=rollback["bundle"] if rollback is not None else None, triggers=tuple(triggers),
        regions=tuple(admission.get("regions", [])),
        require_signed=admission.get("requireSignedBundle", True),
        max_runtime_skew_minor=admission.get("maxRuntimeSkewMinor", 1))


def _gates(bundle: str, index: Index) -> tuple[Gate, ...]:
    wanted = parse_ref(bundle)
    named: list[Gate] = []
    general: list[Gate] = []
    latest: dict[str, Artifact] = {}
    for art in index.of_kind("ConformanceGates"):
        if art.schema_valid and (art.id not in latest or semver.Version.parse(art.version)
                                 > semver.Version.parse(latest[art.id].version)):
            latest[art.id] = art
    for art in sorted(latest.values(), key=lambda a: a.path):
        body = gates_body(art)
        ref = parse_ref(body.get("bundle"))
        gates = [Gate(g["id"], g["type"], g.get("required", True), art.ref)
                 for g in body["gates"]]
        if ref is None:
            general += gates
        elif wanted is not None and (ref.id, ref.version) == (wanted.id, wanted.version):
            named += gates
    return tuple(named or general)


def _duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def to_text(p: RolloutPlan) -> str:
    """The plan as lines for people."""
    lines = [f"rollout {p.rollout}: {p.strategy} of {p.bundle}"]
    for s in p.stages:
        if s.weight is not None:
            lines.append(f"  stage {s.number} at +{_duration(s.starts_at_s)}: {s.weight} % of "
                         f"new sessions" + (f", hold {_duration(s.hold_s)}" if s.hold_s else ""))
        else:
            lines.append(f"  stage {s.number}: cohort {s.cohort} (tenants so far: "
                         f"{', '.join(s.tenants)})")
    gates = ", ".join(f"{g.id} ({g.type}{'' if g.required else ', optional'})" for g in p.gates)
    lines.append(f"  gates: {gates or 'none'}")
    lines.append(f"  admission: regions {', '.join(p.regions) or 'all'}; "
                 f"{'signed bundles only' if p.require_signed else 'unsigned bundles admitted'}"
                 f"; runtime skew at most {p.max_runtime_skew_minor} minor(s)")
    if p.rollback is None:
        lines.append("  rollback: none")
    else:
        when = "; ".join(f"{metric} above {value:g} {unit}"
                         for metric, value, unit in p.triggers) or "by hand"
        lines.append(f"  rollback to {p.rollback} when: {when}")
    return "\n".join(lines) + "\n"


def to_json(p: RolloutPlan) -> dict[str, Any]:
    """The plan as a JSON object (stable keys; seconds as integers)."""
    return {
        "rollout": p.rollout, "bundle": p.bundle, "strategy": p.strategy,
        "stages": [{"stage": s.number, "startsAtSeconds": s.starts_at_s,
                    "holdSeconds": s.hold_s, "weight": s.weight, "cohort": s.cohort,
                    "tenants": list(s.tenants)} for s in p.stages],
        "gates": [{"id": g.id, "type": g.type, "required": g.required, "from": g.source}
                  for g in p.gates],
        "rollback": None if p.rollback is None else {
            "bundle": p.rollback,
            "triggers": [{"metric": metric, "above": value, "unit": unit}
                         for metric, value, unit in p.triggers]},
        "admission": {"regions": list(p.regions), "requireSignedBundle": p.require_signed,
                      "maxRuntimeSkewMinor": p.max_runtime_skew_minor},
    }
