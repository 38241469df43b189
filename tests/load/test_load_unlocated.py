"""The YAML loader's build without positions (``parse_yaml_data``, ``load_bytes(located=
False)``) gives the located build's data, refuses what it refuses, and positions made later
are the located build's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.core.findings import Finding
from rspp.core.jsontypes import JsonObject
from rspp.load.api import load_bytes
from rspp.load.document import Syntax
from rspp.load.json_strict import parse_json, parse_json_data
from rspp.load.reading import Limits
from rspp.load.spans import Parsed
from rspp.load.yaml_strict import parse_yaml, parse_yaml_data

ROOT = Path(__file__).resolve().parents[2]
# every YAML text of the repository: the examples, the hostile corpus, the rule cases
TEXTS = sorted({p for p in [*ROOT.glob("pipelines/**/*.yaml"), *ROOT.glob("tests/**/*.yaml"),
                            *ROOT.glob("tests/**/*.yml")]
                if "node_modules" not in p.parts})
LIMITS = [(64, 100), (1, 100), (3, 100), (64, 2), (4, 1)]


def _same(left: Any, right: Any) -> bool:
    """Equal values of the same JSON types all the way down (1 is not 1.0, True is not 1)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return bool(left == right)


# (located parser, unlocated parser, file name) by syntax
_PARSERS: dict[str, tuple[Callable[[str, str, int, int], tuple[Parsed | None, list[Finding]]],
                          Callable[[str, int, int], JsonObject | None], str]] = {
    "yaml": (parse_yaml, parse_yaml_data, "t.yaml"),
    "json": (parse_json, parse_json_data, "t.json"),
}


def agree(text: str, syntax: Syntax = "yaml") -> bool:
    """Assert the unlocated build agrees with the located one on ``text`` under each of
    ``LIMITS``; whether it took the text at the default limits."""
    located, unlocated, name = _PARSERS[syntax]
    took = False
    for depth, digits in LIMITS:
        parsed, findings = located(text, name, depth, digits)
        data = unlocated(text, depth, digits)
        if parsed is None:
            assert findings and data is None, (depth, digits, findings)
        elif data is not None:
            assert _same(data, parsed.data), (depth, digits)
            took = took or (depth, digits) == LIMITS[0]
    return took


def positions_agree(paths: list[Path], syntax: Syntax = "yaml") -> None:
    """Assert that loading each of ``paths`` without positions gives the located load's
    findings and data, and positions made later equal to the located ones."""
    name = _PARSERS[syntax][2]
    for path in paths:
        raw = path.read_bytes()
        located = load_bytes(raw, name, syntax=syntax)
        unlocated = load_bytes(raw, name, syntax=syntax, located=False)
        assert unlocated.findings == located.findings
        if located.document is None:
            assert unlocated.document is None
            continue
        assert unlocated.document is not None
        assert _same(unlocated.document.data, located.document.data)
        for pointer in located.document.spans:
            assert unlocated.document.span(pointer) == located.document.span(pointer)
        for pointer in located.document.key_spans:
            assert (unlocated.document.span(pointer, key=True)
                    == located.document.span(pointer, key=True))


def test_every_yaml_file_of_the_repository_agrees() -> None:
    assert len(TEXTS) > 100
    taken = [path for path in TEXTS
             if agree(path.read_bytes().decode("utf-8", "surrogateescape"))]
    # the clean ones are taken without positions: the point of it
    assert ROOT / "pipelines" / "specs" / "livekit_voice_assistant.yaml" in taken
    assert len(taken) > len(TEXTS) // 2


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",                        # duplicate key
    "a: &x 1\nb: *x\n",                     # anchor, alias
    "<<: {a: 1}\n",                         # merge key
    "a: !!int 1\n",                         # tag
    "? [1]\n: x\n",                         # key not a string
    "1: x\n",                               # key not a string
    "a: 1\n---\nb: 2\n",                    # two documents
    "- 1\n",                                # top level not a mapping
    "a: .inf\n",                            # no canonical JSON form
    "a: 1e400\n",
    "a: " + "[" * 70 + "]" * 70 + "\n",     # too deep
    "a: \x85\n",                            # a YAML 1.1 line break
    "a: [1, 2\n",                           # syntax
    "%TAG !e! tag:e.com,2000:\n---\na: 1\n",
    "? " + "k" * 500_000 + "\n: [" + ",".join(["1"] * 240_000) + "]\n",   # pointer budget
])
def test_irregular_text_is_left_to_the_located_build(text: str) -> None:
    assert parse_yaml_data(text, 64, 100) is None
    agree(text)


def test_the_pointer_budget_is_counted_as_the_located_build_counts_it() -> None:
    # just under and just over: the budget is 64 pointer characters per input character
    refused = []
    for count in range(50, 80):
        text = "? " + "k" * 500_000 + "\n: [" + ",".join(["1"] * count) + "]\n"
        parsed, _ = parse_yaml(text, "t.yaml", 64, 100)
        assert (parse_yaml_data(text, 64, 100) is None) == (parsed is None), count
        refused.append(parsed is None)
    assert refused[0] is False and refused[-1] is True  # the range spans the bound


def test_positions_made_later_are_the_located_ones() -> None:
    positions_agree(TEXTS[:60])


def test_positions_are_made_under_raised_limits() -> None:
    # deeper than the default limit, which the run raised: positions are still made
    text = "a: " + "[" * 80 + "1" + "]" * 80 + "\n"
    loaded = load_bytes(text.encode(), "t.yaml", syntax="yaml", located=False,
                        limits=Limits(max_depth=100))
    assert loaded.document is not None
    assert loaded.document.span("/a" + "/0" * 80).col == 84


_YAMLISH = st.text(alphabet=" \n\t-:?[]{},#&*!|>'\"%@`~.0123456789abenxyz<\\", max_size=80)
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
_DOCS = st.dictionaries(st.text(max_size=8), st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20), max_size=5)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(text=_YAMLISH)
def test_yaml_like_text_agrees(text: str) -> None:
    agree(text)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(data=_DOCS, flow=st.booleans())
def test_dumped_documents_agree(data: dict[str, Any], flow: bool) -> None:
    agree(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))
