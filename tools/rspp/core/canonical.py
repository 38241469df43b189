"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and the digests taken over it.

Resolved views, turn plans and artifact digests are all written or hashed in this one form:
sorted keys, no insignificant whitespace, ECMAScript number formatting, UTF-8. The same data
gives the same bytes on every machine, whatever the key order or formatting of its source.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable


def canonical_bytes(data: object) -> bytes:
    """The RFC 8785 serialisation of ``data`` (dicts, lists, str, int, float, bool, None).

    Most artifacts take a fast path: integral floats become integers (RFC 8785 writes them
    so), and when every key is a BMP string and every other float is one Python already
    writes the way ECMAScript does, the C JSON encoder with sorted keys gives the RFC 8785
    bytes (a property test holds it to the reference implementation). Everything else goes
    through the reference implementation.
    """
    prepared = _prepare(data)
    if prepared is not _UNSUPPORTED:
        return json.dumps(prepared, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    import rfc8785  # imported when first needed: validation alone never is

    return rfc8785.dumps(data)  # type: ignore[arg-type]  # it refuses what is not JSON


_UNSUPPORTED = object()


def _prepare(value: object) -> object:
    """``value`` with integral floats as ints, or _UNSUPPORTED when the C encoder would not
    write it exactly as RFC 8785 does."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not _bmp(key):
                return _UNSUPPORTED
            done = _prepare(item)
            if done is _UNSUPPORTED:
                return _UNSUPPORTED
            out[key] = done
        return out
    if isinstance(value, list):
        items = [_prepare(item) for item in value]
        return _UNSUPPORTED if any(i is _UNSUPPORTED for i in items) else items
    if isinstance(value, float):
        if value.is_integer():
            return int(value) if abs(value) <= _MAX_SAFE else _UNSUPPORTED
        # repr and ECMAScript agree on non-integral numbers in [1e-4, 1e16).
        return value if 1e-4 <= abs(value) < 1e16 else _UNSUPPORTED
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_SAFE:
        return _UNSUPPORTED
    return value


def _bmp(text: str) -> bool:
    # Code-point order equals UTF-16 code-unit order when no character is above U+FFFF.
    return text.isascii() or all(ord(c) <= 0xFFFF for c in text)


def sha256_digest(data: object) -> str:
    """``sha256:<64 hex>`` over the canonical JSON of ``data``."""
    return "sha256:" + hashlib.sha256(canonical_bytes(data)).hexdigest()


def pretty(data: object) -> str:
    """Canonical key order and number formatting, indented for people to read.

    Each value is written by the canonical serialiser, so numbers and strings are exactly
    the RFC 8785 forms; only whitespace differs from ``canonical_bytes``.
    """
    out: list[str] = []
    _pretty(data, 0, out)
    out.append("\n")
    return "".join(out)


_MAX_SAFE = 2**53 - 1
_encode_str: Callable[[str], str] = json.encoder.encode_basestring


def _key(text: str) -> bytes:
    return text.encode("utf-16-be")


def _scalar(value: object) -> str:
    # Strings: the RFC 8785 escapes are exactly json.dumps's with ensure_ascii=False (quote,
    # backslash, short forms of \b \f \n \r \t, \u00xx for other controls); the loader
    # never lets a lone surrogate through. Floats go through the reference serialiser.
    if isinstance(value, str):
        return _encode_str(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int) and -_MAX_SAFE <= value <= _MAX_SAFE:
        return str(value)
    return canonical_bytes(value).decode()


def _pretty(data: object, depth: int, out: list[str]) -> None:
    pad = "  " * (depth + 1)
    if isinstance(data, dict) and data:
        out.append("{\n")
        keys = list(data)
        keys.sort(key=None if all(k.isascii() for k in keys) else _key)
        last = len(keys) - 1
        for i, key in enumerate(keys):
            out.append(f"{pad}{_scalar(key)}: ")
            _pretty(data[key], depth + 1, out)
            out.append(",\n" if i < last else "\n")
        out.append("  " * depth + "}")
    elif isinstance(data, list) and data:
        out.append("[\n")
        last = len(data) - 1
        for i, item in enumerate(data):
            out.append(pad)
            _pretty(item, depth + 1, out)
            out.append(",\n" if i < last else "\n")
        out.append("  " * depth + "]")
    elif isinstance(data, (dict, list)):
        out.append("{}" if isinstance(data, dict) else "[]")
    else:
        out.append(_scalar(data))
