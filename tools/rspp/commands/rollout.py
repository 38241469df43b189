"""`rspp rollout plan`: the schedule of a RolloutManifest, after the gate on the repository
(a rollout the gate refuses gets no plan)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.release.plan import RolloutPlan, plan
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions


@dataclass(frozen=True, slots=True)
class RolloutPlanOptions:
    root: Path
    target: str  # a rollout file, or id@version


@dataclass(frozen=True, slots=True)
class RolloutPlanOutcome:
    plan: RolloutPlan | None  # None when the rollout has errors (the report says which)
    report: Report


def plan_rollout(options: RolloutPlanOptions) -> RolloutPlanOutcome:
    """The plan of the rollout ``options.target``; UsageError when it names no rollout."""
    import os

    from rspp.core.errors import UsageError
    from rspp.core.paths import name_inside
    from rspp.model.ids import parse_ref

    result, repo = validate_repository(ValidateOptions(root=options.root))
    ref = parse_ref(options.target)
    found = None
    if ref is not None and not os.path.exists(options.target):
        found = repo.index.get("RolloutManifest", ref.id, ref.version)
    else:
        rel = name_inside(options.target, repo.root)
        found = next((a for a in repo.index.artifacts if a.path == rel), None)
    if found is None or found.kind != "RolloutManifest":
        raise UsageError(f"{options.target}: not a rollout of this repository",
                         "name a RolloutManifest file under rollouts/, or its id@version")
    mine = result.with_findings(f for f in result.findings if f.path == found.path)
    if mine.failed or not found.schema_valid:
        return RolloutPlanOutcome(None, mine)
    return RolloutPlanOutcome(plan(found, repo.index), mine)
