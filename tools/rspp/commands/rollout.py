"""`rspp rollout plan`: the schedule of a RolloutManifest, after the gate on the repository
(a rollout the gate refuses gets no plan)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rspp.model.artifact import Artifact
from rspp.release.plan import RolloutPlan, plan
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import Repository, ValidateOptions


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
    found, mine, repo = _rollout(options.root, options.target)
    if mine.failed or not found.schema_valid:
        return RolloutPlanOutcome(None, mine)
    return RolloutPlanOutcome(plan(found, repo.index), mine)


def _rollout(root: Path, target: str) -> tuple[Artifact, Report, Repository]:
    """The rollout ``target`` names (file or id@version), the findings of the gate on its
    file, and the repository; UsageError when it names no rollout."""
    import os

    from rspp.core.errors import UsageError
    from rspp.core.paths import name_inside
    from rspp.model.ids import parse_ref

    result, repo = validate_repository(ValidateOptions(root=root, load_all=False))
    ref = parse_ref(target)
    found = None
    if ref is not None and not os.path.exists(target):
        found = repo.index.get("RolloutManifest", ref.id, ref.version)
    else:
        rel = name_inside(target, repo.root)
        found = next((a for a in repo.index.artifacts if a.path == rel), None)
    if found is None or found.kind != "RolloutManifest":
        raise UsageError(f"{target}: not a rollout of this repository",
                         "name a RolloutManifest file under rollouts/, or its id@version")
    return found, result.with_findings(f for f in result.findings if f.path == found.path), repo


@dataclass(frozen=True, slots=True)
class RolloutVerifyOptions:
    root: Path
    target: str  # a rollout file, or id@version
    policy: Path
    source: str | None = None  # the store; None: the default layout
    offline: bool = True
    runtimes: tuple[str, ...] = ()
    now: dt.datetime | None = None


def verify_rollout(options: RolloutVerifyOptions) -> Report:
    """The gate's findings on the rollout, then ROL010/ROL011 against the store
    (:func:`rspp.release.binding.check_bound`). Raises UsageError for no such rollout,
    PolicyError VFY008 for a bad policy, StoreError REL003 for an unreachable store."""
    from rspp.release.binding import check_bound
    from rspp.release.index import STATE_FILE, TrustState
    from rspp.release.stores import open_store
    from rspp.release.trust import load_policy

    found, mine, _ = _rollout(options.root, options.target)
    if mine.failed or not found.schema_valid:
        return mine
    store = open_store(options.source, options.root)

    policy = load_policy(options.policy, confine=options.root)
    state = TrustState.load(options.root / STATE_FILE, options.root)
    from rspp.lifecycle.lock import read_lock

    lock, _ = read_lock(options.root)
    bound = check_bound(found, store, policy, state, now=options.now,
                        offline=options.offline, runtimes=options.runtimes,
                        locked=lock.entries if lock is not None else None)
    return mine.with_findings([*mine.findings, *bound])
