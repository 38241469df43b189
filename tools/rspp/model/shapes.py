"""Where a value sits in its kind's JSON Schema: canonical key order and SemVer positions.

The schemas are the checked-in ``schemas/`` files, whose ``properties`` keep the models'
field order (everything else is sorted). Reading them needs no pydantic; they are read the
way validation reads them (``rspp.model.schemafiles``), and only local ``$ref``s are followed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rspp.core.jsontypes import JsonObject, as_array, as_object
from rspp.model.ids import SEMVER_PATTERN

Schema = JsonObject

# The envelope reads top-down: what it is, which one, then its body.
ENVELOPE_ORDER = ("apiVersion", "kind", "metadata", "spec")
_MAX_REFS = 32


@functools.cache
def _schemas() -> dict[str, Schema]:
    """The schemas validation accepts (read and checked by ``rspp.model.schemafiles``); a
    refused one is left out, and its kind is formatted as an unknown kind."""
    from rspp.model.schemafiles import sound_schemas

    return sound_schemas()


def kinds() -> frozenset[str]:
    """The kinds fmt knows the schema of."""
    return frozenset(_schemas())


def _resolve(root: Schema, node: Schema) -> Schema:
    """``node`` with local ``$ref``s followed."""
    for _ in range(_MAX_REFS):
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            return node
        target = as_object(root.get("$defs")).get(ref[len("#/$defs/"):])
        if not isinstance(target, dict):
            return node
        node = target
    return node


def _branches(root: Schema, node: Schema) -> list[Schema]:
    """The alternatives a value at ``node`` may take (``anyOf``/``oneOf`` flattened)."""
    node = _resolve(root, node)
    found: list[Schema] = []
    for keyword in ("anyOf", "oneOf"):
        for branch in as_array(node.get(keyword)):
            if isinstance(branch, dict):
                found.extend(_branches(root, branch))
    return found or [node]


@dataclass(frozen=True, slots=True)
class Shape:
    """A position in a kind's schema; ``node`` is None where the schema says nothing."""

    root: Schema | None
    node: Schema | None
    envelope: bool = False

    def _objects(self) -> list[Schema]:
        if self.root is None or self.node is None:
            return []
        return [b for b in _branches(self.root, self.node)
                if any(k in b for k in ("properties", "additionalProperties",
                                        "patternProperties"))]

    def field(self, key: str) -> Shape:
        """The shape of the value under ``key`` of a mapping at this shape."""
        for branch in self._objects():
            properties = as_object(branch.get("properties"))
            if key in properties:
                return Shape(self.root, as_object(properties[key]))
            for pattern, sub in as_object(branch.get("patternProperties")).items():
                if re.search(pattern, key):
                    return Shape(self.root, as_object(sub))
            extra = branch.get("additionalProperties")
            if isinstance(extra, dict):
                return Shape(self.root, extra)
        return Shape(None, None)

    def item(self) -> Shape:
        """The shape of the items of a sequence at this shape."""
        if self.root is not None and self.node is not None:
            for branch in _branches(self.root, self.node):
                items = branch.get("items")
                if isinstance(items, dict):
                    return Shape(self.root, items)
        return Shape(None, None)

    def key_order(self) -> tuple[str, ...] | None:
        """The schema's key order for a mapping here; None for free-form or unknown maps."""
        for branch in self._objects():
            properties = as_object(branch.get("properties"))
            if properties:
                names = tuple(properties)
                if self.envelope:
                    names = (*ENVELOPE_ORDER, *(n for n in names if n not in ENVELOPE_ORDER))
                return names
        return None

    def is_semver(self) -> bool:
        """Whether a string here must be a SemVer version."""
        if self.root is None or self.node is None:
            return False
        return any(b.get("pattern") == SEMVER_PATTERN for b in _branches(self.root, self.node))


NOWHERE = Shape(None, None)


def shape_for(data: object) -> Shape:
    """The root shape of a document, chosen by its ``kind``; NOWHERE for unknown kinds."""
    kind = data.get("kind") if isinstance(data, dict) else None
    schema = _schemas().get(kind) if isinstance(kind, str) else None
    return Shape(schema, schema, envelope=True) if schema is not None else NOWHERE


def canonical(keys: list[str], order: tuple[str, ...] | None) -> list[str]:
    """``keys`` in schema order, then the keys the schema does not know, as they were."""
    if order is None:
        return list(keys)
    present = set(keys)
    known = [k for k in order if k in present]
    listed = set(order)
    return known + [k for k in keys if k not in listed]
