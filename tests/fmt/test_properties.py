"""Property tests: key order and indentation do not matter, fmt is idempotent, and after fmt a
YAML 1.1 reader reads every string as rspp does."""

from __future__ import annotations

import io
import json
import random
import re
from typing import Any

import pytest
import yaml as pyyaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq

from rspp.fmt import format_text
from rspp.fmt.quoting import yaml12_differs
from rspp.load.api import load_bytes
from rspp.load.document import Syntax
from rspp.model.shapes import Shape, shape_for
from rspp.validate.discover import discover
from tests.helpers import REPO_ROOT
from tests.helpers.fmt import comment_lines, comment_targets, load, same_meaning, typed

# Property tests (hypothesis).
pytestmark = pytest.mark.slow

YAML_EXAMPLES = [p for p in discover(REPO_ROOT) if p.suffix == ".yaml"]
# Each example formats whole artifacts: few examples, and no shrinking (the unshrunk example
# names the file, the seed and the indentation, which is all a failure needs).
_SETTINGS = settings(deadline=None, max_examples=25, phases=(Phase.explicit, Phase.generate),
                     suppress_health_check=[HealthCheck.too_slow])


def _fmt(text: str, kind: Syntax = "yaml") -> str:
    result = format_text(text, kind, "x.yaml")
    assert result.ok, [f"{f.location()} {f.code} {f.message}" for f in result.findings]
    return result.text


def _strip(node: Any, shape: Shape, rng: random.Random | None) -> None:
    """Drop every comment; with ``rng``, shuffle the keys of every mapping the schema orders
    (free-form maps such as params and labels keep the author's order, by design)."""
    if isinstance(node, CommentedSeq):
        setattr(node, Comment.attrib, Comment())
        for item in node:
            _strip(item, shape.item(), rng)
    elif isinstance(node, CommentedMap):
        setattr(node, Comment.attrib, Comment())
        items = list(node.items())
        if rng is not None and shape.key_order() is not None:
            rng.shuffle(items)
        for key, _ in items:
            del node[key]
        for key, value in items:
            node[key] = value
            _strip(value, shape.field(str(key)), rng)


def _rewrite(text: str, rng: random.Random | None, mapping: int, sequence: tuple[int, int]) -> str:
    """``text`` without comments, keys shuffled, indented another way (by ruamel)."""
    writer = YAML(typ="rt")
    writer.preserve_quotes = True
    writer.width = 4096
    writer.indent(mapping=mapping, sequence=sequence[0], offset=sequence[1])
    root = writer.load(text)
    _strip(root, shape_for(dict(root)), rng)
    out = io.StringIO()
    writer.dump(root, out)
    return out.getvalue()


@_SETTINGS
@given(path=st.sampled_from(YAML_EXAMPLES), seed=st.integers(0, 2**32 - 1),
       mapping=st.sampled_from([2, 3, 4]), sequence=st.sampled_from([(2, 0), (4, 2), (3, 1)]))
def test_shuffled_and_reindented_examples_format_alike(
    path: Any, seed: int, mapping: int, sequence: tuple[int, int],
) -> None:
    original = _rewrite(path.read_text(encoding="utf-8"), None, 2, (4, 2))
    scrambled = _rewrite(original, random.Random(seed), mapping, sequence)
    same_meaning(original, scrambled)
    expected = _fmt(original)
    formatted = _fmt(scrambled)
    assert formatted == expected
    assert _fmt(formatted) == formatted
    same_meaning(original, formatted)


# --------------------------------------------------------------------------- tricky scalars
TRICKY = [
    "yes", "No", "ON", "off", "y", "N", "~", "null", "true", "1_000", "0b101", "0x1F", "0o17",
    "010", "1:30", "2026-01-01", "2026-01-01T10:00:00Z", ".5", "1e3", "+1", "-", "=", "<<",
    "1.0.0", "1.10", "a b", "#x", "x #y", "", " lead", "trail ", "colon: x", "- dash", "[x]",
    "{x}", "@at", "`tick", "%pct", "!bang", "&amp", "*star", "|pipe", ">gt", "'q", '"dq', "é",
    "tab\there", "multi\nline", "?", ":", "a:b", "a,b", "x\\y",
]
_strings = st.sampled_from(TRICKY) | st.text(st.characters(codec="utf-8",
                                                           exclude_categories=["Cs"]),
                                             max_size=8)
_scalars = (_strings | st.integers(-10**6, 10**6) | st.booleans()
            | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
_keys = (st.sampled_from([k for k in TRICKY if k not in ("<<", "") and "\n" not in k])
         | st.text("abcxyz_-", min_size=1, max_size=6))
_trees = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(_keys, inner, max_size=3), max_leaves=12)


def _plain_ok(text: str, as_key: bool) -> bool:
    """Whether ``text`` written plain reads back as the same string."""
    if not text or text != text.strip() or "\n" in text or "\t" in text:
        return False
    if any(c in text for c in "\x85\u2028\u2029"):
        # ordinary characters to YAML 1.2 but line breaks to YAML 1.1 readers, which fold a
        # plain scalar there: fmt keeps such a scalar as the author wrote it (rspp reads it
        # right), so the YAML 1.1 check below does not hold for it
        return False
    line = f"{text}: 1\n" if as_key else f"k: {text}\n"
    loaded = load_bytes(line.encode("utf-8"), "t.yaml", syntax="yaml").document
    if loaded is None:
        return False
    return list(loaded.data) == [text] if as_key else loaded.data == {"k": text}


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\u2028": "\\L",
            "\u2029": "\\P", "\x85": "\\N"}


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x20 or 0x7f <= ord(char) < 0xa0 else char


def _quoted(text: str) -> str:
    return '"' + "".join(_escape(c) for c in text) + '"'


def _scalar(value: Any, as_key: bool = False) -> str:
    if isinstance(value, str):
        return value if _plain_ok(value, as_key) else _quoted(value)
    return json.dumps(value)


def _emit(value: Any, indent: int) -> list[str]:
    """Block-style lines for a collection (the author's style: dashes alone on their line)."""
    pad = " " * indent
    lines: list[str] = []
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, item in items:
        head = f"{pad}{_scalar(key, True)}:" if key is not None else f"{pad}-"
        if isinstance(item, dict | list) and item:
            lines.append(head)
            lines.extend(_emit(item, indent + 2))
        else:
            lines.append(f"{head} {'{}' if item == {} else '[]' if item == [] else _scalar(item)}")
    return lines


def _strings_alike(ours: Any, theirs: Any) -> None:
    """Every string (key or value) of ``ours`` is the same string in ``theirs``."""
    if isinstance(ours, dict):
        assert isinstance(theirs, dict)
        assert set(theirs) == set(ours)
        for key, item in ours.items():
            _strings_alike(item, theirs[key])
    elif isinstance(ours, list):
        assert isinstance(theirs, list) and len(theirs) == len(ours)
        for a, b in zip(ours, theirs, strict=True):
            _strings_alike(a, b)
    elif isinstance(ours, str):
        assert theirs == ours


@settings(deadline=None, max_examples=150)
@given(body=st.dictionaries(_keys, _trees, min_size=1, max_size=4))
def test_tricky_scalars_keep_their_meaning_and_yaml_11_reads_strings_alike(
    body: dict[str, Any],
) -> None:
    text = "\n".join(["kind: Other", *_emit(body, 0)]) + "\n"
    assert typed(load(text)) == typed({"kind": "Other", **body})
    formatted = _fmt(text)
    same_meaning(text, formatted)
    assert _fmt(formatted) == formatted
    _strings_alike(load(formatted), pyyaml.safe_load(formatted))


@settings(deadline=None, max_examples=100)
@given(body=st.dictionaries(_keys, _trees, min_size=1, max_size=4))
def test_json_formatting_keeps_data_and_is_idempotent(body: dict[str, Any]) -> None:
    text = json.dumps({"kind": "PipelineSpec", **body})
    formatted = _fmt(text, "json")
    same_meaning(text, formatted, "json")
    assert _fmt(formatted, "json") == formatted


@settings(deadline=None, max_examples=300)
@given(text=st.text("0123456789+-._eEoxXabcfFinNlLuUrRsStT~", min_size=1, max_size=6)
       | st.sampled_from(TRICKY))
def test_fmt_knows_which_plain_scalars_rspp_reads_as_strings(text: str) -> None:
    """fmt's copy of the YAML 1.2 core schema agrees with the strict loader."""
    if "#" in text or "\n" in text or text != text.strip():
        return  # not a plain scalar on its own
    loaded = load_bytes(f"k: {text}\n".encode(), "t.yaml", syntax="yaml").document
    if loaded is None:
        return
    value = loaded.data["k"]
    if isinstance(value, dict | list) or (isinstance(value, str) and value != text):
        return  # read as something other than one plain scalar
    assert yaml12_differs(text) == (not isinstance(value, str))


_KEY_LINE = re.compile(r"^( *)(?:- )?[A-Za-z_][A-Za-z0-9_]*:(?: |$)")


@_SETTINGS
@given(path=st.sampled_from(YAML_EXAMPLES), seed=st.integers(0, 2**32 - 1))
def test_comments_added_above_keys_stay_above_them(path: Any, seed: int) -> None:
    """A comment line above any key of an example is above the same key after fmt, even
    where fmt moves the key."""
    rng = random.Random(seed)
    lines = path.read_text(encoding="utf-8").splitlines()
    keyed = [i for i, line in enumerate(lines) if _KEY_LINE.match(line)]
    chosen = set(rng.sample(keyed, min(len(keyed), 8)))
    out = []
    for number, line in enumerate(lines):
        if number in chosen:
            indent = _KEY_LINE.match(line).group(1)  # type: ignore[union-attr]
            out.append(f"{indent}# note {number}")
        out.append(line)
    text = "\n".join(out) + "\n"
    formatted = _fmt(text)
    same_meaning(text, formatted)
    assert comment_lines(formatted) == comment_lines(text)
    assert comment_targets(formatted) == comment_targets(text)
    assert _fmt(formatted) == formatted
