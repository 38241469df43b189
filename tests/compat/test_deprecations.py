"""Dated deprecations (rspp.compat.deprecations): the cases of skew_cases fire exactly on the
day they pin, the window's boundary days, the examples, and the target grammar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rspp.compat.contract import Contract, active_contract
from rspp.compat.deprecations import check_deprecations, matches, scalar_text
from rspp.core.findings import Finding
from rspp.core.jsontypes import JsonValue
from rspp.model.artifact import Index
from rspp.rules.compat import (
    AbiTarget,
    ArtifactTarget,
    NodeTypeTarget,
    ParamTarget,
    Target,
    parse_target,
)
from tests.compat.skew_cases import (
    DEP_BASELINE,
    DEPRECATION_CASES,
    NOVA_2,
    Case,
    apply,
)
from tests.helpers.files import edit
from tests.helpers.repos import CONTRACT, SIP_SPEC
from tests.helpers.resolve import load_index

DAY = dt.date(2026, 11, 30)


def _deprecations(root: Path, today: dt.date) -> list[Finding]:
    report, index = load_index(root)
    assert [f"{f.location()} {f.code}" for f in report.findings] == []
    return check_deprecations(index, active_contract(index), today)


def _lines(found: list[Finding]) -> list[str]:
    return sorted(f"{f.location()} {f.code}" for f in found)


@pytest.mark.parametrize("case", DEPRECATION_CASES, ids=lambda c: c.name)
def test_case_fires_exactly(case: Case, examples: Path) -> None:
    assert case.today is not None
    apply(examples, case.changes)
    assert _lines(_deprecations(examples, case.today)) == sorted(case.expected)


def test_examples_have_no_errors_on_the_review_day(example_index: Index) -> None:
    found = check_deprecations(example_index, active_contract(example_index), DAY)
    assert [(f.location(), f.code, f.message) for f in found] == [(
        DEP_BASELINE, "DEP002",
        "event ABI 1.0.0 is deprecated and removed after 2027-04-01; use event ABI 1.1.0")]
    assert [(r.path, r.line, r.message) for r in found[0].related] == [
        (CONTRACT, 54, "deprecation of event ABI 1.0.0")]


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 9, 30), []),  # the day before since
    (dt.date(2026, 10, 1), ["DEP002"]),  # since
    (dt.date(2027, 4, 1), ["DEP002"]),  # removeAfter: still inside the window
    (dt.date(2027, 4, 2), ["DEP001"]),  # the day after
])
def test_event_abi_window_boundaries(example_index: Index, today: dt.date,
                                     expected: list[str]) -> None:
    found = check_deprecations(example_index, active_contract(example_index), today)
    assert [(f.location(), f.code) for f in found] == [(DEP_BASELINE, c) for c in expected]


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 5, 31), None),
    (dt.date(2026, 6, 1), "DEP002"),
    (dt.date(2026, 12, 31), "DEP002"),
    (dt.date(2027, 1, 1), "DEP001"),
])
def test_parameter_value_window_boundaries(examples: Path, today: dt.date,
                                           expected: str | None) -> None:
    apply(examples, NOVA_2)
    found = [f for f in _deprecations(examples, today) if f.path == SIP_SPEC]
    assert [(f.line, f.col, f.code) for f in found] == \
        ([(73, 16, expected)] if expected else [])


def test_removed_parameter_value_message(examples: Path) -> None:
    apply(examples, NOVA_2)
    found = [f for f in _deprecations(examples, dt.date(2027, 1, 1)) if f.path == SIP_SPEC]
    assert [(f.pointer, f.message) for f in found] == [(
        "/spec/nodes/3/params/model",
        "parameter value stt.deepgram params.model=nova-2 was removed after 2026-12-31; use "
        "stt.deepgram params.model=nova-3")]


def test_default_value_says_where_it_comes_from(examples: Path) -> None:
    apply(examples, DEPRECATION_CASES[2].changes)
    found = [f for f in _deprecations(examples, DAY)
             if f.path == "pipelines/bundles/sip_telephony_bundle.yaml" and f.code == "DEP002"]
    assert [(f.pointer, f.message) for f in found] == [(
        "/spec/pins/0/ref",
        "parameter value turn.detector params.min_endpointing_delay=0.4 (the value comes from "
        "defaults: node turn, node default for turn.detector in profile low_latency/v1@1.0.0) "
        "is deprecated and removed after 2027-01-01; use the new one")]


def test_entries_that_do_not_parse_are_skipped(examples: Path) -> None:
    edit(examples, CONTRACT, "    - target: event ABI 1.0.0\n", "    - target: event ABI one\n")
    edit(examples, CONTRACT, 'since: "2026-06-01"', 'since: "2026-02-30"')
    apply(examples, NOVA_2)
    report, index = load_index(examples)
    assert sorted(f.code for f in report.findings) == ["CMP001", "CMP003"]
    assert check_deprecations(index, active_contract(index), dt.date(2027, 6, 1)) == []


def test_no_contract_no_deprecations(example_index: Index) -> None:
    assert check_deprecations(example_index, Contract(None), dt.date(2030, 1, 1)) == []


@pytest.mark.parametrize(("text", "parsed"), [
    ("event ABI 1.0.0", AbiTarget("1.0.0")),
    ("event ABI 1.0.0-rc.1", AbiTarget("1.0.0-rc.1")),
    ("stt.deepgram", NodeTypeTarget("stt.deepgram")),
    ("router", NodeTypeTarget("router")),
    ("stt.deepgram params.model=nova-2", ParamTarget("stt.deepgram", "model", "nova-2")),
    ("vad.silero params.activation_threshold=0.5",
     ParamTarget("vad.silero", "activation_threshold", "0.5")),
    ("PipelineBundle/voice@1.0.0", ArtifactTarget("PipelineBundle", "voice", "1.0.0")),
    ("ExecutionProfile/simple/v1@1.0.0", ArtifactTarget("ExecutionProfile", "simple/v1", "1.0.0")),
    ("event ABI 1.0", None),
    ("Event ABI 1.0.0", None),
    ("stt.deepgram params.model=", None),
    ("stt.deepgram model=nova-2", None),
    ("Widget/voice@1.0.0", None),
    ("PipelineBundle/voice", None),
    ("PipelineBundle/voice@1.0.0#sha256:" + "0" * 64, None),
    ("PipelineSpec.spec.nodes.params.legacy", None),
])
def test_target_grammar(text: str, parsed: Target | None) -> None:
    assert parse_target(text) == parsed
    if parsed is not None:
        assert parse_target(str(parsed).removeprefix("node type ")) == parsed


@pytest.mark.parametrize(("value", "text"), [
    ("nova-2", "nova-2"), (0.5, "0.5"), (25, "25"), (True, "true"), (None, "null"),
    (["a"], None), ({"a": 1}, None),
])
def test_scalar_text(value: JsonValue, text: str | None) -> None:
    assert scalar_text(value) == text


def test_versions_match_by_identity() -> None:
    target = ArtifactTarget("PipelineBundle", "voice", "1.0.0")
    assert matches(target, ArtifactTarget("PipelineBundle", "voice", "1.0.0+build.7"))
    assert not matches(target, ArtifactTarget("PipelineSpec", "voice", "1.0.0"))
    assert not matches(target, ArtifactTarget("PipelineBundle", "voice", "1.0.1"))
    assert matches(AbiTarget("1.0.0"), AbiTarget("1.0.0+x"))
    assert not matches(AbiTarget("1.0.0"), NodeTypeTarget("stt.deepgram"))
    assert not matches(ParamTarget("a", "b", "c"), ParamTarget("a", "b", "d"))
