"""Discovery walks the managed folders iteratively, follows no link out of the repository
and reports what it cannot walk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from rspp.resolve.gate import validate
from rspp.validate.discover import MAX_FOLDER_DEPTH, scan
from rspp.validate.engine import ValidateOptions
from tests.helpers import RULE_BASE
from tests.helpers.cli import needs_strace, rspp_process, touched

PROFILE = RULE_BASE / "pipelines/profiles/base.yaml"


def _located(repo: Path, **options: object) -> list[str]:
    result = validate(ValidateOptions(root=repo, **options))  # type: ignore[arg-type]
    return [f"{f.location()} {f.code}" for f in result.findings]


def _profile(path: Path, ident: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROFILE.read_text(encoding="utf-8").replace("id: base/v1", f"id: {ident}"),
                    encoding="utf-8")


def test_a_folder_named_like_an_artifact_is_a_finding_and_its_files_are_checked(
        base_checkout: Path) -> None:
    folder = base_checkout / "pipelines" / "profiles" / "extra.yaml"
    folder.mkdir()
    (folder / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    assert _located(base_checkout) == ["pipelines/profiles/extra.yaml:1:1 FILE003",
                              "pipelines/profiles/extra.yaml/broken.yaml:2:1 LOAD001"]
    result = validate(ValidateOptions(root=base_checkout))
    assert result.findings[0].message == (
        "not a regular file: a folder named like an artifact file; the files inside it are "
        "checked, the folder itself is not an artifact")


def test_an_empty_folder_named_like_an_artifact_fails_the_run(base_checkout: Path) -> None:
    (base_checkout / "pipelines" / "specs" / "next.yml").mkdir()
    result = validate(ValidateOptions(root=base_checkout))
    assert [f"{f.location()} {f.code}" for f in result.findings] == [
        "pipelines/specs/next.yml:1:1 FILE003"]
    assert result.failed


def test_a_named_folder_named_like_an_artifact(base_checkout: Path) -> None:
    (base_checkout / "pipelines" / "specs" / "next.yaml").mkdir()
    result = validate(ValidateOptions(root=base_checkout,
                                      targets=(base_checkout / "pipelines/specs/next.yaml",)))
    assert [f"{f.location()} {f.code}" for f in result.findings] == [
        "pipelines/specs/next.yaml:1:1 FILE003"]


def _chain(top: Path, depth: int) -> None:
    """``top/d/d/.../d``, ``depth`` folders below ``top``, made relative to descriptors (the
    whole path would exceed PATH_MAX)."""
    top.mkdir()
    current = os.open(top, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=current)
        nxt = os.open("d", os.O_RDONLY, dir_fd=current)
        os.close(current)
        current = nxt
    os.close(current)


def _remove_chain(top: Path) -> None:
    """Remove what :func:`_chain` made, deepest first (shutil.rmtree recurses and would
    hit the recursion limit)."""
    fds = [os.open(top, os.O_RDONLY)]
    try:
        while True:
            try:
                fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
            except FileNotFoundError:
                break
        for parent in reversed(fds[:-1]):
            for name in os.listdir(parent):
                if name != "d":
                    os.unlink(name, dir_fd=parent)
            os.rmdir("d", dir_fd=parent)
    finally:
        for fd in fds:
            os.close(fd)
    shutil.rmtree(top)


@pytest.mark.slow
def test_a_very_deep_folder_chain_is_a_finding_not_a_crash(
        base_checkout: Path, request: pytest.FixtureRequest) -> None:
    """1,200 nested folders: a recursive walk dies with RecursionError."""
    top = base_checkout / "pipelines" / "profiles" / "deep"
    request.addfinalizer(lambda: _remove_chain(top))
    _chain(top, 1200)
    _profile(top / "d" / "shallow.yaml", "shallow/v1")
    deepest = "pipelines/profiles/deep" + "/d" * (MAX_FOLDER_DEPTH - 2)  # one too many
    found = _located(base_checkout)
    assert found == [f"{deepest}:1:1 LOAD009"]
    result = validate(ValidateOptions(root=base_checkout))
    assert result.findings[0].message == (
        f"folders nested more than {MAX_FOLDER_DEPTH} levels below the repository root; "
        "nothing below this one is checked")
    assert "pipelines/profiles/deep/d/shallow.yaml" in result.files
    # the console script says the same, without a traceback
    run = rspp_process("validate", "--root", base_checkout)
    assert run.code == 1 and "LOAD009" in run.out and run.err == ""


def test_a_folder_link_inside_the_repository_is_walked(base_checkout: Path) -> None:
    _profile(base_checkout / "shared" / "team.yaml", "team/v1")
    (base_checkout / "pipelines" / "profiles" / "team").symlink_to(base_checkout / "shared",
                                                          target_is_directory=True)
    result = validate(ValidateOptions(root=base_checkout))
    assert result.findings == ()
    assert "pipelines/profiles/team/team.yaml" in result.files


def test_folder_link_loops_end(base_checkout: Path) -> None:
    (base_checkout / "pipelines" / "profiles" / "again").symlink_to("..", target_is_directory=True)
    (base_checkout / "pipelines" / "self").symlink_to("self")
    found = _located(base_checkout)
    assert found == ["pipelines/self:1:1 FILE001"]


def test_a_folder_link_out_is_a_finding_and_is_not_walked(base_checkout: Path,
                                                          outside: Path) -> None:
    (base_checkout / "pipelines" / "vendor").symlink_to(outside, target_is_directory=True)
    (base_checkout / "compat").rename(base_checkout / "real_compat")
    (base_checkout / "compat").symlink_to(base_checkout / "real_compat", target_is_directory=True)
    result = validate(ValidateOptions(root=base_checkout))
    assert [f"{f.location()} {f.code}" for f in result.findings] == [
        "pipelines/vendor:1:1 FILE002"]
    assert result.findings[0].message == ("symbolic link points outside the repository: "
                                          f"pipelines/vendor -> {outside}")
    assert "compat/skew.yaml" in result.files  # a managed folder linked inside is walked
    assert not any("base.yaml" in f and "vendor" in f for f in result.files)


def test_a_managed_folder_linked_out_is_a_finding(base_checkout: Path, outside: Path) -> None:
    shutil.rmtree(base_checkout / "rollouts")
    (base_checkout / "rollouts").symlink_to(outside, target_is_directory=True)
    assert "rollouts:1:1 FILE002" in _located(base_checkout)


@pytest.mark.slow
@needs_strace
def test_nothing_outside_the_repository_is_looked_at(base_checkout: Path, outside: Path,
                                                     tmp_path: Path) -> None:
    (base_checkout / "pipelines" / "vendor").symlink_to(outside, target_is_directory=True)
    (base_checkout / "pipelines" / "profiles" / "linked.yaml").symlink_to(outside / "base.yaml")
    (base_checkout / "pipelines" / "profiles" / "up.yaml").symlink_to("../../../outside/base.yaml")
    trace = tmp_path / "trace"
    run = rspp_process("validate", "--root", base_checkout, trace=trace)
    if not trace.exists() or not trace.read_text(encoding="utf-8", errors="replace"):
        pytest.skip(f"strace cannot trace here: {run.err.strip()}")
    assert run.code == 1
    assert sorted(line.split()[0] + " " + line.split()[1] for line in run.out.splitlines()
                  if " FILE002 " in line) == [
        "pipelines/profiles/linked.yaml:1:1 FILE002", "pipelines/profiles/up.yaml:1:1 FILE002",
        "pipelines/vendor:1:1 FILE002"]
    assert touched(trace, outside) == []


def test_scan_is_sorted_and_reports_what_it_could_not_walk(base_checkout: Path,
                                                           outside: Path) -> None:
    (base_checkout / "pipelines" / "vendor").symlink_to(outside, target_is_directory=True)
    found = scan(base_checkout)
    names = [p.relative_to(base_checkout).as_posix() for p in found.files]
    assert names == sorted(names) and len(names) == len(set(names))
    assert [f.code for f in found.findings] == ["FILE002"]
