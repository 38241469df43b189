"""Comments as fmt keeps them: with the key or list item they sit above or beside.

ruamel stores a comment on the token before it (the end of the previous value, however
deep), so reordering keys would leave comments behind. fmt takes every comment off the
round-trip tree, files it under the key or item it belongs to, reorders, and puts each one
back in front of (or at the end of the line of) the same key or item:

- comment lines and blank lines belong to the next key or item below them (the outermost
  one starting on that line); above the first key of the file they are the file's header
  and stay on top (but lines after a blank line in it belong to the key); after the last
  key, the file's tail;
- but a comment line after the last key or item of a nested block, indented deeper than
  the next key or item (or than column 0 at the end of the file), is that block's own: it
  stays at the block's end, indented like the block's keys or dashes (the innermost block
  that just ended whose keys or dashes are at or left of the comment), so that uncommenting
  a commented-out last entry puts it back where it was; blank lines go with the comment
  line below them;
- a comment at the end of a line belongs to the innermost key or item whose value ends on
  that line (for a key holding a block mapping or list: the key's own line); one with no
  such owner (after a lone list dash) becomes a comment line above the next key or item;
- the comment after a block scalar's indicator (``key: |  # note``) stays with the scalar;
- comment lines of what shares a list dash's line (the first key of the item's mapping)
  go above the dash.

Comments inside flow collections, and after a list item's block scalar indicator, cannot be
written back by ruamel: such files are refused.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ruamel.yaml.comments import Comment as RuamelComment
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from rspp.core.jsontypes import as_array, as_object
from rspp.fmt.refusal import Refused
from rspp.fmt.scan import Layout
from rspp.load.document import Document
from rspp.load.spans import pointer_join

Slot = tuple[int, str | int]  # (id of the mapping or list, key or index)
_BLOCK_SCALARS = (LiteralScalarString, FoldedScalarString)


@dataclass(slots=True)
class Notes:
    """The comments of a document, filed by the key or item they belong to."""

    preamble: list[str] = field(default_factory=list)  # above the document start marker
    header: list[str] = field(default_factory=list)
    before: dict[Slot, list[str]] = field(default_factory=dict)
    eol: dict[Slot, tuple[str, int]] = field(default_factory=dict)  # text, column
    after: dict[int, list[str]] = field(default_factory=dict)  # id of a nested block: its end
    tail: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Block:
    """A block mapping or list as written: its keys (or dashes) share a column."""

    id: int
    column: int
    is_list: bool


@dataclass(frozen=True, slots=True)
class _Member:
    slot: Slot
    start: int  # line of the key, or of the item's value
    eol_line: int | None  # line an end-of-line comment of this member would be on
    blocks: tuple[_Block, ...]  # the blocks around it, outermost first (the last: its own)


def is_block(node: object) -> bool:
    """A mapping or list written in block style."""
    return isinstance(node, CommentedMap | CommentedSeq) and not node.fa.flow_style()


def _eol_line(value: object, pointer: str, start: int, item: bool,
              doc: Document) -> int | None:
    if isinstance(value, _BLOCK_SCALARS):
        return None
    if is_block(value):
        return None if item else start
    span = doc.spans.get(pointer)
    return span.end_line - 1 if span is not None and span.end_line is not None else start


def _members(node: object, data: object, pointer: str, doc: Document, out: list[_Member],
             outer: tuple[_Block, ...] = ()) -> None:
    """The keys and items of block collections under ``node``, in document order; ``data`` is
    the strict loader's reading of ``node``, which names the keys; ``outer``: the blocks
    around ``node``."""
    if not isinstance(node, CommentedMap | CommentedSeq) or not is_block(node):
        return
    blocks = (*outer, _Block(id(node), node.lc.col, isinstance(node, CommentedSeq)))
    if isinstance(node, CommentedMap):
        mapping = as_object(data)
        # ruamel may type a key differently (1_000: an integer); the strict reading names it
        for key, name in zip(list(node), mapping, strict=True):
            here = pointer_join(pointer, name)
            start = node.lc.key(key)[0]
            value = node[key]
            out.append(_Member((id(node), name), start,
                               _eol_line(value, here, start, False, doc), blocks))
            _members(value, mapping[name], here, doc, out, blocks)
    else:
        items = as_array(data)
        for index, value in enumerate(node):
            here = pointer_join(pointer, index)
            start = node.lc.item(index)[0]
            out.append(_Member((id(node), index), start,
                               _eol_line(value, here, start, True, doc), blocks))
            _members(value, items[index], here, doc, out, blocks)


def _squeeze(lines: list[str]) -> list[str]:
    """No two blank lines in a row."""
    out: list[str] = []
    for line in lines:
        if line or not out or out[-1]:
            out.append(line)
    return out


def _strip_leading(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and not lines[start]:
        start += 1
    return lines[start:]


def _strip_trailing(lines: list[str]) -> list[str]:
    out = list(lines)
    while out and not out[-1]:
        out.pop()
    return out


# A commented-out list item: ``# - ...``.
_ITEM = re.compile(r"#\s*-(?:\s|$)")


def _ends(between: list[int], lines: dict[int, str], columns: dict[int, int], before: _Member,
          after: _Member | None) -> list[int | None]:
    """For each of the comment and blank lines ``between`` two members (``after`` None: the end
    of the file), the id of the nested block whose end it belongs to, or None for the member
    below (or the file's tail). ``columns``: the column of each comment line on its own."""
    shared = {block.id for block in after.blocks} if after is not None else set()
    # the blocks that end here, innermost first; the file's own block never (its end is the
    # tail). A comment line indented deeper than ``limit`` belongs to one of them, and so
    # does a commented-out item at the dashes of a list written at its key's column.
    ended = [b for b in reversed(before.blocks) if b.id not in shared][:None if after else -1]
    limit = after.blocks[-1].column if after is not None else 0
    rank = 0
    ranks: list[int | None] = []
    for number in between:
        column = columns.get(number)
        if column is None:
            ranks.append(None)  # a blank line: with the comment line below it
            continue
        item = _ITEM.match(lines[number]) is not None
        lists = [i for i, b in enumerate(ended) if b.is_list and b.column == column]
        if item and lists:
            here = lists[0]
        elif column > limit and ended:
            # a list written at its key's column shares the column of the mapping around it:
            # a comment there that is no commented-out item is the mapping's
            fits = [i for i, b in enumerate(ended) if b.column <= column and not (
                b.is_list and not item and i + 1 < len(ended)
                and ended[i + 1].column == b.column)]
            here = fits[0] if fits else len(ended) - 1
        else:
            here = len(ended)
        rank = max(rank, here)  # the comments keep their order: never back into a block
        ranks.append(rank)
    out: list[int | None] = []
    below = len(ended)
    for found in reversed(ranks):
        below = below if found is None else found
        out.append(ended[below].id if below < len(ended) else None)
    return out[::-1]


def collect(root: object, doc: Document, layout: Layout) -> Notes:
    """File every comment of ``root`` (parsed from ``doc.text``); Refused if one cannot be."""
    members: list[_Member] = []
    _members(root, doc.data, "", doc, members)
    notes = Notes()
    eol_owner = {m.eol_line: m for m in members if m.eol_line is not None}
    lines: dict[int, str] = dict.fromkeys(layout.blank_lines, "")
    columns: dict[int, int] = {}  # comment lines: their column
    for comment in layout.comments:
        if comment.block_header:
            continue
        if comment.in_flow:
            raise Refused("a comment inside a flow collection ([...] or {...}) cannot be kept; "
                          "write the collection in block style",
                          line=comment.line + 1, col=comment.col + 1)
        owner = None if comment.own_line else eol_owner.get(comment.line)
        if owner is not None and owner.slot not in notes.eol:
            notes.eol[owner.slot] = (comment.text, comment.col)
        else:
            lines[comment.line] = comment.text
            if comment.own_line:
                columns[comment.line] = comment.col
    starts = [m.start for m in members]
    marker = -1 if layout.start_line is None else layout.start_line
    above_first: list[str] = []
    runs: dict[int, list[int]] = {}  # the lines right above each member (len: the file's end)
    for number in sorted(lines):
        runs.setdefault(bisect.bisect_right(starts, number), []).append(number)
    for index, run in runs.items():
        if not members:  # no block key or item at all: all of it is the tail
            notes.tail.extend(lines[number] for number in run)
            continue
        if index == 0:
            for number in run:
                (notes.preamble if number < marker else above_first).append(lines[number])
            continue
        after = members[index] if index < len(members) else None
        ends = _ends(run, lines, columns, members[index - 1], after)
        for number, block in zip(run, ends, strict=True):
            if block is not None:
                notes.after.setdefault(block, []).append(lines[number])
            elif after is None:
                notes.tail.append(lines[number])
            else:
                notes.before.setdefault(after.slot, []).append(lines[number])
    # Above the first key: the file's header; lines after its last blank line, if it has
    # one, are the key's own.
    split = max((i + 1 for i, line in enumerate(above_first) if not line),
                default=len(above_first))
    notes.header = _strip_leading(_squeeze(above_first[:split]))
    if members and above_first[split:]:
        notes.before[members[0].slot] = above_first[split:]
    notes.preamble = _strip_leading(_squeeze(notes.preamble))
    notes.tail = _strip_trailing(_squeeze(notes.tail))
    notes.before = {slot: _squeeze(found) for slot, found in notes.before.items()}
    notes.after = {block: _squeeze(found) for block, found in notes.after.items()}
    return notes


def clear(node: object) -> None:
    """Take every comment off the tree but the block scalar indicator comments of mapping
    values; Refused if a comment cannot be kept."""
    if not isinstance(node, CommentedMap | CommentedSeq):
        return
    if isinstance(node, CommentedSeq):
        # ruamel reads these but cannot write them back
        for index, entry in node.ca.items.items():
            if isinstance(node[index], _BLOCK_SCALARS) and entry and len(entry) > 1 and entry[1]:
                raise Refused("the comment after a list item's block scalar indicator "
                              "(- |  # ...) cannot be kept; move it above the item",
                              line=node.lc.item(index)[0] + 1)
    setattr(node, RuamelComment.attrib, RuamelComment())
    for value in node.values() if isinstance(node, CommentedMap) else node:
        clear(value)


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text + "\n", CommentMark(column), None)


def _lines(found: list[str], column: int) -> list[CommentToken]:
    return [_token(line, column if line else 0) for line in found]


def _placed(pending: list[tuple[str, int]], found: list[str], column: int) -> list[CommentToken]:
    """Comment tokens for the ended blocks' lines (each at its block's column), then ``found``
    at ``column``; never two blank lines in a row."""
    out: list[CommentToken] = []
    for line, at in [*pending, *((line, column) for line in found)]:
        if line or not out or out[-1].value != "\n":
            out.append(_token(line, at if line else 0))
    return out


def _header(value: object) -> str | None:
    """The comment after a block scalar's indicator (``|  # note``)."""
    return getattr(value, "comment", None) if isinstance(value, _BLOCK_SCALARS) else None


def _sharing_the_dash(value: object, notes: Notes) -> list[str]:
    """The comment lines of what a list item's dash shares its line with (the first key of a
    mapping, the first item of a list, and so on down): they go above the dash."""
    if not isinstance(value, CommentedMap | CommentedSeq) or not is_block(value) or not value:
        return []
    if isinstance(value, CommentedMap):
        return notes.before.pop((id(value), str(next(iter(value)))), [])
    return notes.before.pop((id(value), 0), []) + _sharing_the_dash(value[0], notes)


def attach(root: object, notes: Notes) -> None:
    """Put the comments in ``notes`` back on the (reordered) tree."""
    if isinstance(root, CommentedMap) and root and not (notes.header and notes.header[-1]):
        # the key written first (perhaps moved there) never starts the file, nor follows
        # the header, with a blank line (a header ends with its own when it has one)
        first = (id(root), str(next(iter(root))))
        if first in notes.before:
            notes.before[first] = _strip_leading(notes.before[first])
    pending: list[tuple[str, int]] = []
    _attach(root, 0, notes, pending)
    tail = _placed(pending, notes.tail, 0)
    while tail and tail[-1].value == "\n":
        tail.pop()
    if not isinstance(root, CommentedMap | CommentedSeq):
        return  # a scalar document: the strict loader accepts none
    if notes.header or tail:
        # ruamel writes the end comments only when the start comment slot exists
        root.ca.comment = [None, _lines(notes.header, 0) if notes.header else None]
    if tail:
        root.ca.end = tail


def _attach(node: object, column: int, notes: Notes, pending: list[tuple[str, int]]) -> None:
    """Attach the comments of a block collection whose keys (or dashes) are at ``column``.

    ``pending``: the comment lines at the end of blocks already written (text, column); they
    go above the next key or item written, and this block's own end lines join them."""
    if not isinstance(node, CommentedMap | CommentedSeq) or not is_block(node):
        return
    if isinstance(node, CommentedMap):
        for position, (key, value) in enumerate(node.items()):
            slot: Slot = (id(node), str(key))
            before, eol, header = notes.before.get(slot, []), notes.eol.get(slot), _header(value)
            if position == 0 and before and column:
                before = _strip_leading(before)  # no blank line right under the parent key
            lines = _placed(pending, before, column)
            pending.clear()
            if lines or eol or header:
                # a block scalar's indicator comment goes on the parent, next to its key
                node.ca.items[key] = [None, lines or None, _token(*eol) if eol else None,
                                      [header] if header else None]
            _attach(value, column + 2, notes, pending)
    else:
        for index, value in enumerate(node):
            item: Slot = (id(node), index)
            before = _squeeze(notes.before.get(item, []) + _sharing_the_dash(value, notes))
            if index == 0:
                before = _strip_leading(before)
            lines = _placed(pending, before, column)
            pending.clear()
            eol = notes.eol.get(item)
            if lines or eol:
                node.ca.items[index] = [_token(*eol) if eol else None, lines or None, None, None]
            _attach(value, column + (4 if isinstance(value, CommentedSeq) else 2), notes,
                    pending)
    pending.extend((line, column) for line in notes.after.get(id(node), []))
