"""JSON values as data before any model has looked at it.

The loaders hand out ``JsonObject`` trees (YAML is read as JSON: keys are strings, scalars are
null, booleans, numbers and strings); canonical JSON, digests and formatting read them. Code
that knows more (a schema-valid artifact) reads a typed view instead (``rspp.model.views``);
code that only passes a value on takes ``object`` and narrows with ``isinstance``.
"""

from __future__ import annotations

from typing import TypeAlias

JsonScalar: TypeAlias = bool | int | float | str | None
JsonValue: TypeAlias = (
    bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
)
JsonArray: TypeAlias = list[JsonValue]
JsonObject: TypeAlias = dict[str, JsonValue]


def as_object(value: object) -> JsonObject:
    """``value`` when it is a mapping (a JSON object), else an empty one."""
    return value if isinstance(value, dict) else {}


def as_array(value: object) -> JsonArray:
    """``value`` when it is a list (a JSON array), else an empty one."""
    return value if isinstance(value, list) else []


def objects(value: object) -> list[JsonObject]:
    """The mappings among the items of ``value`` when it is a list, in order; else none."""
    return [item for item in as_array(value) if isinstance(item, dict)]
