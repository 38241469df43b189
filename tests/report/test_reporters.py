"""Reporters: exact-text golden files for every format; SARIF valid against SARIF 2.1.0.

Regenerate the golden files after an intended change with RSPP_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rspp.report import REPORTERS
from rspp.report.result import Report
from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers import GOLDEN
from tests.helpers.repos import artifact_count
from tests.helpers.sarif import sarif_validator

GOLDEN_REPORT = GOLDEN / "report"


def _broken(repo: Path) -> Report:
    spec = repo / "pipelines/specs/agent.yaml"
    text = spec.read_text()
    text = text.replace("to: llm.turn}", "to: llm.tern}")
    text = text.replace("{from: llm.text, to: tts.text}",
                        "{from: llm.text, to: tts.text}\n    - {from: clean.text, to: tts.text}")
    spec.write_text(text)
    # A warning beside the errors: a gates manifest outside the folder for its kind (ENV003).
    (repo / "pipelines/tests/gates.yaml").rename(repo / "pipelines/specs/gates.yaml")
    return validate(ValidateOptions(root=repo))


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_report_matches_golden(base_repo: Path, fmt: str) -> None:
    rendered = REPORTERS[fmt](_broken(base_repo))
    golden = GOLDEN_REPORT / f"{fmt}.txt"
    if os.environ.get("RSPP_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_clean_report(base_repo: Path, fmt: str) -> None:
    rendered = REPORTERS[fmt](validate(ValidateOptions(root=base_repo)))
    if fmt in ("text", "github"):
        assert rendered == f"{artifact_count(base_repo)} files checked: no findings\n"
    else:
        assert json.loads(rendered)


def test_sarif_is_valid_sarif_2_1_0(base_repo: Path) -> None:
    doc = json.loads(REPORTERS["sarif"](_broken(base_repo)))
    sarif_validator().validate(doc)
    results = doc["runs"][0]["results"]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert {r["ruleId"] for r in results} == {r["id"] for r in rules}
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert all(r["help"]["text"] and r["help"]["markdown"] for r in rules)
