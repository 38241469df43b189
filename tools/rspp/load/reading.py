"""Safe file reading: refuse links out of the repository, special files, huge files and bad
text."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import msgspec

from rspp.core.findings import Finding
from rspp.core.paths import display_name, kind_of, refusal, under
from rspp.load.lines import line_col
from rspp.load.spans import error


class Limits(msgspec.Struct, frozen=True):
    """Bounds applied while reading and parsing one file."""

    max_bytes: int = 1 << 20
    max_depth: int = 64
    max_int_digits: int = 4000


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)
)


_CHUNK = 1 << 16


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


_UTF8_BOM = b"\xef\xbb\xbf"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _absolute(path: Path | str) -> str:
    """Absolute and normalised, without following symbolic links."""
    return os.path.abspath(path)


def _kind(mode: int) -> str:
    """What refused a read, for FILE003 (``rspp.core.paths.kind_of``, one wording everywhere)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link that does not resolve"
    return kind_of(mode)


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_file(path: Path, root: Path, max_bytes: int, *,
              policy_checked: bool = False) -> tuple[str, bytes | Finding]:
    """The repository-relative name of ``path`` and its bytes, or the finding that refuses it.

    Every read goes through the read policy of :mod:`rspp.core.paths` first (a path outside
    ``root``, or a link on the way that leads out of it or loops, is refused before anything
    outside is looked at); ``policy_checked`` says the caller has already applied it to this
    path with the same ``root``.
    """
    full = _absolute(path)
    base = _absolute(root)
    rel = display_name(full, base)
    if not policy_checked:
        problem = refusal(path, root, shown=rel)
        if problem is not None:
            return rel, problem
    return rel, _read(full, base, rel, max_bytes)


def _read(full: str, base: str, rel: str, max_bytes: int) -> bytes | Finding:
    try:
        info = os.lstat(full)
    except OSError as exc:
        return error("FILE001", rel, 1, 1, f"cannot read file: {_os_reason(exc)}")
    target = full
    is_link = stat.S_ISLNK(info.st_mode)
    if is_link or under(full, base) is not None:
        real = os.path.realpath(full)
        if real != full and under(real, os.path.realpath(base)) is None:
            return error(
                "FILE002", rel, 1, 1, f"symbolic link points outside the repository: -> {real}"
            )
        if is_link:
            target = real
            try:
                info = os.lstat(target)
            except OSError as exc:
                return error("FILE001", rel, 1, 1, f"cannot read file: {_os_reason(exc)}")
    if not stat.S_ISREG(info.st_mode):
        return error("FILE003", rel, 1, 1, f"not a regular file: {_kind(info.st_mode)}")
    if info.st_size > max_bytes:
        return _too_big(rel, info.st_size, max_bytes)
    try:
        fd = os.open(target, _OPEN_FLAGS)
    except OSError as exc:
        return error("FILE001", rel, 1, 1, f"cannot read file: {_os_reason(exc)}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return error("FILE003", rel, 1, 1, f"not a regular file: {_kind(info.st_mode)}")
        if info.st_size > max_bytes:
            return _too_big(rel, info.st_size, max_bytes)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        return error("FILE001", rel, 1, 1, f"cannot read file: {_os_reason(exc)}")
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        return _too_big(rel, None, max_bytes)
    return raw


def _too_big(rel: str, size: int | None, max_bytes: int) -> Finding:
    what = f"{size} bytes" if size is not None else "over the limit"
    return error("FILE004", rel, 1, 1, f"file is {what}; the limit is {max_bytes} bytes")


def decode(raw: bytes, rel: str, max_bytes: int) -> str | Finding:
    """The text of ``raw`` (UTF-8, optional BOM skipped), or the finding that refuses it."""
    if len(raw) > max_bytes:
        return _too_big(rel, len(raw), max_bytes)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return error(
                "FILE005", rel, 1, 1, f"file is {name} (byte-order mark); rspp reads UTF-8 only"
            )
    body = raw[3:] if raw.startswith(_UTF8_BOM) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
        before = body[:bad].decode("utf-8")
        line, col = line_col(before, len(before))
        return error(
            "FILE005",
            rel,
            line,
            col,
            f"invalid UTF-8: byte 0x{body[bad]:02x} ({exc.reason}); rspp reads UTF-8 only",
        )
    found = _CONTROL.search(text)
    if found is not None:
        line, col = line_col(text, found.start())
        char = found.group()
        what = "a NUL byte" if char == "\0" else f"control character U+{ord(char):04X}"
        return error("FILE006", rel, line, col, f"file contains {what}")
    return text
