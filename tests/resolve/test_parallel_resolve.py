"""Resolving many bundles in worker processes gives exactly the single-process result."""

from __future__ import annotations

from pathlib import Path

from rspp.commands.resolve import PARALLEL_MIN_BUNDLES, resolve_all
from tests.conftest import load_generator


def test_parallel_resolve_all_matches_serial(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    load_generator().generate(root, PARALLEL_MIN_BUNDLES + 6, 11)
    serial = resolve_all(root, jobs=1)
    parallel = resolve_all(root, jobs=2)
    assert not serial.failed
    assert len(serial.bundles) == PARALLEL_MIN_BUNDLES + 6
    assert serial.bundles == parallel.bundles
    assert serial.report.findings == parallel.report.findings
