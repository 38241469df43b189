"""Canonical JSON: the indented form is the RFC 8785 form with whitespace added, no more."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.core.canonical import canonical_bytes, pretty, sha256_digest


def _oracle(data: Any, depth: int = 0) -> str:
    """The slow reference: every key and scalar written by the RFC 8785 serialiser."""
    pad = "  " * (depth + 1)
    if isinstance(data, dict) and data:
        keys = sorted(data, key=lambda k: k.encode("utf-16-be"))
        items = [f"{pad}{rfc8785.dumps(k).decode()}: {_oracle(data[k], depth + 1)}"
                 for k in keys]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(data, list) and data:
        items = [pad + _oracle(v, depth + 1) for v in data]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    return rfc8785.dumps(data).decode()


text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
scalars = (st.none() | st.booleans() | text
           | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
           | st.floats(allow_nan=False, allow_infinity=False))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(text, inner, max_size=4), max_leaves=25)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(documents)
def test_pretty_is_the_canonical_form_indented(data: Any) -> None:
    written = pretty(data)
    assert written == _oracle(data) + "\n"
    # Parsing the text back gives the same canonical bytes (integral floats come back as
    # ints; the loader keeps every integer within 2^53 so that stays exact).
    back = json.loads(written)
    if not _has_big_int(back):
        assert canonical_bytes(back) == canonical_bytes(data)


def _has_big_int(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_big_int(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_big_int(v) for v in value)
    return isinstance(value, int) and abs(value) > 2**53 - 1


def test_known_vectors() -> None:
    # Key order by UTF-16 code units (RFC 8785 section 3.2.3) and ECMAScript numbers.
    data = {"\u20ac": 1, "\U0001f600": 2, "\ufb33": 3, "a": 1e21, "b": 1e-7, "c": 0.000001,
            "d": -0.0, "e": 1.0}
    assert canonical_bytes(data) == (
        '{"a":1e+21,"b":1e-7,"c":0.000001,"d":0,"e":1,"\u20ac":1,"\U0001f600":2,'
        '"\ufb33":3}'.encode())
    assert sha256_digest({"b": 1, "a": 2}) == sha256_digest({"a": 2, "b": 1})
    assert sha256_digest({"a": 1}) != sha256_digest({"a": 1.5})


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(documents)
def test_canonical_bytes_equal_the_reference_implementation(data: Any) -> None:
    assert canonical_bytes(data) == rfc8785.dumps(data)


def test_fast_path_edges() -> None:
    values: tuple[Any, ...] = (
        0.0001, 0.00009999, 1e16, 9999999999999998.0, 1.5, -0.5, 2.0, 1e-7,
        9007199254740992.0, -9007199254740991.0, -0.0,
        {"\U0001f600": 1, "\ufb33": 2}, {"a": [1.25, {"b": "\u2028\x7f"}]})
    for value in values:
        assert canonical_bytes(value) == rfc8785.dumps(value), value
