"""Strict YAML loader: one document, YAML 1.2 core typing, no anchors, tags or merge keys.

Data is built from the parser's event stream with an explicit stack, so nesting depth is
bounded while parsing and no recursive code ever sees the input.

Nesting bound, whatever libyaml a PyYAML build bundles. The builder refuses the first
collection deeper than ``max_depth`` (LOAD009) as soon as its start event arrives. libyaml
0.2.6 also refuses nesting past 1,000 levels, and it does so in its scanner, which may run
ahead of the events: while a possible implicit key is pending, tokens are held back until
the key is decided, and that is never past the end of the line (YAML 1.2 sections 7.4.2
and 8.2.2: an implicit key is restricted to one line and 1,024 characters). Block
collections only open at indicators the parser consumes at once, so the scanner is never
more than two block levels ahead of the builder; flow collections can run ahead by as many
``[`` and ``{`` as one line holds, and libyaml reports its limit on that line. libyaml's
limit can only surface as a syntax error, so a LOAD001 from the native parser stands when
``max_depth`` is at most ``_NATIVE_MAX_DEPTH`` and the line it names holds at most
``_LINE_OPENERS`` brackets (counted raw: quoted text can only over-count); the nesting was
then under 400 levels. Otherwise the text is parsed again by PyYAML's pure-Python parser,
which has no nesting limit and reads lazily, so it stops where the builder refuses. Both
parsers give the same findings at the same positions; a file libyaml accepts costs nothing
extra.

Line breaks are YAML 1.2's (section 5.4): LF, CR LF and CR, as git counts lines. YAML 1.1,
and with it libyaml and PyYAML, also breaks lines at NEL (U+0085), LINE SEPARATOR (U+2028)
and PARAGRAPH SEPARATOR (U+2029). Before parsing, each of those is replaced by a private-use
character that occurs nowhere in the file, not even as a ``\\u``/``\\U`` escape, so the
parser reads it as the ordinary character YAML 1.2 says it is: comment text in a comment,
content in a scalar (plain, quoted or block), part of the key in a key. It is restored in
every scalar value and key; positions are unchanged since one character replaces one. A file
that already uses every private-use character cannot be read this way and is refused with
LOAD001 at the first such break.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sized
from types import MappingProxyType
from typing import Any, Final, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.reader import ReaderError

from rspp.core.constants import SHARED_STR_MAX
from rspp.core.findings import Finding, Span
from rspp.core.jsontypes import JsonArray, JsonObject, JsonScalar
from rspp.load.lines import YAML11_BREAKS, hide_yaml11_breaks, line_col, line_starts
from rspp.load.numbers import unsafe_float, unsafe_integer
from rspp.load.spans import (
    SPAN_SETTERS,
    Parsed,
    duplicate_key,
    error,
    escape_token,
    make_span,
    pointer_budget,
    pointers_too_long,
)


class _Events(Protocol):
    """What the loader reads from a PyYAML parser (libyaml's or the pure-Python one)."""

    def get_event(self) -> object: ...

    def dispose(self) -> None: ...


_Parser = Callable[[str], _Events]
_Native: _Parser | None = getattr(yaml, "CSafeLoader", None)
_NATIVE = _Native is not None
_PyLoader: _Parser = yaml.SafeLoader
_Loader: _Parser = _Native if _Native is not None else _PyLoader

# a native syntax error stands under this depth limit, on a line with at most this many brackets
_NATIVE_MAX_DEPTH = 256
_LINE_OPENERS = 128

_STR_TAG = "tag:yaml.org,2002:str"

_CONSTANTS: Final[Mapping[str, bool | None]] = MappingProxyType({
    "null": None,
    "Null": None,
    "NULL": None,
    "~": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
})
_NUMBER_START = frozenset("0123456789+-.")
_NUMBER = re.compile(
    r"(?P<int>[-+]?[0-9]+)"
    r"|(?P<oct>0o[0-7]+)"
    r"|(?P<hex>0x[0-9a-fA-F]+)"
    r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<special>[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))"
)
_LOG2_10 = 3.321928094887362


class _Refused(Exception):
    """A plain scalar that has no exact canonical JSON form."""


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."



def _fits(number: int, max_digits: int) -> bool:
    """Whether ``number`` has at most ``max_digits`` decimal digits."""
    bits = number.bit_length()
    limit = int(max_digits * _LOG2_10)
    if bits <= limit:
        return True
    return bits == limit + 1 and abs(number) < 10**max_digits


def _number(value: str, max_digits: int) -> int | float | str:
    """Type a plain scalar that starts like a number; anything else stays a string."""
    found = _NUMBER.fullmatch(value)
    if found is None:
        return value
    kind = found.lastgroup
    if kind == "int":
        digits = len(value) - (value[0] in "+-")
        if digits > max_digits:
            raise _Refused(f"integer has {digits} digits; the limit is {max_digits}")
        try:
            number = int(value)
        except ValueError:
            raise _Refused(f"integer has {digits} digits and cannot be converted") from None
        problem = unsafe_integer(number)
        if problem:
            raise _Refused(problem)
        return number
    if kind == "float":
        real = float(value)
        if real in (float("inf"), float("-inf")):
            raise _Refused(
                f"number {_short(value)} overflows to infinity; canonical JSON cannot represent it"
            )
        problem = unsafe_float(real)
        if problem:
            raise _Refused(problem)
        return real
    if kind == "special":
        raise _Refused(f"{value} is not a finite number; canonical JSON cannot represent it")
    digits = len(value) - 2
    if digits > max_digits:
        raise _Refused(f"integer has {digits} digits; the limit is {max_digits}")
    converted = int(value[2:], 8 if kind == "oct" else 16)
    if not _fits(converted, max_digits):
        raise _Refused(f"integer {_short(value)} has more than {max_digits} decimal digits")
    problem = unsafe_integer(converted)
    if problem:
        raise _Refused(problem)
    return converted


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "a boolean"
    return "a number"


def _native_limit_ruled_out(text: str, max_depth: int, line: int) -> bool:
    """Whether a native syntax error on ``line`` (1-based) of ``text`` cannot be libyaml's
    own nesting limit.

    See the module docstring: the scanner is at most ``max_depth`` + 2 levels past what the
    builder has seen, plus the ``[`` and ``{`` of the line it reached, and libyaml reports
    its limit on that line. Costs one pass over the text, and only when libyaml refuses it.
    """
    if max_depth > _NATIVE_MAX_DEPTH:
        return False
    starts = line_starts(text)
    start = starts[min(line, len(starts)) - 1]
    end = starts[line] if line < len(starts) else len(text)
    row = text[start:end]
    return row.count("[") + row.count("{") <= _LINE_OPENERS


def _restoring(get: Callable[[], object], back: dict[int, str]) -> Callable[[], object]:
    """``get`` (the parser's next event) with the stand-ins put back in scalar values."""

    def get_restored() -> object:
        ev = get()
        if type(ev) is ScalarEvent:
            ev.value = ev.value.translate(back)
        return ev

    return get_restored


def parse_yaml(
    text: str, rel: str, max_depth: int, max_int_digits: int
) -> tuple[Parsed | None, list[Finding]]:
    """Parse ``text`` into a located document, or return the findings that refuse it.

    ``max_depth`` bounds nesting (the root mapping is level 1) and ``max_int_digits`` the
    decimal digits of an integer. Lines and columns are 1-based, columns count characters.
    Refusals: LOAD001 syntax, LOAD002 duplicate key, LOAD003 anchor or alias, LOAD004 merge
    key, LOAD005 tag, LOAD006 key not a string, LOAD007 not exactly one document, LOAD008
    top level not a mapping, LOAD009 too deep or too many paths, LOAD010 number with no
    exact canonical JSON form. Never raises for any input text.
    """
    parsed = text
    back: dict[int, str] | None = None
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        replaced = hide_yaml11_breaks(text)
        if replaced is None:
            first = YAML11_BREAKS.search(text)
            assert first is not None
            line, col = line_col(text, first.start())
            return None, [
                error(
                    "LOAD001",
                    rel,
                    line,
                    col,
                    f"YAML syntax error: U+{ord(first.group()):04X} cannot be read as YAML 1.2"
                    " reads it (not as a line break): the file already uses every private-use"
                    " character the loader would stand in for it",
                )
            ]
        parsed, back = replaced
    found = _parse(_Loader, _NATIVE, parsed, back, text, rel, max_depth, max_int_digits)
    if (
        _NATIVE
        and found[1]
        and found[1][0].code == "LOAD001"
        and not _native_limit_ruled_out(parsed, max_depth, found[1][0].line)
    ):
        # libyaml's own nesting limit may have been hit before the builder's: ask the
        # pure-Python parser, which has none, for the answer
        found = _parse(_PyLoader, False, parsed, back, text, rel, max_depth, max_int_digits)
    return found


def parse_yaml_data(text: str, max_depth: int, max_int_digits: int) -> JsonObject | None:
    """The data of ``text`` when :func:`parse_yaml` accepts it, built without positions;
    None when anything is irregular (then :func:`parse_yaml` gives the findings, or the
    positions: None does not mean refused).

    Most files are clean and their positions are never asked for: the loader's spans and
    pointers are two thirds of its own work. Same refusals as :func:`parse_yaml`, the same
    limits (``max_depth``, ``max_int_digits``, the pointer budget, counted without building
    the pointers) and the same data; the equality is tested on the loader's corpora.
    """
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        return None
    parser: _Events | None = None
    try:
        parser = _Loader(text)
        return _data(parser.get_event, pointer_budget(text), max_depth, max_int_digits)
    except (yaml.YAMLError, ReaderError, _Refused):
        return None
    finally:
        if parser is not None:
            parser.dispose()


def _data(get: Callable[[], object], budget: int, max_depth: int,
          max_digits: int) -> JsonObject | None:
    """The loop of :func:`_build` without spans: data only, None at anything irregular."""
    get()  # stream start
    ev: Any = get()
    if type(ev) is not DocumentStartEvent or ev.tags:
        return None
    ev = get()
    if type(ev) is not MappingStartEvent or ev.anchor is not None or ev.tag is not None:
        return None
    if max_depth < 1:
        return None
    root: JsonObject = {}
    stack: list[tuple[Any, bool, int]] = []
    cur: Any = root
    is_map = True
    size = 0  # the length of the current container's pointer
    key = ""
    pending = -1  # the pointer length of the member whose value comes next, or -1
    depth = 1
    scalar_type = ScalarEvent
    mapping_start = MappingStartEvent
    sequence_start = SequenceStartEvent
    mapping_end = MappingEndEvent
    sequence_end = SequenceEndEvent
    constants = _CONSTANTS
    number_start = _NUMBER_START
    str_tag = _STR_TAG
    intern = sys.intern  # keys and short values: see SHARED_STR_MAX
    shared_max = SHARED_STR_MAX
    while True:
        ev = get()
        kind = type(ev)
        if kind is scalar_type:
            value = ev.value
            tag = ev.tag
            if ev.anchor is not None or (tag is not None and tag != str_tag):
                return None
            plain = tag is None and not ev.style
            if not plain:
                typed: JsonScalar = intern(value) if len(value) <= shared_max else value
            elif not value:
                typed = None
            elif value[0] in number_start:
                typed = _number(value, max_digits)
            elif value in constants:
                typed = constants[value]
            else:
                typed = intern(value) if len(value) <= shared_max else value
            if pending >= 0:
                cur[key] = typed
                pending = -1
            elif is_map:
                if type(typed) is not str or (plain and value == "<<") or typed in cur:
                    return None
                key = intern(typed)
                pending = size + 1 + len(key) + key.count("~") + key.count("/")
                budget -= pending
                if budget < 0:
                    return None
            else:
                budget -= size + 1 + len(str(len(cur)))
                if budget < 0:
                    return None
                cur.append(typed)
        elif kind is mapping_end or kind is sequence_end:
            if not stack:
                break
            cur, is_map, size = stack.pop()
            depth -= 1
        elif kind is mapping_start or kind is sequence_start:
            if ev.anchor is not None or ev.tag is not None:
                return None
            new: JsonObject | JsonArray = {} if kind is mapping_start else []
            if pending >= 0:
                cur[key] = new
                inner = pending
                pending = -1
            elif is_map:
                return None
            else:
                inner = size + 1 + len(str(len(cur)))
                budget -= inner
                if budget < 0:
                    return None
                cur.append(new)
            depth += 1
            if depth > max_depth:
                return None
            stack.append((cur, is_map, size))
            cur = new
            is_map = kind is mapping_start
            size = inner
        else:
            return None
    get()  # document end
    if type(get()) is not StreamEndEvent:
        return None
    return root


def _parse(
    loader: _Parser,
    native: bool,
    parsed: str,
    back: dict[int, str] | None,
    text: str,
    rel: str,
    max_depth: int,
    max_int_digits: int,
) -> tuple[Parsed | None, list[Finding]]:
    """Parse ``parsed`` (``text`` with stand-ins) with ``loader``; findings on ``text``."""
    parser: _Events | None = None
    try:
        parser = loader(parsed)
        get = parser.get_event if back is None else _restoring(parser.get_event, back)
        return _build(get, text, rel, max_depth, max_int_digits)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax(exc, rel, text, back)]
    except ReaderError as exc:
        index = exc.position
        if native:
            index = len(parsed.encode("utf-8")[:index].decode("utf-8", "ignore"))
        line, col = line_col(text, index)
        char = exc.character
        code = char if isinstance(char, int) else ord(char[:1] or "\0")
        return None, [
            error(
                "LOAD001",
                rel,
                line,
                col,
                f"YAML syntax error: unacceptable character U+{code:04X}: {exc.reason}",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [error("LOAD001", rel, 1, 1, f"YAML syntax error: {exc}")]
    finally:
        if parser is not None:
            parser.dispose()


def _syntax(
    exc: yaml.MarkedYAMLError, rel: str, text: str, back: dict[int, str] | None
) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if line > 1 and col == 1 and line > len(line_starts(text)):
        # libyaml ends a last line that has no line break with one of its own, so its
        # end-of-file mark is on a line git does not have: report the end of the text
        line, col = line_col(text, len(text))
    message = f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}"
    if exc.problem and exc.context:
        where = exc.context_mark
        started = f" started on line {where.line + 1}" if where is not None else ""
        message += f" ({exc.context}{started})"
    if back:  # a stand-in the message names, as itself or as a repr escape
        for stand_in, char in back.items():
            message = message.replace(repr(chr(stand_in))[1:-1], repr(char)[1:-1])
        message = message.translate(back)
    return error("LOAD001", rel, line, col, message)


def _node_refusal(ev: Any, rel: str, pointer: str) -> Finding | None:
    """LOAD003 for an anchor or alias, LOAD005 for a tag other than !!str on a scalar."""
    mark = ev.start_mark
    line, col = mark.line + 1, mark.column + 1
    if type(ev) is AliasEvent:
        return error(
            "LOAD003", rel, line, col, f"YAML aliases are not allowed (*{ev.anchor})", pointer
        )
    if ev.anchor is not None:
        return error(
            "LOAD003", rel, line, col, f"YAML anchors are not allowed (&{ev.anchor})", pointer
        )
    tag = ev.tag
    if tag is not None and (tag != _STR_TAG or type(ev) is not ScalarEvent):
        shown = "!!" + tag[18:] if tag.startswith("tag:yaml.org,2002:") else tag
        return error("LOAD005", rel, line, col, f"YAML tag {_short(shown)} is not allowed", pointer)
    return None


def _build(
    get: Callable[[], object], text: str, rel: str, max_depth: int, max_digits: int
) -> tuple[Parsed | None, list[Finding]]:
    get()  # stream start
    ev: Any = get()  # dispatched on type(ev) below, which the checker does not follow
    if type(ev) is StreamEndEvent:
        return None, [error("LOAD007", rel, 1, 1, "file holds no YAML document")]
    if ev.tags:
        mark = ev.start_mark
        return None, [
            error("LOAD005", rel, mark.line + 1, mark.column + 1, "%TAG directives are not allowed")
        ]
    ev = get()
    refusal = _node_refusal(ev, rel, "")
    if refusal is not None:
        return None, [refusal]
    mark = ev.start_mark
    start_line, start_col = mark.line + 1, mark.column + 1
    if type(ev) is not MappingStartEvent:
        found = "a sequence" if type(ev) is SequenceStartEvent else "a scalar"
        return None, [
            error(
                "LOAD008", rel, start_line, start_col, f"top level must be a mapping, found {found}"
            )
        ]
    if max_depth < 1:
        return None, [_too_deep(rel, start_line, start_col, "", max_depth)]

    spans: dict[str, Span] = {}
    key_spans: dict[str, Span] = {}
    duplicates: list[Finding] = []
    root: JsonObject = {}
    budget = pointer_budget(text)
    stack: list[tuple[JsonObject | JsonArray, bool, str, int, int, bool]] = []
    # the container being filled: a JsonObject when is_map, else a JsonArray
    cur: Any = root
    is_map = True
    ptr = ""
    flow = bool(ev.flow_style)
    key: str | None = None
    member: str | None = None
    depth = 1
    end_line = end_col = 0
    scalar_type = ScalarEvent
    mapping_start = MappingStartEvent
    sequence_start = SequenceStartEvent
    mapping_end = MappingEndEvent
    sequence_end = SequenceEndEvent
    constants = _CONSTANTS
    number_start = _NUMBER_START
    str_tag = _STR_TAG
    # One copy of each key (a copy per occurrence is about a third of the memory an
    # artifact's data takes) and of each short value (SHARED_STR_MAX).
    intern = sys.intern
    shared_max = SHARED_STR_MAX
    new_span = object.__new__
    span_type = Span
    set_line, set_col, set_end_line, set_end_col = SPAN_SETTERS

    while True:
        ev = get()
        kind = type(ev)
        if kind is scalar_type:
            value = ev.value
            tag = ev.tag
            if ev.anchor is not None or (tag is not None and tag != str_tag):
                refusal = _node_refusal(ev, rel, _here(member, ptr, is_map, cur))
                assert refusal is not None
                return None, [refusal]
            plain = tag is None and not ev.style
            if not plain:
                typed: JsonScalar = intern(value) if len(value) <= shared_max else value
            elif not value:
                typed = None
            elif value[0] in number_start:
                try:
                    typed = _number(value, max_digits)
                except _Refused as exc:
                    mark = ev.start_mark
                    where = _here(member, ptr, is_map, cur)
                    return None, [
                        error("LOAD010", rel, mark.line + 1, mark.column + 1, str(exc), where)
                    ]
            elif value in constants:
                typed = constants[value]
            else:
                typed = intern(value) if len(value) <= shared_max else value
            mark = ev.start_mark
            line, col = mark.line + 1, mark.column + 1
            mark = ev.end_mark
            end_line, end_col = mark.line + 1, mark.column + 1
            span = new_span(span_type)
            set_line(span, line)
            set_col(span, col)
            set_end_line(span, end_line)
            set_end_col(span, end_col)
            if member is not None:
                cur[key] = typed
                spans[member] = span
                member = None
            elif is_map:
                if type(typed) is not str:
                    return None, [
                        error(
                            "LOAD006",
                            rel,
                            line,
                            col,
                            f"mapping key {_short(value) or '(empty)'} is {_type_name(typed)}, not a string;"
                            " quote it if a string was meant",
                            ptr,
                        )
                    ]
                if plain and value == "<<":
                    return None, [
                        error(
                            "LOAD004", rel, line, col, "YAML merge keys (<<) are not allowed", ptr
                        )
                    ]
                key = intern(typed)
                member = (
                    f"{ptr}/{typed}"
                    if "~" not in typed and "/" not in typed
                    else f"{ptr}/{escape_token(typed)}"
                )
                budget -= len(member)
                if budget < 0:
                    return None, [pointers_too_long(rel, line, col, text)]
                if typed in cur:
                    duplicates.append(
                        duplicate_key(rel, typed, key_spans[member].line, member, line, col,
                                      end_line, end_col)
                    )
                else:
                    key_spans[member] = span
            else:
                pointer = f"{ptr}/{len(cur)}"
                budget -= len(pointer)
                if budget < 0:
                    return None, [pointers_too_long(rel, line, col, text)]
                spans[pointer] = span
                cur.append(typed)
        elif kind is mapping_end or kind is sequence_end:
            if flow:
                mark = ev.end_mark
                end_line, end_col = mark.line + 1, mark.column + 1
            spans[ptr] = make_span(start_line, start_col, end_line, end_col)
            if not stack:
                break
            cur, is_map, ptr, start_line, start_col, flow = stack.pop()
            depth -= 1
        elif kind is mapping_start or kind is sequence_start:
            if ev.anchor is not None or ev.tag is not None:
                refusal = _node_refusal(ev, rel, _here(member, ptr, is_map, cur))
                assert refusal is not None
                return None, [refusal]
            mark = ev.start_mark
            line, col = mark.line + 1, mark.column + 1
            new: JsonObject | JsonArray = {} if kind is mapping_start else []
            if member is not None:
                pointer = member
                cur[key] = new
                member = None
            elif is_map:
                found = "mapping" if kind is mapping_start else "sequence"
                return None, [
                    error("LOAD006", rel, line, col, f"mapping key is a {found}, not a string", ptr)
                ]
            else:
                pointer = f"{ptr}/{len(cur)}"
                budget -= len(pointer)
                if budget < 0:
                    return None, [pointers_too_long(rel, line, col, text)]
                cur.append(new)
            depth += 1
            if depth > max_depth:
                return None, [_too_deep(rel, line, col, pointer, max_depth)]
            stack.append((cur, is_map, ptr, start_line, start_col, flow))
            cur = new
            is_map = kind is mapping_start
            ptr = pointer
            start_line, start_col = line, col
            flow = bool(ev.flow_style)
        else:
            refusal = _node_refusal(ev, rel, _here(member, ptr, is_map, cur))
            if refusal is None:  # pragma: no cover - the parser emits no other event here
                raise AssertionError(f"unexpected YAML event {ev!r}")
            return None, [refusal]

    get()  # document end
    ev = get()
    kind = type(ev)
    if kind is DocumentStartEvent:
        mark = ev.start_mark
        return None, [
            error(
                "LOAD007",
                rel,
                mark.line + 1,
                mark.column + 1,
                "more than one YAML document in the file (the second starts here)",
            )
        ]
    if duplicates:
        return None, duplicates
    return Parsed(root, spans, key_spans), []


def _here(member: str | None, ptr: str, is_map: bool, cur: Sized) -> str:
    """The pointer of the node about to be read."""
    if member is not None:
        return member
    return ptr if is_map else f"{ptr}/{len(cur)}"


def _too_deep(rel: str, line: int, col: int, pointer: str, max_depth: int) -> Finding:
    return error("LOAD009", rel, line, col, f"nesting deeper than {max_depth} levels", pointer)
