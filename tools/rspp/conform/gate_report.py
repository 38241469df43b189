"""The reports of a gate run (:class:`rspp.conform.gates.GateRun`): JSON, JUnit XML, Markdown
(docs/gates.md).

- JSON: sorted keys, two-space indent, one trailing newline. Two runs of the same gates over
  the same inputs give byte-identical documents except under the ``"timing"`` key, which holds
  every wall-clock value (per-gate ``duration_ms`` and the run's ``total_ms``).
- JUnit XML (the schema CI test tabs read, as written by pytest and Maven Surefire): one
  ``<testsuite>`` named after the manifest, one ``<testcase>`` per gate with classname
  ``rspp.gates.<manifest id>``; a required gate that did not pass has a ``<failure>``
  (status ``fail``) or an ``<error>`` (status ``error``) whose message joins its reasons. An
  optional gate that did not pass fails nothing, so it is a ``<skipped>`` test case whose
  message is ``optional gate failed: <reasons>`` (``optional gate could not run: ...`` for
  ``error``): CI checks that turn red on any failing test case stay green, and the suite's
  ``failures``/``errors`` count only required gates. A skipped gate has ``<skipped/>``.
  Measures, attempts and log digests are in ``<system-out>``. Written with
  :mod:`xml.etree.ElementTree`, which escapes text and attributes.
- Markdown: a heading with the verdict, a table ``gate | type | required | result | measured
  vs threshold``, then the reasons of each gate that did not pass, and the fingerprint.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Final

from rspp.conform.gates import GateResult, GateRun, Measure
from rspp.core.jsontypes import JsonObject

FORMAT_VERSION: Final = 1
"""The version of the JSON report's shape (``"format"``)."""


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == int(value) else value


def _measure(m: Measure) -> JsonObject:
    return {"metric": m.metric, "threshold": _number(m.threshold), "direction": m.direction,
            "measured": _number(m.measured), "ok": m.ok, "origin": m.origin}


def _gate(g: GateResult) -> JsonObject:
    return {
        "id": g.id, "type": g.type, "required": g.required, "status": g.status,
        "reasons": list(g.reasons), "measures": [_measure(m) for m in g.measures],
        "traces": list(g.traces), "attempts": g.attempts, "history": list(g.history),
        "logs": [{"attempt": log.attempt, "stream": log.stream, "sha256": log.sha256,
                  "size": log.size} for log in g.logs],
    }


def to_json(run: GateRun) -> str:
    """The JSON report (see the module doc)."""
    fp = run.fingerprint
    doc: JsonObject = {
        "format": FORMAT_VERSION,
        "manifest": run.manifest,
        "passed": run.passed,
        "evidence": run.evidence,
        "budgets": run.budgets,
        "environment": {"python": fp.python, "rspp": fp.rspp, "lockSha256": fp.lock_sha256,
                        "platform": fp.platform},
        "gates": [_gate(g) for g in run.gates],
        "summary": {"gates": len(run.gates),
                    "passed": sum(g.status == "pass" for g in run.gates),
                    "blocking": sum(g.blocking for g in run.gates)},
        "timing": {"total_ms": run.duration_ms,
                   "gates": {g.id: g.duration_ms for g in run.gates}},
    }
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _message(g: GateResult) -> str:
    return "; ".join(g.reasons) or g.status


def _optional_message(g: GateResult) -> str:
    how = "could not run" if g.status == "error" else "failed"
    return f"optional gate {how}: {_message(g)}"


def _counted(run: GateRun, status: str) -> int:
    """Required gates with ``status`` (optional ones are reported as skipped)."""
    return sum(g.status == status and g.required for g in run.gates)


def to_junit(run: GateRun) -> str:
    """The JUnit XML report (see the module doc)."""
    skipped = sum(g.status == "skipped" or (not g.required and g.status != "pass")
                  for g in run.gates)
    suite = ET.Element("testsuite", {
        "name": f"rspp gates {run.manifest}",
        "tests": str(len(run.gates)),
        "failures": str(_counted(run, "fail")),
        "errors": str(_counted(run, "error")),
        "skipped": str(skipped),
        "time": f"{run.duration_ms / 1000.0:.3f}",
    })
    props = ET.SubElement(suite, "properties")
    fp = run.fingerprint
    for name, value in (("python", fp.python), ("rspp", fp.rspp),
                        ("lockSha256", fp.lock_sha256 or ""), ("platform", fp.platform),
                        ("evidence", run.evidence), ("budgets", run.budgets or "")):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for g in run.gates:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"rspp.gates.{run.manifest_id}", "name": g.id,
            "time": f"{g.duration_ms / 1000.0:.3f}"})
        if g.status == "skipped":
            ET.SubElement(case, "skipped", {"message": _message(g)})
        elif g.status != "pass" and not g.required:
            node = ET.SubElement(case, "skipped", {"message": _optional_message(g)})
            node.text = "\n".join(g.reasons)
        elif g.status != "pass":
            tag = "failure" if g.status == "fail" else "error"
            node = ET.SubElement(case, tag, {"message": _message(g), "type": g.type})
            node.text = "\n".join(g.reasons)
        out = [f"{m.metric}: measured {_shown(m.measured)}, {_op(m)} {_shown(m.threshold)} "
               f"({m.origin}) {'ok' if m.ok else 'NOT MET'}" for m in g.measures]
        out += list(g.history)
        out += [f"{log.stream} of attempt {log.attempt}: sha256:{log.sha256} ({log.size} bytes)"
                for log in g.logs]
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _shown(value: float | None) -> str:
    n = _number(value)
    return "-" if n is None else str(n)


def _op(m: Measure) -> str:
    return "<=" if m.direction == "max" else ">="


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _result(g: GateResult) -> str:
    return {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**",
            "skipped": "skipped"}[g.status]


def _versus(g: GateResult) -> str:
    parts = [f"{m.metric} {_shown(m.measured)} {_op(m)} {_shown(m.threshold)}"
             + ("" if m.ok else " ✗") for m in g.measures
             if m.origin == "manifest" or not m.ok]
    if g.attempts > 1 or g.logs:
        parts.append(f"{g.attempts} attempt(s)")
    return "; ".join(parts) or "-"


def to_markdown(run: GateRun) -> str:
    """The Markdown summary (see the module doc)."""
    verdict = "passed" if run.passed else "FAILED"
    lines = [f"## rspp gates: {run.manifest} {verdict}", "",
             "| gate | type | required | result | measured vs threshold |",
             "| --- | --- | --- | --- | --- |"]
    for g in run.gates:
        lines.append(f"| {_cell(g.id)} | {g.type} | {'yes' if g.required else 'no'} | "
                     f"{_result(g)} | {_cell(_versus(g))} |")
    failing = [g for g in run.gates if g.status != "pass"]
    for g in failing:
        optional = " (optional)" if not g.required else ""
        lines += ["", f"### {g.id}: {g.status}{optional}", ""]
        lines += [f"- {_cell(r)}" for r in g.reasons]
    fp = run.fingerprint
    lines += ["", f"Evidence: {run.evidence}. Budgets: {run.budgets or 'none (no bundle)'}.",
              f"Environment: Python {fp.python}, rspp {fp.rspp}, "
              f"rspp.lock {('sha256:' + fp.lock_sha256[:12]) if fp.lock_sha256 else 'absent'}, "
              f"{fp.platform}.", ""]
    return "\n".join(lines)
