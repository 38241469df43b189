"""rspp.core.files.write_atomic: inside the root, through no link, whole or not at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rspp.core.files import (
    FileAccessError,
    list_names,
    make_dirs,
    read_existing,
    remove,
    write_atomic,
)
from tests.helpers.files import OUTSIDE_TEXT, outside_folder, snapshot


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    return folder


def _refused(code: str, call: object, *args: object, **kwargs: object) -> FileAccessError:
    assert callable(call)
    with pytest.raises(FileAccessError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.one_line()
    assert "\n" not in info.value.one_line()
    return info.value


def test_creates_folders_and_a_file_with_the_umask_mode(root: Path) -> None:
    write_atomic(root / "a" / "b" / "c.json", b"{}\n", root=root)
    target = root / "a" / "b" / "c.json"
    assert target.read_bytes() == b"{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(os.listdir(root / "a" / "b")) == ["c.json"]


def test_an_existing_file_keeps_its_permission_bits(root: Path) -> None:
    target = root / "run.sh"
    target.write_bytes(b"old\n")
    target.chmod(0o750)
    write_atomic(target, b"new\n", root=root)
    assert target.read_bytes() == b"new\n" and target.stat().st_mode & 0o777 == 0o750


def test_relative_paths_and_a_root_named_through_a_link(root: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    via = tmp_path / "via"
    via.symlink_to(root, target_is_directory=True)
    write_atomic(via / "x.txt", b"1", root=via)
    write_atomic(root / "y.txt", b"2", root=via)
    monkeypatch.chdir(root)
    write_atomic(Path("sub/../z.txt"), b"3", root=via)
    assert snapshot(root) == {"x.txt": b"1", "y.txt": b"2", "z.txt": b"3"}


@pytest.mark.parametrize("where", ["../outside/new.txt", "../outside/keep.txt", ".",
                                   "a/../../outside/x"])
def test_outside_the_root_is_io001(root: Path, tmp_path: Path, where: str) -> None:
    away = outside_folder(tmp_path)
    err = _refused("IO001", write_atomic, root / where, b"x", root=root)
    assert "outside the repository" in err.cause
    assert snapshot(away) == {"keep.txt": OUTSIDE_TEXT}


@pytest.mark.parametrize("where", [".git/hooks/post-checkout", ".git", "sub/.GIT/config"])
def test_inside_git_is_io001(root: Path, where: str) -> None:
    (root / ".git").mkdir()
    err = _refused("IO001", write_atomic, root / where, b"x", root=root)
    assert "inside .git" in err.cause
    assert snapshot(root) == {".git": "/"}


def test_a_linked_folder_on_the_way_is_io002(root: Path, tmp_path: Path) -> None:
    away = outside_folder(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "pipelines").symlink_to(away, target_is_directory=True)
    for call, args in ((write_atomic, (root / "docs/pipelines/new.md", b"x")),
                       (write_atomic, (root / "docs/pipelines/keep.txt", b"x")),
                       (make_dirs, (root / "docs/pipelines/deeper",)),
                       (read_existing, (root / "docs/pipelines/keep.txt",)),
                       (remove, (root / "docs/pipelines/keep.txt",)),
                       (list_names, (root / "docs/pipelines",))):
        err = _refused("IO002", call, *args, root=root)
        assert err.path == "docs/pipelines" and "a symbolic link" in err.cause
    assert snapshot(away) == {"keep.txt": OUTSIDE_TEXT}


def test_a_link_inside_the_repository_is_refused_too(root: Path) -> None:
    (root / "real").mkdir()
    (root / "alias").symlink_to("real", target_is_directory=True)
    (root / "file.txt").write_bytes(b"kept\n")
    (root / "link.txt").symlink_to("file.txt")
    _refused("IO002", write_atomic, root / "alias" / "x", b"x", root=root)
    err = _refused("IO002", write_atomic, root / "link.txt", b"x", root=root)
    assert err.cause == "refusing to write link.txt: it is a symbolic link"
    assert (root / "file.txt").read_bytes() == b"kept\n" and (root / "link.txt").is_symlink()
    assert snapshot(root / "real") == {}


def test_special_files_and_files_in_the_way_are_io002(root: Path) -> None:
    os.mkfifo(root / "pipe")
    (root / "plain").write_bytes(b"")
    (root / "folder").mkdir()
    assert "pipe: it is a FIFO, not a regular file" in _refused(
        "IO002", write_atomic, root / "pipe", b"x", root=root).cause
    assert "plain is a regular file, not a folder" in _refused(
        "IO002", write_atomic, root / "plain" / "x", b"x", root=root).cause
    assert "folder: it is a folder" in _refused(
        "IO002", write_atomic, root / "folder", b"x", root=root).cause
    _refused("IO002", read_existing, root / "pipe", root=root)  # never blocks on a fifo


def test_a_planted_temporary_name_is_never_followed(root: Path, tmp_path: Path) -> None:
    away = outside_folder(tmp_path)
    for name in (".view.json.tmp", "view.tmp", ".view.json.0.tmp"):
        (root / name).symlink_to(away / "keep.txt")
    write_atomic(root / "view.json", b"{}\n", root=root)
    assert (root / "view.json").read_bytes() == b"{}\n"
    assert snapshot(away) == {"keep.txt": OUTSIDE_TEXT}
    assert sorted(os.listdir(root)) == [".view.json.0.tmp", ".view.json.tmp", "view.json",
                                        "view.tmp"]


def test_reading_and_removing_what_rspp_writes(root: Path) -> None:
    assert read_existing(root / "none" / "x", root=root) is None
    assert list_names(root / "none", root=root) == []
    write_atomic(root / "d" / "b", b"2", root=root)
    write_atomic(root / "d" / "a", b"1", root=root)
    assert read_existing(root / "d" / "a", root=root) == b"1"
    assert list_names(root / "d", root=root) == ["a", "b"]
    remove(root / "d" / "a", root=root)
    remove(root / "d" / "a", root=root)  # already gone: fine
    (root / "d" / "l").symlink_to("b")
    remove(root / "d" / "l", root=root)  # the link goes, its target stays
    assert snapshot(root) == {"d": "/", "d/b": b"2"}


@pytest.mark.slow
def test_a_refused_write_leaves_the_file_whole_and_no_temporary(root: Path) -> None:
    """A real failure: the file-size limit (EFBIG) stops the write half way."""
    target = root / "big.json"
    target.write_bytes(b"old\n")
    script = ("import resource, sys\n"
              "from rspp.core.files import FileAccessError, write_atomic\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
              "try:\n"
              "    write_atomic(sys.argv[1], b'x' * 100000, root=sys.argv[2])\n"
              "except FileAccessError as exc:\n"
              "    print(exc.code, exc.one_line())\n")
    proc = subprocess.run([sys.executable, "-c", script, str(target), str(root)],
                          capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ("IO003 cannot write big.json: File too large (check the "
                           "permissions of the file and its folder)\n")
    assert snapshot(root) == {"big.json": b"old\n"}
