"""Confirm that a YAML text is already canonical without the round-trip formatter.

The round-trip formatter (``rspp.fmt.yaml_text``, ruamel in pure Python) costs about 30 ms
for a 6.5 KB spec, most of it reading the file again; ``rspp fmt --check`` on a repository
that is already formatted spends nearly all its time proving that nothing changes. This
module writes, from libyaml's events, the text the formatter would write for a common subset
of YAML, and compares it with the file: equal texts are canonical. Anything outside the
subset, or any doubt, is "not confirmed" and the file goes to the formatter, which decides
(ADR 0017). So the answer here is never "would reformat": a wrong "canonical" is the only
mistake that matters, and ``tests/fmt/test_confirm.py`` holds the two answers together on
every YAML file of the repository, on generated repositories and on mutated texts.

The subset, as the formatter writes it (2 spaces per mapping level, list dashes 2 spaces
under their key, items 2 spaces after the dash, no line wrapping):

- one document, no ``---`` or ``...`` marker or directive, a block mapping at the root;
- block mappings, block lists (not a list directly in a list), and flow collections written
  on the value's line (``{a: 1, b: [x, y]}``, one space after each comma and colon);
- keys in canonical order (``rspp.model.order``), in every mapping, flow ones too;
- scalars on one line, printable ASCII: plain ones made of letters, digits, ``_ . / @ + -``
  and single spaces (starting with a letter, digit or underscore); double-quoted ones
  without ``"`` or ``\\``; single-quoted ones without ``'``; a string at a SemVer position
  double-quoted, a plain string that a YAML 1.1 or 1.2 reader would type otherwise quoted;
- comments on their own lines, each at the column of the key or list dash below it (the
  file's header at column 0 above the first key); no blank line, no comment at a line's
  end, after the last key or inside a flow collection; no trailing spaces, no tab, no
  carriage return, a final line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from rspp.fmt.quoting import needs_quotes
from rspp.load.document import Document
from rspp.model.order import document_shape, ordered_keys
from rspp.model.shapes import Shape

# the plain scalars the formatter's emitter writes back plain in block and flow context alike
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@+-]*(?: [A-Za-z0-9_./@+-]+)*")
_DOUBLE = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII but '"' and '\'
_SINGLE = re.compile(r"[ -&(-~]*")  # printable ASCII but "'"
_KEY_MAX = 120  # a longer key would be written as an explicit key ("? key") by the emitter
_BODY_BREAKS = re.compile(r"[\t\r\x85\u2028\u2029]")
# libyaml's parser when PyYAML was built with it; the pure one reads the same events
_Parser: type[yaml.CBaseLoader] | type[yaml.BaseLoader] = getattr(yaml, "CBaseLoader",
                                                                   yaml.BaseLoader)


class _Unsure(Exception):
    """The text is outside the subset this module writes: the formatter decides."""


def _events(text: str) -> Iterator[Event]:
    parser = _Parser(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if event is None:  # there is one: check_event said so
                raise _Unsure
            yield event
    finally:
        parser.dispose()


def _next(events: Iterator[Event]) -> Event:
    event = next(events, None)
    if event is None:
        raise _Unsure
    return event


def _scalar(event: Event, value: object, shape: Shape) -> str:
    """The text the formatter writes for a scalar event whose strict reading is ``value``."""
    if not isinstance(event, ScalarEvent) or event.anchor is not None or event.tag is not None:
        raise _Unsure
    text = event.value
    if event.style is None or event.style == "":
        if not _PLAIN.fullmatch(text):
            raise _Unsure
        if isinstance(value, str) and (shape.is_semver() or needs_quotes(text)):
            raise _Unsure  # the formatter would quote it
        return text
    if not isinstance(value, str) or value != text:
        raise _Unsure
    if event.style == '"' and _DOUBLE.fullmatch(text):
        return f'"{text}"'
    if event.style == "'" and _SINGLE.fullmatch(text) and not shape.is_semver():
        return f"'{text}'"
    raise _Unsure


def _key(event: Event, mapping: dict[str, object]) -> tuple[str, str]:
    """(the key's name, its text as the formatter writes it)."""
    if not isinstance(event, ScalarEvent) or event.anchor is not None or event.tag is not None:
        raise _Unsure
    name = event.value
    if name not in mapping or len(name) > _KEY_MAX:
        raise _Unsure
    if event.style is None or event.style == "":
        if not _PLAIN.fullmatch(name) or needs_quotes(name):
            raise _Unsure
        return name, name
    if event.style == '"' and _DOUBLE.fullmatch(name):
        return name, f'"{name}"'
    if event.style == "'" and _SINGLE.fullmatch(name):
        return name, f"'{name}'"
    raise _Unsure


def _in_order(names: list[str], shape: Shape) -> None:
    if ordered_keys(list(names), shape) != names:
        raise _Unsure


def _flow(event: Event, events: Iterator[Event], value: object, shape: Shape) -> str:
    """The one-line text of a flow collection (or a scalar) starting at ``event``."""
    if isinstance(event, MappingStartEvent):
        if not isinstance(value, dict) or event.anchor is not None or event.tag is not None:
            raise _Unsure
        names: list[str] = []
        parts: list[str] = []
        while not isinstance(key := _next(events), MappingEndEvent):
            name, key_text = _key(key, value)
            names.append(name)
            field = shape.field(name)
            parts.append(f"{key_text}: {_flow(_next(events), events, value[name], field)}")
        _in_order(names, shape)
        return "{" + ", ".join(parts) + "}"
    if isinstance(event, SequenceStartEvent):
        if not isinstance(value, list) or event.anchor is not None or event.tag is not None:
            raise _Unsure
        item = shape.item()
        items: list[str] = []
        while not isinstance(entry := _next(events), SequenceEndEvent):
            if len(items) >= len(value):
                raise _Unsure
            items.append(_flow(entry, events, value[len(items)], item))
        return "[" + ", ".join(items) + "]"
    return _scalar(event, value, shape)


def _is_flow(event: Event) -> bool:
    """A flow collection or a scalar: written on the line of its key or dash."""
    if isinstance(event, MappingStartEvent | SequenceStartEvent):
        return bool(event.flow_style)
    return True


def _mapping(events: Iterator[Event], value: object, shape: Shape, indent: int, first: str,
             out: list[str]) -> None:
    """Write a block mapping whose keys are at column ``indent``; its first line starts
    with ``first`` (a list item's dash, or the indentation)."""
    if not isinstance(value, dict):
        raise _Unsure
    names: list[str] = []
    lead = first
    while not isinstance(key := _next(events), MappingEndEvent):
        name, key_text = _key(key, value)
        names.append(name)
        _member(_next(events), events, value[name], shape.field(name), indent,
                f"{lead}{key_text}:", out)
        lead = " " * indent
    if not names:
        raise _Unsure  # an empty block mapping is written {}
    _in_order(names, shape)


def _sequence(events: Iterator[Event], value: object, shape: Shape, dash: int,
              out: list[str]) -> None:
    """Write a block list whose dashes are at column ``dash``."""
    if not isinstance(value, list):
        raise _Unsure
    item = shape.item()
    count = 0
    while not isinstance(entry := _next(events), SequenceEndEvent):
        if count >= len(value):
            raise _Unsure
        lead = " " * dash + "- "
        if _is_flow(entry):
            out.append(lead + _flow(entry, events, value[count], item))
        elif isinstance(entry, MappingStartEvent) and entry.anchor is None and entry.tag is None:
            _mapping(events, value[count], item, dash + 2, lead, out)
        else:
            raise _Unsure  # a list directly in a list
        count += 1
    if count == 0:
        raise _Unsure


def _member(event: Event, events: Iterator[Event], value: object, shape: Shape, indent: int,
            head: str, out: list[str]) -> None:
    """Write the value of a mapping key (``head``: the line so far, up to the colon)."""
    if _is_flow(event):
        out.append(f"{head} {_flow(event, events, value, shape)}")
        return
    if not isinstance(event, MappingStartEvent | SequenceStartEvent) or (
            event.anchor is not None or event.tag is not None):
        raise _Unsure
    out.append(head)
    if isinstance(event, MappingStartEvent):
        _mapping(events, value, shape, indent + 2, " " * (indent + 2), out)
    else:
        _sequence(events, value, shape, indent + 2, out)


def _body(text: str, data: object) -> list[str]:
    """The lines (without comments) the formatter would write for ``text``."""
    events = _events(text)
    if not isinstance(_next(events), StreamStartEvent):
        raise _Unsure
    start = _next(events)
    if not isinstance(start, DocumentStartEvent) or start.explicit or start.version or start.tags:
        raise _Unsure
    root = _next(events)
    if not isinstance(root, MappingStartEvent) or root.flow_style or root.anchor or root.tag:
        raise _Unsure
    out: list[str] = []
    _mapping(events, data, document_shape(data), 0, "", out)
    end = _next(events)
    if not isinstance(end, DocumentEndEvent) or end.explicit:
        raise _Unsure
    if not isinstance(_next(events), StreamEndEvent):
        raise _Unsure
    return out


def confirmed(doc: Document) -> bool:
    """Whether the YAML document ``doc`` (accepted by the strict loader) is certainly written
    exactly as ``rspp fmt`` would write it. False means "not confirmed here", not "would
    change": the round-trip formatter then decides. Never raises for any accepted text."""
    text = doc.text
    if doc.syntax != "yaml" or not text.endswith("\n") or _BODY_BREAKS.search(text):
        return False
    lines = text[:-1].split("\n")
    # A line whose first character after its indentation is "#" is taken for a comment line
    # without scanning the tokens: were it inside a multi-line scalar, that scalar would not
    # be on one line in the text, and the written lines (every scalar on one line) could not
    # equal the remaining ones. A blank line stays in the body, where no written line is
    # blank; so does a comment at a line's end, where no written line has one.
    comment_lines = {number for number, line in enumerate(lines) if line.lstrip(" ")[:1] == "#"}
    body = [line for number, line in enumerate(lines) if number not in comment_lines]
    try:
        written = _body(text, doc.data)
    except (_Unsure, yaml.YAMLError, RecursionError):
        return False
    if written != body:
        return False
    # each comment line sits at the column of the key or dash starting the next body line
    below: int | None = None  # the indentation of the body line below, from the end up
    for number in range(len(lines) - 1, -1, -1):
        line = lines[number]
        indent = len(line) - len(line.lstrip(" "))
        if number not in comment_lines:
            below = indent
        elif below is None or indent != below or line.rstrip() != line:
            return False
    return True
