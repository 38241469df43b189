"""Comments keep their block: a comment line after the last entry of a nested mapping or list
stays at that block's end, indented like its entries, at any depth and after fmt moves keys.

The property test builds documents whose comments are attached to entries (above them) and to
blocks (at their end), writes them in shuffled key order and another indentation, and checks
fmt writes exactly the canonical text, in which every comment is where it was attached.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.fmt import format_text
from tests.helpers import REPO_ROOT
from tests.helpers.fmt import comment_lines, dedent, same_meaning


def fmt(text: str) -> str:
    """The formatted text; fails if formatting refuses, changes the data or is not stable."""
    result = format_text(text, "yaml", "x.yaml")
    assert result.ok, [f"{f.location()} {f.code} {f.message}" for f in result.findings]
    same_meaning(text, result.text)
    assert format_text(result.text, "yaml", "x.yaml").text == result.text, "not idempotent"
    assert comment_lines(result.text) == comment_lines(text)
    return result.text


# ------------------------------------------------------------------------------- examples
def test_a_commented_out_last_label_stays_in_labels() -> None:
    """The reported case: uncommenting the line must add a label, not a top-level key."""
    text = dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata:
          id: agent
          version: "1.0.0"
          labels:
            team: voice
            # experimental: "true"
        spec:
          nodes: []
        """)
    assert fmt(text) == text


def test_comments_at_the_end_of_nested_blocks_move_with_their_block() -> None:
    text = dedent("""
        spec:
          nodes:
            - type: vad.silero
              id: vad
              params:
                threshold: 0.5
                # window: 30
              # cancel: drop
            # - id: stt
          # routes: {}
        kind: PipelineSpec
        metadata:
          labels:
            team: voice
            # experimental: "true"
          owners:
            - voice-team
            # - search-team
          version: "1.0.0"
          id: agent
        apiVersion: rspp.dev/v1alpha1
        """)
    assert fmt(text) == dedent("""
        apiVersion: rspp.dev/v1alpha1
        kind: PipelineSpec
        metadata:
          id: agent
          version: "1.0.0"
          owners:
            - voice-team
            # - search-team
          labels:
            team: voice
            # experimental: "true"
        spec:
          nodes:
            - id: vad
              type: vad.silero
              params:
                threshold: 0.5
                # window: 30
              # cancel: drop
            # - id: stt
          # routes: {}
        """)


def test_block_ends_keep_their_place_when_the_file_is_reindented() -> None:
    text = dedent("""
        kind: Other
        outer:
            inner:
                a: 1
                # b: 2
            # more: outer
            list:
            - x
            # - y
            other: 1
        # about last
        last:
            - k: 1
              # j: 2
        """)
    assert fmt(text) == dedent("""
        kind: Other
        outer:
          inner:
            a: 1
            # b: 2
          # more: outer
          list:
            - x
            # - "y"
          other: 1
        # about last
        last:
          - k: 1
            # j: 2
        """).replace('# - "y"', "# - y")


def test_comments_between_entries_and_at_the_end_of_the_file() -> None:
    text = dedent("""
        kind: Other
        a:
          b: 1
          # above c
          c: 2

          # end of a, after a blank line
        # above d
        d:
          - 1
          # above 2
          - 2
          # - 3
        # the file's end
        """)
    assert fmt(text) == text


def test_indented_comments_at_the_end_of_the_file_stay_in_their_blocks() -> None:
    text = dedent("""
        kind: Other
        a:
          b:
            - c: 1
              # d: 2
            # - e
          # f: 3
        # the end
        """)
    assert fmt(text) == text


def test_a_comment_at_the_column_of_the_next_key_is_the_next_keys() -> None:
    """Indented like the key below it, a comment line is that key's, even after a list
    written at its key's column; a commented-out item (# - ...) is the list's."""
    text = dedent("""
        kind: Other
        a:
          list:
          - x
          # - y
          # about b
          b: 1
        """)
    assert fmt(text) == dedent("""
        kind: Other
        a:
          list:
            - x
            # - y
          # about b
          b: 1
        """)


def test_deeper_comments_after_outer_ones_stay_in_order() -> None:
    text = "kind: Other\na:\n  b:\n    c: 1\n  # end of a\n    # deeper, but after it\nd: 1\n"
    assert fmt(text) == "kind: Other\na:\n  b:\n    c: 1\n  # end of a\n  # deeper, but after it\nd: 1\n"


# ------------------------------------------------------------------------------- property
@dataclass
class Block:
    """A block mapping (``keys`` set) or list, with the comments at its end."""

    entries: list[Entry]
    is_map: bool
    end: list[str] = field(default_factory=list)


@dataclass
class Entry:
    key: str | None  # None: a list item
    value: str | Block  # a plain scalar's text, or a nested block
    above: list[str] = field(default_factory=list)


class _Names:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


def _value(rng: random.Random, names: _Names, depth: int) -> str | Block:
    if depth >= 4 or rng.random() < 0.4:
        return names("v")
    return _block(rng, names, depth + 1, rng.random() < 0.5)


def _comments(rng: random.Random, names: _Names, text: str) -> list[str]:
    return [f"# {text} {names('c')}" for _ in range(rng.choice((0, 0, 0, 1, 2)))]


def _block(rng: random.Random, names: _Names, depth: int, is_map: bool,
           in_item: bool = False) -> Block:
    entries = []
    for index in range(rng.randint(1, 3)):
        if is_map:
            entry = Entry(names("k"), _value(rng, names, depth))
        else:
            item = names("v") if rng.random() < 0.5 else _block(rng, names, depth + 1, True, True)
            entry = Entry(None, item)
        # the first key of a list item's mapping shares the dash's line: comments above
        # it are the item's
        if not (in_item and index == 0):
            entry.above = _comments(rng, names, "above")
        entries.append(entry)
    # a commented-out entry: "# - ..." for a list, "# key: ..." for a mapping
    end = _comments(rng, names, "k: off" if is_map else "- off")
    return Block(entries, is_map, end)


def _write(block: Block, column: int, style: tuple[int, int]) -> list[str]:
    """Block-style lines; ``style``: (indentation of a mapping, of a list's dashes)."""
    mapping, dashes = style
    pad = " " * column
    lines: list[str] = []
    for entry in block.entries:
        lines.extend(pad + line for line in entry.above)
        value = entry.value
        if entry.key is not None:
            if isinstance(value, Block):
                lines.append(f"{pad}{entry.key}:")
                lines.extend(_write(value, column + (mapping if value.is_map else dashes), style))
            else:
                lines.append(f"{pad}{entry.key}: {value}")
        elif isinstance(value, Block):
            inner = _write(value, column + 2, style)
            lines.append(f"{pad}- {inner[0][column + 2:]}")
            lines.extend(inner[1:])
        else:
            lines.append(f"{pad}- {value}")
    lines.extend(pad + line for line in block.end)
    return lines


ENVELOPE = ("apiVersion", "kind", "metadata", "spec")  # docs/fmt.md


def _metadata_order() -> list[str]:
    """The model's field order, which the checked-in schema keeps in ``properties``."""
    schema = json.loads((REPO_ROOT / "schemas" / "PipelineSpec.schema.json").read_text("utf-8"))
    return list(schema["$defs"]["Metadata"]["properties"])


def _document(rng: random.Random) -> tuple[Block, Block]:
    """A PipelineSpec with comments everywhere: (in shuffled order, in canonical order)."""
    names = _Names()

    def above() -> list[str]:
        return _comments(rng, names, "above")

    metadata = [Entry("id", "agent", above()), Entry("version", '"1.0.0"', above()),
                Entry("labels", _block(rng, names, 2, True), above()),
                Entry("owners", _block(rng, names, 2, False), above())]
    metadata_end = _comments(rng, names, "k: off")
    top = [Entry("apiVersion", "rspp.dev/v1alpha1", above()),
           Entry("kind", "PipelineSpec", above()), Entry("metadata", "", above()),
           Entry("spec", _block(rng, names, 1, True), above())]
    end = _comments(rng, names, "the file's end")
    written = rng.sample(top, len(top))
    first = written[0].key  # no comments above it: they would be the file's header

    def build(entries: list[Entry], meta: list[Entry]) -> Block:
        return Block([Entry(e.key, Block(meta, True, metadata_end) if e.key == "metadata"
                            else e.value, [] if e.key == first else e.above)
                      for e in entries], True, end)

    order = _metadata_order()
    return (build(written, rng.sample(metadata, len(metadata))),
            build(sorted(top, key=lambda e: ENVELOPE.index(str(e.key))),
                  sorted(metadata, key=lambda e: order.index(str(e.key)))))


@pytest.mark.slow
@settings(deadline=None, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), style=st.sampled_from([(2, 2), (4, 0), (3, 3), (4, 2)]))
def test_every_comment_keeps_its_block_and_place(seed: int, style: tuple[int, int]) -> None:
    written, canonical = _document(random.Random(seed))
    text = "\n".join(_write(written, 0, style)) + "\n"
    expected = "\n".join(_write(canonical, 0, (2, 2))) + "\n"
    assert fmt(text) == expected
    assert fmt(expected) == expected


@pytest.mark.slow
@settings(deadline=None, max_examples=100)
@given(seed=st.integers(0, 2**32 - 1), style=st.sampled_from([(2, 2), (4, 0), (3, 1), (2, 0)]))
def test_comments_at_any_column_and_blank_lines_anywhere_format_stably(
    seed: int, style: tuple[int, int],
) -> None:
    """Wherever a comment line is indented, fmt keeps it (word for word) and a second run
    changes nothing."""
    rng = random.Random(seed)
    written, _ = _document(rng)
    lines: list[str] = []
    for line in _write(written, 0, style):
        if line.lstrip().startswith("#"):
            line = " " * rng.randint(0, 12) + line.lstrip()
        lines.append(line)
        if rng.random() < 0.1:
            lines.append("")
    fmt("\n".join(lines) + "\n")


def test_a_key_moved_to_the_top_brings_no_blank_line_to_the_files_start() -> None:
    text = "kind: PipelineSpec\nmetadata:\n  id: x\n\n# about the API\napiVersion: v\n"
    assert fmt(text) == "# about the API\napiVersion: v\nkind: PipelineSpec\nmetadata:\n  id: x\n"
