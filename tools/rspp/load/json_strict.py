"""Strict JSON loader (RFC 8259) that records the position of every key and value.

The parser is iterative (explicit stack), so nesting depth is bounded while parsing.
Lines end at LF, CR LF or a lone CR only (RFC 8259 section 2 whitespace); U+2028 and U+2029
inside strings are ordinary characters, as git and editors count lines.
"""

from __future__ import annotations

import json
import json.decoder
import re
import sys
from bisect import bisect_right
from collections.abc import Callable
from json.decoder import JSONDecodeError
from typing import Any, cast

from rspp.core.constants import SHARED_STR_MAX
from rspp.core.findings import Finding, Span
from rspp.core.jsontypes import JsonArray, JsonObject, JsonScalar
from rspp.load.lines import line_starts
from rspp.load.numbers import unsafe_float, unsafe_integer
from rspp.load.spans import (
    Parsed,
    duplicate_key,
    error,
    escape_token,
    make_span,
    pointer_budget,
    pointers_too_long,
)

_WS = re.compile(r"[ \t\n\r]*")
_skip = cast("Callable[[str, int], re.Match[str]]", _WS.match)
_colon = re.compile(r"[ \t\n\r]*:[ \t\n\r]*").match
_after = cast("Callable[[str, int], re.Match[str]]", re.compile(r"[ \t\n\r]*(,?)[ \t\n\r]*").match)
_LONE_SURROGATE = "invalid string: it contains a lone surrogate"
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_VALUE_START = frozenset('["-0123456789tfn')
_INF = (float("inf"), float("-inf"))


class _Fail(Exception):
    """A refusal at a character offset."""

    def __init__(self, code: str, index: int, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.index = index
        self.message = message
        self.pointer = pointer


def _shown(char: str) -> str:
    if not char:
        return "end of file"
    if char == "/":
        return "'/' (comments are not allowed)"
    return repr(char)



def _bad_string(exc: JSONDecodeError, pointer: str) -> _Fail:
    problem = exc.msg.removesuffix(" at").removesuffix(" starting")
    problem = problem[:1].lower() + problem[1:]
    return _Fail("LOAD001", exc.pos, f"JSON syntax error: {problem}", pointer)


def _literal(text: str, index: int, max_digits: int, pointer: str) -> tuple[JsonScalar, int]:
    """The number, boolean or null starting at ``index`` and the offset after it."""
    char = text[index : index + 1]
    if char == "t" and text.startswith("true", index):
        return True, index + 4
    if char == "f" and text.startswith("false", index):
        return False, index + 5
    if char == "n" and text.startswith("null", index):
        return None, index + 4
    found = _NUMBER.match(text, index)
    if found is None:
        for word in ("NaN", "Infinity", "-Infinity"):
            if text.startswith(word, index):
                raise _Fail(
                    "LOAD010",
                    index,
                    f"{word} is not a JSON number; canonical JSON cannot represent it",
                    pointer,
                )
        if char == "/":
            raise _Fail("LOAD001", index, "JSON syntax error: comments are not allowed", pointer)
        raise _Fail(
            "LOAD001", index, f"JSON syntax error: expected a value, found {_shown(char)}", pointer
        )
    end = found.end()
    following = text[end : end + 1]
    if following and following in "0123456789":
        raise _Fail(
            "LOAD001", index, "JSON syntax error: numbers may not have leading zeros", pointer
        )
    if found.group(1) is None and found.group(2) is None:
        digits = end - index - (char == "-")
        if digits > max_digits:
            raise _Fail(
                "LOAD010", index, f"integer has {digits} digits; the limit is {max_digits}", pointer
            )
        try:
            number = int(text[index:end])
        except ValueError:
            raise _Fail(
                "LOAD010", index, f"integer has {digits} digits and cannot be converted", pointer
            ) from None
        problem = unsafe_integer(number)
        if problem:
            raise _Fail("LOAD010", index, problem, pointer)
        return number, end
    real = float(text[index:end])
    if real in _INF:
        raise _Fail(
            "LOAD010",
            index,
            "number overflows to infinity; canonical JSON cannot represent it",
            pointer,
        )
    problem = unsafe_float(real)
    if problem:
        raise _Fail("LOAD010", index, problem, pointer)
    return real, end


class _Doubt(Exception):
    """Something :func:`parse_json_data` leaves to :func:`parse_json` to judge."""


# An escaped surrogate (a "\\u" escape of D800..DFFF, paired or lone): the located parser
# judges it.
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json_data(text: str, max_depth: int, max_int_digits: int) -> JsonObject | None:
    """The data of ``text`` when :func:`parse_json` accepts it, built by the standard
    library's C decoder without positions; None when anything is irregular (then
    :func:`parse_json` gives the findings, or the positions: None does not mean refused).

    Same refusals as :func:`parse_json` (RFC 8259 syntax, duplicate keys, NaN and
    infinities, numbers canonical JSON cannot hold, integers over ``max_int_digits``
    digits, nesting deeper than ``max_depth``, the pointer budget counted as it counts it)
    and the same data, with keys and short strings shared the same way; an escaped
    surrogate is left to it. The equality is tested on the loader's corpora and on random
    text."""
    if max_depth < 1 or _ESCAPED_SURROGATE.search(text) is not None:
        return None
    intern = sys.intern
    shared_max = SHARED_STR_MAX

    def members(pairs: list[tuple[str, Any]]) -> JsonObject:
        made = {intern(key): intern(value) if type(value) is str and len(value) <= shared_max
                else value for key, value in pairs}
        if len(made) != len(pairs):
            raise _Doubt  # a duplicate key
        return made

    def integer(literal: str) -> int:
        if len(literal) - literal.startswith("-") > max_int_digits:
            raise _Doubt
        number = int(literal)
        if unsafe_integer(number):
            raise _Doubt
        return number

    def real(literal: str) -> float:
        number = float(literal)
        if number in _INF or unsafe_float(number):
            raise _Doubt
        return number

    def constant(literal: str) -> None:
        raise _Doubt  # NaN, Infinity, -Infinity

    try:
        data = json.loads(text, object_pairs_hook=members, parse_int=integer,
                          parse_float=real, parse_constant=constant)
    except (_Doubt, ValueError, RecursionError):
        return None
    if type(data) is not dict or not _within(data, max_depth, pointer_budget(text)):
        return None
    return cast("JsonObject", data)


def _within(root: JsonObject, max_depth: int, budget: int) -> bool:
    """Whether ``root`` nests at most ``max_depth`` levels and the pointers of its values
    add up to at most ``budget`` characters (counted as :func:`parse_json` counts them,
    escapes included); shares the short strings of its arrays as :func:`parse_json` does."""
    intern = sys.intern
    shared_max = SHARED_STR_MAX
    total = 0
    stack: list[tuple[Any, int, int]] = [(root, 0, 1)]  # container, pointer length, depth
    while stack:
        cur, size, depth = stack.pop()
        if type(cur) is dict:
            for key, value in cur.items():
                length = size + 1 + len(key)
                if "~" in key or "/" in key:
                    length += key.count("~") + key.count("/")
                total += length
                if type(value) is dict or type(value) is list:
                    if depth >= max_depth:
                        return False
                    stack.append((value, length, depth + 1))
        else:
            for index, value in enumerate(cur):
                length = size + 1 + len(str(index))
                total += length
                kind = type(value)
                if kind is str:
                    if len(value) <= shared_max:
                        cur[index] = intern(value)
                elif kind is dict or kind is list:
                    if depth >= max_depth:
                        return False
                    stack.append((value, length, depth + 1))
        if total > budget:
            return False
    return True


def parse_json(
    text: str, rel: str, max_depth: int, max_int_digits: int
) -> tuple[Parsed | None, list[Finding]]:
    """Parse ``text`` into a located document, or return the findings that refuse it."""
    starts = line_starts(text)
    try:
        return _parse(text, rel, max_depth, max_int_digits, starts)
    except _Fail as exc:
        line = bisect_right(starts, exc.index)
        col = exc.index - starts[line - 1] + 1
        return None, [error(exc.code, rel, line, col, exc.message, exc.pointer)]


def _parse(
    text: str, rel: str, max_depth: int, max_digits: int, starts: list[int]
) -> tuple[Parsed | None, list[Finding]]:
    n = len(text)
    i = _skip(text, 0).end()
    if i >= n:
        raise _Fail("LOAD007", 0, "file holds no JSON value")
    char = text[i]
    if char != "{":
        if char in _VALUE_START:
            raise _Fail("LOAD008", i, "top level must be an object")
        raise _Fail("LOAD001", i, f"JSON syntax error: expected a value, found {_shown(char)}")
    if max_depth < 1:
        raise _Fail("LOAD009", i, f"nesting deeper than {max_depth} levels")

    skip = _skip
    colon = _colon
    after = _after
    scan = _scanstring
    # One copy of each key (a copy per occurrence is about a third of the memory an
    # artifact's data takes) and of each short value (SHARED_STR_MAX).
    intern = sys.intern
    shared_max = SHARED_STR_MAX
    line_of = bisect_right
    span = make_span
    spans: dict[str, Span] = {}
    key_spans: dict[str, Span] = {}
    duplicates: list[Finding] = []
    root: JsonObject = {}
    budget = pointer_budget(text)
    # the container being filled: a JsonObject when is_obj, else a JsonArray (one name, no
    # isinstance in the loop)
    cur: Any = root
    stack: list[tuple[JsonObject | JsonArray, bool, str, int, str]] = []
    is_obj = True
    closer = "}"
    ptr = ""
    start = i
    depth = 1
    first = True
    comma = i
    key = ""
    value: JsonScalar
    i = skip(text, i + 1).end()

    while True:
        # ``i`` is at the next member or element, or at the closing bracket
        char = text[i : i + 1]
        if char == closer:
            if not first:
                raise _Fail(
                    "LOAD001", comma, f"JSON syntax error: trailing comma before '{closer}'", ptr
                )
        else:
            if is_obj:
                if char != '"':
                    raise _Fail(
                        "LOAD001",
                        i,
                        f"JSON syntax error: expected a string key, found {_shown(char)}",
                        ptr,
                    )
                try:
                    key, end = scan(text, i + 1, True)
                except JSONDecodeError as exc:
                    raise _bad_string(exc, ptr) from None
                if end - i - 2 != len(key) and _SURROGATE.search(key) is not None:
                    raise _Fail("LOAD001", i, _LONE_SURROGATE, ptr)
                key = intern(key)
                member = (
                    f"{ptr}/{key}"
                    if "~" not in key and "/" not in key
                    else f"{ptr}/{escape_token(key)}"
                )
                line = line_of(starts, i)
                col = i - starts[line - 1] + 1
                budget -= len(member)
                if budget < 0:
                    return None, [pointers_too_long(rel, line, col, text)]
                if key in cur:
                    duplicates.append(
                        duplicate_key(rel, key, key_spans[member].line, member, line, col,
                                      line, col + end - i)
                    )
                else:
                    key_spans[member] = span(line, col, line, col + end - i)
                found = colon(text, end)
                if found is None:
                    i = skip(text, end).end()
                    raise _Fail(
                        "LOAD001",
                        i,
                        f"JSON syntax error: expected ':', found {_shown(text[i : i + 1])}",
                        member,
                    )
                i = found.end()
            else:
                member = f"{ptr}/{len(cur)}"
                budget -= len(member)
                if budget < 0:
                    raise _Fail("LOAD009", i, pointers_too_long(rel, 1, 1, text).message)
            char = text[i : i + 1]
            if char == "{" or char == "[":
                depth += 1
                if depth > max_depth:
                    raise _Fail("LOAD009", i, f"nesting deeper than {max_depth} levels", member)
                new: JsonObject | JsonArray = {} if char == "{" else []
                if is_obj:
                    cur[key] = new
                else:
                    cur.append(new)
                stack.append((cur, is_obj, ptr, start, closer))
                cur = new
                is_obj = char == "{"
                closer = "}" if is_obj else "]"
                ptr = member
                start = i
                first = True
                i = skip(text, i + 1).end()
                continue
            if char == '"':
                try:
                    value, end = scan(text, i + 1, True)
                except JSONDecodeError as exc:
                    raise _bad_string(exc, member) from None
                if end - i - 2 != len(value) and _SURROGATE.search(value) is not None:
                    raise _Fail("LOAD001", i, _LONE_SURROGATE, member)
                if len(value) <= shared_max:
                    value = intern(value)
            else:
                value, end = _literal(text, i, max_digits, member)
            line = line_of(starts, i)
            col = i - starts[line - 1] + 1
            spans[member] = span(line, col, line, col + end - i)
            if is_obj:
                cur[key] = value
            else:
                cur.append(value)
            i = end
        # after a value or at a closing bracket: close containers until a comma
        while True:
            if char == closer:
                i += 1
                line = line_of(starts, start)
                end_line = line_of(starts, i)
                spans[ptr] = span(
                    line, start - starts[line - 1] + 1, end_line, i - starts[end_line - 1] + 1
                )
                if not stack:
                    return _finish(text, rel, i, root, spans, key_spans, duplicates)
                cur, is_obj, ptr, start, closer = stack.pop()
                depth -= 1
            found = after(text, i)
            i = found.end()
            char = text[i : i + 1]
            if found.group(1):
                comma = found.start(1)
                first = False
                break
            if char != closer:
                raise _Fail(
                    "LOAD001",
                    i,
                    f"JSON syntax error: expected ',' or '{closer}', found {_shown(char)}",
                    ptr,
                )


def _finish(
    text: str,
    rel: str,
    i: int,
    root: JsonObject,
    spans: dict[str, Span],
    key_spans: dict[str, Span],
    duplicates: list[Finding],
) -> tuple[Parsed | None, list[Finding]]:
    i = _skip(text, i).end()
    if i < len(text):
        raise _Fail("LOAD007", i, "more than one JSON value in the file (trailing data)")
    if duplicates:
        return None, duplicates
    return Parsed(root, spans, key_spans), []
