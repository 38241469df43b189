"""Safe file reading: refuse links out of the repository, special files, huge files and bad text."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rspp.core.findings import Finding, Span
from rspp.core.sink import finding
from rspp.load.lines import line_col

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
_LINE_BREAKS = str.maketrans(
    {"\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x1c": "\\x1c", "\x1d": "\\x1d",
     "\x1e": "\\x1e", "\x85": "\\x85", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)  # fmt: skip


_SPAN: Any = Span
_new = object.__new__
_set_line = _SPAN.line.__set__
_set_col = _SPAN.col.__set__
_set_end_line = _SPAN.end_line.__set__
_set_end_col = _SPAN.end_col.__set__


# setters for the four Span fields, for loops that build spans inline
SPAN_SETTERS: tuple[Callable[[Span, int], None], ...] = (
    _set_line,
    _set_col,
    _set_end_line,
    _set_end_col,
)


def make_span(line: int, col: int, end_line: int, end_col: int) -> Span:
    """``Span(line, col, end_line, end_col)``, built without the frozen ``__init__`` checks."""
    span: Span = _new(Span)
    _set_line(span, line)
    _set_col(span, col)
    _set_end_line(span, end_line)
    _set_end_col(span, end_col)
    return span


def one_line(text: str) -> str:
    """``text`` with every line-break character escaped."""
    return text.translate(_LINE_BREAKS)


def quote(value: str) -> str:
    """A key or value for a one-line message: double-quoted, escaped, at most 40 characters."""
    short = value if len(value) <= 40 else value[:37] + "..."
    return '"' + short.replace("\\", "\\\\").replace('"', '\\"') + '"'


def duplicate_key(
    rel: str, key: str, first_line: int, member: str, line: int, col: int,
    end_line: int, end_col: int,
) -> Finding:
    """LOAD002 at the second occurrence of ``key``, naming the line of the first."""
    return error("LOAD002", rel, line, col,
                 f"duplicate key {quote(key)}; first defined on line {first_line}",
                 member, end_line, end_col)


def error(
    code: str,
    path: str,
    line: int,
    col: int,
    message: str,
    pointer: str = "",
    end_line: int | None = None,
    end_col: int | None = None,
) -> Finding:
    """The finding of a loader code (every one an error) with a one-line message."""
    return finding(code, path, line, col, one_line(message), pointer=pointer,
                   end_line=end_line, end_col=end_col)


_POINTER_FACTOR = 64


def pointer_budget(text: str) -> int:
    """How many pointer characters a document of ``text`` may create in total.

    Pointers repeat the keys above each value, so long keys over many values could make
    the span tables far larger than the file; real artifacts stay well inside this bound.
    """
    return _POINTER_FACTOR * max(len(text), 1 << 12)


def pointers_too_long(rel: str, line: int, col: int, text: str) -> Finding:
    """LOAD009 for a document whose value paths add up to more than its pointer budget."""
    return error(
        "LOAD009",
        rel,
        line,
        col,
        f"paths to values exceed {pointer_budget(text)} characters in total;"
        " keys are too long for how deeply and often they are repeated",
    )


def _absolute(path: Path | str) -> str:
    """Absolute and normalised, without following symbolic links."""
    return os.path.abspath(path)


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    """What refused a read, for FILE003 (``rspp.core.paths.kind_of``, one wording everywhere)."""
    from rspp.core.paths import kind_of

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
    from rspp.core.paths import display_name, refusal

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
    if is_link or _inside(full, base):
        real = os.path.realpath(full)
        if real != full and not _inside(real, os.path.realpath(base)):
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


# RFC 8785 (I-JSON) numbers are IEEE 754 doubles: integers are exact only up to 2^53 - 1.
MAX_SAFE_INTEGER = 2**53 - 1


def unsafe_float(number: float) -> str | None:
    """Why a float cannot round-trip through canonical JSON, or None when it can.

    Doubles of magnitude 2^53 or more are all integers; RFC 8785 writes them without a
    fraction (1e16 -> 10000000000000000), which would read back as an integer out of range.
    """
    if abs(number) < MAX_SAFE_INTEGER + 1:
        return None
    return (f"number {number!r} is 2^53 or more: canonical JSON (RFC 8785) writes it as an "
            "integer outside the exact range; quote it, or use a smaller unit")


def unsafe_integer(number: int) -> str | None:
    """Why ``number`` cannot be written exactly in canonical JSON, or None when it can."""
    if -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
        return None
    text = str(number) if number.bit_length() < 200 else f"{str(number)[:20]}..."
    return (f"integer {text} is outside -(2^53-1)..2^53-1, the range canonical JSON "
            "(RFC 8785) represents exactly; quote it if it is an identifier")
