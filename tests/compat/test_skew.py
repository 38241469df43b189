"""Version skew (rspp.compat.skew): each case of skew_cases fires exactly, the examples stay
quiet but for their one warning, and the checks against the policy need a policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.compat.contract import active_contract
from rspp.compat.skew import Window, check_skew, parse_line, window
from rspp.core.findings import Finding
from rspp.model.artifact import Index
from tests.compat.skew_cases import (
    LIVEKIT_09,
    ROLLOUT,
    SKEW_BASELINE,
    SKEW_CASES,
    Case,
    apply,
)
from tests.helpers.files import edit
from tests.helpers.repos import CONTRACT, SIP_BUNDLE
from tests.helpers.resolve import findings, get, load_index

_RUNTIME_POLICY = "    runtime:\n      maxMajorBehind: 0\n      maxMinorBehind: 2\n" \
                  "      maxMinorAhead: 0\n"


def _skew(root: Path) -> list[Finding]:
    report, index = load_index(root)
    assert [f"{f.location()} {f.code}" for f in report.findings if f.is_error] == []
    return check_skew(index, active_contract(index))


def _lines(found: list[Finding]) -> list[str]:
    return sorted(f"{f.location()} {f.code}" for f in found)


@pytest.mark.parametrize("case", SKEW_CASES, ids=lambda c: c.name)
def test_case_fires_exactly(case: Case, examples: Path) -> None:
    apply(examples, case.changes)
    report, index = load_index(examples)
    assert [f"{f.location()} {f.code}" for f in report.findings] == list(case.validation)
    assert _lines(check_skew(index, active_contract(index))) == sorted(case.expected)


def test_examples_give_only_the_rollback_warning(example_index: Index) -> None:
    found = check_skew(example_index, active_contract(example_index))
    assert _lines(found) == sorted(SKEW_BASELINE)
    assert [f.message for f in found] == [
        "runtime line(s) 1.6 of livekit_voice_assistant_bundle@1.0.0 cannot roll back to "
        "livekit_voice_assistant_bundle@0.9.0 (1.3.0 .. 1.5.0); widen the target's window or "
        "choose another target"]
    assert [(r.path, r.line) for r in found[0].related] == [
        ("pipelines/bundles/livekit_voice_assistant_bundle.json", 119),
        (LIVEKIT_09, 69)]


def test_rollback_covering_the_window_is_quiet(examples: Path) -> None:
    edit(examples, LIVEKIT_09, 'minRuntime: "1.3.0"\n    maxRuntime: "1.5.0"',
         'minRuntime: "1.4.0"\n    maxRuntime: "1.6.0"')
    assert _skew(examples) == []


def test_window_finding_points_at_the_policy(examples: Path) -> None:
    edit(examples, SIP_BUNDLE, 'maxRuntime: "1.6.0"', 'maxRuntime: "1.7.0"')
    wide = [f for f in _skew(examples) if f.code == "SKW001"]
    assert [(f.pointer, f.message) for f in wide] == [(
        "/spec/compatibility/maxRuntime",
        "the runtime window 1.4.0 .. 1.7.0 spans 3 minor versions; the runtime skew policy "
        "allows 2 (maxMinorBehind 2 + maxMinorAhead 0): narrow the window")]
    assert [(r.path, r.line, r.message) for r in wide[0].related] == [
        (CONTRACT, 41, "runtime.maxMinorBehind of the skew policy"),
        (CONTRACT, 42, "runtime.maxMinorAhead of the skew policy")]


def test_open_ended_window_says_so(examples: Path) -> None:
    edit(examples, SIP_BUNDLE, '    maxRuntime: "1.6.0"\n', "")
    wide = [f for f in _skew(examples) if f.code == "SKW001"]
    assert len(wide) == 1 and "has no maxRuntime, so it is open-ended" in wide[0].message


def test_window_inside_the_policy_is_quiet(examples: Path) -> None:
    edit(examples, SIP_BUNDLE, 'minRuntime: "1.4.0"\n    maxRuntime: "1.6.0"',
         'minRuntime: "1.5.0"\n    maxRuntime: "1.5.3"')
    assert _lines(_skew(examples)) == sorted(SKEW_BASELINE)


def test_a_major_allowance_admits_a_window_across_a_major(examples: Path) -> None:
    edit(examples, CONTRACT, "      maxMajorBehind: 0\n      maxMinorBehind: 2",
         "      maxMajorBehind: 1\n      maxMinorBehind: 2")
    edit(examples, SIP_BUNDLE, 'maxRuntime: "1.6.0"', 'maxRuntime: "2.0.0"')
    assert _lines(_skew(examples)) == sorted(SKEW_BASELINE)
    edit(examples, SIP_BUNDLE, 'maxRuntime: "2.0.0"', 'maxRuntime: "3.0.0"')
    assert _lines(_skew(examples)) == sorted((f"{SIP_BUNDLE}:95:17 SKW001", *SKEW_BASELINE))


def test_without_a_runtime_policy_the_policy_checks_are_quiet(examples: Path) -> None:
    edit(examples, CONTRACT, _RUNTIME_POLICY, "")
    edit(examples, SIP_BUNDLE, '    maxRuntime: "1.6.0"\n', "")
    edit(examples, ROLLOUT, "maxRuntimeSkewMinor: 1", "maxRuntimeSkewMinor: 10")
    assert _lines(_skew(examples)) == sorted(SKEW_BASELINE)


def test_without_a_contract_only_the_bundle_checks_remain(examples: Path) -> None:
    for path in sorted((examples / "compat").glob("version_skew_policy*.yaml")):
        path.unlink()
    edit(examples, SIP_BUNDLE, 'minRuntime: "1.4.0"', 'minRuntime: "1.7.0"')
    edit(examples, SIP_BUNDLE, 'eventAbi: "1.1.0"', 'eventAbi: "9.0.0"')
    edit(examples, ROLLOUT, "maxRuntimeSkewMinor: 1", "maxRuntimeSkewMinor: 10")
    assert _lines(_skew(examples)) == sorted((f"{SIP_BUNDLE}:94:17 SKW002", *SKEW_BASELINE))


def test_admission_default_counts(examples: Path) -> None:
    edit(examples, CONTRACT, "      maxMinorBehind: 2\n      maxMinorAhead: 0\n    # The control",
         "      maxMinorBehind: 0\n      maxMinorAhead: 2\n    # The control")
    edit(examples, ROLLOUT, "    maxRuntimeSkewMinor: 1\n", "")
    skew = [f for f in _skew(examples) if f.code == "SKW006"]
    assert [(f.line, f.message) for f in skew] == [(
        33, "admission allows 1 minor version(s) of runtime skew (the default); the runtime "
            "skew policy allows 0 (maxMinorBehind): lower maxRuntimeSkewMinor to at most 0")]


def test_open_ended_bundle_names_the_lines_after_the_target(examples: Path) -> None:
    edit(examples, CONTRACT, _RUNTIME_POLICY, "")
    edit(examples, "pipelines/bundles/livekit_voice_assistant_bundle.json",
         '"maxRuntime": "1.6.0",', "")
    found = _skew(examples)
    assert _lines(found) == sorted(SKEW_BASELINE)
    assert "1.6, every line after 1.5 of livekit_voice_assistant_bundle@1.0.0" in \
        found[0].message


def test_lines_of_a_window(example_index: Index) -> None:
    bundle = get(example_index, "PipelineBundle", "sip_telephony_bundle@1.0.0")
    win = window(bundle)
    assert win is not None
    known = [(1, 3), (1, 9), (2, 0), (2, 4), (3, 0)]
    assert win.lines(known) == [(1, 4), (1, 5), (1, 6)]
    across = Window(bundle, win.lo, win.lo.replace(major=2, minor=1), "1.1.0")
    assert across.lines(known) == [(1, 4), (1, 9), (2, 0), (2, 1)]
    open_end = Window(bundle, win.lo, None, "1.1.0")
    assert open_end.lines(known) == [(1, 4), (1, 9), (2, 0), (2, 4), (3, 0)]
    assert open_end.overlap(across) == Window(bundle, win.lo, across.hi, "1.1.0")
    assert [parse_line(t) for t in ("1.4", "01.4", "1.4.0", "x")] == [(1, 4), None, None, None]


def test_findings_are_listed_once(examples: Path) -> None:
    report, index = load_index(examples)
    assert findings(report) == []
    twice = check_skew(index, active_contract(index))
    assert len(set(twice)) == len(twice)
