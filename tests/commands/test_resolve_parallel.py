"""Resolving many bundles in worker processes gives exactly the single-process result, and the
parallel run really resolves in workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rspp.commands import resolve
from rspp.commands.resolve import PARALLEL_MIN_BUNDLES, resolve_all
from tests.helpers.pool import watch_workers
from tests.helpers.repos import load_generator


@pytest.mark.slow
def test_parallel_resolve_all_matches_serial(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    workers = watch_workers(monkeypatch, resolve, "_resolve_chunk", tmp_path / "pids")
    root = tmp_path / "repo"
    load_generator().generate(root, PARALLEL_MIN_BUNDLES + 6, 11)
    serial = resolve_all(root, jobs=1)
    workers.assert_ran_here()  # one process: no pool
    assert serial.workers == frozenset()
    workers.clear()
    parallel = resolve_all(root, jobs=2)
    workers.assert_ran_in_workers()
    assert parallel.workers and os.getpid() not in parallel.workers
    assert not serial.failed
    assert len(serial.bundles) == PARALLEL_MIN_BUNDLES + 6
    assert serial.bundles == parallel.bundles
    assert serial.report.findings == parallel.report.findings
