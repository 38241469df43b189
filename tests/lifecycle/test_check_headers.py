"""`rspp check` on recorded headers (ADR 0021): after a run that recorded them, the gate finds
bundles' inputs, the files a view depends on, pins without digest, the names of a deleted
version and every bundle's runtime window from the headers, so it loads no document it has
no finding to place in, and it reports byte for byte what a run without the cache reports."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from rspp.commands.build import BuildOptions, build
from rspp.commands.check import Checked, CheckOptions, checked
from rspp.commands.lock import LockOptions, lock
from rspp.model.artifact import SUMMARIZED, Artifact, DeferredArtifact, spec_field, summary_of
from rspp.report import REPORTERS
from rspp.rules.refs import links, references
from tests.helpers.cli import TODAY
from tests.helpers.mutations import STEPS, apply_step, generated
from tests.helpers.repos import copy_examples

DAY = dt.date.fromisoformat(TODAY)


def _checked(root: Path, *, cache: bool = True) -> Checked:
    return checked(CheckOptions(root, today=DAY, cache=cache))


def _report(root: Path, *, cache: bool = True) -> str:
    return REPORTERS["json"](_checked(root, cache=cache).report)


def _deferred(gate: Checked) -> list[DeferredArtifact]:
    return [a for a in gate.repository.index.artifacts if isinstance(a, DeferredArtifact)]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, seed=11, specs=6)


def _built(pristine: Path, root: Path) -> Path:
    """A copy of ``pristine`` with its derived files built and its versions locked: a
    repository the gate passes."""
    shutil.copytree(pristine, root)
    build(BuildOptions(root=root))
    assert lock(LockOptions(root=root)).written
    return root


def test_headers_hold_what_the_documents_hold(tmp_path: Path, pristine: Path) -> None:
    for root in (copy_examples(tmp_path / "examples"), _built(pristine, tmp_path / "gen")):
        _checked(root)  # records every clean file's header
        deferred = _deferred(_checked(root))
        assert {a.kind for a in deferred} >= {"PipelineSpec", "PipelineBundle", "Module"}
        for art in deferred:
            header_links, header_summary = links(art), dict(art.summary)
            plain = Artifact(art.doc, art.kind, art.id, art.version)  # loads the document
            assert header_links == tuple(references(plain)), art.path
            assert header_summary == summary_of(plain), art.path
            for name in SUMMARIZED.get(art.kind, ()):
                assert spec_field(art, name) == spec_field(plain, name) is not None, art.path


def test_a_warm_check_loads_no_document_without_a_finding(tmp_path: Path,
                                                          pristine: Path) -> None:
    root = _built(pristine, tmp_path / "repo")
    expected = _report(root, cache=False)
    assert '"findings": []' in expected
    assert _report(root) == expected  # records the headers
    gate = _checked(root)
    deferred = _deferred(gate)
    assert len(deferred) == len(gate.repository.index.artifacts)
    assert [a.path for a in deferred if a.loaded] == []
    assert REPORTERS["json"](gate.report) == expected


def test_a_finding_in_an_unread_bundle_is_still_placed(tmp_path: Path, pristine: Path) -> None:
    """A pin that lost its digest is found from the header; its finding then loads the
    bundle for its line."""
    root = _built(pristine, tmp_path / "repo")
    _checked(root)
    bundle = sorted((root / "pipelines" / "bundles").rglob("*.json"))[0]
    text = bundle.read_text(encoding="utf-8")
    start = text.index("#sha256:")
    bundle.write_text(text[:start] + text[start + len("#sha256:") + 64:], encoding="utf-8")
    expected = _report(root, cache=False)
    assert '"code": "DRV001"' in expected
    assert _report(root) == expected
    assert _report(root) == expected


def test_spec_field_names_only_summarized_fields(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    gate = _checked(root)
    bundle = next(gate.repository.index.of_kind("PipelineBundle"))
    with pytest.raises(KeyError, match="not a summarized field"):
        spec_field(bundle, "pins")
    spec = next(gate.repository.index.of_kind("PipelineSpec"))
    with pytest.raises(KeyError):
        spec_field(spec, "compatibility")


@pytest.mark.slow
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_warm_check_reports_what_no_cache_reports(
        pristine: Path, tmp_path: Path, steps: list[tuple[str, int]]) -> None:
    """After any edits, renames, deletions and broken references, the gate run twice with
    the cache (the second on headers) reports what it reports without the cache."""
    root = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    _built(pristine, root)
    _checked(root)
    for op, pick in steps:
        apply_step(root, pristine, op, pick)
        expected = _report(root, cache=False)
        assert _report(root) == expected
        assert _report(root) == expected
