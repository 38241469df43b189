"""Partial runs from recorded headers (ADR 0013): a run on some files reads the others by the
header their cache recorded, loads a document only when a rule reads it, and reports exactly
what the same run without the cache reports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.core.paths import RepositoryError
from rspp.model.artifact import DeferredArtifact
from rspp.report import REPORTERS
from rspp.resolve.gate import validate, validate_repository
from rspp.validate import engine, headers
from rspp.validate.cache import CACHE_DIR, FileCache
from rspp.validate.engine import Repository, ValidateOptions
from tests.helpers.mutations import STEPS, apply_step, artifact_paths, generated
from tests.helpers.repos import copy_examples

SPEC = "pipelines/specs/sip_telephony_assistant.yaml"
BUNDLE = "pipelines/bundles/sip_telephony_bundle.yaml"


def _partial(root: Path, target: Path | str, *, cache: bool) -> str:
    options = ValidateOptions(root=root, targets=(root / target,), cache=cache)
    return REPORTERS["json"](validate(options))


def _whole(root: Path) -> None:
    validate(ValidateOptions(root=root))  # records every clean file's header


def _recorded(root: Path) -> dict[str, headers.Header]:
    store = FileCache.open(root)
    assert store is not None
    return headers.read_headers(store)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    root = copy_examples(tmp_path / "repo")
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    return root


def _deferred(root: Path, target: str) -> list[DeferredArtifact]:
    _, repo = validate_repository(ValidateOptions(root=root, targets=(root / target,),
                                                  load_all=False))  # as `rspp validate`
    assert isinstance(repo, Repository)
    return [a for a in repo.index.artifacts if isinstance(a, DeferredArtifact)]


def test_a_partial_run_loads_only_what_its_rules_read(examples: Path) -> None:
    expected = _partial(examples, SPEC, cache=False)
    _whole(examples)
    recorded = _recorded(examples)
    assert {h.path for h in recorded.values()} >= {SPEC, BUNDLE}
    deferred = _deferred(examples, SPEC)
    paths = {a.path for a in deferred}
    assert SPEC not in paths  # a target is always loaded
    assert BUNDLE in paths
    loaded = {a.path for a in deferred if a.loaded}
    assert BUNDLE in loaded  # it pins the spec: its rules ran
    assert "pipelines/specs/livekit_voice_assistant.yaml" not in loaded  # unrelated
    assert _partial(examples, SPEC, cache=True) == expected


def test_a_file_with_findings_gets_no_header(examples: Path) -> None:
    spec = examples / SPEC
    spec.write_text(spec.read_text(encoding="utf-8").replace("kind:", "kind: X", 1),
                    encoding="utf-8")
    _whole(examples)
    assert SPEC not in {h.path for h in _recorded(examples).values()}
    assert SPEC not in {a.path for a in _deferred(examples, BUNDLE)}


def test_an_edit_after_the_record_is_seen(examples: Path) -> None:
    _whole(examples)
    spec = examples / SPEC
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('version: "1.0.0"', 'version: "1.0.1"', 1), encoding="utf-8")
    assert spec.read_text(encoding="utf-8") != text
    report = _partial(examples, BUNDLE, cache=True)
    assert report == _partial(examples, BUNDLE, cache=False)
    assert '"error"' in report  # the bundle's pin no longer resolves


def test_fresh_files_get_no_stamp(examples: Path) -> None:
    _whole(examples)
    assert all(h.stamp is None for h in _recorded(examples).values())


@pytest.mark.slow
def test_a_settled_file_is_trusted_by_its_stamp_until_it_changes(
        examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    time.sleep(headers.SETTLED_NS / 1e9 + 0.2)
    _whole(examples)
    assert all(h.stamp is not None for h in _recorded(examples).values())
    reads: list[str] = []
    real = engine.read_file  # type: ignore[attr-defined]

    def counting(path: Path, root: Path, max_bytes: int, **kwargs: bool) -> object:
        reads.append(os.path.relpath(path, root))
        return real(path, root, max_bytes, **kwargs)

    monkeypatch.setattr(engine, "read_file", counting)
    expected = _partial(examples, BUNDLE, cache=True)
    files = len(artifact_paths(examples))
    assert BUNDLE in reads and len(reads) < files // 2  # the others by their stamps
    # The same size, another content: the change time moved, so the stamp no longer holds.
    spec = examples / SPEC
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace('version: "1.0.0"', 'version: "1.0.1"', 1), encoding="utf-8")
    assert spec.stat().st_size == len(text.encode())
    reads.clear()
    changed = _partial(examples, BUNDLE, cache=True)
    assert SPEC in reads
    assert changed != expected
    assert changed == _partial(examples, BUNDLE, cache=False)


def test_a_file_changed_while_the_rules_run_stops_the_run(
        examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _whole(examples)
    real = engine.run_rules

    def meanwhile(repo: Repository, targets: set[str] | None, **kwargs: Any) -> object:
        spec = examples / SPEC
        spec.write_text(spec.read_text(encoding="utf-8").replace("kind:", "kind: X", 1),
                        encoding="utf-8")
        return real(repo, targets, **kwargs)

    monkeypatch.setattr(engine, "run_rules", meanwhile)
    with pytest.raises(RepositoryError) as caught:
        validate(ValidateOptions(root=examples, targets=(examples / BUNDLE,)))
    assert caught.value.code == "REPO003"
    assert SPEC in str(caught.value)


def test_a_damaged_record_is_no_record(examples: Path) -> None:
    expected = _partial(examples, BUNDLE, cache=False)
    _whole(examples)
    (record,) = (examples / CACHE_DIR).rglob("headers.blob")
    mac, _, body = record.read_bytes().partition(b"\n")
    record.write_bytes(mac + b"\n" + body.replace(b"sip_telephony_assistant",
                                                  b"sip_telephony_assistanX"))
    assert _recorded(examples) == {}
    assert _deferred(examples, BUNDLE) == []
    assert _partial(examples, BUNDLE, cache=True) == expected


# --- random sequences of changes ------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, seed=23)


@pytest.mark.slow
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3),
       whole=st.booleans())
def test_any_partial_run_gives_the_findings_of_no_cache(
        pristine: Path, tmp_path: Path, steps: list[tuple[str, int]], picks: list[int],
        whole: bool) -> None:
    """After any changes, with or without a whole run recording the headers in between, a
    partial run with the cache reports what it reports without."""
    root = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(pristine, root)
    _whole(root)
    for op, pick in steps:
        apply_step(root, pristine, op, pick)
        if whole:
            _whole(root)
        files = artifact_paths(root)
        for p in picks:
            target = files[p % len(files)].relative_to(root)
            assert _partial(root, target, cache=True) == _partial(root, target, cache=False)


def test_a_finding_added_later_in_an_unread_file_shows_its_source_line(
        examples: Path) -> None:
    from rspp.core.sink import finding

    def shown(report: object) -> str:
        later = finding("LCK001", BUNDLE, 3, 1, "a finding another stage adds")
        return REPORTERS["text"](report.with_findings([later]))  # type: ignore[attr-defined]

    expected = shown(validate(ValidateOptions(root=examples, cache=False)))
    line = (examples / BUNDLE).read_text(encoding="utf-8").splitlines()[2]
    assert line.strip() and f"  3 | {line}" in expected  # the source line is shown
    _whole(examples)
    report, repo = validate_repository(ValidateOptions(root=examples, load_all=False))
    (bundle,) = [a for a in repo.index.artifacts if a.path == BUNDLE]
    assert isinstance(bundle, DeferredArtifact) and not bundle.loaded
    assert shown(report) == expected
    assert bundle.loaded


def test_a_clean_file_saved_between_hashing_and_loading_stops_the_run(
        examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another clean content saved after the run hashed the file but before it loaded it
    would have the rules judge one content under the key of the other, and the record of
    the run keep that answer for the first: REPO003, and no record written."""
    bundle = examples / "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml"
    clean = bundle.read_text(encoding="utf-8")
    dangling = clean.replace("livekit_voice_assistant@0.9.0#", "livekit_voice_assistant@0.9.1#")
    assert dangling != clean
    bundle.write_text(dangling, encoding="utf-8")
    expected = _partial(examples, SPEC, cache=False)
    validate(ValidateOptions(root=examples, targets=(examples / SPEC,)))  # headers only
    real = engine.materialize

    def saved_meanwhile(repo: Repository, jobs: int, progress: Any = None) -> None:
        bundle.write_text(clean, encoding="utf-8")
        real(repo, jobs, progress)

    monkeypatch.setattr(engine, "materialize", saved_meanwhile)
    with pytest.raises(RepositoryError) as caught:
        validate(ValidateOptions(root=examples))
    assert caught.value.code == "REPO003"
    monkeypatch.setattr(engine, "materialize", real)
    bundle.write_text(dangling, encoding="utf-8")
    whole = REPORTERS["json"](validate(ValidateOptions(root=examples)))
    assert whole == REPORTERS["json"](validate(ValidateOptions(root=examples, cache=False)))
    assert "REF001" in whole
    assert _partial(examples, SPEC, cache=True) == expected
