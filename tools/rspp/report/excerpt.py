"""Source excerpts: the line of a finding, cut to a bounded window, with carets under it.

An excerpt is two lines: the source line (characters escaped as in
:func:`rspp.report.escape.visible`) and a caret line whose carets stand under the reported
columns. A line wider than :data:`WIDTH` terminal columns is cut to a window around the
finding's column, with :data:`MARK` where text was left out, so a report's size grows with
the number of findings, never with the length of the lines they sit on (a one-line JSON file
of 441 KB with 2,000 findings gives 2,000 excerpts of at most ~120 columns each).

Column widths: an escaped character takes the width of its escape, an East Asian wide or
fullwidth character (UAX #11: W, F) two columns, a combining mark (Mn, Me) none, any other
character one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from rspp.load.document import Document
from rspp.report.escape import HIDDEN, escape_char

WIDTH = 120
"""At most this many terminal columns of source per excerpt (cut marks included)."""

CONTEXT = 40
"""Columns of source kept before the finding when a line is cut."""

MARK = "..."
"""Stands where a cut line leaves text out (ASCII: encodable on every console)."""

# Line breaks as the loader counts lines (rspp.load.lines): LF, CR LF and a lone CR, in YAML
# and JSON alike; NEL, U+2028 and U+2029 are ordinary characters (YAML 1.2 section 5.4,
# RFC 8259 section 2), as git and editors count them.
_LINE_BREAK = re.compile(r"\r\n?|\n")


@lru_cache(maxsize=4096)
def _cell(char: str) -> tuple[str, int]:
    """How ``char`` is shown and how many columns it takes."""
    if HIDDEN.match(char):
        shown = escape_char(char)
        return shown, len(shown)
    if unicodedata.category(char) in ("Mn", "Me"):
        return char, 0
    return char, 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class SourceLines:
    """The lines of each document of a report, split once per report (1-based lookup)."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._documents = documents
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` of the document at ``path`` (no line break), or None."""
        lines = self._lines.get(path)
        if lines is None:
            doc = self._documents.get(path)
            if doc is None:
                return None
            lines = _LINE_BREAK.split(doc.text)
            self._lines[path] = lines
        return lines[number - 1] if 0 < number <= len(lines) else None


def excerpt(line: str, col: int, end_col: int | None = None) -> tuple[str, str] | None:
    """The shown source and the caret line for columns ``col`` to ``end_col`` of ``line``.

    ``col`` is 1-based; ``end_col`` is exclusive (None, or not after ``col``: up to the end
    of the line). A column past the end of the line puts one caret after its last
    character. None for a blank line. The shown source is at most :data:`WIDTH` columns
    wide (one escaped character may add up to 10 more); work is bounded by :data:`WIDTH`,
    whatever the length of ``line``.
    """
    line = line.rstrip()
    if not line:
        return None
    size = len(line)
    start = min(max(col - 1, 0), size)
    stop = end_col - 1 if end_col is not None and end_col > col else size
    stop = min(max(stop, start + 1), max(size, start + 1))
    low, high = max(0, start - WIDTH), min(size, start + WIDTH)
    chunk = line[low:high]
    if chunk.isascii() and not HIDDEN.search(chunk):  # the common case: one column each
        cells = None
        widths: list[int] = []
        first, last = _ascii_window(low, start, high, size)
    else:
        cells = [_cell(c) for c in chunk]
        widths = [w for _, w in cells]
        if low == 0 and high == size and sum(widths) <= WIDTH:
            first, last = 0, size
        else:
            first, last = _window(widths, low, start, high, WIDTH - 2 * len(MARK))
    left = MARK if first > 0 else ""
    right = MARK if last < size else ""
    if cells is None:
        shown = line[first:last]
        pad = start - first
        carets = min(stop, last) - start
    else:
        shown = "".join(s for s, _ in cells[first - low : last - low])
        pad = sum(widths[first - low : start - low])
        carets = sum(widths[start - low : min(stop, last) - low])
    return left + shown + right, " " * (len(left) + pad) + "^" * max(1, carets)


def _ascii_window(low: int, start: int, high: int, size: int) -> tuple[int, int]:
    """:func:`_window` for characters one column wide each."""
    if size <= WIDTH:
        return 0, size
    budget = WIDTH - 2 * len(MARK)
    first = max(low, start - CONTEXT)
    last = min(high, first + budget)
    return max(low, last - budget), max(last, min(start + 1, size))


def _window(widths: list[int], low: int, start: int, high: int, budget: int) -> tuple[int, int]:
    """Character bounds [first, last) of a cut line: context before ``start``, then after."""
    first = start
    used = 0
    while first > low and used + widths[first - 1 - low] <= CONTEXT:
        first -= 1
        used += widths[first - low]
    last = start
    while last < high and used + widths[last - low] <= budget:
        used += widths[last - low]
        last += 1
    while first > low and used + widths[first - 1 - low] <= budget:
        first -= 1
        used += widths[first - low]
    if last == start and start < high:
        last = start + 1
    return first, last
