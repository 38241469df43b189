"""Loading in worker processes gives byte-identical results to loading in one process, and
the parallel runs really load in workers (each test checks the process ids the loads ran in).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rspp.load.api import Limits
from rspp.load.document import Document
from rspp.report import REPORTERS
from rspp.report.result import Report
from rspp.resolve.gate import validate, validate_repository
from rspp.validate import engine
from rspp.validate.discover import discover
from rspp.validate.engine import PARALLEL_MIN_FILES, ValidateOptions, load_repository
from tests.helpers.pool import WorkerLog, watch_workers
from tests.helpers.repos import load_generator

# Each test generates a repository of a few hundred files and loads it in worker processes.
pytestmark = pytest.mark.slow

SPECS = PARALLEL_MIN_FILES // 2 + 10


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WorkerLog:
    """Where the loads of chunks of files ran (the function the pool maps)."""
    return watch_workers(monkeypatch, engine, "_load_chunk", tmp_path / "pids")


def _generate(root: Path, seed: int) -> list[Path]:
    files: list[Path] = load_generator().generate(root, specs=SPECS, seed=seed)
    return files


def _validate_serial_then_parallel(root: Path, workers: WorkerLog) -> list[Report]:
    serial, serial_repo = validate_repository(ValidateOptions(root=root, jobs=1, cache=False))
    workers.assert_ran_here()  # one process: no pool
    assert serial_repo.workers == frozenset()
    workers.clear()
    parallel, parallel_repo = validate_repository(ValidateOptions(root=root, jobs=2,
                                                                  cache=False))
    workers.assert_ran_in_workers()
    assert parallel_repo.workers and os.getpid() not in parallel_repo.workers
    return [serial, parallel]


def test_parallel_and_sequential_agree(tmp_path: Path, workers: WorkerLog) -> None:
    files = _generate(tmp_path / "repo", seed=3)
    assert len(files) >= PARALLEL_MIN_FILES
    specs = sorted((tmp_path / "repo" / "pipelines" / "specs").rglob("*.yaml"))
    broken = specs[5]
    broken.write_text(broken.read_text().replace("cancel:", "kancel:", 1))
    (specs[9]).write_text(specs[9].read_text() + "\n  extra: [\n")
    results = _validate_serial_then_parallel(tmp_path / "repo", workers)
    assert results[0].findings == results[1].findings
    assert {f.code for f in results[0].findings} >= {"SCH001", "LOAD001"}
    for fmt, render in REPORTERS.items():
        assert render(results[0]) == render(results[1]), fmt


def test_clean_run_never_rebuilds_positions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            workers: WorkerLog) -> None:
    """Positions dropped by workers are rebuilt only for documents that get a finding."""
    calls: list[str] = []
    original = Document._rebuild_spans

    def counting(self: Document) -> None:
        calls.append(self.path)
        original(self)

    monkeypatch.setattr(Document, "_rebuild_spans", counting)
    _generate(tmp_path / "repo", seed=5)
    result = validate(ValidateOptions(root=tmp_path / "repo", jobs=2))
    workers.assert_ran_in_workers()
    assert result.findings == ()
    assert calls == []


def test_parallel_and_sequential_agree_on_what_discovery_and_the_reader_refuse(
        tmp_path: Path, workers: WorkerLog) -> None:
    """Discovery findings (a folder named like an artifact, a link out) and reader refusals
    (a link loop) are the same whether files are loaded in workers or not."""
    _generate(tmp_path / "repo", seed=11)
    specs = tmp_path / "repo" / "pipelines" / "specs"
    (specs / "folder.yaml").mkdir()
    (specs / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "outside").mkdir()
    (specs / "vendor").symlink_to(tmp_path / "outside", target_is_directory=True)
    os.mkfifo(specs / "pipe.yaml")
    results = _validate_serial_then_parallel(tmp_path / "repo", workers)
    assert results[0].findings == results[1].findings
    assert [(f.path, f.code) for f in results[0].findings] == [
        ("pipelines/specs/folder.yaml", "FILE003"), ("pipelines/specs/loop.yaml", "FILE001"),
        ("pipelines/specs/pipe.yaml", "FILE003"), ("pipelines/specs/vendor", "FILE002")]
    for fmt, render in REPORTERS.items():
        assert render(results[0]) == render(results[1]), fmt


def test_workers_hand_back_documents_without_positions(tmp_path: Path,
                                                        workers: WorkerLog) -> None:
    root = tmp_path / "repo"
    _generate(root, seed=13)
    for jobs in (1, 2):
        workers.clear()
        repo = load_repository(root, discover(root), Limits(), jobs)
        if jobs > 1:
            workers.assert_ran_in_workers()
            assert repo.workers and os.getpid() not in repo.workers
        else:
            workers.assert_ran_here()
            assert repo.workers == frozenset()
        assert len(repo.documents) >= PARALLEL_MIN_FILES
        assert all(doc.spans_dropped and not doc.spans for doc in repo.documents.values())
