"""The four report formats, all fed the same result object, all deterministic."""

from __future__ import annotations

import json
from itertools import groupby
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from rspp import __version__
from rspp.core import catalogue
from rspp.core.findings import Finding, Severity, Waived
from rspp.report.configured import severity_source, why_hidden
from rspp.report.escape import json_text, visible, workflow_data, workflow_property
from rspp.report.excerpt import SourceLines, excerpt
from rspp.report.result import Report

if TYPE_CHECKING:
    # the machine formats' helpers, imported by those formats: the text report of a
    # pre-commit run needs neither (ADR 0014)
    from rspp.report.paths import PathBase


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(result: Report) -> str:
    files = _plural(len(result.files), "file")
    hidden = f" ({len(result.hidden)} hidden by {result.config.source})" \
        if result.hidden and result.config is not None else ""
    if not result.findings:
        return f"{files} checked: no findings{hidden}"
    waived = result.waived
    infos = len(result.findings) - result.errors - result.warnings - waived
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    if infos:
        parts.append(_plural(infos, "note"))
    if waived:
        parts.append(f"{waived} waived")
    return f"{files} checked: {', '.join(parts)}{hidden}"


def waiver_note(waiver: Waived) -> str:
    """How a waived finding says so: ``[waived until DATE by OWNER: REASON (LINK)]``."""
    link = f" ({waiver.link})" if waiver.link else ""
    return f"[waived until {waiver.expires} by {waiver.owner}: {waiver.reason}{link}]"


def _message(f: Finding) -> str:
    """The finding's message for people, its waiver note appended (unescaped)."""
    return f.message if f.waiver is None else f"{f.message} {waiver_note(f.waiver)}"


def _text_path(path: str) -> str:
    """A path for a text line: escaped, and never read as a CI workflow command.

    The GitHub Actions runner reads any output line that starts (after leading white space)
    with ``::`` or ``##[`` as a command; such a path is written as ``./path``.
    """
    shown = visible(path)
    if shown != shown.lstrip() or shown.startswith(("::", "##[")):
        return "./" + shown
    return shown


def _excerpt(lines: SourceLines, f: Finding) -> list[str]:
    line = lines.line(f.path, f.line)
    if line is None:
        return []
    end = f.end_col if f.end_line == f.line else None
    cut = excerpt(line, f.col, end)
    if cut is None:
        return []
    shown, carets = cut
    number = str(f.line)
    return [f"  {number} | {shown}", f"  {' ' * len(number)} | {carets}"]


def text(result: Report, *, summary_line: bool = True) -> str:
    """The report for people: ``path:line:col CODE severity: message``, an excerpt, a summary
    (left out with ``summary_line=False``: ``--quiet``, the findings only).

    Paths are relative to the artifact root (``--root``), as the user named it; every
    character that could hide or forge text is escaped (:mod:`rspp.report.escape`) and
    excerpts are bounded (:mod:`rspp.report.excerpt`). A waived finding's line ends with
    :func:`waiver_note`, and the summary counts it as waived, not by its severity.
    """
    lines = SourceLines(result.documents)
    out: list[str] = []
    for _, group in groupby(result.findings, key=lambda f: f.path):
        for f in group:
            out.append(f"{_text_path(f.path)}:{f.line}:{f.col} {f.code} {f.severity.value}: "
                       f"{visible(_message(f))}")
            out.extend(_excerpt(lines, f))
            out.extend(f"  = see {_text_path(r.path)}:{r.line}:{r.col} ({visible(r.message)})"
                       for r in f.related)
        out.append("")
    if not summary_line:
        return "\n".join(out[:-1]) + "\n" if out else ""
    out.append(summary(result))
    return "\n".join(out) + "\n"


def _dumps(doc: dict[str, Any]) -> str:
    """JSON text of printable ASCII only: valid UTF-8 whatever the output encoding."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def _waiver_json(w: Waived, base: PathBase) -> dict[str, Any]:
    return {"owner": visible(w.owner), "reason": visible(w.reason), "expires": w.expires,
            "link": None if w.link is None else json_text(w.link),
            "path": json_text(base.path(w.path)), "line": w.line, "column": w.col}


def _finding_json(f: Finding, base: PathBase, result: Report, *, hidden: bool = False
                  ) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "path": json_text(base.path(f.path)),
        "line": f.line,
        "column": f.col,
        "endLine": f.end_line,
        "endColumn": f.end_col,
        "pointer": json_text(f.pointer),
        "message": visible(f.message),
        "related": [{"path": json_text(base.path(r.path)), "line": r.line, "column": r.col,
                     "message": visible(r.message)}
                    for r in f.related],
    }
    if f.subject:
        doc["subject"] = json_text(f.subject)
    if f.waiver is not None:
        doc["waiver"] = _waiver_json(f.waiver, base)
    configured = severity_source(result.config, f)
    if configured is not None:
        default, where = configured
        doc["configured"] = {"default": default.value, "path": json_text(base.path(where.path)),
                             "line": where.line, "column": where.col}
    why = why_hidden(result.config, f) if hidden else None
    if why is not None:
        reason, where = why
        doc["hiddenBy"] = {"reason": visible(reason), "path": json_text(base.path(where.path)),
                           "line": where.line, "column": where.col}
    return doc


def json_report(result: Report) -> str:
    """The report as one JSON document (ASCII; non-ASCII written as ``\\uNNNN`` escapes).

    ``paths.base`` says what finding paths are relative to: ``"work-tree"`` (the top of the
    git work tree holding the root) or ``"root"`` (outside git); ``paths.root`` is the
    artifact root relative to that base (``"."`` when the same). Paths keep every character
    of the file name except bytes that were not UTF-8, written as ``\\xNN`` text; messages
    are escaped as in the text report; pointers are exact (RFC 6901).

    A finding about another artifact version than its file's carries ``subject``
    (``Kind/id@version``); a waived finding carries ``waiver`` (owner, reason, expires, link
    or null, and the waiver's path, line and column), and the summary then counts ``waived``
    (errors and warnings count only the findings no waiver accepts).

    With a consumer configuration (ADR 0010) ``config`` names its file; a finding whose
    severity it set carries ``configured`` (the catalogue's ``default`` and where the setting
    is written); the findings it hides are listed under ``hidden``, each with ``hiddenBy``
    (reason and place), and counted by ``summary.hidden``.
    """
    from rspp.report.paths import path_base

    base = path_base(result.root)
    counts: dict[str, Any] = {"files": len(result.files), "errors": result.errors,
                              "warnings": result.warnings, "failed": result.failed}
    if result.waived:
        counts["waived"] = result.waived
    doc = {
        "tool": {"name": "rspp", "version": __version__},
        "paths": {"base": base.base, "root": json_text(base.prefix or ".")},
        "summary": counts,
        "findings": [_finding_json(f, base, result) for f in result.findings],
    }
    if result.config is not None:
        doc["config"] = json_text(base.path(result.config.source))
    if result.hidden:
        counts["hidden"] = len(result.hidden)
        doc["hidden"] = [_finding_json(f, base, result, hidden=True) for f in result.hidden]
    return _dumps(doc)


_GH_LEVEL: Final = MappingProxyType({
    Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice",
})


def github(result: Report) -> str:
    """GitHub Actions workflow commands, one annotation per finding, then the summary.

    ``file=`` is relative to the top of the git work tree (where the checkout is), so an
    annotation lands on the file in a monorepo too. Escaping follows the workflow command
    syntax (:func:`rspp.report.escape.workflow_property`, ``workflow_data``; a line break in
    a file name as ``%0A``, which the runner decodes) and messages as in the text report:
    no finding ever starts a new output line. A waived finding is a ``::notice`` titled
    ``CODE (waived)`` whatever its severity, its message ending with :func:`waiver_note`.
    """
    from rspp.report.paths import path_base

    base = path_base(result.root)
    lines = []
    for f in result.findings:
        props = [f"file={workflow_property(base.path(f.path))}", f"line={f.line}",
                 f"col={f.col}"]
        if f.end_line is not None:
            props.append(f"endLine={f.end_line}")
        if f.end_col is not None and f.end_line == f.line:
            props.append(f"endColumn={f.end_col}")
        title = f.code if f.waiver is None else f"{f.code} (waived)"
        level = _GH_LEVEL[f.severity] if f.waiver is None else "notice"
        props.append(f"title={workflow_property(title)}")
        lines.append(f"::{level} {','.join(props)}::"
                     f"{workflow_data(visible(f.code + ' ' + _message(f)))}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


RULES_URL_LABEL = "Rules"
"""The ``Project-URL`` label (``[project.urls]`` in pyproject.toml) of the rule reference."""


def rules_url() -> str | None:
    """The absolute http(s) URL of the published rule reference (docs/rules.md), or None.

    Read from the installed package's metadata, ``Project-URL: Rules, <url>`` (core metadata
    2.1); a relative or fragment-carrying value is ignored. SARIF 2.1.0 section 3.49.12
    requires ``helpUri`` to be an absolute URI, so without it rules carry ``help`` only.
    """
    from importlib import metadata

    try:
        entries = metadata.metadata("rspp").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        url = url.strip()
        if label.strip() == RULES_URL_LABEL and url.startswith(("https://", "http://")):
            return None if "#" in url or " " in url else url
    return None


def _sarif_uri(base: PathBase, path: str) -> dict[str, str]:
    from rspp.report.paths import uri_reference

    return {"uri": uri_reference(base.path(path)), "uriBaseId": "%SRCROOT%"}


def _sarif_suppression(w: Waived, base: PathBase) -> dict[str, Any]:
    """SARIF 2.1.0 section 3.35: an accepted suppression kept outside the source (the waiver
    list), located at the waiver."""
    found: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": visible(f"{w.owner}: {w.reason} (until {w.expires})"),
        "location": {"physicalLocation": {
            "artifactLocation": _sarif_uri(base, w.path),
            "region": {"startLine": w.line, "startColumn": w.col}}},
    }
    if w.link is not None:
        found["properties"] = {"link": json_text(w.link)}
    return found


def sarif(result: Report, *, docs: str | None = None) -> str:
    """The report as a SARIF 2.1.0 log (OASIS standard), valid against its JSON schema.

    ``artifactLocation.uri`` is a percent-encoded relative reference (RFC 3986) to the file,
    relative to ``%SRCROOT%``: the top of the git work tree holding the root (the root
    outside git). Rules carry ``help`` (text and Markdown); ``helpUri`` (``docs`` or
    :func:`rules_url`, then ``#code``) only when an absolute URL of the rule reference is
    known. Columns are Unicode code points; messages are escaped as in the text report. A
    waived finding keeps its ``ruleId`` and ``level`` and carries one ``external``,
    ``accepted`` suppression (section 3.35) located at its waiver; ``properties.subject``
    names the artifact version a finding is about when it is not its file's.

    With a consumer configuration (ADR 0010), a result whose level it set carries
    ``properties.defaultLevel`` (the catalogue's) and ``properties.levelConfiguredAt``
    (``path:line:col`` of the setting); a finding it hides is a result with one ``external``,
    ``accepted`` suppression located at the setting, so code scanning shows it as dismissed.
    """
    from rspp.report.paths import path_base
    from rspp.report.rules import SARIF_LEVEL, sarif_descriptor

    docs = docs if docs is not None else rules_url()
    base = path_base(result.root)
    used = sorted({f.code for f in (*result.findings, *result.hidden)})
    rule_index = {code: i for i, code in enumerate(used)}
    # a pack's code is described by its own entry, without a link into rspp's rule reference
    descriptors = [sarif_descriptor(result.entries[code], None) if code in result.entries
                   else sarif_descriptor(catalogue.entry(code), docs) for code in used]
    results = []
    shown = [(f, False) for f in result.findings] + [(f, True) for f in result.hidden]
    for f, is_hidden in shown:
        region: dict[str, int] = {"startLine": f.line, "startColumn": f.col}
        if f.end_line is not None:
            region["endLine"] = f.end_line
        if f.end_col is not None:
            region["endColumn"] = f.end_col
        entry: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": visible(f.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": _sarif_uri(base, f.path),
                "region": region,
            }}],
        }
        properties = {}
        if f.pointer:
            properties["jsonPointer"] = json_text(f.pointer)
        if f.subject:
            properties["subject"] = json_text(f.subject)
        configured = severity_source(result.config, f)
        if configured is not None:
            default, where = configured
            properties["defaultLevel"] = SARIF_LEVEL[default]
            properties["levelConfiguredAt"] = json_text(
                f"{base.path(where.path)}:{where.line}:{where.col}")
        if properties:
            entry["properties"] = properties
        if f.related:
            entry["relatedLocations"] = [
                {"id": i, "message": {"text": visible(r.message)}, "physicalLocation": {
                    "artifactLocation": _sarif_uri(base, r.path),
                    "region": {"startLine": r.line, "startColumn": r.col}}}
                for i, r in enumerate(f.related)
            ]
        if f.waiver is not None:
            entry["suppressions"] = [_sarif_suppression(f.waiver, base)]
        why = why_hidden(result.config, f) if is_hidden else None
        if why is not None:
            reason, where = why
            entry.setdefault("suppressions", []).append({
                "kind": "external", "status": "accepted", "justification": visible(reason),
                "location": {"physicalLocation": {
                    "artifactLocation": _sarif_uri(base, where.path),
                    "region": {"startLine": where.line, "startColumn": where.col}}}})
        results.append(entry)
    top = "top of the git work tree" if base.base == "work-tree" else "artifact root"
    doc = {
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rspp", "version": __version__, "rules": descriptors}},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": top}}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return _dumps(doc)
