"""Line numbers are git's: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR do not end a line.

YAML 1.1 (libyaml, PyYAML) breaks lines at U+0085, U+2028 and U+2029; YAML 1.2, JSON,
git and editors do not. Positions must match ``git grep -n``, and text after such a
character in a comment must stay comment text.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from rspp.load import lines, yaml_strict
from rspp.load.api import Limits, load_bytes, load_file
from rspp.load.document import Document, Syntax
from rspp.load.lines import hide_yaml11_breaks, line_col, line_starts, split_lines

YAML11_BREAKS = {"nel": "\x85", "ls": "\u2028", "ps": "\u2029"}


def _codes(text: str, fmt: Syntax = "yaml") -> list[tuple[str, int, int]]:
    result = load_bytes(text.encode(), f"f.{fmt}", syntax=fmt)
    return [(f.code, f.line, f.col) for f in result.findings]


def _git_line(path: Path, fixed: str) -> int:
    """The line number ``git grep -n`` gives for the only line holding ``fixed``."""
    done = subprocess.run(
        ["git", "grep", "--no-index", "-n", "-F", "-e", fixed, "--", path.name],
        cwd=path.parent,
        capture_output=True,
        check=True,
    )
    lines = done.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    return int(lines[0].split(":")[1])


@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
def test_break_in_a_comment_stays_comment_text(char: str) -> None:
    """'a: 2' after the character is part of the comment, not a second key 'a'."""
    result = load_bytes(f"a: 1\n# old value{char}a: 2\nb: 3\n".encode(), "f.yaml", syntax="yaml")
    assert result.findings == ()
    assert result.document is not None
    assert result.document.data == {"a": 1, "b": 3}
    assert result.document.key_spans["/b"].line == 3


@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
def test_break_in_an_end_of_line_comment_stays_comment_text(char: str) -> None:
    assert _codes(f"a: 1  # note{char}a: 2\n") == []


VALUE_STYLES = {
    "plain": "x{c}y",
    "double-quoted": '"x{c}y"',
    "single-quoted": "'x{c}y'",
    "block": "|\n  x{c}y",
    "folded": ">\n  x{c}y",
    "flow": "[x{c}y, z]",
}


@pytest.mark.slow
@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
@pytest.mark.parametrize("style", list(VALUE_STYLES))
def test_finding_after_a_break_is_on_git_s_line(
    empty_repo: Path, char: str, style: str
) -> None:
    value = VALUE_STYLES[style].format(c=char)
    path = empty_repo / "f.yaml"
    path.write_bytes(f"first: {value}\nother: 1\nother: 2\n".encode())
    result = load_file(path, empty_repo)
    line = _git_line(path, "other: 2")
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD002", line, 1)]
    assert result.findings[0].message == 'duplicate key "other"; first defined on line ' + str(
        line - 1
    )


@pytest.mark.slow
@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
def test_json_finding_after_a_break_is_on_git_s_line(empty_repo: Path, char: str) -> None:
    path = empty_repo / "f.json"
    path.write_bytes(f'{{"first": "x{char}y",\n "other": 1,\n "other": 2}}\n'.encode())
    result = load_file(path, empty_repo)
    line = _git_line(path, '"other": 2')
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD002", line, 2)]


@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
def test_breaks_are_kept_in_values_and_keys(char: str) -> None:
    text = (
        f"plain: x{char}y\n"
        f"quoted: \"x{char}y\"\n"
        f"single: 'x{char}y'\n"
        f"block: |\n  x{char}y\n"
        f"k{char}ey: [a{char}, b]\n"
        f"escapes: \"\\N\\L\\P\"\n"
    )
    result = load_bytes(text.encode(), "f.yaml", syntax="yaml")
    assert result.findings == ()
    assert result.document is not None
    assert result.document.data == {
        "plain": f"x{char}y",
        "quoted": f"x{char}y",
        "single": f"x{char}y",
        "block": f"x{char}y\n",
        f"k{char}ey": [f"a{char}", "b"],
        "escapes": "\x85\u2028\u2029",
    }
    doc = result.document
    assert doc.spans[f"/k{char}ey/1"].line == 6
    assert doc.spans["/escapes"].line == 7
    assert doc.line_text(6) == f"k{char}ey: [a{char}, b]"


def test_stand_ins_never_collide_with_the_file_s_own_characters() -> None:
    """Private-use characters written raw or as escapes stay what they are."""
    text = 'a: "\\ue000\\U000F0000"\nb: "\ue001 x\u2028y"\nc: "\\uE002"\n'
    result = load_bytes(text.encode(), "f.yaml", syntax="yaml")
    assert result.document is not None
    assert result.document.data == {
        "a": "\ue000\U000f0000",
        "b": "\ue001 x\u2028y",
        "c": "\ue002",
    }
    hidden = hide_yaml11_breaks(text)
    assert hidden is not None
    parsed, back = hidden
    assert {chr(c) for c in back} & {"\ue000", "\ue001", "\ue002", "\U000f0000"} == set()
    assert len(parsed) == len(text) and "\u2028" not in parsed


def test_a_file_using_every_private_use_character_is_refused_where_the_break_is() -> None:
    every = "".join(chr(c) for block in lines._PRIVATE_USE for c in block)
    text = f"# {every}\na: x\u2028y\n"
    assert len(text.encode()) < Limits().max_bytes
    result = load_bytes(text.encode(), "f.yaml", syntax="yaml")
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD001", 2, 5)]
    assert "U+2028" in result.findings[0].message


@pytest.mark.parametrize("char", list(YAML11_BREAKS.values()), ids=list(YAML11_BREAKS))
def test_syntax_error_after_a_break_is_on_git_s_line(char: str) -> None:
    assert _codes(f"a: x{char}y\nb: [1, 2\nc: 3\n") == [("LOAD001", 3, 2)]
    assert _codes(f"# {char}\nb: &anchor 1\n") == [("LOAD003", 2, 4)]
    assert _codes(f"a: '{char}'\n1: b\n") == [("LOAD006", 2, 1)]


def test_native_and_pure_python_parsers_agree_on_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = [
        f"a: 1\n# c{c}a: 2\n"
        for c in YAML11_BREAKS.values()
    ] + [
        "a: x\u2028y\nb: [1, 2\n",
        "a: 1\u2028b: 2\n",
        "\u2028a: 1\n",
        "a:\u2028b\n",
        "a: &x\u2028 1\n",
        "a: |\n  x\x85y\nb: 1\nb: 2\n",
    ]
    native = [_codes(s) for s in samples]
    monkeypatch.setattr(yaml_strict, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_strict, "_NATIVE", False)
    assert [_codes(s) for s in samples] == native


def test_lone_carriage_return_ends_a_line_in_yaml_and_json() -> None:
    assert _codes("a: 1\rb: 2\rb: 3\r") == [("LOAD002", 3, 1)]
    assert _codes('{"a": 1,\r"a": 2}', "json") == [("LOAD002", 2, 1)]
    assert _codes('{"a": 1,\r\n"a": 2}', "json") == [("LOAD002", 2, 1)]


def test_decoding_errors_count_lines_like_git() -> None:
    assert _codes_raw(b"a: 1\rb: \xff\n") == [("FILE005", 2, 4)]
    assert _codes_raw("a: x\u2028y\nb: \x01\n".encode()) == [("FILE006", 2, 4)]
    assert _codes_raw("a: x\u2028\x01\n".encode()) == [("FILE006", 1, 6)]
    assert _codes_raw("a: x\u2028y \xff".encode("utf-8")[:-2] + b"\xff") == [("FILE005", 1, 8)]


def _codes_raw(raw: bytes) -> list[tuple[str, int, int]]:
    result = load_bytes(raw, "f.yaml", syntax="yaml")
    return [(f.code, f.line, f.col) for f in result.findings]


def test_line_text_splits_only_at_git_s_line_breaks() -> None:
    text = "a: 'x y'\r\nb: \"p\u2029q\"\rc: d\x85e\n"
    result = load_bytes(text.encode(), "f.yaml", syntax="yaml")
    assert result.document is not None
    doc = result.document
    assert [doc.line_text(n) for n in range(0, 5)] == [
        "",
        "a: 'x y'",
        'b: "p\u2029q"',
        "c: d\x85e",
        "",
    ]
    assert doc.spans["/c"].line == 3
    # characters the loader refuses (FILE006) but str.splitlines splits at
    raw = Document("f.yaml", "a: x\x0by\x0cz\x1cw\nb: 1\n", {}, "yaml")
    assert raw.line_text(2) == "b: 1"


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ("ab\ncd", 3, (2, 1)),
        ("ab\r\ncd", 4, (2, 1)),
        ("ab\r\ncd", 3, (1, 3)),  # the LF of CR LF belongs to the first line
        ("ab\rcd", 3, (2, 1)),
        ("a\x85b\u2028c\u2029d\x0be\x0cf\x1cg", 12, (1, 13)),
        ("", 0, (1, 1)),
        ("\r\n\r\n", 4, (3, 1)),
    ],
)
def test_line_col(text: str, index: int, expected: tuple[int, int]) -> None:
    assert line_col(text, index) == expected


def test_line_starts_and_split_lines_agree_with_git_not_splitlines() -> None:
    text = "a\x85b\u2028c\u2029d\x0be\x0cf\x1cg\x1dh\x1ei\r\nj\rk\nl"
    assert line_starts(text) == [0, 19, 21, 23]
    assert split_lines(text) == ["a\x85b\u2028c\u2029d\x0be\x0cf\x1cg\x1dh\x1ei", "j", "k", "l"]
    assert len(text.splitlines()) == 12  # what the loader must not use
    assert split_lines("a\n") == ["a"]
    assert split_lines("") == [""]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1", ("LOAD001", 1, 6)),
        ('a: "x', ("LOAD001", 1, 6)),
        ("a: [1\n  , 2", ("LOAD001", 2, 6)),
    ],
)
def test_error_at_the_end_of_a_file_without_a_final_newline_is_on_its_last_line(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: tuple[str, int, int]
) -> None:
    """libyaml adds a line break of its own there; git has no such line."""
    assert _codes(text) == [expected]
    monkeypatch.setattr(yaml_strict, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_strict, "_NATIVE", False)
    assert _codes(text) == [expected]
