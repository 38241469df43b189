"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and the digests taken over it.

Resolved views, turn plans and artifact digests are all written or hashed in this one form:
sorted keys, no insignificant whitespace, ECMAScript number formatting, UTF-8. The same data
gives the same bytes on every machine, whatever the key order or formatting of its source.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_bytes(data: Any) -> bytes:
    """The RFC 8785 serialisation of ``data`` (dicts, lists, str, int, float, bool, None)."""
    return rfc8785.dumps(data)


def sha256_digest(data: Any) -> str:
    """``sha256:<64 hex>`` over the canonical JSON of ``data``."""
    return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()


def pretty(data: Any) -> str:
    """Canonical key order and number formatting, indented for people to read.

    Each value is written by the canonical serialiser, so numbers and strings are exactly
    the RFC 8785 forms; only whitespace differs from ``canonical_bytes``.
    """
    out: list[str] = []
    _pretty(data, 0, out)
    out.append("\n")
    return "".join(out)


def _pretty(data: Any, depth: int, out: list[str]) -> None:
    pad = "  " * (depth + 1)
    if isinstance(data, dict) and data:
        out.append("{\n")
        keys = sorted(data, key=lambda k: k.encode("utf-16-be"))
        for i, key in enumerate(keys):
            out.append(pad + rfc8785.dumps(key).decode() + ": ")
            _pretty(data[key], depth + 1, out)
            out.append(",\n" if i < len(keys) - 1 else "\n")
        out.append("  " * depth + "}")
    elif isinstance(data, list) and data:
        out.append("[\n")
        for i, item in enumerate(data):
            out.append(pad)
            _pretty(item, depth + 1, out)
            out.append(",\n" if i < len(data) - 1 else "\n")
        out.append("  " * depth + "]")
    else:
        out.append(rfc8785.dumps(data).decode())
