"""Comments as fmt keeps them: with the key or list item they sit above or beside.

ruamel stores a comment on the token before it (the end of the previous value, however
deep), so reordering keys would leave comments behind. fmt takes every comment off the
round-trip tree, files it under the key or item it belongs to, reorders, and puts each one
back in front of (or at the end of the line of) the same key or item:

- comment lines and blank lines belong to the next key or item below them (the outermost
  one starting on that line); those above the first key of the file are its header, those
  after the last one its tail;
- a comment at the end of a line belongs to the innermost key or item whose value ends on
  that line (for a key holding a block mapping or list: the key's own line);
- the comment after a block scalar's indicator (``key: |  # note``) stays with the scalar.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import Comment as RuamelComment
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from rspp.fmt.scan import Layout
from rspp.load.document import Document, pointer_join

Slot = tuple[int, Any]  # (id of the mapping or list, key or index)
_BLOCK_SCALARS = (LiteralScalarString, FoldedScalarString)


@dataclass(slots=True)
class Notes:
    """The comments of a document, filed by the key or item they belong to."""

    header: list[str] = field(default_factory=list)
    before: dict[Slot, list[str]] = field(default_factory=dict)
    eol: dict[Slot, tuple[str, int]] = field(default_factory=dict)  # text, column
    tail: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Member:
    slot: Slot
    start: int  # line of the key, or of the item's value
    eol_line: int | None  # line an end-of-line comment of this member would be on


def is_block(node: Any) -> bool:
    """A mapping or list written in block style."""
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style()


def _eol_line(value: Any, pointer: str, start: int, item: bool, doc: Document) -> int | None:
    if isinstance(value, _BLOCK_SCALARS):
        return None
    if is_block(value):
        return None if item else start
    span = doc.spans.get(pointer)
    return span.end_line - 1 if span is not None and span.end_line is not None else start


def _members(node: Any, pointer: str, doc: Document, out: list[_Member]) -> None:
    """The keys and items of block collections under ``node``, in document order."""
    if not is_block(node):
        return
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            here = pointer_join(pointer, str(key))
            start = node.lc.key(key)[0]
            out.append(_Member((id(node), key), start, _eol_line(value, here, start, False, doc)))
            _members(value, here, doc, out)
    else:
        for index, value in enumerate(node):
            here = pointer_join(pointer, index)
            start = node.lc.item(index)[0]
            out.append(_Member((id(node), index), start, _eol_line(value, here, start, True, doc)))
            _members(value, here, doc, out)


def _squeeze(lines: list[str]) -> list[str]:
    """No two blank lines in a row."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out


def collect(root: Any, doc: Document, layout: Layout) -> Notes | str:
    """File every comment of ``root`` (parsed from ``doc.text``); a reason if one cannot be."""
    members: list[_Member] = []
    _members(root, "", doc, members)
    notes = Notes()
    eol_owner = {m.eol_line: m for m in members if m.eol_line is not None}
    lines: dict[int, str] = dict.fromkeys(layout.blank_lines, "")
    for comment in layout.comments:
        if comment.block_header:
            continue
        if comment.in_flow:
            return (f"line {comment.line + 1}: a comment inside a flow collection ([...] or "
                    "{...}) cannot be kept; write the collection in block style")
        owner = None if comment.own_line else eol_owner.get(comment.line)
        if owner is not None and owner.slot not in notes.eol:
            notes.eol[owner.slot] = (comment.text, comment.col)
        else:
            lines[comment.line] = comment.text
    starts = [m.start for m in members]
    for number in sorted(lines):
        index = bisect.bisect_right(starts, number)
        if index == len(members):
            notes.tail.append(lines[number])
        elif index == 0:
            notes.header.append(lines[number])
        else:
            notes.before.setdefault(members[index].slot, []).append(lines[number])
    notes.header = _squeeze(notes.header)
    while notes.header and not notes.header[0]:
        notes.header.pop(0)
    notes.tail = _squeeze(notes.tail)
    while notes.tail and not notes.tail[-1]:
        notes.tail.pop()
    notes.before = {slot: _squeeze(found) for slot, found in notes.before.items()}
    return notes


def clear(node: Any) -> None:
    """Take every comment off the tree (a block scalar keeps its indicator comment)."""
    if not isinstance(node, CommentedMap | CommentedSeq):
        return
    setattr(node, RuamelComment.attrib, RuamelComment())
    for value in node.values() if isinstance(node, CommentedMap) else node:
        clear(value)


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text + "\n", CommentMark(column), None)


def _lines(found: list[str], column: int) -> list[CommentToken]:
    return [_token(line, column if line else 0) for line in found]


def _header(value: Any) -> list[str] | None:
    """The comment after a block scalar's indicator, where ruamel expects it on the parent."""
    comment = getattr(value, "comment", None) if isinstance(value, _BLOCK_SCALARS) else None
    return [comment] if comment else None


def attach(root: Any, notes: Notes) -> str | None:
    """Put the comments in ``notes`` back on the (reordered) tree; a reason if one cannot be."""
    if notes.header:
        root.ca.comment = [None, _lines(notes.header, 0)]
    if notes.tail:
        root.ca.end = _lines(notes.tail, 0)
    return _attach(root, 0, notes)


def _attach(node: Any, column: int, notes: Notes) -> str | None:
    """Attach the comments of a block collection whose keys (or dashes) are at ``column``."""
    if not is_block(node):
        return None
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            slot = (id(node), key)
            before, eol, header = notes.before.get(slot), notes.eol.get(slot), _header(value)
            if before or eol or header:
                node.ca.items[key] = [None, _lines(before, column) if before else None,
                                      _token(*eol) if eol else None, header]
            problem = _attach(value, column + 2, notes)
            if problem:
                return problem
        return None
    for index, value in enumerate(node):
        slot = (id(node), index)
        before = notes.before.get(slot, [])
        if is_block(value) and isinstance(value, CommentedMap) and value:
            # The item's first key shares the dash's line: its comment lines go above the dash.
            before = _squeeze(before + notes.before.pop((id(value), next(iter(value))), []))
        eol, header = notes.eol.get(slot), _header(value)
        if before and isinstance(value, _BLOCK_SCALARS):
            return ("a comment above a block scalar (| or >) list item cannot be kept; "
                    "move it above the list")
        if before or eol or header:
            node.ca.items[index] = [_token(*eol) if eol else None,
                                    header or (_lines(before, column) if before else None),
                                    None, None]
        step = 4 if isinstance(value, CommentedSeq) else 2
        problem = _attach(value, column + step, notes)
        if problem:
            return problem
    return None
