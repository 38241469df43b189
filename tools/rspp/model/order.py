"""The canonical key order of a document, and its canonical JSON text.

Authored kinds take their schema's order (``rspp.fmt.schema``): the envelope first, then the
fields in the order the models declare them, then unknown keys as written; free-form maps
and unknown kinds keep the author's order. The derived kinds rspp writes itself (resolved
views, turn plans) are canonical JSON (RFC 8785 key order, ``rspp.core.canonical.pretty``): they
are reproducible byte for byte and carry a fingerprint of that text, so fmt leaves that
form as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar, cast

from rspp.core.constants import DERIVED_KINDS
from rspp.model.shapes import Shape, canonical, shape_for

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Sorted(Shape):
    """Anywhere in a derived document: every mapping in RFC 8785 key order."""

    def field(self, key: str) -> Shape:
        return self

    def item(self) -> Shape:
        return self

    def key_order(self) -> tuple[str, ...] | None:
        return None

    def is_semver(self) -> bool:
        return False


_SORTED = _Sorted(None, None)


def is_derived(data: object) -> bool:
    """Whether ``data`` is a document of a kind rspp derives (ResolvedSpec, ResolvedTurnPlan)."""
    return isinstance(data, dict) and data.get("kind") in DERIVED_KINDS


def document_shape(data: object) -> Shape:
    """The root shape of a document: its kind's schema, sorted keys for a derived kind, or
    ``rspp.fmt.schema.NOWHERE`` (no order) for an unknown kind."""
    return _SORTED if is_derived(data) else shape_for(data)


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")  # RFC 8785 3.2.3: UTF-16 code units


def ordered_keys(keys: list[str], shape: Shape) -> list[str]:
    """The keys of a mapping at ``shape`` in canonical order."""
    if isinstance(shape, _Sorted):
        return sorted(keys, key=_utf16)
    return canonical(keys, shape.key_order())


def _reorder(value: object, shape: Shape) -> object:
    if isinstance(value, dict):
        return {k: _reorder(value[k], shape.field(k)) for k in ordered_keys(list(value), shape)}
    if isinstance(value, list):
        item = shape.item()
        return [_reorder(v, item) for v in value]
    return value


def canonical_order(data: T) -> T:
    """``data`` (an artifact: dicts, lists, scalars) with every mapping's keys in canonical
    order; nothing else changes. A new value of the same shape; ``data`` is left as it is."""
    return cast(T, _reorder(data, document_shape(data)))


def json_text(data: object) -> str:
    """The canonical JSON text of an artifact, exactly as `rspp fmt` writes it: keys in
    canonical order, two-space indentation, one key per line, UTF-8 (no ``\\u`` escapes),
    a final newline; numbers as Python reads them (``1.0`` stays ``1.0``). A derived
    document is written by ``rspp.core.canonical.pretty`` (RFC 8785)."""
    if is_derived(data):
        from rspp.core.canonical import pretty

        return pretty(data)
    return json.dumps(canonical_order(data), indent=2, ensure_ascii=False) + "\n"
