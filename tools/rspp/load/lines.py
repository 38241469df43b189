"""Line numbers as git and editors count them: only LF, CR LF and a lone CR end a line.

YAML 1.2 (section 5.4, production [27] ``b-char``) and JSON (RFC 8259, section 2) agree: NEL
(U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) are ordinary characters,
not line breaks, and so are the form feed, vertical tab and the C0 separators that
``str.splitlines`` also splits on. The loader does all its line arithmetic here.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = [
    "LINE_BREAK",
    "YAML11_BREAKS",
    "hide_yaml11_breaks",
    "line_col",
    "line_of",
    "line_starts",
    "split_lines",
]

# a line break: CR LF, a lone CR, or LF
LINE_BREAK = re.compile(r"\r\n?|\n")
# line breaks in YAML 1.1 (libyaml, PyYAML) but ordinary characters in YAML 1.2 and git
YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")
_PRIVATE_USE_CHAR = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_ESCAPED_CODE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PRIVATE_USE = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))


def line_starts(text: str) -> list[int]:
    """Offsets (0-based, in characters) at which the lines of ``text`` start; ``[0, ...]``."""
    if "\r" in text:
        return [0, *(found.end() for found in LINE_BREAK.finditer(text))]
    starts = [0]
    find = text.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and character column of the character at ``index`` in ``text``.

    The LF of a CR LF pair belongs to the line the CR ends.
    """
    if "\r" not in text:
        return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    if index > 0 and text.startswith("\r\n", index - 1):  # inside a CR LF: report the CR's line
        index -= 1
    starts = line_starts(text[:index])
    return len(starts), index - starts[-1] + 1


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line breaks (a final break starts no new line)."""
    lines = LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def line_of(starts: list[int], index: int) -> int:
    """The 1-based line holding offset ``index``, given the ``line_starts`` of the text."""
    return bisect_right(starts, index)


def hide_yaml11_breaks(text: str) -> tuple[str, dict[int, str]] | None:
    """``text`` with every NEL, LS and PS replaced by a private-use character, and the
    ``str.translate`` table that puts them back; ``None`` when no stand-in is left.

    A YAML 1.1 parser (libyaml, PyYAML) reads the result as YAML 1.2 reads ``text``: the
    stand-ins are ordinary characters, so comments and scalars keep them and lines and
    columns are unchanged. A stand-in occurs nowhere in ``text``, neither raw nor as a
    ``\\u``/``\\U`` escape, so restoring it in a parsed value is exact.
    """
    present = sorted(set(YAML11_BREAKS.findall(text)))
    used = set(_PRIVATE_USE_CHAR.findall(text))
    for short, long in _ESCAPED_CODE.findall(text):
        code = int(short or long, 16)
        if code <= 0x10FFFF:
            used.add(chr(code))
    free = (chr(c) for block in _PRIVATE_USE for c in block if chr(c) not in used)
    there: dict[int, str] = {}
    back: dict[int, str] = {}
    for char in present:
        stand_in = next(free, None)
        if stand_in is None:
            return None
        there[ord(char)] = stand_in
        back[ord(stand_in)] = char
    return text.translate(there), back
