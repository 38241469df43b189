"""The four report formats, all fed the same result object, all deterministic."""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from rspp import __version__
from rspp.findings import Finding, Severity
from rspp.rules.registry import by_code
from rspp.validate.engine import ValidationResult


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: ValidationResult) -> str:
    files = _plural(len(result.files), "file")
    if not result.findings:
        return f"{files} checked: no findings"
    infos = len(result.findings) - result.errors - result.warnings
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    if infos:
        parts.append(_plural(infos, "note"))
    return f"{files} checked: {', '.join(parts)}"


def _excerpt(result: ValidationResult, f: Finding) -> list[str]:
    doc = result.documents.get(f.path)
    if doc is None:
        return []
    line = doc.line_text(f.line)
    if not line.strip():
        return []
    width = len(str(f.line))
    end = f.end_col if f.end_line == f.line and f.end_col and f.end_col > f.col else None
    carets = "^" * max(1, (end - f.col) if end else len(line.rstrip()) - f.col + 1)
    pad = " " * width
    return [f"  {f.line} | {line.rstrip()}", f"  {pad} | {' ' * (f.col - 1)}{carets[:120]}"]


def text(result: ValidationResult) -> str:
    out: list[str] = []
    for _, group in groupby(result.findings, key=lambda f: f.path):
        for f in group:
            out.append(f"{f.location()} {f.code} {f.severity.value}: {f.message}")
            out.extend(_excerpt(result, f))
            out.extend(f"  = see {r.path}:{r.line}:{r.col} ({r.message})" for r in f.related)
        out.append("")
    out.append(summary(result))
    return "\n".join(out) + "\n"


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.line,
        "column": f.col,
        "endLine": f.end_line,
        "endColumn": f.end_col,
        "pointer": f.pointer,
        "message": f.message,
        "related": [{"path": r.path, "line": r.line, "column": r.col, "message": r.message}
                    for r in f.related],
    }


def json_report(result: ValidationResult) -> str:
    doc = {
        "tool": {"name": "rspp", "version": __version__},
        "summary": {"files": len(result.files), "errors": result.errors,
                    "warnings": result.warnings, "failed": result.failed},
        "findings": [_finding_json(f) for f in result.findings],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _gh_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(result: ValidationResult) -> str:
    lines = []
    for f in result.findings:
        props = [f"file={_gh_escape(f.path, prop=True)}", f"line={f.line}", f"col={f.col}"]
        if f.end_line is not None:
            props.append(f"endLine={f.end_line}")
        if f.end_col is not None and f.end_line == f.line:
            props.append(f"endColumn={f.end_col}")
        props.append(f"title={_gh_escape(f.code, prop=True)}")
        lines.append(f"::{_GH_LEVEL[f.severity]} {','.join(props)}::"
                     f"{_gh_escape(f.code + ' ' + f.message)}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(result: ValidationResult) -> str:
    rules = by_code()
    used = sorted({f.code for f in result.findings})
    rule_index = {code: i for i, code in enumerate(used)}
    descriptors = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": rules[code].summary},
            "fullDescription": {"text": rules[code].doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rules[code].severity]},
            "properties": {"category": rules[code].category},
        }
        for code in used
    ]
    results = []
    for f in result.findings:
        region: dict[str, int] = {"startLine": f.line, "startColumn": f.col}
        if f.end_line is not None:
            region["endLine"] = f.end_line
        if f.end_col is not None:
            region["endColumn"] = f.end_col
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
        }
        if f.pointer:
            entry["properties"] = {"jsonPointer": f.pointer}
        if f.related:
            entry["relatedLocations"] = [
                {"id": i, "message": {"text": r.message}, "physicalLocation": {
                    "artifactLocation": {"uri": r.path, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": r.line, "startColumn": r.col}}}
                for i, r in enumerate(f.related)
            ]
        results.append(entry)
    doc = {
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rspp", "version": __version__, "rules": descriptors}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
