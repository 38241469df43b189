"""`rspp plan`: freeze the ResolvedTurnPlan of one turn of a bundle against a routing
snapshot (ADR 0002)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.commands.resolve import ResolveOptions, resolve_target
from rspp.core.canonical import pretty
from rspp.core.errors import UsageError
from rspp.core.sink import finding
from rspp.report.result import Report

if TYPE_CHECKING:
    from rspp.model.views import ResolvedSpec, ResolvedTurnPlan


@dataclass(frozen=True, slots=True)
class PlanOptions:
    root: Path
    bundle: str
    session: str
    turn: int
    lease_epoch: int
    routing: Path


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: ResolvedTurnPlan | None
    report: Report

    @property
    def text(self) -> str:
        return pretty(self.plan) if self.plan is not None else ""


def plan_turn(options: PlanOptions) -> PlanOutcome:
    """Resolve the bundle, read the routing snapshot, freeze the turn's plan."""
    from rspp.resolve.plan import (
        PlanError,
        TurnRequest,
        load_snapshot,
        resolve_turn_plan,
        routing_snapshot,
    )
    resolved = resolve_target(ResolveOptions(options.root, options.bundle))
    if resolved.view is None:
        return PlanOutcome(None, resolved.report)
    loaded = load_snapshot(options.routing, options.root)
    doc = loaded.document
    report = resolved.report
    if doc is None:
        return PlanOutcome(None, Report.of_document(report.root, str(options.routing),
                                                    loaded.findings))

    bundle = _bundle_of(resolved.view, options)
    try:
        routing = routing_snapshot(doc.data)
        plan = resolve_turn_plan(resolved.view, bundle, TurnRequest(
            options.session, options.turn, options.lease_epoch), routing)
    except PlanError as exc:
        span = doc.span(exc.pointer)
        refused = finding(exc.code, doc.path, span.line, span.col, str(exc),
                          pointer=exc.pointer)
        return PlanOutcome(None, Report.of_document(report.root, doc.path, (refused,), doc))
    return PlanOutcome(plan, report)


def _bundle_of(view: ResolvedSpec, options: PlanOptions) -> str:
    ref = view["spec"].get("bundle")
    if not isinstance(ref, str):
        raise UsageError(f"{options.bundle} is not a bundle", "plans are made for bundles")
    return ref
