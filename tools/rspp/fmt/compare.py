"""Comparing loaded values strictly: what formatting, writing and migrating must never change."""

from __future__ import annotations

import json

from rspp.load.spans import pointer_join


def _describe(value: object) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    kind = "null" if value is None else type(value).__name__
    return f"{kind} {shown}"


def difference(old: object, new: object, pointer: str = "") -> tuple[str, str] | None:
    """The first place where two loaded values differ in value or type: (pointer, what)."""
    if type(old) is not type(new):
        return pointer, f"{_describe(old)} would become {_describe(new)}"
    if isinstance(old, dict) and isinstance(new, dict):
        if set(old) != set(new):
            gone = sorted(set(old) - set(new))
            added = sorted(set(new) - set(old))
            return pointer, f"keys would change (lost {gone}, gained {added})"
        for key in old:
            found = difference(old[key], new[key], pointer_join(pointer, key))
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return pointer, f"list length {len(old)} would become {len(new)}"
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            found = difference(a, b, pointer_join(pointer, index))
            if found:
                return found
        return None
    if old != new or (isinstance(old, float) and repr(old) != repr(new)):  # -0.0 and 0.0
        return pointer, f"{_describe(old)} would become {_describe(new)}"
    return None
