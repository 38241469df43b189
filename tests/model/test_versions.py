"""Build metadata is not a version (SemVer 2.0.0 section 10): ``1.0.0`` and ``1.0.0+b`` are one
version for uniqueness, the lock, immutability against a base and references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rspp.model.artifact import version_identity
from tests.helpers.cli import check_json, codes, lock_and_commit, only, rspp
from tests.helpers.files import edit, read, write
from tests.helpers.git import commit, git
from tests.helpers.repos import LOCK, PROFILE, lock_entries, new_version, version_line, write_lock

NEXT = "pipelines/profiles/simple_v1_0_1.yaml"
KEY = "ExecutionProfile/simple/v1@1.0.1"
BUILD_KEY = "ExecutionProfile/simple/v1@1.0.1+b"


@pytest.mark.parametrize(("version", "identity"), [
    ("1.0.0", "1.0.0"), ("1.0.0+b", "1.0.0"), ("1.0.0+b.7.x-y", "1.0.0"),
    ("1.0.0-rc.1", "1.0.0-rc.1"), ("1.0.0-rc.1+b", "1.0.0-rc.1")])
def test_version_identity_drops_only_build_metadata(version: str, identity: str) -> None:
    assert version_identity(version) == identity


def test_two_files_of_one_version_with_and_without_build_metadata(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    copy = "pipelines/profiles/simple_v1_build.yaml"
    new_version(examples, PROFILE, copy, "1.0.0+b")
    code, findings = check_json(capsys, examples)
    assert (code, codes(findings)) == (1, ["DUP001"])
    dup = findings[0]
    assert (dup["path"], dup["line"], dup["column"]) == (copy, version_line(examples, copy), 12)
    assert [r["path"] for r in dup["related"]] == [PROFILE]
    # Nothing is locked beside 1.0.0, and the lock file is left as it is.
    before = read(examples, LOCK)
    run = rspp(capsys, "lock", "--root", str(examples))
    assert run.code == 1 and "DUP001" in run.out and "added" not in run.out
    assert read(examples, LOCK) == before


def test_lock_refuses_a_build_of_a_locked_version(capsys: pytest.CaptureFixture[str],
                                                  examples: Path) -> None:
    """A locked 1.0.0 replaced by 1.0.0+b in its file: the same version with new content."""
    before = read(examples, LOCK)
    edit(examples, PROFILE, 'version: "1.0.0"', 'version: "1.0.0+b"')
    run = rspp(capsys, "lock", "--root", str(examples), "--format", "json")
    assert run.code == 1
    report, _ = json.JSONDecoder().raw_decode(run.out)
    imm = only(report["findings"], "IMM003")
    assert imm["path"] == PROFILE
    assert ("ExecutionProfile/simple/v1@1.0.0+b is the version locked as "
            "ExecutionProfile/simple/v1@1.0.0") in imm["message"]
    assert read(examples, LOCK) == before


def test_a_lock_with_one_version_twice_is_lck002(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    entries = lock_entries(examples)
    key = "ExecutionProfile/simple/v1@1.0.0"
    write_lock(examples, {**entries, key + "+b": entries[key]})
    code, findings = check_json(capsys, examples)
    assert code == 1
    assert "LCK002" in codes(findings)
    assert "are one version" in only(findings, "LCK002")["message"]


def _publish_1_0_1(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    """simple/v1 1.0.1, locked and committed, is on main (the base)."""
    new_version(repo, PROFILE, NEXT, "1.0.1")
    lock_and_commit(capsys, repo, "simple/v1 1.0.1")
    git(repo, "branch", "-f", "main", "HEAD")


@pytest.mark.slow
@pytest.mark.parametrize("lock_rewrite", ["renamed", "added beside", "relocked"])
def test_published_version_replaced_by_a_build_of_it_fails_against_main(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, lock_rewrite: str) -> None:
    _publish_1_0_1(capsys, example_git_repo)
    assert check_json(capsys, example_git_repo, "--against", "main") == (0, [])
    edit(example_git_repo, NEXT, 'version: "1.0.1"', 'version: "1.0.1+b"')
    edit(example_git_repo, NEXT, "turnLatencyMs: ", "turnLatencyMs: 1")
    entries = lock_entries(example_git_repo)
    if lock_rewrite == "relocked":  # the entry removed, then `rspp lock` run again
        write_lock(example_git_repo, {k: v for k, v in entries.items() if k != KEY})
        assert rspp(capsys, "lock", "--root", str(example_git_repo)).code == 0
        entries = lock_entries(example_git_repo)
        assert BUILD_KEY in entries and KEY not in entries
    else:
        digest = rspp(capsys, "digest", str(example_git_repo / NEXT)).out.split()[0]
        if lock_rewrite == "renamed":
            entries = {k: v for k, v in entries.items() if k != KEY}
        write_lock(example_git_repo, {**entries, BUILD_KEY: digest})
    commit(example_git_repo, message="rebuild simple/v1 1.0.1 as 1.0.1+b")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert code == 1
    imm = only(findings, "IMM001")
    assert (imm["path"], imm["line"]) == (NEXT, version_line(example_git_repo, NEXT))
    assert f"{BUILD_KEY} replaces {KEY}" in imm["message"]
    expected = {"renamed": ["IMM001", "IMM004"], "relocked": ["IMM001", "IMM004"],
                "added beside": ["IMM001", "IMM004", "LCK002"]}[lock_rewrite]
    assert codes(findings) == expected
    if "IMM004" in expected and lock_rewrite != "added beside":
        imm4 = only(findings, "IMM004")
        assert imm4["path"] == LOCK
        assert f"lock entry {KEY} was sha256:" in imm4["message"]
        assert f"is now {BUILD_KEY}: sha256:" in imm4["message"]


@pytest.mark.slow
def test_a_build_of_the_highest_version_is_not_a_version_going_back(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """1.0.1+b beside a published 1.0.1 is the same version (IMM001 when the 1.0.1 file is
    gone), never a new lower one; a real lower version is still IMM002."""
    _publish_1_0_1(capsys, example_git_repo)
    new_version(example_git_repo, PROFILE, "pipelines/profiles/simple_v1_0_0_9.yaml", "0.0.9+b")
    lock_and_commit(capsys, example_git_repo, "an older build")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert (code, codes(findings)) == (1, ["IMM002"])
    assert "ExecutionProfile/simple/v1@0.0.9+b is a new version below 1.0.1" in \
        findings[0]["message"]


def test_references_without_build_metadata_name_the_version(
        capsys: pytest.CaptureFixture[str], base_repo: Path) -> None:
    """``base/v1@1.0.0`` names the one 1.0.0 there is, ``1.0.0+build.7``; a reference with
    other build metadata names a build that does not exist (REF001)."""
    profile = "pipelines/profiles/base.yaml"
    edit(base_repo, profile, 'version: "1.0.0"', 'version: "1.0.0+build.7"')
    run = rspp(capsys, "validate", "--root", str(base_repo))
    assert run.code == 0, run.out
    # `rspp build` fills in the digests and keeps the reference as written.
    assert rspp(capsys, "build", "--root", str(base_repo)).code == 0
    bundle = json.loads(read(base_repo, "pipelines/bundles/agent.json"))
    ref = bundle["spec"]["pins"][1]["ref"]
    digest = rspp(capsys, "digest", str(base_repo / profile)).out.split()[0]
    assert ref == f"base/v1@1.0.0#{digest}"
    assert rspp(capsys, "lock", "--root", str(base_repo)).code == 0
    assert check_json(capsys, base_repo) == (0, [])
    # Another build of 1.0.0 is not there.
    text = read(base_repo, "pipelines/bundles/agent.json")
    write(base_repo, "pipelines/bundles/agent.json",
          text.replace(f'"base/v1@1.0.0#{digest}"', '"base/v1@1.0.0+build.8"'))
    run = rspp(capsys, "validate", "--root", str(base_repo))
    assert run.code == 1
    assert ("REF001 error: ExecutionProfile base/v1@1.0.0+build.8 is not defined (known "
            "versions: 1.0.0+build.7)") in run.out
