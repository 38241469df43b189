"""Loading in worker processes gives byte-identical results to loading in one process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rspp.report import REPORTERS
from rspp.resolve.gate import validate
from rspp.validate.engine import PARALLEL_MIN_FILES, ValidateOptions
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from generate import generate


def test_parallel_and_sequential_agree(tmp_path: Path) -> None:
    files = generate(tmp_path / "repo", specs=PARALLEL_MIN_FILES // 2 + 10, seed=3)
    assert len(files) >= PARALLEL_MIN_FILES
    specs = sorted((tmp_path / "repo" / "pipelines" / "specs").rglob("*.yaml"))
    broken = specs[5]
    broken.write_text(broken.read_text().replace("cancel:", "kancel:", 1))
    (specs[9]).write_text(specs[9].read_text() + "\n  extra: [\n")
    results = [validate(ValidateOptions(root=tmp_path / "repo", jobs=jobs)) for jobs in (1, 2)]
    assert results[0].findings == results[1].findings
    assert {f.code for f in results[0].findings} >= {"SCH001", "LOAD001"}
    for fmt, render in REPORTERS.items():
        assert render(results[0]) == render(results[1]), fmt


def test_clean_run_never_rebuilds_positions(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions dropped by workers are rebuilt only for documents that get a finding."""
    from rspp.load.document import Document

    calls: list[str] = []
    original = Document._rebuild_spans

    def counting(self: Document) -> None:
        calls.append(self.path)
        original(self)

    monkeypatch.setattr(Document, "_rebuild_spans", counting)
    generate(tmp_path / "repo", specs=PARALLEL_MIN_FILES // 2 + 10, seed=5)
    result = validate(ValidateOptions(root=tmp_path / "repo", jobs=2))
    assert result.findings == ()
    assert calls == []


def test_parallel_and_sequential_agree_on_what_discovery_and_the_reader_refuse(
        tmp_path: Path) -> None:
    """Discovery findings (a folder named like an artifact, a link out) and reader refusals
    (a link loop) are the same whether files are loaded in workers or not."""
    import os

    generate(tmp_path / "repo", specs=PARALLEL_MIN_FILES // 2 + 10, seed=11)
    specs = tmp_path / "repo" / "pipelines" / "specs"
    (specs / "folder.yaml").mkdir()
    (specs / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "outside").mkdir()
    (specs / "vendor").symlink_to(tmp_path / "outside", target_is_directory=True)
    os.mkfifo(specs / "pipe.yaml")
    results = [validate(ValidateOptions(root=tmp_path / "repo", jobs=jobs)) for jobs in (1, 2)]
    assert results[0].findings == results[1].findings
    assert [(f.path, f.code) for f in results[0].findings] == [
        ("pipelines/specs/folder.yaml", "FILE003"), ("pipelines/specs/loop.yaml", "FILE001"),
        ("pipelines/specs/pipe.yaml", "FILE003"), ("pipelines/specs/vendor", "FILE002")]
    for fmt, render in REPORTERS.items():
        assert render(results[0]) == render(results[1]), fmt


def test_workers_hand_back_documents_without_positions(tmp_path: Path) -> None:
    from rspp.load.api import Limits
    from rspp.validate.discover import discover
    from rspp.validate.engine import load_repository

    generate(tmp_path / "repo", specs=PARALLEL_MIN_FILES // 2 + 10, seed=13)
    root = tmp_path / "repo"
    for jobs in (1, 2):
        repo = load_repository(root, discover(root), Limits(), jobs)
        assert len(repo.documents) >= PARALLEL_MIN_FILES
        assert all(doc.spans_dropped and not doc.spans for doc in repo.documents.values())
