"""`rspp check --against REF` in real git repositories: immutability against a base."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import check_json, codes, lock_and_commit, only, rspp
from tests.helpers.files import edit, read, write
from tests.helpers.git import clone, commit, git, init
from tests.helpers.repos import (
    CONTRACT,
    LOCK,
    LOW_LATENCY,
    PROFILE,
    SIP_BUNDLE,
    copy_examples,
    lock_entries,
    new_version,
    version_line,
    write_lock,
)

# Every test builds a git repository and runs git (rspp check --against).
pytestmark = pytest.mark.slow

CONTRACT_KEY = "CompatibilityContract/version_skew_policy@1.1.0"


def _change_contract(repo: Path) -> None:
    """Two comment lines on top (the version line moves) and one changed value."""
    write(repo, CONTRACT, "# edited\n# on a branch\n" + read(repo, CONTRACT))
    edit(repo, CONTRACT, "description: Platform-wide", "description: Company-wide")


def _with_origin(repo: Path, tmp_path: Path) -> Path:
    """A bare repository (a local path) as `origin` of ``repo``, with main pushed."""
    bare = init(tmp_path / "origin.git", bare=True)
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main")
    return bare


def test_a_clean_branch_adding_a_new_locked_version_passes(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    new_version(example_git_repo, PROFILE, "pipelines/profiles/simple_v1_1.yaml", "1.1.0")
    lock_and_commit(capsys, example_git_repo, "simple/v1 1.1.0")
    assert "ExecutionProfile/simple/v1@1.1.0" in lock_entries(example_git_repo)
    assert check_json(capsys, example_git_repo, "--against", "main") == (0, [])
    run = rspp(capsys, "check", "--root", str(example_git_repo), "--against", "main")
    assert (run.code, run.err) == (0, "")
    assert run.out.endswith("files checked: 0 errors, 2 warnings\n")  # EXAMPLE_WARNINGS


@pytest.mark.parametrize("kind", ["branch", "tag", "full-sha", "short-sha"])
def test_changed_content_under_a_published_version_is_imm001(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, kind: str) -> None:
    base = git(example_git_repo, "rev-parse", "main")
    ref = {"branch": "main", "tag": "v1", "full-sha": base, "short-sha": base[:9]}[kind]
    _change_contract(example_git_repo)
    commit(example_git_repo, message="edit a published contract")
    code, findings = check_json(capsys, example_git_repo, "--against", ref)
    assert code == 1
    assert codes(findings) == ["IMM001", "IMM003"]
    imm = only(findings, "IMM001")
    assert (imm["path"], imm["line"], imm["column"]) == (CONTRACT, 18, 12)
    assert version_line(example_git_repo, CONTRACT) == 18
    assert imm["pointer"] == "/metadata/version"
    assert CONTRACT_KEY in imm["message"] and f"{ref} ({base[:12]})" in imm["message"]
    assert lock_entries(example_git_repo)[CONTRACT_KEY] in imm["message"]
    # The related location is the same version at the base, before the comment lines.
    assert [(r["path"], r["line"], r["column"]) for r in imm["related"]] == [(CONTRACT, 16, 12)]
    assert imm["related"][0]["message"] == f"this version at {ref} ({base[:12]})"


def test_uncommitted_changes_are_checked_against_head(capsys: pytest.CaptureFixture[str],
                                                      example_git_repo: Path) -> None:
    _change_contract(example_git_repo)
    code, findings = check_json(capsys, example_git_repo, "--against", "HEAD")
    assert (code, codes(findings)) == (1, ["IMM001", "IMM003"])
    # Reformatting alone (comments, quoting) is no change of meaning.
    git(example_git_repo, "checkout", "-q", "--", CONTRACT)
    write(example_git_repo, CONTRACT, "# a comment\n" + read(example_git_repo, CONTRACT).replace(
        'version: "1.1.0"', "version: '1.1.0'", 1))
    assert check_json(capsys, example_git_repo, "--against", "HEAD") == (0, [])


@pytest.mark.parametrize("how", ["git mv", "mv"])
def test_a_published_version_moved_to_another_file_and_changed(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, how: str) -> None:
    moved = "compat/skew_policy.yaml"
    if how == "git mv":
        git(example_git_repo, "mv", CONTRACT, moved)  # staged rename
    else:
        # a deletion and an untracked file
        (example_git_repo / CONTRACT).rename(example_git_repo / moved)
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert (code, findings) == (0, [])  # moved, same content: nothing changed
    edit(example_git_repo, moved, "description: Platform-wide", "description: Company-wide")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert (code, codes(findings)) == (1, ["IMM001", "IMM003"])
    imm = only(findings, "IMM001")
    assert (imm["path"], imm["line"]) == (moved, 16)
    assert [(r["path"], r["line"]) for r in imm["related"]] == [(CONTRACT, 16)]


def test_a_version_below_the_highest_at_the_base_is_imm002(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    new_version(example_git_repo, PROFILE, "pipelines/profiles/simple_v1_2.yaml", "1.2.0")
    lock_and_commit(capsys, example_git_repo, "simple/v1 1.2.0")
    git(example_git_repo, "branch", "-f", "main", "HEAD")
    older = "pipelines/profiles/simple_v1_1.yaml"
    new_version(example_git_repo, PROFILE, older, "1.1.0")
    lock_and_commit(capsys, example_git_repo, "simple/v1 1.1.0")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert (code, codes(findings)) == (1, ["IMM002"])
    imm = findings[0]
    assert (imm["path"], imm["line"], imm["column"]) == (
        older, version_line(example_git_repo, older), 12)
    assert "ExecutionProfile/simple/v1@1.1.0 is a new version below 1.2.0" in imm["message"]
    # A new version above every version at the base is fine; so is a patch of an old line.
    git(example_git_repo, "rm", "-q", older)
    new_version(example_git_repo, PROFILE, "pipelines/profiles/simple_v1_3.yaml", "1.3.0")
    write_lock(example_git_repo, {k: v for k, v in lock_entries(example_git_repo).items()
                      if not k.endswith("@1.1.0")})
    lock_and_commit(capsys, example_git_repo, "1.3.0 instead")
    assert check_json(capsys, example_git_repo, "--against", "main") == (0, [])
    # ...but against the commit that published 1.1.0, dropping its lock entry is IMM004.
    code, findings = check_json(capsys, example_git_repo, "--against", "HEAD~1")
    # ...and deleting a published version without a retirement is VER002.
    assert (code, codes(findings)) == (1, ["IMM004", "VER002"])
    assert "ExecutionProfile/simple/v1@1.1.0" in findings[0]["message"]


@pytest.mark.parametrize("how", ["removed", "rewritten"])
def test_a_lock_entry_removed_or_rewritten_is_imm004(capsys: pytest.CaptureFixture[str],
                                                     example_git_repo: Path, how: str) -> None:
    entries = lock_entries(example_git_repo)
    old = entries[CONTRACT_KEY]
    if how == "removed":
        del entries[CONTRACT_KEY]
    else:
        entries[CONTRACT_KEY] = "sha256:" + "0" * 64
    write_lock(example_git_repo, entries)
    commit(example_git_repo, message=f"lock entry {how}")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert code == 1
    other = "LCK001" if how == "removed" else "IMM003"
    assert codes(findings) == sorted(["IMM004", other])
    imm = only(findings, "IMM004")
    assert imm["path"] == LOCK and CONTRACT_KEY in imm["message"] and old in imm["message"]
    lines = read(example_git_repo, LOCK).split("\n")
    if how == "rewritten":
        assert imm["line"] == 1 + next(i for i, line in enumerate(lines) if CONTRACT_KEY in line)
        assert "is now sha256:" + "0" * 64 in imm["message"]
    else:
        assert "was removed" in imm["message"] and imm["pointer"] == "/artifacts"


def test_content_changed_with_its_lock_entry_rewritten_to_match(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    _change_contract(example_git_repo)
    entries = lock_entries(example_git_repo)
    entries[CONTRACT_KEY] = rspp(capsys, "digest", str(example_git_repo / CONTRACT)).out.split()[0]
    write_lock(example_git_repo, entries)
    commit(example_git_repo, message="rewrite a published version and its lock entry")
    assert check_json(capsys, example_git_repo)[0] == 0  # consistent in itself...
    # ...but not with main
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert (code, codes(findings)) == (1, ["IMM001", "IMM004"])


def test_a_pinned_digest_that_no_longer_matches_is_bnd005(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    edit(example_git_repo, LOW_LATENCY, "turnLatencyMs: ", "turnLatencyMs: 1")
    commit(example_git_repo, message="edit a pinned profile in place")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert code == 1
    # The bundle's view and page cannot be rebuilt while its pin is wrong: blocked.
    assert codes(findings) == ["BND005", "DRV004", "DRV004", "IMM001", "IMM003"]
    bnd = only(findings, "BND005")
    pin = 1 + next(i for i, line in enumerate(read(example_git_repo, SIP_BUNDLE).split("\n"))
                   if "ref: low_latency/v1@1.0.0#sha256:" in line)
    assert (bnd["path"], bnd["line"], bnd["column"]) == (SIP_BUNDLE, pin, 12)
    assert bnd["pointer"] == "/spec/pins/1/ref"
    assert [(r["path"], r["line"]) for r in bnd["related"]] == [
        (LOW_LATENCY, version_line(example_git_repo, LOW_LATENCY))]
    assert lock_entries(example_git_repo)["ExecutionProfile/low_latency/v1@1.0.0"] in bnd["message"]


def test_a_force_push_that_rewrites_a_published_version_is_imm005(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, tmp_path: Path) -> None:
    git(example_git_repo, "checkout", "-q", "main")
    _with_origin(example_git_repo, tmp_path)
    old_base = git(example_git_repo, "rev-parse", "HEAD")
    # History rewritten: the published contract changed in place, the lock made to match.
    _change_contract(example_git_repo)
    entries = lock_entries(example_git_repo)
    entries[CONTRACT_KEY] = rspp(capsys, "digest", str(example_git_repo / CONTRACT)).out.split()[0]
    write_lock(example_git_repo, entries)
    git(example_git_repo, "add", "-A")
    git(example_git_repo, "commit", "-q", "--amend", "-m", "base, rewritten")
    git(example_git_repo, "push", "-q", "--force", "origin", "main")
    assert git(example_git_repo, "rev-parse", "origin/main") == \
        git(example_git_repo, "rev-parse", "HEAD")
    code, findings = check_json(capsys, example_git_repo, "--against", old_base)
    assert code == 1
    assert codes(findings) == ["IMM004", "IMM005"]
    imm = only(findings, "IMM005")
    assert (imm["path"], imm["line"], imm["column"]) == (CONTRACT, 18, 12)
    assert "history was rewritten" in imm["message"]
    assert [(r["path"], r["line"]) for r in imm["related"]] == [(CONTRACT, 16)]
    # Against the rewritten remote branch there is nothing to report.
    assert check_json(capsys, example_git_repo, "--against", "origin/main") == (0, [])


def test_a_rewritten_base_without_changed_versions_is_clean(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    git(example_git_repo, "commit", "-q", "--amend", "--allow-empty", "-m", "same tree, new commit")
    ancestry = subprocess.run(["git", "merge-base", "--is-ancestor", "v1", "HEAD"],
                              cwd=example_git_repo, capture_output=True, timeout=60, check=False)
    assert ancestry.returncode == 1
    assert check_json(capsys, example_git_repo, "--against", "v1") == (0, [])


def test_origin_main_from_a_bare_remote(capsys: pytest.CaptureFixture[str], example_git_repo: Path,
                                        tmp_path: Path) -> None:
    _with_origin(example_git_repo, tmp_path)
    _change_contract(example_git_repo)
    commit(example_git_repo, message="edit")
    code, findings = check_json(capsys, example_git_repo, "--against", "origin/main")
    assert (code, codes(findings)) == (1, ["IMM001", "IMM003"])
    assert "origin/main (" in only(findings, "IMM001")["message"]


def test_shallow_clone_fetches_the_base_on_demand(capsys: pytest.CaptureFixture[str],
                                                  example_git_repo: Path, tmp_path: Path) -> None:
    bare = _with_origin(example_git_repo, tmp_path)
    _change_contract(example_git_repo)
    commit(example_git_repo, message="edit")
    git(example_git_repo, "push", "-q", "origin", "feature")
    shallow = clone(f"file://{bare}", tmp_path / "shallow", "--depth=1", "--branch", "feature")
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
    assert git(shallow, "for-each-ref", "--format=%(refname)", "refs/remotes") == \
        "refs/remotes/origin/feature"
    # Without fetching, the base cannot be read: exit 2, one line.
    run = rspp(capsys, "check", "--root", str(shallow), "--against", "origin/main", "--no-fetch")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("rspp: error: GIT001 ") and run.err.count("\n") == 1
    assert "'origin/main'" in run.err and "a shallow clone" in run.err
    # With fetching (the default), both spellings of the base work; ancestry is unknowable
    # in a shallow clone, so the change is IMM001, never IMM005.
    for ref in ("origin/main", "main"):
        code, findings = check_json(capsys, shallow, "--against", ref)
        assert (code, codes(findings)) == (1, ["IMM001", "IMM003"]), ref
    assert git(shallow, "rev-parse", "origin/main") == git(example_git_repo, "rev-parse", "main")


def test_a_base_that_cannot_be_obtained_exits_2_with_one_line(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, tmp_path: Path) -> None:
    run = rspp(capsys, "check", "--root", str(example_git_repo), "--against", "no-such-branch")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("rspp: error: GIT001 ") and run.err.count("\n") == 1
    assert "'no-such-branch'" in run.err
    _with_origin(example_git_repo, tmp_path)  # a remote that does not have it either
    run = rspp(capsys, "check", "--root", str(example_git_repo),
               "--against", "origin/no-such-branch")
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("rspp: error: GIT001 ") and run.err.count("\n") == 1
    assert "fetching it from origin failed" in run.err
    # Refs that git could read as an option or a range are refused before git sees them.
    for ref in ("--output=/tmp/x", "main..feature", "main:compat"):
        run = rspp(capsys, "check", "--root", str(example_git_repo), f"--against={ref}")
        assert (run.code, run.out) == (2, ""), ref
        assert run.err.startswith("rspp: error: GIT001 refusing git ref"), run.err


def test_reports_in_every_format(capsys: pytest.CaptureFixture[str],
                                 example_git_repo: Path) -> None:
    _change_contract(example_git_repo)
    commit(example_git_repo, message="edit")
    args = ("check", "--root", str(example_git_repo), "--against", "main", "--format")
    report = json.loads(rspp(capsys, *args, "json").out)
    assert report["summary"] == {"errors": 2, "failed": True, "files": report["summary"]["files"],
                                 "warnings": 2}  # EXAMPLE_WARNINGS
    assert codes([f for f in report["findings"] if f["severity"] == "error"]) \
        == ["IMM001", "IMM003"]
    sarif = rspp(capsys, *args, "sarif")
    assert sarif.code == 1
    results = json.loads(sarif.out)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results if r["level"] == "error") == ["IMM001", "IMM003"]
    imm = next(r for r in results if r["ruleId"] == "IMM001")
    location = imm["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == CONTRACT
    assert location["region"] == {"startLine": 18, "startColumn": 12}
    related = imm["relatedLocations"][0]["physicalLocation"]
    assert (related["artifactLocation"]["uri"], related["region"]["startLine"]) == (CONTRACT, 16)
    github = rspp(capsys, *args, "github")
    assert github.code == 1
    assert any(line.startswith("::error ") and f"file={CONTRACT},line=18,col=12" in line
               and "IMM001" in line for line in github.out.splitlines())


def test_console_script_against_main(example_git_repo: Path) -> None:
    _change_contract(example_git_repo)
    commit(example_git_repo, message="edit")
    proc = subprocess.run([sys.executable, "-m", "rspp", "check", "--against", "main"],
                          cwd=example_git_repo, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert f"{CONTRACT}:18:12 IMM001 error: {CONTRACT_KEY} changed since main (" in proc.stdout
    assert proc.stdout.endswith("files checked: 2 errors, 2 warnings\n")  # EXAMPLE_WARNINGS


def test_a_repository_in_a_subdirectory_of_the_work_tree(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    top = init(tmp_path / "mono")
    sub = copy_examples(top / "artifacts")
    commit(top, message="base")
    git(top, "checkout", "-q", "-b", "feature")
    _change_contract(sub)
    entries = lock_entries(sub)
    entries[CONTRACT_KEY] = rspp(capsys, "digest", str(sub / CONTRACT)).out.split()[0]
    write_lock(sub, entries)  # the lock "updated" to hide the change
    commit(top, message="rewrite a published version and its lock entry")
    code, findings = check_json(capsys, sub, "--against", "main")
    assert code == 1
    assert codes(findings) == ["IMM001", "IMM004"]


def test_a_base_lock_past_1_mib_is_compared_entry_by_entry(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """A large repository's lock (here padded to ~12,000 entries, 1.2 MiB) is read at the
    base and at the head: removing one entry is still IMM004, never a silent pass."""
    git(example_git_repo, "checkout", "-q", "main")
    padded = {**lock_entries(example_git_repo),
              **{f"Module/scale/m{i:05d}@1.0.0": "sha256:" + f"{i:064x}" for i in range(12_000)}}
    write_lock(example_git_repo, padded)
    assert (example_git_repo / LOCK).stat().st_size > 1 << 20
    commit(example_git_repo, message="a large lock")
    git(example_git_repo, "checkout", "-q", "-B", "feature")
    del padded[CONTRACT_KEY]
    write_lock(example_git_repo, padded)
    commit(example_git_repo, message="lock entry removed")
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert code == 1
    assert "FILE004" not in codes(findings)
    removed = only(findings, "IMM004")
    assert CONTRACT_KEY in removed["message"] and "was removed" in removed["message"]


@pytest.mark.parametrize("text", ["{not json\n", '{"lockVersion": 2, "artifacts": {}}\n'])
def test_a_base_whose_lock_cannot_be_read_stops_the_check(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, text: str) -> None:
    """Without the base's lock its published versions are unknown: GIT001, exit 2, never a
    comparison with less than the base."""
    git(example_git_repo, "checkout", "-q", "main")
    write(example_git_repo, LOCK, text)
    commit(example_git_repo, message="a broken lock")
    git(example_git_repo, "checkout", "-q", "feature")
    run = rspp(capsys, "check", "--root", str(example_git_repo), "--against", "main")
    assert run.code == 2, run.out + run.err
    assert "GIT001" in run.err and f"{LOCK} at main" in run.err
    assert "is not a valid lock" in run.err and "Traceback" not in run.err
