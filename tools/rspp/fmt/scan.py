"""Where the comments and blank lines of a YAML text are, found from its YAML tokens.

Between two tokens there are only spaces, line breaks and comments, so every ``#`` found
there starts a comment, and a ``#`` inside a scalar never does. The tokens also tell which
lines belong to multi-line scalars, so a blank line in a block scalar is never taken for a
blank line between keys. Lines and columns are 0-based, counted as YAML counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from yaml.reader import Reader
from yaml.scanner import Scanner
from yaml.tokens import (
    DocumentStartToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    ScalarToken,
    Token,
)

LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_KEEP = re.compile(r"[|>](?:[1-9]?\+|\+[1-9]?)")
_HEADER = re.compile(r"[|>][1-9+-]*[ \t]*(#.*)?")
# libyaml's scanner (via PyYAML's C loader) when PyYAML was built with it.
_CParser: type[yaml.CBaseLoader] | None = getattr(yaml, "CBaseLoader", None)


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
    start_line: int | None  # the line of the document start marker (---), if any


def _tokens(text: str) -> Iterator[Token]:
    """The YAML tokens of ``text``, from libyaml when PyYAML was built with it."""
    parser = _CParser(text) if _CParser is not None else _PureScanner(text)
    try:
        while parser.check_token():
            token = parser.get_token()
            if token is not None:  # there is one: check_token said so
                yield token
    finally:
        if not isinstance(parser, _PureScanner):
            parser.dispose()


class _PureScanner(Reader, Scanner):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)


def _scalar_lines(token: ScalarToken, lines: list[str]) -> range:
    """The lines after the first that belong to a scalar token."""
    first, end = token.start_mark.line, token.end_mark.line
    if token.style not in ("|", ">"):
        return range(first + 1, end + 1)
    header = lines[first][token.start_mark.column:]
    if _KEEP.match(header):  # kept trailing line breaks are part of the value
        return range(first + 1, end)
    last = first  # the last content line; blank lines after it separate nodes
    for number in range(first + 1, min(end, len(lines))):
        if lines[number].strip(" \t"):
            last = number
    return range(first + 1, last + 1)


def _gap(lines: list[str], start: tuple[int, int], end: tuple[int, int], flow: bool,
         found: list[Comment]) -> None:
    """Record the comments between two tokens (only spaces, breaks and comments are there)."""
    for number in range(start[0], min(end[0], len(lines) - 1) + 1):
        line = lines[number]
        lo = start[1] if number == start[0] else 0
        hi = end[1] if number == end[0] else len(line)
        at = line.find("#", lo, hi)
        if at >= 0:
            found.append(Comment(number, at, line[at:].rstrip(), not line[:at].strip(" \t"),
                                 flow, False))


def _header(lines: list[str], token: ScalarToken, found: list[Comment]) -> None:
    """The comment after a block scalar's indicator (``|  # note``)."""
    line = lines[token.start_mark.line]
    header = _HEADER.match(line, token.start_mark.column)
    if header is not None and header.group(1):
        found.append(Comment(token.start_mark.line, header.start(1), header.group(1).rstrip(),
                             False, False, True))


def scan(text: str) -> Layout:
    """The comments and blank lines of ``text`` (which the strict loader has accepted)."""
    lines = LINE_BREAK.split(text)
    inside: set[int] = set()
    found: list[Comment] = []
    start_line = None
    flow_start: list[int] = []
    last = (0, 0)
    for token in _tokens(text):
        begin = (token.start_mark.line, token.start_mark.column)
        if begin > last:
            _gap(lines, last, begin, bool(flow_start), found)
        last = max(last, (token.end_mark.line, token.end_mark.column))
        if isinstance(token, ScalarToken):
            inside.update(_scalar_lines(token, lines))
            if token.style in ("|", ">"):
                _header(lines, token, found)
        elif isinstance(token, FlowMappingStartToken | FlowSequenceStartToken):
            flow_start.append(token.start_mark.line)
        elif isinstance(token, FlowMappingEndToken | FlowSequenceEndToken):
            inside.update(range(flow_start.pop() + 1, token.end_mark.line))
        elif isinstance(token, DocumentStartToken):
            start_line = token.start_mark.line
    blanks = frozenset(
        number for number, line in enumerate(lines)
        if not line.strip(" \t") and number not in inside and number < len(lines) - 1
    )
    return Layout(tuple(found), blanks, start_line)


def comment_texts(text: str) -> list[str]:
    """Every comment of ``text``, in order, without the spaces around it."""
    return [c.text.strip() for c in scan(text).comments]
