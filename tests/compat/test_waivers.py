"""Waivers (compat/waivers.yaml): which findings they accept, and the errors a waiver list
itself can hold (WVR001-WVR006). The findings waived are made with a code of the
compatibility gate taken from the catalogue, as the gate would make them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from rspp.compat.waivers import Target, apply_waivers, waivable
from rspp.core.findings import Finding, Severity, Waived
from rspp.core.sink import finding
from rspp.model.artifact import Index
from rspp.report.result import Report
from tests.helpers.cli import rspp, rspp_process
from tests.helpers.files import read
from tests.helpers.resolve import findings, load_index
from tests.helpers.waivers import GATE_CODES, GATE_ERROR, WAIVERS, waiver, write_waivers

SPEC = "pipelines/specs/agent.yaml"  # PipelineSpec agent@1.0.0 in the rule base
TODAY = dt.date(2026, 6, 1)
EVERY = frozenset(GATE_CODES)


def _index(repo: Path) -> Index:
    result, index = load_index(repo)
    assert findings(result) == []
    return index


def _bump(path: str = SPEC, *, code: str = GATE_ERROR, subject: str = "",
          message: str = "the bump is too small") -> Finding:
    return finding(code, path, 5, 12, message, pointer="/metadata/version", subject=subject)


def _run(repo: Path, found: list[Finding], *, today: dt.date = TODAY,
         emitted: frozenset[str] = EVERY) -> list[Finding]:
    return apply_waivers(found, _index(repo), today, emitted=emitted)


def _codes(found: list[Finding]) -> list[str]:
    return [f"{f.location()} {f.code}" for f in found if f.code.startswith("WVR")]


def test_the_gate_has_a_code_to_waive() -> None:
    assert GATE_ERROR in GATE_CODES
    assert waivable(GATE_ERROR)
    assert not waivable("DAG001") and not waivable("WVR002") and not waivable("ZZZ999")


# ---------------------------------------------------------------- what a waiver accepts
def test_a_waiver_accepts_the_finding_in_its_artifacts_file(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(link="https://tracker.acme.example/REL-7"))
    [out] = _run(base_repo, [_bump()])
    assert out.waiver == Waived("release@acme.example", "accepted for the 1.0 launch",
                                "2027-01-31", "https://tracker.acme.example/REL-7", WAIVERS,
                                8, 7)
    assert out.code == GATE_ERROR and out.severity is Severity.ERROR
    assert out.location() == f"{SPEC}:5:12" and out.message == "the bump is too small"
    assert not out.is_error


def test_a_waiver_accepts_a_finding_about_its_version_placed_elsewhere(base_repo: Path) -> None:
    write_waivers(base_repo, waiver("agent@0.9.0"))
    gone = _bump("rspp.lock", subject="PipelineSpec/agent@0.9.0")
    [out] = _run(base_repo, [gone])
    assert out.waiver is not None and out.subject == "PipelineSpec/agent@0.9.0"


def test_the_subject_not_the_file_decides(base_repo: Path) -> None:
    """A finding in agent@1.0.0's file about agent@0.9.0 is not agent@1.0.0's."""
    write_waivers(base_repo, waiver("agent@1.0.0"))
    out = _run(base_repo, [_bump(subject="PipelineSpec/agent@0.9.0")])
    assert out[0].waiver is None
    assert _codes(out) == [f"{WAIVERS}:8:7 WVR002"]


@pytest.mark.parametrize("named", ["PipelineSpec/agent@1.0.0", "agent@1.0.0+build.7"])
def test_kind_and_build_metadata(base_repo: Path, named: str) -> None:
    write_waivers(base_repo, waiver(named))
    [out] = _run(base_repo, [_bump()])
    assert out.waiver is not None


@pytest.mark.parametrize("named", ["Module/agent@1.0.0", "agent@1.0.1", "clean@1.0.0",
                                   "agent@1.0.0-rc.1"])
def test_another_kind_id_or_version_is_not_accepted(base_repo: Path, named: str) -> None:
    write_waivers(base_repo, waiver(named))
    out = _run(base_repo, [_bump()])
    assert out[0].waiver is None and out[0].is_error
    # clean@1.0.0 exists (a module): unused; the others name nothing the repository has.
    assert _codes(out) == ([f"{WAIVERS}:8:7 WVR002"] if named == "clean@1.0.0"
                           else [f"{WAIVERS}:9:17 WVR006"])


def test_one_waiver_accepts_every_finding_of_its_rule_on_its_version(base_repo: Path) -> None:
    write_waivers(base_repo, waiver())
    two = [_bump(message="first"), _bump(message="second")]
    out = _run(base_repo, two)
    assert [f.waiver is not None for f in out] == [True, True]


def test_a_finding_of_another_rule_is_not_accepted(base_repo: Path) -> None:
    write_waivers(base_repo, waiver())
    other = finding("DAG001", SPEC, 5, 12, "a validation error")
    out = _run(base_repo, [_bump(), other], emitted=EVERY | {"DAG001"})
    assert out[1] == other
    assert [f.waiver is not None for f in out] == [True, False]


def test_applying_twice_changes_nothing(base_repo: Path) -> None:
    """A finding already waived keeps its waiver, which counts as used."""
    write_waivers(base_repo, waiver())
    once = _run(base_repo, [_bump()])
    assert _run(base_repo, once) == once


def test_a_waived_error_does_not_fail_the_report(base_repo: Path) -> None:
    write_waivers(base_repo, waiver())
    report = Report.of_document(base_repo, SPEC, _run(base_repo, [_bump()]))
    assert (report.errors, report.warnings, report.waived, report.failed) == (0, 0, 1, False)
    bare = Report.of_document(base_repo, SPEC, [_bump()])
    assert (bare.errors, bare.waived, bare.failed) == (1, 0, True)


def test_deterministic(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(), waiver("clean@1.0.0"), waiver(rule="DAG001"),
                  waiver(expires="2020-01-01", artifact="agent@2.0.0"))
    found = [_bump(message="b"), _bump(message="a"), _bump("rspp.lock", subject="Module/x@1.0.0")]
    first = _run(base_repo, found)
    assert _run(base_repo, found) == first
    assert sorted(_run(base_repo, found[::-1]), key=Finding.sort_key) == \
        sorted(first, key=Finding.sort_key)


# ---------------------------------------------------------------- WVR001: expired
def test_wvr001_an_expired_waiver_is_an_error_and_accepts_nothing(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(expires="2026-05-31"))
    out = _run(base_repo, [_bump()])
    assert out[0].waiver is None and out[0].is_error
    assert _codes(out) == [f"{WAIVERS}:12:16 WVR001"]  # at its expires; not also WVR002
    assert "expired on 2026-05-31" in out[1].message and out[1].pointer == \
        "/spec/waivers/0/expires"


def test_wvr001_quiet_through_the_expiry_day(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(expires="2026-06-01"))
    out = _run(base_repo, [_bump()])
    assert _codes(out) == [] and out[0].waiver is not None


# ---------------------------------------------------------------- WVR002: unused
def test_wvr002_a_waiver_that_accepts_nothing(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(), waiver("clean@1.0.0"))
    out = _run(base_repo, [_bump()])
    assert _codes(out) == [f"{WAIVERS}:13:7 WVR002"]
    assert out[-1].pointer == "/spec/waivers/1"
    assert out[-1].message == f"waiver for {GATE_ERROR} on clean@1.0.0 accepts no finding; " \
        "delete it"


def test_wvr002_quiet_when_the_command_does_not_check_the_rule(base_repo: Path) -> None:
    write_waivers(base_repo, waiver("clean@1.0.0"))
    assert _run(base_repo, [], emitted=frozenset(GATE_CODES) - {GATE_ERROR}) == []


def test_no_waivers_no_findings(base_repo: Path) -> None:
    write_waivers(base_repo)
    assert _run(base_repo, [_bump()]) == [_bump()]


def test_a_schema_invalid_waiver_list_is_not_read(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(owner=""))
    result, index = load_index(base_repo)
    assert [f.code for f in result.findings] == ["SCH001"]
    assert apply_waivers([_bump()], index, TODAY, emitted=EVERY) == [_bump()]


# ---------------------------------------------------------------- WVR003: rule
@pytest.mark.parametrize(("rule", "why"), [
    ("ZZZ999", "is not a code rspp reports"),
    ("DAG001", "cannot be waived"),
    ("WVR002", "cannot be waived"),
])
def test_wvr003_a_rule_that_cannot_be_waived(base_repo: Path, rule: str, why: str) -> None:
    write_waivers(base_repo, waiver(rule=rule))
    out = _run(base_repo, [finding("DAG001", SPEC, 5, 12, "a validation error"), _bump()],
               emitted=EVERY | {"DAG001", "WVR002"})
    assert [f.waiver for f in out[:2]] == [None, None]
    assert _codes(out) == [f"{WAIVERS}:8:13 WVR003"]
    assert why in out[2].message and out[2].pointer == "/spec/waivers/0/rule"


def test_wvr003_quiet_for_a_gate_code(base_repo: Path) -> None:
    write_waivers(base_repo, waiver())
    assert _codes(_run(base_repo, [_bump()])) == []


# ---------------------------------------------------------------- WVR004: duplicate
@pytest.mark.parametrize("second", ["agent@1.0.0", "PipelineSpec/agent@1.0.0",
                                    "agent@1.0.0+b"])
def test_wvr004_two_waivers_for_one_rule_and_version(base_repo: Path, second: str) -> None:
    write_waivers(base_repo, waiver(), waiver(second, owner="someone-else@acme.example"))
    out = _run(base_repo, [_bump()])
    assert out[0].waiver is not None and out[0].waiver.owner == "release@acme.example"
    assert _codes(out) == [f"{WAIVERS}:13:7 WVR004"]
    assert [r.line for r in out[1].related] == [8]


def test_wvr004_quiet_for_other_versions_and_kinds(base_repo: Path) -> None:
    write_waivers(base_repo, waiver("PipelineSpec/agent@1.0.0"), waiver("Module/agent@1.0.0"),
                  waiver("agent@1.0.1"))
    out = _run(base_repo, [_bump()], emitted=frozenset())
    assert [c for c in _codes(out) if c.endswith("WVR004")] == []


# ---------------------------------------------------------------- WVR005: calendar date
def test_wvr005_an_expiry_that_is_not_a_day(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(expires="2027-02-30"))
    out = _run(base_repo, [_bump()])
    assert out[0].waiver is None
    assert _codes(out) == [f"{WAIVERS}:12:16 WVR005"]


def test_wvr005_quiet_for_a_leap_day(base_repo: Path) -> None:
    write_waivers(base_repo, waiver(expires="2028-02-29"))
    assert _codes(_run(base_repo, [_bump()])) == []


# ---------------------------------------------------------------- WVR006: no such version
def test_wvr006_a_waiver_for_a_version_the_repository_lacks(base_repo: Path) -> None:
    write_waivers(base_repo, waiver("agent@9.9.9"), waiver("nosuch@1.0.0"))
    out = _run(base_repo, [_bump()])
    assert out[0].waiver is None
    assert _codes(out) == [f"{WAIVERS}:9:17 WVR006", f"{WAIVERS}:14:17 WVR006"]


def test_wvr006_quiet_for_a_deleted_version_a_finding_is_about(base_repo: Path) -> None:
    write_waivers(base_repo, waiver("PipelineSpec/gone@1.0.0"))
    [out] = [f for f in _run(base_repo, [_bump(subject="PipelineSpec/gone@1.0.0")])
             if not f.code.startswith("WVR")]
    assert out.waiver is not None


# ---------------------------------------------------------------- the schema
def test_target_parse() -> None:
    assert Target.parse("low_latency/v1@1.0.0+b") == Target(None, "low_latency/v1", "1.0.0")
    assert Target.parse("ExecutionProfile/low_latency/v1@1.0.0") == \
        Target("ExecutionProfile", "low_latency/v1", "1.0.0")


@pytest.mark.parametrize("field", ["owner", "reason", "expires"])
def test_a_waiver_without_owner_reason_or_expiry_is_an_error(
        base_repo: Path, capsys: pytest.CaptureFixture[str], field: str) -> None:
    entry = waiver()
    del entry[field]
    write_waivers(base_repo, entry)
    run = rspp(capsys, "validate", "--root", str(base_repo), "--format", "json")
    assert run.code == 1
    assert read_findings(run.out) == \
        f"{WAIVERS} SCH001 missing required key '{field}' at /spec/waivers/0"


def read_findings(out: str) -> str:
    doc = json.loads(out)
    return "\n".join(f"{f['path']} {f['code']} {f['message']}" for f in doc["findings"])


@pytest.mark.slow
def test_python_m_rspp_validate_refuses_an_incomplete_waiver(base_repo: Path) -> None:
    entry = waiver()
    del entry["owner"], entry["expires"]
    write_waivers(base_repo, entry)
    run = rspp_process("validate", "--root", base_repo, module=True)
    assert run.code == 1, run.err
    assert f"{WAIVERS}:8:7 SCH" in run.out and "'owner'" in run.out and "'expires'" in run.out
    assert read(base_repo, WAIVERS).count("rule:") == 1
