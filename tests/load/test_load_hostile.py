"""Hostile input: very deep nesting (also in a child process), and the committed corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rspp
from rspp.load.api import load_bytes, load_file

DEPTH = 100_000
CORPUS = Path(__file__).parent / "corpus"

DEEP: list[tuple[str, str, str, str, int, int]] = [
    ("yaml-flow-sequence", "yaml", "a: " + "[" * DEPTH + "]" * DEPTH + "\n", "LOAD009", 1, 67),
    ("yaml-flow-unclosed", "yaml", "a: " + "[" * DEPTH, "LOAD009", 1, 67),
    ("yaml-flow-mapping", "yaml", "a: " + "{a: " * DEPTH + "1" + "}" * DEPTH, "LOAD009", 1, 256),
    ("yaml-block-sequence", "yaml", "a:\n" + "- " * DEPTH + "x\n", "LOAD009", 2, 127),
    ("yaml-top-flow-sequence", "yaml", "[" * DEPTH + "]" * DEPTH, "LOAD008", 1, 1),
    ("yaml-top-block-sequence", "yaml", "- " * DEPTH + "x\n", "LOAD008", 1, 1),
    ("json-array", "json", '{"a": ' + "[" * DEPTH + "]" * DEPTH + "}", "LOAD009", 1, 70),
    ("json-object", "json", '{"a":' * DEPTH + "1" + "}" * DEPTH, "LOAD009", 1, 321),
    ("json-unclosed", "json", '{"a":' * DEPTH, "LOAD009", 1, 321),
    ("json-top-array", "json", "[" * DEPTH + "]" * DEPTH, "LOAD008", 1, 1),
]


@pytest.mark.parametrize(
    ("fmt", "text", "code", "line", "col"),
    [case[1:] for case in DEEP],
    ids=[case[0] for case in DEEP],
)
def test_deep_nesting(repo: Path, fmt: str, text: str, code: str, line: int, col: int) -> None:
    path = repo / f"deep.{fmt}"
    path.write_text(text)
    result = load_file(path, repo)
    assert result.document is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [(code, line, col)]


def test_deep_block_mappings(repo: Path) -> None:
    levels = 1_000
    text = "".join(" " * i + "a:\n" for i in range(levels)) + " " * levels + "x\n"
    path = repo / "deep.yaml"
    path.write_text(text)
    result = load_file(path, repo)
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD009", 65, 65)]


LONG_KEY = "k" * 500_000
ELEMENTS = ",".join(["1"] * 240_000)


@pytest.mark.parametrize(
    ("fmt", "text", "line", "col"),
    [
        ("json", '{"' + LONG_KEY + '": [' + ELEMENTS + "]}", 1, 500_255),
        ("yaml", "? " + LONG_KEY + "\n: [" + ELEMENTS + "]\n", 2, 252),
    ],
    ids=["json", "yaml"],
)
def test_long_key_repeated_in_pointers_is_refused(fmt: str, text: str, line: int, col: int) -> None:
    """A 500 KB key above 240,000 values would need ~120 GB of pointers; refuse it early.

    The budget is 64 pointer characters per character of input, so the 125th element
    (index 124, each pointer ~500 KB) is the first one over it.
    """
    result = load_bytes(text.encode(), f"bomb.{fmt}", fmt=fmt)
    assert result.document is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD009", line, col)]
    assert "paths to values" in result.findings[0].message


_CHILD = """
import sys
from rspp.load.api import load_bytes

n = int(sys.argv[1])
cases = [
    ("a: " + "[" * n + "]" * n, "LOAD009"),
    ("a: " + "[" * n, "LOAD009"),
    ("a: " + "{a: " * n + "1" + "}" * n, "LOAD009"),
    ("a:\\n" + "- " * n + "x\\n", "LOAD009"),
    ("[" * n + "]" * n, "LOAD008"),
    ("- " * n + "x\\n", "LOAD008"),
]
for text, expected in cases:
    result = load_bytes(text.encode(), "deep.yaml", fmt="yaml")
    codes = [f.code for f in result.findings]
    if codes != [expected]:
        sys.exit(f"unexpected {codes} for {text[:20]!r}")
print("ok")
"""


def test_deep_yaml_in_a_child_process() -> None:
    """A crash in native code (stack overflow) would kill the process, not fail an assert."""
    tools = str(Path(rspp.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tools, env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(DEPTH)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# expected (code, line, col) per corpus file; None means it loads
EXPECTED: dict[str, tuple[str, int, int] | None] = {
    "billion_laughs.yaml": ("LOAD003", 2, 7),
    "python_apply.yaml": ("LOAD005", 4, 9),
    "ruby_object.yaml": ("LOAD005", 3, 7),
    "merge_key.yaml": ("LOAD004", 3, 3),
    "duplicate_keys.yaml": ("LOAD002", 5, 3),
    "multi_document.yaml": ("LOAD007", 3, 1),
    "non_string_key.yaml": ("LOAD006", 2, 3),
    "norway.yaml": None,
    "spec_6k.yaml": None,
    "duplicate_keys.json": ("LOAD002", 3, 3),
    "nan.json": ("LOAD010", 1, 15),
    "comment.json": ("LOAD001", 2, 3),
    "trailing_comma.json": ("LOAD001", 1, 25),
    "top_level_array.json": ("LOAD008", 1, 1),
}


def test_corpus_is_fully_listed() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(repo: Path, name: str) -> None:
    path = repo / "corpus" / name
    path.parent.mkdir()
    shutil.copyfile(CORPUS / name, path)
    result = load_file(path, repo)
    expected = EXPECTED[name]
    if expected is None:
        assert result.findings == ()
        assert result.document is not None
        assert result.document.path == f"corpus/{name}"
    else:
        assert result.document is None
        assert [(f.code, f.line, f.col) for f in result.findings] == [expected]
        assert result.findings[0].path == f"corpus/{name}"


def test_norway_problem_stays_strings(repo: Path) -> None:
    result = load_bytes((CORPUS / "norway.yaml").read_bytes(), "norway.yaml", fmt="yaml")
    assert result.document is not None
    assert result.document.data == {
        "countries": ["no", "se", "dk"],
        "enabled": "on",
        "version": 1.1,
        "build": 10,
        "date": "2024-01-01",
    }
