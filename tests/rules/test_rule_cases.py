"""Every rule has fixture cases that make it fire at exact places; the base stays quiet.

A case is tests/rules/cases/<CODE>/<name>/: files laid over tests/rules/base, plus
expected.txt with one `path:line:col CODE` per expected finding (all findings, not only CODE).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.resolve.gate import validate
from rspp.rules.registry import all_rules
from rspp.validate.engine import ValidateOptions
from tests.helpers import RULE_BASE
from tests.helpers.repos import artifact_count, build_case_repo

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.glob("*/*") if p.is_dir())


def _expected(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_fires_exactly(case: Path, tmp_path: Path) -> None:
    repo = build_case_repo(case, tmp_path / "repo")
    result = validate(ValidateOptions(root=repo))
    got = sorted(f"{f.location()} {f.code}" for f in result.findings)
    assert got == _expected(case)
    assert any(line.endswith(" " + case.parent.name) for line in got), "case must fire its rule"


def test_base_repository_is_quiet() -> None:
    result = validate(ValidateOptions(root=RULE_BASE, cache=False))  # no work area in the tree
    assert [f.location() + " " + f.code for f in result.findings] == []
    assert len(result.files) == artifact_count(RULE_BASE)


LOADER_CODES = {r.code for r in all_rules() if r.emitted_by == "loader"}
# Emitted by the library API (tests/resolve, tests/plan), `rspp fmt` (tests/fmt),
# `rspp check` / `rspp lock` / git access (tests/check), or the compatibility gate
# (tests/compat), or publishing and verifying (tests/release); the trace checker's codes have
# their cases under tests/replay/cases (tests/replay/test_trace_cases.py).
API_CODES = {r.code for r in all_rules()
             if r.emitted_by in ("api", "fmt", "check", "lock", "git", "cli", "compat", "release",
                                 "trace")}


def test_every_rule_has_a_firing_case() -> None:
    covered = {p.parent.name for p in CASES}
    missing = sorted(r.code for r in all_rules() if r.code not in covered | LOADER_CODES | API_CODES)
    assert missing == []
