"""Every command that writes refuses to write through a link or outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import one_error, rspp
from tests.helpers.files import OUTSIDE_TEXT, outside_folder, snapshot
from tests.helpers.repos import consumer_repo, own_repo

# Every test makes a git repository or runs rspp as a process.
pytestmark = pytest.mark.slow

Capture = pytest.CaptureFixture[str]
BUNDLE = "agent_bundle@1.0.0"
BUNDLE_BUILD = ["bundle", "build", "--id", "next", "--version", "1.1.0", "--spec", "agent@1.0.0",
                "--profile", "base/v1@1.0.0", "--packages-from", BUNDLE, "--min-runtime",
                "1.0.0", "--event-abi", "1.0.0"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return consumer_repo(tmp_path)


@pytest.fixture
def away(tmp_path: Path) -> Path:
    return outside_folder(tmp_path)


def _untouched(away: Path) -> None:
    assert snapshot(away) == {"keep.txt": OUTSIDE_TEXT}


def test_build_refuses_a_linked_docs_folder(capsys: Capture, repo: Path, away: Path) -> None:
    (repo / "docs").symlink_to(away, target_is_directory=True)
    run = rspp(capsys, "build", "--root", str(repo))
    one_error(run, "IO002", "refusing to write docs/pipelines/",
              ": docs is a symbolic link")
    _untouched(away)
    assert (repo / "docs").is_symlink()


def test_build_refuses_a_linked_pipelines_page_folder(capsys: Capture, repo: Path,
                                                      away: Path) -> None:
    (repo / "docs").mkdir()
    (repo / "docs" / "pipelines").symlink_to(away, target_is_directory=True)
    run = rspp(capsys, "build", "--root", str(repo))
    one_error(run, "IO002", ": docs/pipelines is a symbolic link")
    _untouched(away)


def test_build_refuses_a_linked_view_file(capsys: Capture, repo: Path, away: Path) -> None:
    assert rspp(capsys, "build", "--root", str(repo)).code == 0
    view = repo / "docs" / "pipelines" / f"{BUNDLE}.resolved.json"
    view.unlink()
    view.symlink_to(away / "keep.txt")
    run = rspp(capsys, "build", "--root", str(repo))
    one_error(run, "IO002", f"refusing to write docs/pipelines/{BUNDLE}.resolved.json: it is "
                            "a symbolic link")
    _untouched(away)


def test_build_says_it_in_one_line_from_a_real_process(repo: Path, away: Path) -> None:
    (repo / "docs").symlink_to(away, target_is_directory=True)
    proc = subprocess.run([sys.executable, "-m", "rspp", "build"], cwd=repo, timeout=300,
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("rspp: error: IO002 refusing to write docs/pipelines/")
    assert proc.stderr.count("\n") == 1
    _untouched(away)


def test_docs_write_refuses_a_linked_rule_reference(capsys: Capture, tmp_path: Path,
                                                    away: Path) -> None:
    root = own_repo(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "rules.md").symlink_to(away / "keep.txt")
    run = rspp(capsys, "docs", "--write", "--root", str(root))
    one_error(run, "IO002", "refusing to write docs/rules.md: it is a symbolic link")
    _untouched(away)
    # every file is looked at before any is written: nothing was written
    assert snapshot(root / "docs") == {"rules.md": f"-> {away / 'keep.txt'}"}
    assert not (root / ".pre-commit-hooks.yaml").exists()
    run = rspp(capsys, "docs", "--check", "--root", str(root))
    one_error(run, "IO002", "refusing to check docs/rules.md: it is a symbolic link")


def test_docs_write_refuses_a_linked_docs_folder(capsys: Capture, tmp_path: Path,
                                                 away: Path) -> None:
    root = own_repo(tmp_path)
    (root / "docs").symlink_to(away, target_is_directory=True)
    one_error(rspp(capsys, "docs", "--write", "--root", str(root)), "IO002",
              ": docs is a symbolic link")
    one_error(rspp(capsys, "check-generated", "--root", str(root)), "IO002",
              ": docs is a symbolic link")
    _untouched(away)


def test_schemas_write_follows_no_planted_temporary_link(capsys: Capture, tmp_path: Path,
                                                         away: Path) -> None:
    root = own_repo(tmp_path)
    schemas = root / "schemas"
    schemas.mkdir()
    planted = ["PipelineSpec.schema.tmp", ".PipelineSpec.schema.json.tmp"]
    for name in planted:
        (schemas / name).symlink_to(away / "keep.txt")
    run = rspp(capsys, "schemas", "--write", "--root", str(root))
    assert run.code == 0 and "wrote schemas/PipelineSpec.schema.json" in run.out
    _untouched(away)
    assert all((schemas / name).is_symlink() for name in planted)
    assert rspp(capsys, "schemas", "--check", "--root", str(root)).code == 0


def test_schemas_write_refuses_links(capsys: Capture, tmp_path: Path, away: Path) -> None:
    root = own_repo(tmp_path)
    (root / "schemas").symlink_to(away, target_is_directory=True)
    one_error(rspp(capsys, "schemas", "--write", "--root", str(root)), "IO002",
              "refusing to create schemas: it is a symbolic link")
    one_error(rspp(capsys, "schemas", "--root", str(root)), "IO002",
              "refusing to check schemas/", ": schemas is a symbolic link")
    _untouched(away)
    (root / "schemas").unlink()
    assert rspp(capsys, "schemas", "--write", "--root", str(root)).code == 0
    spec = root / "schemas" / "PipelineSpec.schema.json"
    spec.unlink()
    spec.symlink_to(away / "keep.txt")
    one_error(rspp(capsys, "schemas", "--write", "--root", str(root)), "IO002",
              "refusing to write schemas/PipelineSpec.schema.json: it is a symbolic link")
    _untouched(away)
    # a stale schema that is a link is removed as a link; its target stays
    spec.unlink()
    (root / "schemas" / "Gone.schema.json").symlink_to(away / "keep.txt")
    run = rspp(capsys, "schemas", "--write", "--root", str(root))
    assert run.code == 0 and "wrote schemas/Gone.schema.json" in run.out
    assert not os.path.lexists(root / "schemas" / "Gone.schema.json")
    _untouched(away)


def test_lock_refuses_a_linked_lock_file(capsys: Capture, repo: Path, away: Path) -> None:
    assert rspp(capsys, "build", "--root", str(repo)).code == 0  # pins get their digests
    (repo / "locks").mkdir()
    (repo / "locks" / "rspp.lock").write_text('{"lockVersion": 1, "artifacts": {}}\n',
                                              encoding="utf-8")
    (repo / "rspp.lock").symlink_to(Path("locks") / "rspp.lock")
    one_error(rspp(capsys, "lock", "--root", str(repo)), "IO002",
              "refusing to write rspp.lock: it is a symbolic link")
    assert (repo / "rspp.lock").is_symlink()
    assert (repo / "locks" / "rspp.lock").read_text(encoding="utf-8") == (
        '{"lockVersion": 1, "artifacts": {}}\n')
    # a link out of the repository is not even read
    (repo / "rspp.lock").unlink()
    (repo / "rspp.lock").symlink_to(away / "keep.txt")
    run = rspp(capsys, "lock", "--root", str(repo))
    assert run.code == 1 and "rspp.lock:1:1 FILE002" in run.out
    _untouched(away)


def test_fmt_writes_a_linked_file_only_at_its_target_inside_the_repository(
        capsys: Capture, repo: Path, away: Path) -> None:
    spec = repo / "pipelines" / "specs" / "agent.yaml"
    text = spec.read_text(encoding="utf-8")
    unformatted = text.replace("kind: PipelineSpec", "kind:   PipelineSpec", 1)
    assert unformatted != text
    spec.write_text(unformatted, encoding="utf-8")
    alias = repo / "pipelines" / "specs" / "alias.yaml"
    alias.symlink_to("agent.yaml")
    (away / "spec.yaml").write_text(unformatted, encoding="utf-8")
    (repo / "pipelines" / "specs" / "away.yaml").symlink_to(away / "spec.yaml")
    run = rspp(capsys, "fmt", "--root", str(repo), str(alias),
               str(repo / "pipelines" / "specs" / "away.yaml"))
    assert run.code == 1
    assert "pipelines/specs/alias.yaml: reformatted" in run.out
    assert "pipelines/specs/away.yaml:1:1 FILE002 symbolic link points outside" in run.out
    assert spec.read_text(encoding="utf-8") == text and alias.is_symlink()
    assert (away / "spec.yaml").read_text(encoding="utf-8") == unformatted


def test_fmt_a_write_the_system_refuses_is_io003_and_the_file_stays_whole(repo: Path) -> None:
    spec = repo / "pipelines" / "specs" / "agent.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("kind: PipelineSpec", "kind:   PipelineSpec", 1),
                    encoding="utf-8")
    def files() -> dict[str, bytes | str]:  # the work area's cache may record what it saw
        return {k: v for k, v in snapshot(repo).items() if not k.startswith(".rspp")}

    before = files()
    limit = len(text) // 2  # the formatted file cannot be written whole under this limit
    script = ("import resource, sys\n"
              f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
              "from rspp.cli.main import main\n"
              "raise SystemExit(main(sys.argv[1:]))\n")
    proc = subprocess.run([sys.executable, "-c", script, "fmt", "--root", str(repo), str(spec)],
                          capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == ("rspp: error: IO003 cannot write pipelines/specs/agent.yaml: File "
                           "too large (check the permissions of the file and its folder)\n")
    assert files() == before


@pytest.mark.parametrize("flag", ["--out", "-o"])
def test_out_outside_the_repository_is_refused(capsys: Capture, repo: Path, away: Path,
                                               flag: str) -> None:
    for target in (away / "view.json", away / "keep.json", repo / ".." / "outside" / "v.json"):
        run = rspp(capsys, "resolve", BUNDLE, "--root", str(repo), flag, str(target))
        one_error(run, "IO001", f"refusing to write {target}: it is outside the repository")
        run = rspp(capsys, *BUNDLE_BUILD, "--root", str(repo), flag, str(target))
        one_error(run, "IO001", "it is outside the repository")
    _untouched(away)


def test_out_through_a_link_or_into_git_is_refused(capsys: Capture, repo: Path,
                                                   away: Path) -> None:
    (repo / "out").symlink_to(away, target_is_directory=True)
    # The validation before the refusal may fill the work area's cache (ADR 0013); nothing
    # else is written.
    rspp(capsys, "validate", "--root", str(repo))
    before = snapshot(repo)
    one_error(rspp(capsys, "resolve", BUNDLE, "--root", str(repo), "--out",
                   str(repo / "out" / "view.json")), "IO002", "out is a symbolic link")
    one_error(rspp(capsys, *BUNDLE_BUILD, "--root", str(repo), "--out",
                   str(repo / "out" / "keep.json")), "IO002", "out is a symbolic link")
    one_error(rspp(capsys, "resolve", BUNDLE, "--root", str(repo), "--out",
                   str(repo / ".git" / "hooks" / "post-checkout.json")), "IO001", "inside .git")
    assert snapshot(repo) == before
    _untouched(away)


def test_out_inside_the_repository_is_written(capsys: Capture, repo: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "pipelines")
    run = rspp(capsys, *BUNDLE_BUILD, "--out", "bundles/next.json")
    assert (run.code, run.err) == (0, "")
    assert (repo / "pipelines" / "bundles" / "next.json").read_text(encoding="utf-8").startswith(
        "{")
    assert rspp(capsys, "resolve", BUNDLE, "-o", "../views/agent.json").code == 0
    assert (repo / "views" / "agent.json").is_file()


def test_resolve_all_out_dir_must_be_inside_and_unlinked(capsys: Capture, repo: Path,
                                                         away: Path) -> None:
    one_error(rspp(capsys, "resolve", "--all", "--root", str(repo), "--out-dir", str(away)),
              "IO001", "it is outside the repository")
    (repo / "views").symlink_to(away, target_is_directory=True)
    one_error(rspp(capsys, "resolve", "--all", "--root", str(repo), "--out-dir",
                   str(repo / "views" / "deeper")), "IO002", "views is a symbolic link")
    _untouched(away)
    (repo / "views").unlink()
    run = rspp(capsys, "resolve", "--all", "--root", str(repo), "--out-dir",
               str(repo / "views"))
    assert run.code == 0
    assert sorted(os.listdir(repo / "views")) == ["agent_bundle@0.9.0.json",
                                                  "agent_bundle@1.0.0.json"]


def test_status_and_build_follow_no_link_at_a_generated_file(capsys: Capture, tmp_path: Path,
                                                             away: Path) -> None:
    root = own_repo(tmp_path)
    assert rspp(capsys, "build", "--root", str(root)).code == 0
    rules = root / "docs" / "rules.md"
    rules.unlink()
    rules.symlink_to(away / "keep.txt")
    run = rspp(capsys, "status", "--root", str(root))
    assert run.code == 1
    assert [line for line in run.out.splitlines() if not line.startswith("fresh")][:1] == [
        "invalid  docs/rules.md  (refusing to check docs/rules.md: it is a symbolic link)"]
    one_error(rspp(capsys, "build", "--root", str(root)), "IO002",
              "refusing to write docs/rules.md: it is a symbolic link")
    _untouched(away)


@pytest.mark.parametrize("how", ["file", "folder"])
def test_derived_files_behind_a_link_out_are_not_fresh(capsys: Capture, repo: Path,
                                                       tmp_path: Path, how: str) -> None:
    """A correct page moved outside and linked back is never read: status and check fail."""
    assert rspp(capsys, "build", "--root", str(repo)).code == 0
    assert rspp(capsys, "lock", "--root", str(repo)).code == 0
    assert rspp(capsys, "check", "--root", str(repo)).code == 0
    pages = repo / "docs" / "pipelines"
    page = sorted(pages.glob("*.md"))[0]
    elsewhere = tmp_path / "elsewhere"
    if how == "file":
        elsewhere.mkdir()
        shutil.move(page, elsewhere / page.name)
        page.symlink_to(elsewhere / page.name)
    else:
        shutil.move(pages, elsewhere)
        pages.symlink_to(elsewhere, target_is_directory=True)
    status = rspp(capsys, "status", "--root", str(repo))
    assert status.code == 1
    assert f"invalid  docs/pipelines/{page.name}" in status.out
    assert "symbolic link" in status.out
    check = rspp(capsys, "check", "--root", str(repo))
    assert check.code == 1 and "no findings" not in check.out
