"""Hostile input: very deep nesting (also in a child process), and the committed corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import rspp
from rspp.load import yaml_strict
from rspp.load.api import Limits, load_bytes, load_file
from rspp.load.document import Syntax

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
def test_deep_nesting(empty_repo: Path, fmt: Syntax, text: str, code: str, line: int,
                      col: int) -> None:
    path = empty_repo / f"deep.{fmt}"
    path.write_text(text)
    result = load_file(path, empty_repo)
    assert result.document is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [(code, line, col)]


def test_deep_block_mappings(empty_repo: Path) -> None:
    levels = 1_000
    text = "".join(" " * i + "a:\n" for i in range(levels)) + " " * levels + "x\n"
    path = empty_repo / "deep.yaml"
    path.write_text(text)
    result = load_file(path, empty_repo)
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
def test_long_key_repeated_in_pointers_is_refused(fmt: Syntax, text: str, line: int, col: int) -> None:
    """A 500 KB key above 240,000 values would need ~120 GB of pointers; refuse it early.

    The budget is 64 pointer characters per character of input, so the 125th element
    (index 124, each pointer ~500 KB) is the first one over it.
    """
    result = load_bytes(text.encode(), f"bomb.{fmt}", syntax=fmt)
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
    result = load_bytes(text.encode(), "deep.yaml", syntax="yaml")
    codes = [f.code for f in result.findings]
    if codes != [expected]:
        sys.exit(f"unexpected {codes} for {text[:20]!r}")
print("ok")
"""


@pytest.mark.slow
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
def test_corpus(empty_repo: Path, name: str) -> None:
    path = empty_repo / "corpus" / name
    path.parent.mkdir()
    shutil.copyfile(CORPUS / name, path)
    result = load_file(path, empty_repo)
    expected = EXPECTED[name]
    if expected is None:
        assert result.findings == ()
        assert result.document is not None
        assert result.document.path == f"corpus/{name}"
    else:
        assert result.document is None
        assert [(f.code, f.line, f.col) for f in result.findings] == [expected]
        assert result.findings[0].path == f"corpus/{name}"


def test_norway_problem_stays_strings(empty_repo: Path) -> None:
    result = load_bytes((CORPUS / "norway.yaml").read_bytes(), "norway.yaml", syntax="yaml")
    assert result.document is not None
    assert result.document.data == {
        "countries": ["no", "se", "dk"],
        "enabled": "on",
        "version": 1.1,
        "build": 10,
        "date": "2024-01-01",
    }


def _findings(text: str, limits: Limits) -> list[tuple[str, int, int, str]]:
    result = load_bytes(text.encode(), "deep.yaml", syntax="yaml", limits=limits)
    return [(f.code, f.line, f.col, f.pointer) for f in result.findings]


SHAPES = {
    "flow-sequence": lambda n: "a: " + "[" * n + "]" * n + "\n",
    "flow-sequence-unclosed": lambda n: "a: " + "[" * n,
    "flow-sequence-one-per-line": lambda n: "a: " + "[\n" * n + "]" * n + "\n",
    "flow-mapping": lambda n: "a: " + "{a: " * n + "1" + "}" * n + "\n",
    "flow-in-quoted-items": lambda n: "a: [" + '"x", [' * n + "]" * n + "]\n",
    "flow-sequence-as-key": lambda n: "a: [" + "[" * n + "]" * n + ": y]\n",
    "block-sequence": lambda n: "a:\n" + "- " * n + "x\n",
    # at most 1,200 levels: the indentation grows with the square of the depth
    "block-mapping": lambda n: "".join(" " * i + "a:\n" for i in range(min(n, 1_200)))
    + " " * min(n, 1_200)
    + "x\n",
    "block-then-flow": lambda n: "a:\n" + "- " * n + "[" * n + "]" * n + "\n",
    "top-level-flow-sequence": lambda n: "[" * n + "]" * n,
}
# around the default bound, around libyaml 0.2.6's 1,000 levels and far past both; and at
# the largest depth limit the native parser is trusted with (_NATIVE_MAX_DEPTH)
NATIVE_CASES = [(64, n, name) for n in (65, 999, 1_001, 5_000) for name in SHAPES] + [
    (256, n, name) for n in (257, 1_001) for name in SHAPES
]


@pytest.mark.slow  # the pure-Python reference takes about a second on a 1,000-bracket line
@pytest.mark.skipif(not yaml_strict._NATIVE, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize(
    ("max_depth", "levels", "shape"),
    NATIVE_CASES,
    ids=[f"{shape}-{levels}-limit{limit}" for limit, levels, shape in NATIVE_CASES],
)
def test_native_and_pure_python_parsers_agree_on_nesting(
    monkeypatch: pytest.MonkeyPatch, max_depth: int, levels: int, shape: str
) -> None:
    """Code, position and pointer must not depend on the libyaml PyYAML bundles.

    libyaml 0.2.6 refuses nesting past 1,000 levels in its scanner, ahead of the events;
    a future release may pick another bound. The pure-Python parser has none, so it is
    the reference: the answer must be the same around 1,000 levels and far past the bound.
    """
    text = SHAPES[shape](levels)
    limits = Limits(max_depth=max_depth)
    native = _findings(text, limits)
    monkeypatch.setattr(yaml_strict, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_strict, "_NATIVE", False)
    assert native == _findings(text, limits)
    # a syntax error only where the text has one
    assert shape.endswith("unclosed") or all(code != "LOAD001" for code, *_ in native)
    if levels > max_depth + 1:
        assert [code for code, *_ in native] in (["LOAD009"], ["LOAD008"], ["LOAD006"])


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("flow-1000", "a: " + "[" * 1_000 + "]" * 1_000 + "\n", ("LOAD009", 1, 67)),
        ("flow-1001-unclosed", "a: " + "[" * 1_001, ("LOAD009", 1, 67)),
        ("flow-mapping-1200", "a: " + "{a: " * 1_200 + "1" + "}" * 1_200, ("LOAD009", 1, 256)),
        ("block-1200", "a:\n" + "- " * 1_200 + "x\n", ("LOAD009", 2, 127)),
        ("top-level-1000", "[" * 1_000 + "]" * 1_000, ("LOAD008", 1, 1)),
    ],
)
def test_depth_bound_wins_over_libyaml_limit(
    name: str, text: str, expected: tuple[str, int, int]
) -> None:
    result = load_bytes(text.encode(), "deep.yaml", syntax="yaml")
    assert [(f.code, f.line, f.col) for f in result.findings] == [expected], name


@pytest.mark.slow
def test_deep_documents_load_when_the_limit_allows_them() -> None:
    """max_depth above libyaml's own limit: valid deep text loads, too deep is LOAD009."""
    limits = Limits(max_depth=1_200)
    # a long comment first: the paths of 1,150 levels need a large file's pointer budget
    pad = "# " + "x" * 40_000 + "\n"
    for text in (
        "a:\n" + "- " * 1_150 + "x\n",
        "".join(" " * i + "a:\n" for i in range(1_150)) + " " * 1_150 + "x\n",
        "a: " + "[" * 1_010 + "]" * 1_010 + "\n",
        "a: " + "[\n" * 1_150 + "]" * 1_150 + "\n",
    ):
        loaded = load_bytes((pad + text).encode(), "deep.yaml", syntax="yaml", limits=limits)
        assert loaded.findings == (), text[:10]
        assert loaded.document is not None
    # level 1,201 (the root mapping is level 1) opens on line 1,201
    too_deep = pad + "a: " + "[\n" * 1_250 + "]" * 1_250 + "\n"
    assert _findings(too_deep, limits)[0][:3] == ("LOAD009", 1_201, 1)


class _CountingLoader(yaml.SafeLoader):
    made = 0

    def __init__(self, text: str) -> None:
        _CountingLoader.made += 1
        super().__init__(text)


@pytest.mark.skipif(not yaml_strict._NATIVE, reason="PyYAML was built without libyaml")
def test_pure_python_parser_only_when_libyaml_may_have_hit_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fast parser answers for usual files, deep ones the builder refuses in time,
    and syntax errors on lines with few brackets; the slow one only for bracket-heavy lines."""
    monkeypatch.setattr(yaml_strict, "_PyLoader", _CountingLoader)
    spec = (CORPUS / "spec_6k.yaml").read_text()
    brackets = "a: " + "[" * 200 + "]" * 200 + "\n"
    native_only = [
        spec,
        "a: [1, 2\n",
        "a: " + "[\n" * 2_000 + "]" * 2_000 + "\n",
        "a:\n" + "- " * 2_000 + "x\n",
        brackets,  # loads: libyaml's answer stands
        "a: '" + "[" * 500 + "'\n",
        # a syntax error on another line than the one with many brackets
        "a: '" + "[" * 500 + "'\nb: [1, 2\n",
    ]
    for text in native_only:
        load_bytes(text.encode(), "f.yaml", syntax="yaml")
    assert _CountingLoader.made == 0
    # a syntax error on a line with many brackets: the pure-Python parser confirms it
    broken = load_bytes(("a: [" + "[]" * 200 + "\n").encode(), "f.yaml", syntax="yaml")
    assert [(f.code, f.line, f.col) for f in broken.findings] == [("LOAD001", 1, 7)]
    assert _CountingLoader.made == 1
    _CountingLoader.made = 0
    refused = load_bytes(("a: " + "[" * 2_000).encode(), "f.yaml", syntax="yaml")
    assert [(f.code, f.line, f.col) for f in refused.findings] == [("LOAD009", 1, 67)]
    # libyaml 0.2.6 (PyYAML 6.0.4 wheels) stops scanning at 1,000 open brackets and the
    # pure-Python parser takes over; an older libyaml reaches the depth bound by itself
    assert _CountingLoader.made == (1 if _libyaml_limits_flow_nesting() else 0)


def _libyaml_limits_flow_nesting() -> bool:
    """Whether the bundled libyaml refuses flow nesting past 1,000 levels while scanning."""
    import yaml

    try:
        for _ in yaml.parse("[" * 1_100 + "]" * 1_100, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError:
        return True
    return False
