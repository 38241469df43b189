"""Validation keeps the data of every artifact, not its position tables: memory grows with
the data, and positions are rebuilt (for a bounded number of files at a time) only where a
finding needs one."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

from rspp.load.api import Limits
from rspp.resolve.gate import validate_repository
from rspp.validate.discover import discover
from rspp.validate.engine import Positions, ValidateOptions, load_repository
from tests.helpers import RULE_BASE

PROFILE = (RULE_BASE / "pipelines/profiles/base.yaml").read_text(encoding="utf-8")
FILES = 1500
# Bytes of memory each small profile (about 550 bytes of YAML) may keep after validation.
# With position tables kept, each takes about 13,500; without them and with shared keys,
# about 4,500.
PER_FILE = 8000


def _profiles(root: Path, count: int, *, broken: bool = False) -> None:
    (root / ".git").mkdir(parents=True)
    folder = root / "pipelines" / "profiles"
    folder.mkdir(parents=True)
    for i in range(count):
        text = PROFILE.replace("id: base/v1", f"id: p{i}/v1")
        if broken:
            text = text.replace("mode: standard", "mode: bogus")
        (folder / f"p{i}.yaml").write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_validation_memory_per_file_is_bounded(tmp_path: Path) -> None:
    _profiles(tmp_path / "repo", FILES)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result, repo = validate_repository(ValidateOptions(root=tmp_path / "repo", jobs=1))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert result.findings == () and len(result.files) == FILES
    assert all(doc.spans_dropped for doc in repo.documents.values())
    assert kept / FILES < PER_FILE, f"{kept / FILES:.0f} bytes per file"


def test_findings_rebuild_positions_for_a_bounded_number_of_files(tmp_path: Path) -> None:
    _profiles(tmp_path / "repo", 40)
    root = tmp_path / "repo"
    repo = load_repository(root, discover(root), Limits(), 1)
    docs = list(repo.documents.values())
    assert all(doc.spans_dropped for doc in docs)
    positions = Positions(keep=8)
    spans = [positions.span(doc, "/spec/mode") for doc in docs]
    assert {(s.line, s.col) for s in spans} == {(7, 9)}  # rebuilt from each file's text
    assert sum(not doc.spans_dropped for doc in docs) == 8  # the 8 most recent
    assert all(not doc.spans_dropped for doc in docs[-8:])
    positions.release()
    assert all(doc.spans_dropped for doc in docs)


def test_a_run_where_every_file_has_a_finding_reports_every_position(tmp_path: Path) -> None:
    _profiles(tmp_path / "repo", 300, broken=True)
    result, repo = validate_repository(ValidateOptions(root=tmp_path / "repo", jobs=1))
    assert [(f.code, f.line, f.col) for f in result.findings] == [("SCH001", 7, 9)] * 300
    assert all(doc.spans_dropped for doc in repo.documents.values())
