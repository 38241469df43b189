"""The skew and deprecation cases (tests/compat/skew_cases.py) through `rspp check`, the
gate CI runs: every violation the issue tried as a release engineer now fails it (or warns,
for the two warning codes), at the same place the library reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compat.skew_cases import DEPRECATION_CASES, SKEW_CASES, Case, apply
from tests.helpers.cli import TODAY, rspp

WARNINGS = frozenset({"SKW008", "DEP002"})


@pytest.mark.parametrize("case", SKEW_CASES + DEPRECATION_CASES, ids=lambda c: c.name)
def test_check_reports_the_case(capsys: pytest.CaptureFixture[str], examples: Path,
                                case: Case) -> None:
    apply(examples, case.changes)
    today = case.today.isoformat() if case.today is not None else TODAY
    run = rspp(capsys, "check", "--root", str(examples), "--today", today, "--format", "json")
    assert run.err == ""
    found = {f"{f['path']}:{f['line']}:{f['column']} {f['code']}"
             for f in json.loads(run.out)["findings"]}
    assert set(case.expected) <= found, sorted(set(case.expected) - found)
    errors = [line for line in case.expected if line.rsplit(" ", 1)[1] not in WARNINGS]
    if errors:
        assert run.code == 1
