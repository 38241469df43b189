"""Render a trace check's statistics: JSON-ready data, a text summary, the JSON report."""

from __future__ import annotations

import json
from typing import Any

from rspp.conform.trace import FINDINGS_PER_CODE, TraceResult


def summary(result: TraceResult) -> dict[str, Any]:
    """The statistics of a check as JSON-ready data: counts, evidence, budgets, stages (ms)
    and every metric (see :mod:`rspp.model.gates`)."""
    return {
        "lines": result.lines,
        "events": result.events,
        "unreadableLines": result.unreadable,
        "sessions": result.sessions,
        "acceptedTurns": result.accepted_turns,
        "closedTurns": result.closed_turns,
        "completeTurns": result.complete_turns,
        "evidence": {"source": result.evidence.source,
                     "requiredFields": list(result.evidence.fields)},
        "budgets": (None if result.budgets is None else
                    {"source": result.budgets.source, "ms": dict(sorted(
                        result.budgets.ms.items()))}),
        "stages": [{"stage": s.stage, "count": s.count, "p50Ms": s.p50_ms,
                    "p95Ms": s.p95_ms, "p99Ms": s.p99_ms, "maxMs": s.max_ms,
                    "budgetMs": s.budget_ms, "overBudget": s.over}
                   for s in result.stages],
        "findingsByCode": dict(result.counts),
        "findingsNotListed": result.shown,
        "metrics": dict(result.metrics),
    }


def summary_text(result: TraceResult) -> str:
    """A short human summary: what was read, against what, and the stage latencies."""
    lines = [
        f"{result.events:,} events in {result.lines:,} lines ({result.unreadable:,} "
        f"unreadable), {result.sessions:,} sessions, {result.accepted_turns:,} accepted "
        f"turns ({result.complete_turns:,} of {result.closed_turns:,} closed turns carry "
        "complete evidence)",
        f"evidence: {result.evidence.source}",
        f"budgets: {result.budgets.source if result.budgets else 'none (pass --bundle)'}",
    ]
    rows = [s for s in result.stages if s.count]
    if rows:
        lines.append(f"{'stage':<16}{'turns':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
                     f"{'max ms':>10}{'budget':>8}{'over':>6}")
        for s in rows:
            lines.append(f"{s.stage:<16}{s.count:>8}{_num(s.p50_ms)}{_num(s.p95_ms)}"
                         f"{_num(s.p99_ms)}{_num(s.max_ms)}"
                         f"{'' if s.budget_ms is None else s.budget_ms:>8}{s.over:>6}")
    if result.shown:
        lines.append(f"{result.shown:,} more findings are counted but not listed "
                     f"(at most {FINDINGS_PER_CODE:,} per code)")
    return "\n".join(lines) + "\n"


def _num(value: float | None) -> str:
    return f"{'-' if value is None else f'{value:.1f}':>10}"


def report_json(result: TraceResult | None, findings_json: str) -> str:
    """The JSON report: the findings document of ``--format json`` with a ``trace`` member
    holding :func:`summary` (sorted keys, so the same traces give the same bytes)."""
    doc = json.loads(findings_json)
    if result is not None:
        doc["trace"] = summary(result)
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
