"""A waived finding in every report format: a notice that keeps its code, with the waiver's
owner, reason, expiry and place (text, GitHub: exact text; JSON: the waiver object; SARIF: an
external, accepted suppression, valid against SARIF 2.1.0). Findings without a waiver render
as before (tests/report/test_reporters.py holds those golden files)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from rspp.compat.waivers import apply_waivers
from rspp.core.sink import finding
from rspp.report import REPORTERS
from rspp.report.result import Report
from tests.helpers.resolve import findings, load_index
from tests.helpers.sarif import sarif_validator
from tests.helpers.waivers import GATE_CODES, GATE_ERROR, WAIVERS, waiver, write_waivers

SPEC = "pipelines/specs/agent.yaml"
LINK = "https://tracker.acme.example/REL-7"
C = GATE_ERROR


def _report(repo: Path, *, reason: str = "accepted for the 1.0 launch",
            unused: bool = True) -> Report:
    """The rule base with one waived error in the spec and, when ``unused``, a second waiver
    that accepts nothing (WVR002)."""
    extra = [waiver("clean@1.0.0")] if unused else []
    write_waivers(repo, waiver(link=LINK, reason=reason), *extra)
    result, index = load_index(repo)
    assert findings(result) == []
    bump = finding(C, SPEC, 5, 12, "the bump is too small", pointer="/metadata/version",
                   end_line=5, end_col=19)
    return result.with_findings(apply_waivers([bump], index, dt.date(2026, 6, 1),
                                              emitted=frozenset(GATE_CODES)))


def test_text(base_repo: Path) -> None:
    assert REPORTERS["text"](_report(base_repo)) == f"""\
{WAIVERS}:14:7 WVR002 error: waiver for {C} on clean@1.0.0 accepts no finding; delete it
  14 |     - rule: "{C}"
     |       ^^^^^^^^^^^^^^

{SPEC}:5:12 {C} error: the bump is too small [waived until 2027-01-31 by \
release@acme.example: accepted for the 1.0 launch ({LINK})]
  5 |   version: "1.0.0"
    |            ^^^^^^^

12 files checked: 1 error, 0 warnings, 1 waived
"""


def test_github(base_repo: Path) -> None:
    assert REPORTERS["github"](_report(base_repo)) == f"""\
::error file={WAIVERS},line=14,col=7,title=WVR002::WVR002 waiver for {C} on clean@1.0.0 \
accepts no finding; delete it
::notice file={SPEC},line=5,col=12,endLine=5,endColumn=19,title={C} (waived)::{C} the bump \
is too small [waived until 2027-01-31 by release@acme.example: accepted for the 1.0 launch \
({LINK})]
12 files checked: 1 error, 0 warnings, 1 waived
"""


def test_json(base_repo: Path) -> None:
    doc = json.loads(REPORTERS["json"](_report(base_repo)))
    assert doc["summary"] == {"files": 12, "errors": 1, "warnings": 0, "failed": True,
                              "waived": 1}
    waived = [f for f in doc["findings"] if "waiver" in f]
    assert [f["code"] for f in waived] == [C] and waived[0]["severity"] == "error"
    assert waived[0]["waiver"] == {
        "owner": "release@acme.example", "reason": "accepted for the 1.0 launch",
        "expires": "2027-01-31", "link": LINK, "path": WAIVERS, "line": 8, "column": 7}


def test_sarif(base_repo: Path) -> None:
    doc = json.loads(REPORTERS["sarif"](_report(base_repo)))
    sarif_validator().validate(doc)
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert "suppressions" not in results["WVR002"]
    waived = results[C]
    assert waived["level"] == "error"
    assert waived["suppressions"] == [{
        "kind": "external",
        "status": "accepted",
        "justification": "release@acme.example: accepted for the 1.0 launch (until 2027-01-31)",
        "location": {"physicalLocation": {
            "artifactLocation": {"uri": WAIVERS, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 8, "startColumn": 7}}},
        "properties": {"link": LINK},
    }]


def test_only_waived_errors_do_not_fail(base_repo: Path) -> None:
    report = _report(base_repo, unused=False)
    assert (report.errors, report.warnings, report.waived, report.failed) == (0, 0, 1, False)
    assert json.loads(REPORTERS["json"](report))["summary"]["failed"] is False
    assert REPORTERS["text"](report).endswith("12 files checked: 0 errors, 0 warnings, "
                                              "1 waived\n")


def test_a_subject_is_reported(base_repo: Path) -> None:
    result, _ = load_index(base_repo)
    gone = finding(C, "rspp.lock", 3, 5, "a published version was deleted",
                   subject="PipelineSpec/agent@0.9.0")
    report = result.with_findings([gone])
    assert json.loads(REPORTERS["json"](report))["findings"][0]["subject"] == \
        "PipelineSpec/agent@0.9.0"
    sarif = json.loads(REPORTERS["sarif"](report))
    sarif_validator().validate(sarif)
    assert sarif["runs"][0]["results"][0]["properties"] == {"subject": "PipelineSpec/agent@0.9.0"}


HOSTILE = "line one\nline two \u202eevil\u202c caf\u00e9"


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_a_reason_never_breaks_a_line_or_the_encoding(base_repo: Path, fmt: str) -> None:
    rendered = REPORTERS[fmt](_report(base_repo, reason=HOSTILE))
    assert "\u202e" not in rendered and "\u202c" not in rendered
    if fmt in ("json", "sarif"):
        assert rendered.isascii()
        assert all(line.isprintable() for line in rendered.splitlines())
        if fmt == "sarif":
            sarif_validator().validate(json.loads(rendered))
    else:
        [line] = [x for x in rendered.splitlines() if "waived until" in x]
        assert "line one\\nline two \\u202eevil\\u202c caf\u00e9" in line


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_deterministic(base_repo: Path, fmt: str) -> None:
    first = REPORTERS[fmt](_report(base_repo))
    assert REPORTERS[fmt](_report(base_repo)) == first
