"""Where the comments and blank lines of a YAML text are, found by a YAML scanner.

The scanner (PyYAML's, in Python) tells comments from ``#`` inside scalars and knows which
lines belong to multi-line scalars, so a blank line in a block scalar is never taken for
a blank line between keys. Lines and columns are 0-based, counted as YAML counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yaml.reader import Reader
from yaml.scanner import Scanner, ScannerError
from yaml.tokens import (
    DocumentStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    ScalarToken,
)

_BREAKS = "\0\r\n\x85\u2028\u2029"
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_KEEP = re.compile(r"[|>](?:[1-9]?\+|\+[1-9]?)")


@dataclass(frozen=True, slots=True)
class Comment:
    """One ``#`` comment: its position, its text, and what kind of line it is on."""

    line: int
    col: int
    text: str
    own_line: bool  # nothing but spaces before it on its line
    in_flow: bool  # inside a flow collection ([...] or {...})
    block_header: bool  # after a block scalar indicator (|, >); kept by the scalar itself


@dataclass(frozen=True, slots=True)
class Layout:
    comments: tuple[Comment, ...]
    blank_lines: frozenset[int]  # empty lines between nodes (not inside a scalar)
    explicit_start: bool  # the document starts with ---


class _Scanner(Reader, Scanner):  # type: ignore[misc]
    """PyYAML's scanner, recording the comments it skips."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        self.found: list[tuple[int, int, str, bool, bool]] = []

    def _skip_comment(self, header: bool) -> None:
        mark = self.get_mark()
        start = self.pointer
        while self.peek() not in _BREAKS:
            self.forward()
        text = self.buffer[start:self.pointer].rstrip()
        self.found.append((mark.line, mark.column, text, self.flow_level > 0, header))

    def scan_to_next_token(self) -> None:
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        while True:
            while self.peek() == " ":
                self.forward()
            if self.peek() == "#":
                self._skip_comment(header=False)
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                return

    def scan_block_scalar_ignored_line(self, start_mark: Any) -> None:
        while self.peek() == " ":
            self.forward()
        if self.peek() == "#":
            self._skip_comment(header=True)
        if self.peek() not in _BREAKS:
            raise ScannerError("while scanning a block scalar", start_mark,
                               f"expected a comment or a line break, but found {self.peek()!r}",
                               self.get_mark())
        self.scan_line_break()


def _scalar_lines(token: ScalarToken, lines: list[str]) -> range:
    """The lines after the first that belong to a scalar token."""
    first, end = token.start_mark.line, token.end_mark.line
    if token.style not in ("|", ">"):
        return range(first + 1, end + 1)
    header = lines[first][token.start_mark.column:]
    if _KEEP.match(header):  # kept trailing line breaks are part of the value
        return range(first + 1, end)
    last = first
    for number in range(first + 1, min(end + 1, len(lines))):
        if lines[number].strip(" \t"):
            last = number
    return range(first + 1, last + 1)


def scan(text: str) -> Layout:
    """The comments and blank lines of ``text`` (which the strict loader has accepted)."""
    lines = LINE_BREAK.split(text)
    scanner = _Scanner(text)
    inside: set[int] = set()
    explicit = False
    flow_start: list[int] = []
    while scanner.check_token():
        token = scanner.get_token()
        if isinstance(token, ScalarToken):
            inside.update(_scalar_lines(token, lines))
        elif isinstance(token, FlowMappingStartToken | FlowSequenceStartToken):
            flow_start.append(token.start_mark.line)
        elif isinstance(token, FlowMappingEndToken | FlowSequenceEndToken):
            inside.update(range(flow_start.pop() + 1, token.end_mark.line))
        elif isinstance(token, DocumentStartToken):
            explicit = True
    comments = tuple(
        Comment(line, col, body, not lines[line][:col].strip(" \t"), in_flow, header)
        for line, col, body, in_flow, header in scanner.found
    )
    blanks = frozenset(
        number for number, line in enumerate(lines)
        if not line.strip(" \t") and number not in inside and number < len(lines) - 1
    )
    return Layout(comments, blanks, explicit)


def comment_texts(text: str) -> list[str]:
    """Every comment of ``text``, in order, without the spaces around it."""
    return [c.text.strip() for c in scan(text).comments]
