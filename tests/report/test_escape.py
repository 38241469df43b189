"""Escaping: no character that hides, reorders or forges text reaches a report raw."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from rspp.report.escape import json_text, visible, workflow_data, workflow_property


@pytest.mark.parametrize(("char", "shown"), [
    ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"), ("\x00", "\\x00"), ("\x1b", "\\x1b"),
    ("\x7f", "\\x7f"), ("\x85", "\\x85"), ("\x9b", "\\x9b"),
    ("\u202a", "\\u202a"), ("\u202e", "\\u202e"), ("\u2066", "\\u2066"),
    ("\u2069", "\\u2069"), ("\u200e", "\\u200e"), ("\u200f", "\\u200f"), ("\u061c", "\\u061c"),
    ("\u200b", "\\u200b"), ("\u200d", "\\u200d"), ("\u2060", "\\u2060"), ("\ufeff", "\\ufeff"),
    ("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\U000e0041", "\\U000e0041"),
    ("\ufe0f", "\\ufe0f"),
    ("\udce9", "\\xe9"),  # byte 0xE9 of a file name, kept by surrogateescape
    ("\ud800", "\\ud800"),
])
def test_visible_escapes_hidden_characters(char: str, shown: str) -> None:
    assert visible(f"a{char}b") == f"a{shown}b"


def test_visible_keeps_what_people_can_read() -> None:
    text = "unknown key '未知' in café.yaml: ∀ x → 😀 \\n stays"
    assert visible(text) == text


def test_no_control_format_or_separator_character_survives() -> None:
    hidden = [chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp", "Cs")]
    assert len(hidden) > 2000
    for char in hidden:
        shown = visible(char)
        assert shown.isascii() and shown.isprintable() and shown.startswith("\\"), repr(char)


def test_json_text_replaces_only_lone_surrogates() -> None:
    assert json_text("caf\udce9.yaml") == "caf\\xe9.yaml"
    assert json_text("a\ud800b") == "a\\ud800b"
    exact = "x\n::error \u202e 未知 😀"
    assert json_text(exact) == exact
    dumped = json.dumps(json_text("caf\udce9\u202e"), ensure_ascii=True)
    assert "\\udc" not in dumped
    dumped.encode("ascii")


def test_workflow_command_escaping() -> None:
    assert workflow_data("50%\nnext\r") == "50%25%0Anext%0D"
    assert workflow_property("a:b,c") == "a%3Ab%2Cc"
    forged = workflow_property("x\n::error file=README.md::pwned.yaml")
    assert forged == "x%0A%3A%3Aerror file=README.md%3A%3Apwned.yaml"
    assert workflow_data("tab\tesc\x1b[31m rlo\u202e nel\x85 ls\u2028") == (
        "tab\\tesc\\x1b[31m rlo\\u202e nel\\x85 ls\\u2028")
    for text in ("a\nb", "a\rb", "a\u2028b", "a\x85b", "a\x0bb", "a\x0cb", "a\x1cb"):
        assert len((workflow_data(text) + workflow_property(text)).splitlines()) == 1
