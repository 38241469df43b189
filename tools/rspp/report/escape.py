"""Escaping for reports: nothing a file name, key or message holds can hide, reorder or
forge output.

Three targets, one character set:

* ``visible(text)`` — for people (text reports, excerpts, GitHub annotation text, SARIF
  message text). Every character in :data:`HIDDEN` is replaced by a backslash escape:
  ``\\t``, ``\\n``, ``\\r``, ``\\xNN`` for the other C0 controls, DEL and the C1 controls,
  ``\\uNNNN`` (``\\UNNNNNNNN`` above U+FFFF) for the format characters (category Cf: the
  bidirectional controls of UAX #9 such as U+202E, U+2066-U+2069, U+200E, U+200F, U+061C;
  the zero-width U+200B-U+200D, U+2060, U+FEFF; the tag characters U+E0000-U+E007F), the
  variation selectors and the line and paragraph separators (U+2028, U+2029). A file name
  that was not valid UTF-8 reaches rspp decoded with ``surrogateescape`` (PEP 383: byte
  0xE9 becomes U+DCE9); such a byte is shown as ``\\xe9``, any other lone surrogate as
  ``\\udNNN``. Backslashes themselves are left alone: the escaping makes the output safe,
  not reversible (the JSON and SARIF reports are the exact ones).
* ``json_text(text)`` — for JSON and SARIF string values, which keep every character
  (``json.dumps(..., ensure_ascii=True)`` writes them as ``\\uNNNN`` escapes, so the bytes
  of the report are printable ASCII) except lone surrogates: RFC 8259 section 8.2 leaves
  strings with them undefined and strict parsers reject them, so a file-name byte U+DCE9
  becomes the six characters ``\\xe9`` (the spelling the text report uses) and any other
  lone surrogate ``\\udNNN``.
* ``workflow_data`` / ``workflow_property`` — GitHub Actions workflow commands (the runner
  reads ``::level props::message`` one line at a time and decodes ``%25``, ``%0D``,
  ``%0A``, and in property values also ``%3A`` and ``%2C``). CR and LF use those escapes
  (so a file name with a line break still names the right file), everything else in
  :data:`HIDDEN` the visible escapes above; the result never contains a line break.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

# Unicode general category Cf (format characters, Unicode 14): the bidirectional controls
# (UAX #9), zero-width characters, the byte-order mark, invisible operators, interlinear
# annotation marks and the tag characters (invisible copies of ASCII).
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
# Variation selectors: invisible, and able to carry arbitrary data after any character.
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
# Line and paragraph separators (category Zl, Zp).
_SEPARATORS = "\u2028\u2029"

HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT}{_SELECTORS}{_SEPARATORS}\ud800-\udfff]")
"""Every character a report never writes raw."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_SHORT: Final = MappingProxyType({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


def escape_char(char: str) -> str:
    """The visible escape of one character of :data:`HIDDEN` (or ``char`` itself)."""
    if not HIDDEN.match(char):
        return char
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte kept by surrogateescape (PEP 383)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _escape_match(found: re.Match[str]) -> str:
    return escape_char(found.group())


def visible(text: str) -> str:
    """``text`` with every :data:`HIDDEN` character replaced by its visible escape."""
    return HIDDEN.sub(_escape_match, text)


def json_text(text: str) -> str:
    """``text`` fit for a JSON string: lone surrogates spelled as visible escapes."""
    return _LONE_SURROGATE.sub(_escape_match, text)


def workflow_data(text: str) -> str:
    """The message part of a GitHub Actions workflow command (after the second ``::``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return visible(text)


def workflow_property(text: str) -> str:
    """A property value of a GitHub Actions workflow command (``file=``, ``title=``)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
