"""Fixture paths inside replay manifests follow the read policy: never through a link out of
the repository, and nothing outside is looked at while checking them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers.cli import needs_strace, rspp_process, touched

MANIFEST = "pipelines/replay/baseline.yaml"
WHERE = f"{MANIFEST}:10:21"  # the fixture path in the manifest
FIXTURES = "pipelines/replay/fixtures"


def _findings(repo: Path) -> list[tuple[str, str, str]]:
    result = validate(ValidateOptions(root=repo))
    return [(f.location(), f.code, f.message) for f in result.findings]


# The link itself is reported by discovery too (FILE002 at the link, FILE001 for a loop):
# a link under a managed folder that leads out may hide artifacts, whatever its name.

def test_a_fixture_folder_linked_out_is_refused(base_checkout: Path, outside: Path) -> None:
    shutil.rmtree(base_checkout / FIXTURES)
    (base_checkout / FIXTURES).symlink_to(outside, target_is_directory=True)
    assert _findings(base_checkout) == [
        (WHERE, "RPL002", "fixture path 'pipelines/replay/fixtures/turn.jsonl' leaves the "
         f"repository through the symbolic link {FIXTURES} -> {outside}"),
        (f"{FIXTURES}:1:1", "FILE002", "symbolic link points outside the repository: "
         f"{FIXTURES} -> {outside}")]


def test_a_fixture_file_linked_out_is_refused(base_checkout: Path, outside: Path) -> None:
    (base_checkout / FIXTURES / "turn.jsonl").unlink()
    (base_checkout / FIXTURES / "turn.jsonl").symlink_to(outside / "turn.jsonl")
    assert [(w, c) for w, c, _ in _findings(base_checkout)] == [
        (WHERE, "RPL002"), (f"{FIXTURES}/turn.jsonl:1:1", "FILE002")]


def test_a_fixture_linked_out_relatively_is_refused(base_checkout: Path) -> None:
    (base_checkout / FIXTURES / "turn.jsonl").unlink()
    (base_checkout / FIXTURES / "turn.jsonl").symlink_to("../../../../outside/turn.jsonl")
    assert [(w, c) for w, c, _ in _findings(base_checkout)] == [
        (WHERE, "RPL002"), (f"{FIXTURES}/turn.jsonl:1:1", "FILE002")]


def test_a_fixture_linked_inside_the_repository_is_accepted(base_checkout: Path) -> None:
    (base_checkout / "evidence").mkdir()
    (base_checkout / FIXTURES / "turn.jsonl").rename(base_checkout / "evidence" / "turn.jsonl")
    (base_checkout / FIXTURES / "turn.jsonl").symlink_to("../../../evidence/turn.jsonl")
    assert _findings(base_checkout) == []


@pytest.mark.parametrize(("make", "message"), [
    ("fifo", "fixture pipelines/replay/fixtures/turn.jsonl is a FIFO, not a regular file"),
    ("folder", "fixture pipelines/replay/fixtures/turn.jsonl is a folder, not a regular file"),
    ("loop", "fixture pipelines/replay/fixtures/turn.jsonl cannot be read: cannot read "
             "pipelines/replay/fixtures/turn.jsonl: too many levels of symbolic links (a link "
             "loop)"),
    ("dangling", "fixture pipelines/replay/fixtures/turn.jsonl does not exist in the "
                 "repository"),
])
def test_a_fixture_that_is_not_a_regular_file(base_checkout: Path, make: str, message: str) -> None:
    path = base_checkout / FIXTURES / "turn.jsonl"
    path.unlink()
    if make == "fifo":
        os.mkfifo(path)
    elif make == "folder":
        path.mkdir()
    elif make == "loop":
        path.symlink_to("turn.jsonl")
    else:
        path.symlink_to("gone.jsonl")
    found = _findings(base_checkout)
    assert found[0] == (WHERE, "RPL003", message)
    assert [(w, c) for w, c, _ in found[1:]] == (
        [(f"{FIXTURES}/turn.jsonl:1:1", "FILE001")] if make == "loop" else [])


@pytest.mark.slow
@needs_strace
def test_checking_fixtures_looks_at_nothing_outside(base_checkout: Path, outside: Path,
                                                    tmp_path: Path) -> None:
    shutil.rmtree(base_checkout / FIXTURES)
    (base_checkout / FIXTURES).symlink_to(outside, target_is_directory=True)
    trace = tmp_path / "trace"
    run = rspp_process("validate", "--root", base_checkout, trace=trace)
    if not trace.exists() or not trace.read_text(encoding="utf-8", errors="replace"):
        pytest.skip(f"strace cannot trace here: {run.err.strip()}")
    assert run.code == 1 and f"{WHERE} RPL002 error: " in run.out
    assert touched(trace, outside) == []
