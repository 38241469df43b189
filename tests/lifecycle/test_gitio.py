"""gitio against real repositories: refs of every kind, remotes, force pushes, shallow clones."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from rspp.core.errors import RsppError
from rspp.lifecycle import gitio
from rspp.lifecycle.gitio import GitError, GitRepo, TreeEntry
from tests.helpers.git import clone, commit, git, init

# Every test runs git.
pytestmark = pytest.mark.slow


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """main: c1 -> c2 -> c3; branch `old` at c1; tags v1 (lightweight, c2), v2 (annotated, c3)."""
    path = init(tmp_path / "repo")
    commit(path, {"pipelines/a.yaml": "a: 1\n"}, "c1")
    git(path, "branch", "old")
    commit(path, {"pipelines/a.yaml": "a: 2\n"}, "c2")
    git(path, "tag", "v1")
    commit(path, {"pipelines/a.yaml": "a: 3\n"}, "c3")
    git(path, "tag", "-a", "v2", "-m", "release 2")
    return path


@pytest.fixture()
def origin(tmp_path: Path) -> tuple[Path, Path]:
    """A bare `origin` (a local path) and a developer clone that pushed to it.

    main: c1 -> c2 -> c3; feature: c2 -> f1; v9: an annotated tag of c1.
    """
    bare = init(tmp_path / "origin.git", bare=True)
    dev = init(tmp_path / "dev")
    git(dev, "remote", "add", "origin", str(bare))
    commit(dev, {"pipelines/a.yaml": "a: 1\n"}, "c1")
    commit(dev, {"pipelines/a.yaml": "a: 2\n"}, "c2")
    commit(dev, {"pipelines/a.yaml": "a: 3\n"}, "c3")
    git(dev, "tag", "-a", "v9", "-m", "release 9", "HEAD~2")
    git(dev, "checkout", "-q", "-b", "feature", "HEAD~1")
    commit(dev, {"pipelines/a.yaml": "a: feature\n"}, "f1")
    git(dev, "checkout", "-q", "main")
    git(dev, "push", "-q", "origin", "main", "feature", "v9")
    return bare, dev


def rev(path: Path, name: str) -> str:
    return git(path, "rev-parse", f"{name}^{{commit}}")


# --- refs of every kind ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["main", "refs/heads/main", "old", "v1", "v2", "refs/tags/v2",
                                  "HEAD", "HEAD~1", "HEAD^^", "main@{0}"])
def test_resolve_names_like_git(repo: Path, name: str) -> None:
    assert GitRepo(repo).resolve(name, fetch=False) == rev(repo, name)


def test_annotated_tag_is_peeled_to_its_commit(repo: Path) -> None:
    tag_object = git(repo, "rev-parse", "v2")
    commit_id = GitRepo(repo).resolve("v2")
    assert commit_id != tag_object
    assert commit_id == rev(repo, "main")
    assert GitRepo(repo).resolve("v1") == rev(repo, "HEAD~1")


def test_full_and_abbreviated_ids(repo: Path) -> None:
    full = rev(repo, "old")
    gr = GitRepo(repo)
    assert gr.resolve(full) == full
    assert gr.resolve(full[:10]) == full
    assert gr.resolve(full.upper()) == full


def test_detached_head_and_any_folder_inside(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach", "v1")
    gr = GitRepo(repo / "pipelines")
    assert gr.top == repo.resolve()
    assert gr.resolve("HEAD") == rev(repo, "v1")
    assert gr.resolve("main") == rev(repo, "main")
    assert gr.read_files("HEAD", ["pipelines"]) == {"pipelines/a.yaml": b"a: 2\n"}


def test_unknown_ref_without_remote(repo: Path) -> None:
    with pytest.raises(GitError) as info:
        GitRepo(repo).resolve("no-such-branch")
    err = info.value
    assert isinstance(err, RsppError) and err.code == "GIT001"
    assert "'no-such-branch'" in err.cause and "a full clone" in err.cause
    assert "\n" not in err.one_line()


@pytest.mark.parametrize("ref", ["--output=OUT", "-h", "a..b", "main..HEAD", "a b", "a\tb",
                                 "a\nb", "a\0b", "HEAD:pipelines/a.yaml", ":/c1", ""])
def test_dangerous_refs_are_refused(repo: Path, ref: str) -> None:
    ref = ref.replace("OUT", str(repo / "out.txt"))
    gr = GitRepo(repo)
    with pytest.raises(GitError, match="refusing git ref"):
        gr.resolve(ref)
    with pytest.raises(GitError, match="refusing git ref"):
        gr.tree(ref, [])
    assert not (repo / "out.txt").exists()


# --- remotes --------------------------------------------------------------------------------

def test_remote_tracking_refs_of_a_clone(origin: tuple[Path, Path], tmp_path: Path) -> None:
    bare, dev = origin
    work = clone(bare, tmp_path / "work")
    gr = GitRepo(work)
    assert not gr.is_shallow()
    assert gr.resolve("origin/main") == rev(dev, "main")
    assert gr.resolve("refs/remotes/origin/main") == rev(dev, "main")
    assert gr.resolve("origin/feature", fetch=False) == rev(dev, "feature")


def test_branch_only_on_the_remote_is_fetched(origin: tuple[Path, Path], tmp_path: Path) -> None:
    bare, dev = origin
    work = clone(bare, tmp_path / "work")
    git(dev, "checkout", "-q", "-b", "late", "main")
    late = commit(dev, {"pipelines/late.yaml": "late: true\n"}, "late")
    git(dev, "push", "-q", "origin", "late", "refs/heads/late:refs/heads/later")
    gr = GitRepo(work)
    with pytest.raises(GitError, match="'origin/late'"):
        gr.resolve("origin/late", fetch=False)
    assert gr.resolve("origin/late") == late
    assert rev(work, "refs/remotes/origin/late") == late  # stored where git fetch puts it
    assert gr.resolve("later") == late  # a plain name: fetched from origin
    assert gr.read_files(late, ["pipelines/late.yaml"]) == {"pipelines/late.yaml": b"late: true\n"}


def test_plain_name_falls_back_to_the_tracking_ref(origin: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    bare, dev = origin
    work = clone(bare, tmp_path / "work")
    assert GitRepo(work).resolve("feature", fetch=False) == rev(dev, "feature")


def test_force_push_rewrites_the_remote_branch(origin: tuple[Path, Path], tmp_path: Path) -> None:
    bare, dev = origin
    work = clone(bare, tmp_path / "work")
    before = rev(work, "origin/main")
    (dev / "pipelines" / "a.yaml").write_text("a: rewritten\n")
    git(dev, "commit", "-q", "-a", "--amend", "-m", "c3 rewritten")
    git(dev, "push", "-q", "--force", "origin", "main")
    after = rev(dev, "main")
    gr = GitRepo(work)
    assert gr.resolve("origin/main") == before  # known locally: no fetch until asked
    git(work, "fetch", "-q", "origin")
    assert gr.resolve("origin/main") == after != before
    assert gr.read_files("origin/main", []) == {"pipelines/a.yaml": b"a: rewritten\n"}
    assert gr.resolve(before) == before  # the old commit is still in the local database
    assert gr.read_files(before, []) == {"pipelines/a.yaml": b"a: 3\n"}


def test_shallow_clone_fetches_the_base(origin: tuple[Path, Path], tmp_path: Path) -> None:
    bare, dev = origin
    work = clone(bare.as_uri(), tmp_path / "work", "--depth=1")
    gr = GitRepo(work)
    assert gr.is_shallow()
    second = rev(dev, "main~1")
    assert gr.resolve("origin/feature") == rev(dev, "feature")
    assert gr.read_files("origin/feature", []) == {"pipelines/a.yaml": b"a: feature\n"}
    assert gr.resolve(second) == second  # a full id, fetched one commit deep
    assert gr.read_files(second, []) == {"pipelines/a.yaml": b"a: 2\n"}
    tagged = gr.resolve("v9")  # a tag, fetched (into FETCH_HEAD only) and peeled
    assert tagged == rev(dev, "main~2")
    assert gr.read_files(tagged, []) == {"pipelines/a.yaml": b"a: 1\n"}
    assert gr.is_shallow()


def test_shallow_clone_base_that_does_not_exist(origin: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    bare, _ = origin
    work = clone(bare.as_uri(), tmp_path / "work", "--depth=1")
    with pytest.raises(GitError) as info:
        GitRepo(work).resolve("origin/gone")
    err = info.value
    assert err.code == "GIT001"
    assert "\n" not in err.cause and "\n" not in err.remedy
    assert "'origin/gone'" in err.cause and "shallow" in err.cause
    assert "couldn't find remote ref" in err.cause
    assert "git fetch origin gone" in err.remedy and "fetch-depth: 0" in err.remedy


def test_shallow_history_beyond_the_boundary(origin: tuple[Path, Path], tmp_path: Path) -> None:
    bare, _ = origin
    work = clone(bare.as_uri(), tmp_path / "work", "--depth=1")
    with pytest.raises(GitError, match="shallow") as info:
        GitRepo(work).resolve("HEAD~1")
    assert "--deepen" in info.value.remedy


def test_unreachable_remote_fails_fast(repo: Path, tmp_path: Path) -> None:
    git(repo, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    with pytest.raises(GitError, match="fetching it from origin failed") as info:
        GitRepo(repo).resolve("origin/main")
    assert "\n" not in info.value.cause


# --- trees and blobs ------------------------------------------------------------------------

def test_tree_lists_regular_files_only(repo: Path) -> None:
    odd = "pipelines/specs/voice agent é 声.yaml"
    newline = "pipelines/line\nbreak.yaml"
    commit(repo, {odd: "x: 1\n", newline: "y: 1\n", "pipelines/run.sh": "#!/bin/sh\n",
                  "docs/readme.md": "hi\n", "pipelines-other/z.yaml": "z: 1\n", "-h/x.yaml": "-"})
    run = repo / "pipelines" / "run.sh"
    run.chmod(run.stat().st_mode | stat.S_IXUSR)
    os.symlink("a.yaml", repo / "pipelines" / "link.yaml")
    git(repo, "add", "-A")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{rev(repo, 'old')},pipelines/sub")
    git(repo, "commit", "-q", "-m", "odd files")
    gr = GitRepo(repo)
    head = gr.resolve("HEAD")
    entries = gr.tree(head, ["pipelines"])
    assert sorted(entries) == sorted(["pipelines/a.yaml", odd, newline, "pipelines/run.sh"])
    assert entries["pipelines/run.sh"].mode == "100755"
    assert entries[odd] == TreeEntry(path=odd, blob=git(repo, "rev-parse", f"HEAD:{odd}"),
                                     mode="100644")
    listing = git(repo, "ls-tree", "-r", "HEAD", "pipelines")
    assert "120000 blob" in listing and "160000 commit" in listing  # present, but not files
    everything = {*entries, "docs/readme.md", "pipelines-other/z.yaml", "-h/x.yaml"}
    assert set(gr.tree(head, [])) == everything
    assert set(gr.tree(head, ["docs", "pipelines/specs/"])) == {"docs/readme.md", odd}
    assert gr.tree(head, ["pipe*", ":(top)docs", "--"]) == {}  # prefixes are literal
    assert set(gr.tree(head, ["-h"])) == {"-h/x.yaml"}
    files = gr.read_files(head, ["pipelines"])
    assert files[odd] == b"x: 1\n" and files[newline] == b"y: 1\n"


def test_read_many_blobs(repo: Path) -> None:
    contents: dict[str, str | bytes] = {
        f"pipelines/n{i:03}/spec.yaml": f"id: n{i}\n" * (i + 1) for i in range(300)}
    contents["pipelines/empty.yaml"] = ""
    contents["pipelines/binary.bin"] = bytes(range(256)) * 3 + b"\n"
    commit(repo, contents)
    gr = GitRepo(repo)
    files = gr.read_files("HEAD", ["pipelines"])
    expected = {k: v.encode() if isinstance(v, str) else v for k, v in contents.items()}
    expected["pipelines/a.yaml"] = b"a: 3\n"
    assert files == expected
    entries = gr.tree(gr.resolve("HEAD"), ["pipelines"])
    ids = [e.blob for e in entries.values()]
    blobs = gr.read_blobs(ids + ids[:5])  # duplicates are answered once
    assert len(blobs) == len(set(ids))
    assert all(blobs[e.blob] == expected[p] for p, e in entries.items())
    assert gr.read_blobs([]) == {}


def test_blobs_over_the_limit_are_none(repo: Path) -> None:
    commit(repo, {"big.yaml": b"x" * 100, "edge.yaml": b"y" * 99, "small.yaml": b"z"})
    gr = GitRepo(repo)
    entries = gr.tree(gr.resolve("HEAD"), ["big.yaml", "edge.yaml", "small.yaml"])
    assert gr.read_files("HEAD", [], max_bytes=99) == {
        "big.yaml": None, "edge.yaml": b"y" * 99, "small.yaml": b"z",
        "pipelines/a.yaml": b"a: 3\n"}
    assert gr.read_blobs([entries["big.yaml"].blob], max_bytes=0) == {
        entries["big.yaml"].blob: None}


def test_missing_and_invalid_object_ids(repo: Path) -> None:
    gr = GitRepo(repo)
    present = gr.tree(gr.resolve("HEAD"), [])["pipelines/a.yaml"].blob
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(GitError, match=f"{missing} is missing") as info:
        gr.read_blobs([present, missing])
    assert info.value.code == "GIT001"
    with pytest.raises(GitError, match="not a full lowercase object id"):
        gr.read_blobs(["HEAD:pipelines/a.yaml"])
    with pytest.raises(GitError, match="is a commit, not a file's blob"):
        gr.read_blobs([gr.resolve("HEAD")])


def test_tree_of_an_unknown_commit(repo: Path) -> None:
    with pytest.raises(GitError, match="git ls-tree failed"):
        GitRepo(repo).tree("0123456789abcdef0123456789abcdef01234567", [])


def test_garbled_cat_file_output_is_an_error() -> None:
    oid = "0123456789abcdef0123456789abcdef01234567"
    assert gitio._parse_batch(f"{oid} blob 2\nab\n".encode(), [(oid, 2)], "") == {oid: b"ab"}
    for data in (b"", f"{oid} blob 3\nab\n".encode(), f"{oid} blob 2\na".encode()):
        with pytest.raises(GitError, match="unexpected answer from git cat-file"):
            gitio._parse_batch(data, [(oid, 2)], "")


# --- infrastructure failures ----------------------------------------------------------------

def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not inside a usable git work tree") as info:
        GitRepo(plain)
    assert info.value.code == "GIT001" and info.value.remedy
    with pytest.raises(GitError, match="does not exist"):
        GitRepo(tmp_path / "absent")
    (tmp_path / "file").write_text("")
    with pytest.raises(GitError, match="not a directory"):
        GitRepo(tmp_path / "file")
    bare = init(tmp_path / "bare.git", bare=True)
    with pytest.raises(GitError, match="not inside a usable git work tree"):
        GitRepo(bare)


def test_git_not_installed(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(GitError, match="git is not installed"):
        GitRepo(repo)


def test_a_hanging_git_is_stopped(repo: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setattr(gitio, "GIT_TIMEOUT", 0.2)
    with pytest.raises(GitError, match="did not finish"):
        GitRepo(repo)


def test_git_sees_no_terminal_and_no_foreign_repository(repo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$GIT_TERMINAL_PROMPT|$GIT_ASKPASS|$GIT_DIR|'
                    '$GIT_CONFIG_GLOBAL"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("GIT_ASKPASS", "/usr/bin/some-helper")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    assert GitRepo(repo).top == Path("0|||/dev/null")
