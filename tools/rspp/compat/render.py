"""Renderings of a compatibility evaluation for people: text and Markdown (a PR comment or
a job summary), and the JSON document ``rspp compat --format json`` writes. Returns strings;
never prints.

Markdown (GitHub Flavored Markdown tables): every value that comes from an artifact (change
and finding messages, paths) is written as a code span, so no markup, HTML or link in an
artifact renders in a comment; ``|`` is escaped, backticks and line breaks are replaced, and
each cell is cut to ``CELL_LIMIT`` characters, so one huge message cannot push the other rows
out of the ``MARKDOWN_LIMIT``.
"""

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
CELL_LIMIT = 300


def _waived_bump(item: Versioned, report: Report) -> Finding | None:
    """The waived VER001 of ``item``, if its too-small bump is waived."""
    return next((f for f in report.findings if f.code == "VER001" and f.path == item.art.path
                 and f.waiver is not None), None)


def _status(item: Versioned, report: Report) -> str:
    if all(c.ok for c in item.comparisons):
        return "ok"
    waived = _waived_bump(item, report)
    if waived is not None and waived.waiver is not None:
        return f"bump too small, waived until {waived.waiver.expires} by {waived.waiver.owner}"
    return "fails: bump too small"


def _head(item: Versioned, report: Report) -> str:
    """One line per new version: against the latest earlier version, or against the first
    one whose comparison fails (under a transitive mode that may be an older one)."""
    latest = next((c for c in item.comparisons if not c.ok), item.latest)
    assert latest is not None
    required = latest.required.word if item.mode.checks else "none (mode NONE)"
    return (f"{item.art.kind} {item.art.id} {latest.old.version} -> {item.art.version} "
            f"({item.mode.name}): requires {required}, made {latest.made.word} - "
            f"{_status(item, report)}")


def _others(evaluation: Evaluation) -> list[str]:
    lines = [f"{a.kind} {a.ref}: nothing to compare with (the first version of its id, or "
             "below every earlier one)" for a in evaluation.firsts]
    lines += [f"{a.kind} {a.ref}: not compared (it has schema errors)"
              for a in evaluation.unchecked]
    return lines


def text(evaluation: Evaluation, report: Report) -> str:
    """One header line per new version, then the findings as ``rspp check`` prints them."""
    lines = [f"compared with {evaluation.label}"]
    lines += [_head(item, report) for item in evaluation.versions]
    lines += _others(evaluation)
    if len(lines) == 1:
        lines.append("no new versions")
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
    doc["compat"] = {
        "against": evaluation.label,
        "versions": [_versioned_json(v) for v in evaluation.versions],
        "first": [{"kind": a.kind, "id": a.id, "version": a.version, "path": a.path}
                  for a in evaluation.firsts],
        "unchecked": [{"kind": a.kind, "id": a.id, "version": a.version, "path": a.path}
                      for a in evaluation.unchecked],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def code(value: str) -> str:
    """``value`` as a code span safe in a GFM table cell: cut to ``CELL_LIMIT``, backticks
    and line breaks replaced, ``|`` escaped."""
    flat = " ".join(value.replace("`", "'").split())
    if len(flat) > CELL_LIMIT:
        flat = flat[:CELL_LIMIT - 3] + "..."
    return "`" + flat.replace("|", "\\|") + "`" if flat else ""


def _severity(f: Finding) -> str:
    if f.waiver is None:
        return f.severity.value
    return (f"waived until {f.waiver.expires} by {code(f.waiver.owner)}: "
            f"{code(f.waiver.reason)}")


def _findings(findings: list[Finding]) -> list[str]:
    rows = ["| where | rule | severity | finding |", "| --- | --- | --- | --- |"]
    rows += [f"| {code(f.location())} | {f.code} | {_severity(f)} | {code(f.message)} |"
             for f in findings]
    return rows


def markdown(evaluation: Evaluation, report: Report) -> str:
    """A Markdown summary: the verdict, every finding that is not a change (errors and
    warnings first, so a cut never hides them), then a table per compared version (change,
    rule, verdict, required bump); cut with a note to stay under ``MARKDOWN_LIMIT``
    characters."""
    verdict = "fails" if report.failed else "passes"
    out = [f"## rspp compat: {verdict}", "",
           f"Compared with {code(evaluation.label)}. {summary(report).strip()}", ""]
    # Errors and warnings first: a cut (a very large change) never hides them.
    rest = [f for f in report.findings if not f.code.startswith("CHG")]
    if rest:
        out += ["### Findings", "", *_findings(rest), ""]
    for item in evaluation.versions:
        out += [f"### {_head(item, report)}", ""]  # ids and versions: no markup
        for n, comp in enumerate(item.comparisons):
            if len(item.comparisons) > 1:
                out += [f"Against {comp.old.version}: requires {comp.required.word}, made "
                        f"{comp.made.word}{'' if comp.ok else ' - bump too small'}.", ""]
            if n > 0 and comp.ok:
                continue  # an older version the bump covers: its changes are not news
            required = (lambda word: word) if item.mode.checks else (lambda _: "none (NONE)")
            out += ["| change | rule | verdict | required bump |", "| --- | --- | --- | --- |"]
            out += [f"| {code(j.change.message)} | {j.change.code} | {j.verdict.value} | "
                    f"{required(j.verdict.requires.word)} |" for j in comp.changes]
            out.append("")
    if evaluation.firsts or evaluation.unchecked:
        out += [f"- {code(line)}" for line in _others(evaluation)] + [""]
    text_out = "\n".join(out)
    if len(text_out) > MARKDOWN_LIMIT:
        cut = text_out[:MARKDOWN_LIMIT].rsplit("\n", 1)[0]
        text_out = (cut + "\n\n_The report was cut at "
                    f"{MARKDOWN_LIMIT:,} characters; run `rspp compat` for all of it._\n")
    return text_out
