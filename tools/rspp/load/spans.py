"""Where things are: building spans fast, JSON pointer tokens (RFC 6901), and the located
findings the parsers report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from rspp.core.findings import Finding, Span
from rspp.core.jsontypes import JsonObject
from rspp.core.sink import finding


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_join(base: str, token: str | int) -> str:
    return f"{base}/{escape_token(token) if isinstance(token, str) else token}"


class Parsed(msgspec.Struct):
    """What a parser makes of one text: the data, and the span of every value and key by JSON
    pointer ("" is the root). ``rspp.load.api`` wraps it in a Document."""

    data: JsonObject
    spans: dict[str, Span] = msgspec.field(default_factory=dict)
    key_spans: dict[str, Span] = msgspec.field(default_factory=dict)


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
