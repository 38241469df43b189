"""Property tests: JSON text round-trips through both loaders with a span for every value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.load.api import load_bytes
from rspp.load.document import Document
from rspp.load.spans import pointer_join

# Property tests (hypothesis).
pytestmark = pytest.mark.slow


def _scalars(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
        | st.floats(allow_nan=False, allow_infinity=False, min_value=-(2.0**53) + 1,
                    max_value=2.0**53 - 1)
        | text
    )


def _documents(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.recursive(
        _scalars(text),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=25,
    )
    return st.dictionaries(text, values, max_size=5)


_ANY_TEXT = st.text(max_size=20)
# YAML flow keys are limited to 1024 characters and libyaml refuses escaped surrogates,
# so the YAML side uses short BMP text written with \\u escapes.
_BMP_TEXT = st.text(alphabet=st.characters(max_codepoint=0xFFFF, codec="utf-8"), max_size=20)


def _same(left: Any, right: Any) -> bool:
    """Equal values of the same JSON types all the way down (1 is not 1.0, True is not 1)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


def _pointers(data: Any) -> tuple[set[str], set[str]]:
    """Every value pointer and every member pointer in ``data``."""
    values = {""}
    members: set[str] = set()
    pending = [("", data)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                child = pointer_join(pointer, key)
                values.add(child)
                members.add(child)
                pending.append((child, item))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                child = pointer_join(pointer, index)
                values.add(child)
                pending.append((child, item))
    return values, members


def _check(document: Document | None, data: dict[str, Any], text: str) -> None:
    assert document is not None
    assert _same(document.data, data)
    values, members = _pointers(data)
    assert set(document.spans) == values
    assert set(document.key_spans) == members
    lines = text.split("\n")
    for span in document.spans.values():
        assert 1 <= span.line <= len(lines)
        assert 1 <= span.col <= len(lines[span.line - 1]) + 1
        assert span.end_line is not None and span.end_col is not None
        assert (span.line, span.col) < (span.end_line, span.end_col)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_documents(_ANY_TEXT), indent=st.sampled_from([None, 0, 2]))
def test_json_round_trip(data: dict[str, Any], indent: int | None) -> None:
    text = json.dumps(data, indent=indent)
    result = load_bytes(text.encode(), "p.json", syntax="json")
    assert result.findings == ()
    _check(result.document, data, text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_documents(_BMP_TEXT), indent=st.sampled_from([None, 2]))
def test_yaml_reads_json_text(data: dict[str, Any], indent: int | None) -> None:
    text = json.dumps(data, indent=indent)
    result = load_bytes(text.encode(), "p.yaml", syntax="yaml")
    assert result.findings == ()
    _check(result.document, data, text)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_documents(_ANY_TEXT))
def test_json_with_raw_unicode(data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False)
    result = load_bytes(text.encode(), "p.json", syntax="json")
    assert result.findings == ()
    _check(result.document, data, text)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    for fmt in ("yaml", "json"):
        result = load_bytes(raw, "fuzz", syntax=fmt)
        assert (result.document is None) == bool(result.findings)
        for finding in result.findings:
            assert finding.line >= 1 and finding.col >= 1
            assert "\n" not in finding.message


_YAMLISH = st.text(alphabet=" \n\t-:?[]{},#&*!|>'\"%@`~.0123456789abenxyz<\\", max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=_YAMLISH)
def test_yaml_like_text_never_raises(text: str) -> None:
    for fmt in ("yaml", "json"):
        result = load_bytes(text.encode(), "fuzz", syntax=fmt)
        assert (result.document is None) == bool(result.findings)
        for finding in result.findings:
            assert finding.line >= 1 and finding.col >= 1
            assert "\n" not in finding.message
