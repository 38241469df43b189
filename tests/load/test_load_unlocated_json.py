"""The JSON loader's build without positions (``parse_json_data``, ``load_bytes(located=
False)``): the standard library's C decoder gives the located parser's data, refuses what it
refuses (or leaves it to it), and positions made later are the located parser's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.load.test_load_unlocated import agree as agree_in
from tests.load.test_load_unlocated import positions_agree

from rspp.load.json_strict import parse_json, parse_json_data

ROOT = Path(__file__).resolve().parents[2]
# every JSON text of the repository: the examples' bundles, the hostile corpus, the cases
TEXTS = sorted({p for p in [*ROOT.glob("pipelines/**/*.json"), *ROOT.glob("tests/**/*.json")]
                if "node_modules" not in p.parts})


def agree(text: str) -> bool:
    return agree_in(text, "json")


def test_every_json_file_of_the_repository_agrees() -> None:
    assert len(TEXTS) > 20
    taken = [path for path in TEXTS
             if agree(path.read_bytes().decode("utf-8", "surrogateescape"))]
    assert ROOT / "pipelines" / "bundles" / "livekit_voice_assistant_bundle.json" in taken
    assert len(taken) > len(TEXTS) // 3


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}',                       # duplicate key
    '{"a": {"b": 1, "b": 1}}',                # duplicate key, nested
    '[1]',                                    # top level not an object
    '"a"',
    '',                                       # nothing
    '{"a": 1} {"b": 2}',                      # trailing data
    '{"a": 1,}',                              # trailing comma
    '{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}',
    '{"a": 1e400}',                           # overflows to infinity
    '{"a": 9007199254740993}',                # outside the exact range
    '{"a": 1e16}',                            # a float canonical JSON writes as an integer
    '{"a": 01}',                              # leading zero
    '{"a": "\\ud800"}',                       # lone surrogate
    '{"\\udc00": 1}',
    '{"a": "\x01"}',                          # raw control character
    '{"a": 1 // c\n}',                        # comment
    '{"a": ' + "[" * 70 + "]" * 70 + "}",     # too deep
    '{"a": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than the decoder recurses
    '{"' + "k" * 500_000 + '": [' + ",".join(["1"] * 240_000) + "]}",  # pointer budget
])
def test_irregular_text_is_left_to_the_located_build(text: str) -> None:
    assert parse_json_data(text, 64, 100) is None
    agree(text)


def test_digits_are_counted_as_the_located_parser_counts_them() -> None:
    for text in ('{"a": 1234}', '{"a": -1234}', '{"a": [12345]}'):
        for digits in (3, 4, 5):
            parsed, _ = parse_json(text, "t.json", 64, digits)
            assert (parse_json_data(text, 64, digits) is None) == (parsed is None), (text,
                                                                                      digits)


def test_the_pointer_budget_is_counted_as_the_located_parser_counts_it() -> None:
    # just under and just over; keys with "~" and "/" count their escapes
    for key, counts in (("k" * 500_000, range(50, 80)), ("~/" * 250_000, range(15, 45))):
        refused = []
        for count in counts:
            text = '{"' + key + '": [' + ",".join(["1"] * count) + "]}"
            parsed, _ = parse_json(text, "t.json", 64, 100)
            assert (parse_json_data(text, 64, 100) is None) == (parsed is None), count
            refused.append(parsed is None)
        assert refused[0] is False and refused[-1] is True  # the range spans the bound


def test_depth_is_counted_as_the_located_parser_counts_it() -> None:
    for depth in range(1, 6):
        for nested in range(0, 6):
            text = '{"a": ' + "[" * nested + "1" + "]" * nested + "}"
            parsed, _ = parse_json(text, "t.json", depth, 100)
            assert (parse_json_data(text, depth, 100) is None) == (parsed is None)


def test_strings_are_shared_as_the_located_parser_shares_them() -> None:
    text = '{"a": ["short", "short"], "b": "short"}'
    data = parse_json_data(text, 64, 100)
    assert data is not None
    items = data["a"]
    assert isinstance(items, list)
    assert items[0] is items[1] is data["b"]


def test_positions_made_later_are_the_located_ones() -> None:
    positions_agree(TEXTS[:60], "json")


_JSONISH = st.text(alphabet=' \n\t\r{}[]:,"\\/~-+.0123456789eEaflnrstuINfyd\x01',
                   max_size=60)
_SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
_DOCS = st.dictionaries(st.text(max_size=8), st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20), max_size=5)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(text=_JSONISH)
def test_json_like_text_agrees(text: str) -> None:
    agree("{" + text)
    agree(text)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(data=_DOCS, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]))
def test_dumped_documents_agree(data: dict[str, Any], ascii_only: bool,
                                indent: int | None) -> None:
    agree(json.dumps(data, ensure_ascii=ascii_only, indent=indent))
