"""Renderings of a compatibility evaluation for people: text and Markdown (a PR comment or
a job summary), and the JSON document ``rspp compat --format json`` writes. Returns strings;
never prints. Markdown cells escape ``|``, backticks and line breaks (CommonMark tables)."""

from __future__ import annotations

import json
from typing import Any

from rspp.compat.engine import Evaluation, Versioned
from rspp.core.findings import Finding
from rspp.report.formats import json_report, summary
from rspp.report.formats import text as findings_text
from rspp.report.result import Report

# GitHub refuses comments above 65,536 characters; stay clearly below.
MARKDOWN_LIMIT = 60_000


def _status(item: Versioned) -> str:
    latest = item.latest
    bad = [c for c in item.comparisons if not c.ok]
    if bad:
        return "fails: bump too small"
    return "ok" if latest is not None else "new"


def _head(item: Versioned) -> str:
    latest = item.latest
    if latest is None:
        return f"{item.art.kind} {item.art.ref}: first version"
    return (f"{item.art.kind} {item.art.id} {latest.old.version} -> {item.art.version} "
            f"({item.mode.name}): requires {latest.required.word}, made {latest.made.word} — "
            f"{_status(item)}")


def text(evaluation: Evaluation, report: Report) -> str:
    """One header line per compared version, then the findings as ``rspp check`` prints."""
    lines = [f"compared with {evaluation.label}"]
    lines += [_head(item) for item in evaluation.versions]
    if not evaluation.versions:
        lines.append("no new versions to compare")
    return "\n".join(lines) + "\n" + findings_text(report)


def _versioned_json(item: Versioned) -> dict[str, Any]:
    return {
        "kind": item.art.kind, "id": item.art.id, "version": item.art.version,
        "path": item.art.path, "mode": item.mode.name,
        "comparisons": [{
            "against": comp.old.version, "required": comp.required.word,
            "made": comp.made.word, "ok": comp.ok,
            "changes": [{"code": j.change.code, "message": j.change.message,
                         "verdict": j.verdict.value, "requires": j.verdict.requires.word,
                         "breaksBackward": j.change.backward,
                         "breaksForward": j.change.forward,
                         "path": j.where.path, "line": j.where.line, "column": j.where.col}
                        for j in comp.changes],
        } for comp in item.comparisons],
    }


def json_document(evaluation: Evaluation, report: Report) -> str:
    """The findings document of ``--format json`` with a ``compat`` member added."""
    doc = json.loads(json_report(report))
    doc["compat"] = {"against": evaluation.label,
                     "versions": [_versioned_json(v) for v in evaluation.versions]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def _cell(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")
            .replace("\r", " ").replace("\n", " "))


def _other(findings: list[Finding]) -> list[str]:
    rows = ["| where | rule | severity | finding |", "| --- | --- | --- | --- |"]
    for f in findings:
        severity = "waived" if getattr(f, "waiver", None) is not None else f.severity.value
        rows.append(f"| `{_cell(f.location())}` | {f.code} | {severity} | {_cell(f.message)} |")
    return rows


def markdown(evaluation: Evaluation, report: Report) -> str:
    """A Markdown summary: the verdict, a table per compared version (change, rule, verdict,
    required bump), then every other finding; cut with a note to stay under
    ``MARKDOWN_LIMIT`` characters."""
    verdict = "fails" if report.failed else "passes"
    out = [f"## rspp compat: {verdict}", "",
           f"Compared with `{_cell(evaluation.label)}`. {_cell(summary(report))}", ""]
    for item in evaluation.versions:
        out.append(f"### {_cell(_head(item))}")
        out.append("")
        for n, comp in enumerate(item.comparisons):
            if len(item.comparisons) > 1:
                out += [f"Against {comp.old.version}: requires {comp.required.word}, made "
                        f"{comp.made.word}{'' if comp.ok else ' — bump too small'}.", ""]
            if n > 0 and comp.ok:
                continue  # an older version the bump covers: its changes are not news
            out += ["| change | rule | verdict | required bump |", "| --- | --- | --- | --- |"]
            out += [f"| {_cell(j.change.message)} | {j.change.code} | {j.verdict.value} | "
                    f"{j.verdict.requires.word if item.mode.checks else 'none (NONE)'} |"
                    for j in comp.changes]
            out.append("")
    rest = [f for f in report.findings if not f.code.startswith("CHG")]
    if rest:
        out += ["### Findings", "", *_other(rest), ""]
    text_out = "\n".join(out)
    if len(text_out) > MARKDOWN_LIMIT:
        cut = text_out[:MARKDOWN_LIMIT].rsplit("\n", 1)[0]
        text_out = (cut + "\n\n_The report was cut at "
                    f"{MARKDOWN_LIMIT:,} characters; run `rspp compat` for all of it._\n")
    return text_out
