"""Reading files safely: links, special files, size limits, permissions and encodings."""

from __future__ import annotations

import os
import stat
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rspp.load.api import Limits, LoadResult, load_bytes, load_file, syntax_for

LoadText = Callable[..., LoadResult]
Write = Callable[[str, str | bytes], Path]


def _codes(result: LoadResult) -> list[tuple[str, int, int]]:
    assert result.document is None
    return [(f.code, f.line, f.col) for f in result.findings]


def test_symlink_outside_root_is_refused(empty_repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    link = empty_repo / "link.yaml"
    link.symlink_to(secret)
    result = load_file(link, empty_repo)
    assert _codes(result) == [("FILE002", 1, 1)]
    assert result.findings[0].path == "link.yaml"
    assert "symbolic link points outside the repository: " in result.findings[0].message
    assert str(secret) in result.findings[0].message


def test_relative_symlink_escaping_root_is_refused(empty_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    link = empty_repo / "sub" / "link.yaml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / ".." / "outside.yaml")
    assert _codes(load_file(link, empty_repo)) == [("FILE002", 1, 1)]


def test_symlinked_directory_escaping_root_is_refused(empty_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.yaml").write_text("a: 1\n")
    (empty_repo / "dir").symlink_to(outside, target_is_directory=True)
    result = load_file(empty_repo / "dir" / "a.yaml", empty_repo)
    assert _codes(result) == [("FILE002", 1, 1)]
    assert result.findings[0].path == "dir/a.yaml"


def test_symlink_to_dev_zero_is_refused_without_reading(empty_repo: Path) -> None:
    link = empty_repo / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert _codes(load_file(link, empty_repo)) == [("FILE002", 1, 1)]


def test_symlink_inside_root_loads(empty_repo: Path, write_file: Write) -> None:
    write_file("real/target.yaml", "a: 1\n")
    link = empty_repo / "alias.yaml"
    link.symlink_to(Path("real") / "target.yaml")
    result = load_file(link, empty_repo)
    assert result.findings == ()
    assert result.document is not None
    assert result.document.data == {"a": 1}
    assert result.document.path == "alias.yaml"


def test_root_given_through_a_symlink(tmp_path: Path, write_file: Write, empty_repo: Path) -> None:
    write_file("a.yaml", "a: 1\n")
    via = tmp_path / "via"
    via.symlink_to(empty_repo, target_is_directory=True)
    result = load_file(via / "a.yaml", via)
    assert result.document is not None
    assert result.document.path == "a.yaml"


def test_dangling_symlink_inside_root_is_unreadable(empty_repo: Path) -> None:
    link = empty_repo / "dangling.yaml"
    link.symlink_to(empty_repo / "missing.yaml")
    assert _codes(load_file(link, empty_repo)) == [("FILE001", 1, 1)]


def test_symlink_loop_is_refused(empty_repo: Path) -> None:
    (empty_repo / "x.yaml").symlink_to(empty_repo / "y.yaml")
    (empty_repo / "y.yaml").symlink_to(empty_repo / "x.yaml")
    result = load_file(empty_repo / "x.yaml", empty_repo)
    assert result.document is None
    assert result.findings[0].code in {"FILE001", "FILE003"}


def test_fifo_is_refused_without_blocking(empty_repo: Path) -> None:
    fifo = empty_repo / "pipe.yaml"
    os.mkfifo(fifo)
    box: list[LoadResult] = []
    worker = threading.Thread(target=lambda: box.append(load_file(fifo, empty_repo)), daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "load_file blocked on a FIFO"
    assert _codes(box[0]) == [("FILE003", 1, 1)]
    assert "FIFO" in box[0].findings[0].message


def test_symlink_to_fifo_inside_root_is_refused(empty_repo: Path) -> None:
    fifo = empty_repo / "pipe"
    os.mkfifo(fifo)
    (empty_repo / "pipe.yaml").symlink_to(fifo)
    assert _codes(load_file(empty_repo / "pipe.yaml", empty_repo)) == [("FILE003", 1, 1)]


def test_directory_is_refused(empty_repo: Path) -> None:
    (empty_repo / "dir.yaml").mkdir()
    result = load_file(empty_repo / "dir.yaml", empty_repo)
    assert _codes(result) == [("FILE003", 1, 1)]
    assert "a folder" in result.findings[0].message


def test_missing_file_is_unreadable(empty_repo: Path) -> None:
    result = load_file(empty_repo / "nope.yaml", empty_repo)
    assert _codes(result) == [("FILE001", 1, 1)]
    assert result.findings[0].path == "nope.yaml"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission bits")
def test_unreadable_file(empty_repo: Path, write_file: Write) -> None:
    path = write_file("secret.yaml", "a: 1\n")
    path.chmod(0)
    try:
        assert _codes(load_file(path, empty_repo)) == [("FILE001", 1, 1)]
    finally:
        path.chmod(0o644)


def test_huge_file_is_refused_without_reading_it(empty_repo: Path) -> None:
    path = empty_repo / "huge.yaml"
    chunk = b"x" * (1 << 20)
    with path.open("wb") as handle:
        handle.write(b"a: ")
        for _ in range(50):
            handle.write(chunk)
    del chunk
    tracemalloc.start()
    try:
        result = load_file(path, empty_repo)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _codes(result) == [("FILE004", 1, 1)]
    assert peak < 5 * (1 << 20)


def test_size_limit_boundary(load_text: LoadText) -> None:
    text = "a: " + "x" * 97 + "\n"  # 101 bytes
    assert load_text("s.yaml", text, Limits(max_bytes=101)).document is not None
    assert _codes(load_text("s.yaml", text, Limits(max_bytes=100))) == [("FILE004", 1, 1)]
    assert _codes(
        load_bytes(text.encode(), "s.yaml", syntax="yaml", limits=Limits(max_bytes=100))
    ) == [("FILE004", 1, 1)]


ENCODINGS: list[tuple[str, bytes, str, int, int]] = [
    ("utf16-le", b"\xff\xfe" + "a: 1\n".encode("utf-16-le"), "FILE005", 1, 1),
    ("utf16-be", b"\xfe\xff" + "a: 1\n".encode("utf-16-be"), "FILE005", 1, 1),
    ("utf32-le", b"\xff\xfe\x00\x00" + "a: 1\n".encode("utf-32-le"), "FILE005", 1, 1),
    ("utf32-be", b"\x00\x00\xfe\xff" + "a: 1\n".encode("utf-32-be"), "FILE005", 1, 1),
    ("latin1", b"a: 1\nname: caf\xe9\n", "FILE005", 2, 10),
    ("after-multibyte", "a: é€".encode() + b"\xff\n", "FILE005", 1, 6),
    ("truncated-sequence", b"a: 1\nb: \xe2\x82\n", "FILE005", 2, 4),
    ("encoded-surrogate", b"a: \xed\xa0\x80\n", "FILE005", 1, 4),
    ("overlong", b"a: \xc0\xaf\n", "FILE005", 1, 4),
    ("nul", b"a: 1\nb: x\x00y\n", "FILE006", 2, 5),
    ("nul-first", b"\x00", "FILE006", 1, 1),
    ("escape", "a: 1\nb: 'é\x1b[31m'\n".encode(), "FILE006", 2, 6),
    ("bell", b"a: \x07\n", "FILE006", 1, 4),
    ("form-feed", b"a: 1\x0c\n", "FILE006", 1, 5),
]


@pytest.mark.parametrize(
    ("raw", "code", "line", "col"),
    [case[1:] for case in ENCODINGS],
    ids=[case[0] for case in ENCODINGS],
)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_encoding(
    load_text: LoadText, suffix: str, raw: bytes, code: str, line: int, col: int
) -> None:
    assert _codes(load_text("enc" + suffix, raw)) == [(code, line, col)]


def test_utf16_message(load_text: LoadText) -> None:
    result = load_text("enc.yaml", b"\xff\xfe" + "a: 1\n".encode("utf-16-le"))
    assert result.findings[0].message == "file is UTF-16 (byte-order mark); rspp reads UTF-8 only"


def test_utf8_bom_is_skipped(load_text: LoadText) -> None:
    result = load_text("bom.yaml", b"\xef\xbb\xbfa: 1\n")
    assert result.document is not None
    assert result.document.data == {"a": 1}
    assert result.document.text == "a: 1\n"
    assert result.document.spans["/a"].col == 4


def test_allowed_whitespace_controls(load_text: LoadText) -> None:
    result = load_text("ws.yaml", "a: 1\r\nb:\t2\r\n")
    assert result.document is not None
    assert result.document.data == {"a": 1, "b": 2}


def test_syntax_for() -> None:
    assert syntax_for(Path("a.yaml")) == "yaml"
    assert syntax_for(Path("a.yml")) == "yaml"
    assert syntax_for(Path("a.json")) == "json"
    assert syntax_for(Path("dir.json/a.txt")) is None
    assert syntax_for(Path("Makefile")) is None


def test_format_follows_the_suffix(load_text: LoadText) -> None:
    # JSON is stricter than YAML: a YAML-only construct is refused in a .json file
    assert load_text("a.yml", "a: 1\n").document is not None
    assert _codes(load_text("a.json", "a: 1\n")) == [("LOAD001", 1, 1)]
    loaded = load_text("b.json", '{"a": 1}')
    assert loaded.document is not None
    assert loaded.document.syntax == "json"


def test_load_bytes_uses_the_given_path() -> None:
    result = load_bytes(b"a: 1\na: 2\n", "some/where.yaml", syntax="yaml")
    assert result.findings[0].path == "some/where.yaml"
    loaded = load_bytes(b'{"a": 1}', "x/y.json", syntax="json")
    assert loaded.document is not None
    assert loaded.document.path == "x/y.json"


def test_load_bytes_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown syntax"):
        load_bytes(b"a: 1\n", "a.toml", syntax="toml")  # type: ignore[arg-type]


def test_nested_relative_path_uses_posix_separators(load_text: LoadText) -> None:
    result = load_text("deep/er/file.yaml", "a: 1\nb: [\n")
    assert result.findings[0].path == "deep/er/file.yaml"


def test_permission_error_on_open(
    empty_repo: Path, write_file: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("locked.yaml", "a: 1\n")
    real_open = os.open

    def refuse(target: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(target) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(target, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    result = load_file(path, empty_repo)
    assert _codes(result) == [("FILE001", 1, 1)]
    assert "Permission denied" in result.findings[0].message


def test_file_swapped_after_the_check_is_refused(
    empty_repo: Path, write_file: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The type is checked again on the open descriptor, not only on the path."""
    path = write_file("swapped.yaml", "a: 1\n")
    real_fstat = os.fstat

    def as_fifo(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        fields = list(info)
        fields[0] = stat.S_IFIFO | 0o644
        return os.stat_result(fields)

    monkeypatch.setattr(os, "fstat", as_fifo)
    assert _codes(load_file(path, empty_repo)) == [("FILE003", 1, 1)]


def test_file_that_grows_past_the_limit_while_read(
    empty_repo: Path, write_file: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only max_bytes + 1 bytes are ever read, whatever the size reported before reading."""
    path = write_file("growing.yaml", "a: " + "x" * 200 + "\n")
    real_fstat = os.fstat
    real_lstat = os.lstat

    def shrink(info: os.stat_result) -> os.stat_result:
        fields = list(info)
        fields[6] = 10
        return os.stat_result(fields)

    def small_lstat(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        info = real_lstat(target, *args, **kwargs)
        return shrink(info) if os.fspath(target) == str(path) else info

    monkeypatch.setattr(os, "lstat", small_lstat)
    monkeypatch.setattr(os, "fstat", lambda fd: shrink(real_fstat(fd)))
    result = load_file(path, empty_repo, limits=Limits(max_bytes=100))
    assert _codes(result) == [("FILE004", 1, 1)]
    assert "over the limit" in result.findings[0].message
