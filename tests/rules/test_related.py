"""Findings that compare two places name the other side too."""

from __future__ import annotations

from pathlib import Path

from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers.repos import build_case_repo

CASES = Path(__file__).parent / "cases"


def test_module_interface_mismatch_names_the_interface(tmp_path: Path) -> None:
    repo = build_case_repo(CASES / "TYP001" / "module_interface_mismatch", tmp_path / "repo")
    [finding] = validate(ValidateOptions(root=repo)).findings
    assert finding.code == "TYP001"
    assert [(r.path, r.line, r.col, r.message) for r in finding.related] == [
        ("pipelines/modules/clean.yaml", 8, 14, "interface input 'text' of module clean@1.0.0")]
