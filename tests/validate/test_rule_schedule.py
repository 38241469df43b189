"""The rules check one artifact after another, next to its neighbours, with a bounded store of
shared analyses (ADR 0019): the findings are exactly those of running each rule over every
artifact in index order, however few analyses are held."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from rspp.core.findings import Finding
from rspp.core.jsontypes import as_array, as_object
from rspp.load.api import Limits
from rspp.model.artifact import Artifact, Index
from rspp.rules.base import Analyses, Context
from rspp.rules.registry import active_rules
from rspp.validate import engine
from rspp.validate.discover import discover
from rspp.validate.engine import (
    Positions,
    Repository,
    load_repository,
    neighbourhoods,
    run_rules,
)
from tests.helpers.mutations import STEPS, apply_step, generated
from tests.helpers.repos import copy_examples


def _rule_by_rule(repo: Repository) -> tuple[list[Finding], set[str]]:
    """The reference: each rule over every artifact in index order, every analysis held."""
    ctx = Context(repo.index, unloaded=tuple(repo.unloaded))
    ctx_files = Context(repo.index, unloaded=tuple(repo.unloaded), root=repo.root)
    out: list[Finding] = []
    broken: set[str] = set()
    seen: set[tuple[str, str, str]] = set()
    positions = Positions()
    for rule in active_rules():
        if rule.check is None:
            continue
        for art in repo.index.artifacts:
            if art.kind not in rule.kinds or (rule.needs_schema_valid and not art.schema_valid):
                continue
            for hit in rule.check(art, ctx_files if rule.reads_files else ctx):
                finding = engine._to_finding(rule, art, hit, positions)
                if finding.is_error:
                    broken.add(finding.path)
                key = (finding.code, finding.path, finding.pointer + "|" + finding.message)
                if key not in seen:
                    seen.add(key)
                    out.append(finding)
    return out, broken


def _loaded(root: Path) -> Repository:
    return load_repository(root, discover(root), Limits(), 1)


def _scheduled(root: Path, monkeypatch: pytest.MonkeyPatch,
               keep: int) -> tuple[list[Finding], set[str]]:
    def holding(index: Index, *, unloaded: tuple[str, ...] = (),
                root: Path | None = None) -> Context:
        return Context(index, cache=Analyses(keep), unloaded=unloaded, root=root)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "Context", holding)
        return run_rules(_loaded(root), None)


def test_analyses_hold_the_most_recently_used() -> None:
    held = Analyses(keep=2)
    held[("graph", "a")] = 1
    held[("graph", "b")] = 2
    assert held.get(("graph", "a")) == 1  # used: now the newest
    held[("graph", "c")] = 3  # b, the oldest, is dropped
    assert len(held) == 2
    assert held.get(("graph", "b")) is None
    assert (held.get(("graph", "a")), held.get(("graph", "c"))) == (1, 3)


def test_a_bundle_is_checked_next_to_the_spec_it_pins(tmp_path: Path) -> None:
    repo = _loaded(copy_examples(tmp_path / "repo"))
    owners = repo.index.artifacts
    order = [owners[i] for i in neighbourhoods(owners)]
    assert sorted(neighbourhoods(owners)) == list(range(len(owners)))  # each once
    def pinned(bundle: Artifact) -> set[str]:
        pins = [as_object(p) for p in as_array(bundle.spec.get("pins"))]
        return {str(p.get("ref")).split("@")[0] for p in pins if p.get("kind") == "PipelineSpec"}

    bundles = [i for i, a in enumerate(order) if a.kind == "PipelineBundle"]
    assert bundles
    for i in bundles:
        ids = pinned(order[i])
        j = next(k for k, a in enumerate(order) if a.kind == "PipelineSpec" and a.id in ids)
        # only the spec's versions and the bundles pinning it lie between the two
        for a in order[min(i, j):max(i, j) + 1]:
            assert (a.id in ids if a.kind == "PipelineSpec"
                    else a.kind == "PipelineBundle" and pinned(a) == ids)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, seed=29, specs=6)


@pytest.mark.parametrize("keep", [1, 1024])
def test_the_schedule_finds_what_rule_by_rule_finds_on_the_examples(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int) -> None:
    root = copy_examples(tmp_path / "repo")
    # Findings of several rules about several artifacts, in an order that differs from the
    # order the artifacts are checked in: watermarks of spec edges (BUF002, about specs and,
    # through the bundles pinning them, again about the same edges) and a profile that
    # lets a low-latency data lane block (BUF003, about a profile: checked before the specs).
    for name in ("livekit_voice_assistant", "sip_telephony_assistant"):
        spec = root / f"pipelines/specs/{name}.yaml"
        spec.write_text(spec.read_text(encoding="utf-8").replace(
            "highWatermark: 400", "highWatermark: 40"), encoding="utf-8")
    profile = root / "pipelines/profiles/low_latency_v1.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "shedding: drop_oldest", "shedding: block"), encoding="utf-8")
    expected = _rule_by_rule(_loaded(root))
    codes = {f.code for f in expected[0]}
    assert {"BUF002", "BUF003"} <= codes, codes
    assert len({f.path for f in expected[0]}) >= 3
    assert _scheduled(root, monkeypatch, keep) == expected


@pytest.mark.slow
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_the_schedule_finds_what_rule_by_rule_finds_after_random_changes(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        steps: list[tuple[str, int]]) -> None:
    root = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(pristine, root)
    for op, pick in steps:
        apply_step(root, pristine, op, pick)
    expected = _rule_by_rule(_loaded(root))
    assert _scheduled(root, monkeypatch, 1) == expected
    assert _scheduled(root, monkeypatch, 1024) == expected
