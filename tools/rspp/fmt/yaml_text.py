"""Canonical YAML through ruamel's round-trip mode.

ruamel keeps what the author chose (flow or block collections, quotes, block scalars, folds)
and re-indents everything to 2 spaces per mapping level with list dashes indented under
their key. fmt adds the schema's key order, double quotes on versions and on strings a
reader would take for something else, and moves comments with their keys. The strict
loader's reading of the file decides every value: ruamel reads every plain scalar as text
(so numbers keep their spelling) and only supplies the layout.
"""

from __future__ import annotations

import io
import json

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.events import MappingEndEvent, SequenceEndEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from rspp.core.jsontypes import JsonObject
from rspp.fmt import comments
from rspp.fmt.compare import difference
from rspp.fmt.quoting import needs_quotes
from rspp.fmt.refusal import Refused
from rspp.fmt.scan import Layout
from rspp.load.document import Document
from rspp.load.spans import pointer_join
from rspp.model.order import document_shape, ordered_keys
from rspp.model.shapes import Shape

_WIDTH = 1 << 30  # never wrap a line


class _PlainText(VersionedResolver):
    """Every plain scalar is text to ruamel: numbers keep the author's spelling exactly, and
    the strict loader alone decides what a scalar means."""

    def resolve(self, kind: object, value: object, implicit: tuple[bool, bool]) -> object:
        if kind is ScalarNode and implicit[0]:
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


class _Emitter(RoundTripEmitter):
    """ruamel's emitter, with the line state reset after an empty flow collection (``{}`` or
    ``[]``) as it is after a non-empty one; otherwise, after a comment at the end of a key's
    line, the next list item could be written on the same line."""

    def expect_first_flow_sequence_item(self) -> None:
        ends = isinstance(self.event, SequenceEndEvent)
        super().expect_first_flow_sequence_item()
        if ends:
            self.no_newline = False

    def expect_first_flow_mapping_key(self) -> None:
        ends = isinstance(self.event, MappingEndEvent)
        super().expect_first_flow_mapping_key()
        if ends:
            self.no_newline = False


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Resolver = _PlainText
    yaml.Emitter = _Emitter
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{a: 1}], not [a: 1]
    return yaml


def _string(node: object, value: str, shape: Shape) -> object:
    """The node to write for a string: the author's, or double-quoted when it must be."""
    if not isinstance(node, str) or str(node) != value:
        return DoubleQuotedScalarString(value)  # ruamel read it otherwise (a tagged scalar)
    if shape.is_semver():
        return node if isinstance(node, DoubleQuotedScalarString) else (
            DoubleQuotedScalarString(value))
    if not isinstance(node, ScalarString) and needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return node


def _key(key: object, name: str) -> object:
    """The key to write for ``name`` (the strict reading of ruamel's ``key``)."""
    if isinstance(key, ScalarString) and str(key) == name:
        return key
    if isinstance(key, str) and key == name and not needs_quotes(name):
        return key
    return DoubleQuotedScalarString(name)


def _canonical(node: object, value: object, shape: Shape, pointer: str) -> object:
    """``node`` (from ruamel) rewritten in canonical form; ``value`` is the strict reading."""
    if isinstance(node, CommentedMap):
        if not isinstance(value, dict) or len(value) != len(node):
            raise Refused("the round-trip parser reads this mapping differently", pointer=pointer)
        keys = dict(zip(value, node, strict=True))  # both in document order
        pairs = []
        for name in ordered_keys(list(value), shape):
            here = pointer_join(pointer, name)
            pairs.append((_key(keys[name], name),
                          _canonical(node[keys[name]], value[name], shape.field(name), here)))
        for key in list(node):
            del node[key]
        for key, item in pairs:
            node[key] = item
        return node
    if isinstance(node, CommentedSeq):
        if not isinstance(value, list) or len(value) != len(node):
            raise Refused("the round-trip parser reads this list differently", pointer=pointer)
        item_shape = shape.item()
        for index, item in enumerate(value):
            node[index] = _canonical(node[index], item, item_shape, pointer_join(pointer, index))
        return node
    if isinstance(value, str):
        return _string(node, value, shape)
    plain = isinstance(node, str) and not isinstance(node, ScalarString)
    if not plain or isinstance(value, dict | list):
        raise Refused("the round-trip parser reads this value differently", pointer=pointer)
    return node  # a number, boolean or null: the author's plain text, as it was


def _fresh(value: object) -> object:
    """A round-trip node for ``value`` (strict data) that no text wrote: block collections,
    and for scalars the plain text the strict loader reads back as the same value (strings
    are quoted later, as every string is, by ``_canonical``)."""
    if isinstance(value, dict):
        return CommentedMap((name, _fresh(item)) for name, item in value.items())
    if isinstance(value, list):
        return CommentedSeq(_fresh(item) for item in value)
    if isinstance(value, str):
        return value
    return json.dumps(value)  # null, true, false, an integer or a float: YAML 1.2 plain text


def _graft(node: object, old: object, new: object, kept: list[object],
           moved: dict[int, str]) -> object:
    """``node`` (ruamel's reading of ``old``) made to hold ``new``: what both share keeps its
    node (so its comments and its author's text), the rest is made fresh. When ``new`` is a
    mapping that holds ``old`` unchanged as a member (a value wrapped by a migration), that
    member is ``node`` itself, and ``moved`` records the new mapping's id with the member's
    name, so the comment at the end of the old value's line can follow it. Replaced nodes go
    to ``kept`` so that no new node can take their identity while the comments filed under
    it are still to be attached."""
    if isinstance(new, dict) and difference(old, new) is not None:
        wrapped = next((name for name, item in new.items() if difference(item, old) is None), None)
        if wrapped is not None:
            fresh = CommentedMap((name, node if name == wrapped else _fresh(item))
                                 for name, item in new.items())
            moved[id(fresh)] = wrapped
            return fresh
    if isinstance(new, dict) and isinstance(node, CommentedMap) and isinstance(old, dict):
        keys = dict(zip(old, node, strict=True))  # strict name -> ruamel key, document order
        for name in old:
            if name not in new:
                kept.append(node[keys[name]])
                del node[keys[name]]
        for name, item in new.items():
            if name in keys:
                node[keys[name]] = _graft(node[keys[name]], old[name], item, kept, moved)
            else:
                node[name] = _fresh(item)
        return node
    if (isinstance(new, list) and isinstance(node, CommentedSeq) and isinstance(old, list)
            and len(old) == len(new)):
        for index, item in enumerate(new):
            node[index] = _graft(node[index], old[index], item, kept, moved)
        return node
    if difference(old, new) is None:
        return node
    kept.append(node)
    return _fresh(new)


def _follow(node: object, moved: dict[int, str], notes: comments.Notes) -> None:
    """Move the end-of-line comment of each wrapped value (see :func:`_graft`) from its old
    key to the member that now holds the value."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            member = moved.get(id(value))
            eol = notes.eol.pop((id(node), str(key)), None) if member is not None else None
            if member is not None and eol is not None:
                notes.eol[(id(value), member)] = eol
            _follow(value, moved, notes)
    elif isinstance(node, CommentedSeq):
        for value in node:
            _follow(value, moved, notes)


def format_yaml(doc: Document, layout: Layout, data: JsonObject | None = None) -> str:
    """The canonical text of a YAML document the strict loader has accepted (``layout``: its
    comments and blank lines); with ``data``, of the document rewritten to hold ``data``
    instead (a migration: what ``data`` shares with ``doc.data`` keeps its comments).
    Refused if it cannot be written faithfully."""
    yaml = _yaml()
    root = yaml.load(doc.text)
    yaml.version = None  # never write a %YAML directive (rspp reads YAML 1.2 regardless)
    notes = comments.collect(root, doc, layout)
    comments.clear(root)
    kept: list[object] = []
    if data is not None:
        moved: dict[int, str] = {}
        root = _graft(root, doc.data, data, kept, moved)
        _follow(root, moved, notes)
    target = doc.data if data is None else data
    root = _canonical(root, target, document_shape(target), "")
    comments.attach(root, notes)
    out = io.StringIO()
    if layout.start_line is not None:  # the document start marker, and the comments above it
        out.writelines(f"{line}\n" for line in notes.preamble)
        out.write("---\n")
    yaml.dump(root, out)
    return out.getvalue()
