"""Checks the fmt tests share; written without fmt's own code, so they can catch it out."""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Any

from rspp.load.api import load_bytes
from rspp.load.document import Syntax


def dedent(text: str) -> str:
    """An indented triple-quoted text as a file's text (no first empty line)."""
    return textwrap.dedent(text).lstrip("\n")


def load(text: str, fmt: Syntax = "yaml") -> Any:
    """The strict loader's data for ``text``; fails the test if it refuses it."""
    loaded = load_bytes(text.encode("utf-8"), "test.yaml", syntax=fmt)
    assert loaded.document is not None, [f"{f.code} {f.message}" for f in loaded.findings]
    return loaded.document.data


def typed(value: Any) -> Any:
    """``value`` with the type of every scalar next to it: 1, 1.0 and True all differ."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def same_meaning(before: str, after: str, fmt: Syntax = "yaml") -> None:
    """Both texts load to the same data, value for value and type for type."""
    assert typed(load(after, fmt)) == typed(load(before, fmt))


def comment_lines(text: str) -> Counter[str]:
    """Full-line comments (the artifacts in the repository have no comment after a value)."""
    return Counter(line.strip() for line in text.splitlines() if line.strip().startswith("#"))


def _content(line: str) -> str:
    return line.strip().removeprefix("- ")


def comment_targets(text: str) -> Counter[tuple[str, str]]:
    """Each full-line comment with the first line of content below it."""
    lines = text.splitlines()
    pairs: Counter[tuple[str, str]] = Counter()
    for number, line in enumerate(lines):
        if not line.strip().startswith("#"):
            continue
        below = next((_content(rest) for rest in lines[number + 1:]
                      if rest.strip() and not rest.strip().startswith("#")), "")
        pairs[(line.strip(), below)] += 1
    return pairs
