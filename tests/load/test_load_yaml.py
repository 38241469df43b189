"""YAML loading: refusals with exact positions, YAML 1.2 core typing, and spans."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from rspp.core.findings import Severity, Span
from rspp.load.api import Limits, LoadResult, load_bytes

LoadText = Callable[..., LoadResult]


def _laughs(levels: int = 9) -> str:
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * 9) + "]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


REFUSED: list[tuple[str, str, str, int, int]] = [
    # anchors and aliases
    ("billion-laughs", _laughs(), "LOAD003", 1, 4),
    ("alias-only", "a: *x\n", "LOAD003", 1, 4),
    ("anchor-on-root", "&r\na: 1\n", "LOAD003", 1, 1),
    ("anchor-on-key", "&k a: 1\n", "LOAD003", 1, 1),
    ("anchor-in-sequence", "a:\n  - 1\n  - &x 2\n", "LOAD003", 3, 5),
    # merge keys
    ("merge-key", "base: {x: 1}\nderived:\n  <<: {y: 2}\n  z: 3\n", "LOAD004", 3, 3),
    ("merge-key-flow", "a: {<<: {y: 2}}\n", "LOAD004", 1, 5),
    # tags
    ("python-apply", "cmd: !!python/object/apply:os.system ['rm -rf /']\n", "LOAD005", 1, 6),
    ("python-name", "x: !!python/name:os.system\n", "LOAD005", 1, 4),
    ("custom-tag", "a: !custom x\n", "LOAD005", 1, 4),
    ("non-specific-tag", "a: ! x\n", "LOAD005", 1, 4),
    ("map-tag", "a: !!map {b: 1}\n", "LOAD005", 1, 4),
    ("int-tag", "a: !!int '3'\n", "LOAD005", 1, 4),
    ("str-tag-on-sequence", "a: !!str [x]\n", "LOAD005", 1, 4),
    ("root-tag", "!!map\na: 1\n", "LOAD005", 1, 1),
    ("verbatim-tag", "a: !<tag:example.com,2000:x> 1\n", "LOAD005", 1, 4),
    ("tag-directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "LOAD005", 1, 1),
    # keys that are not strings
    ("int-key", "1: a\n", "LOAD006", 1, 1),
    ("bool-key", "true: a\n", "LOAD006", 1, 1),
    ("null-key", "null: a\n", "LOAD006", 1, 1),
    ("tilde-key", "~: a\n", "LOAD006", 1, 1),
    ("float-key", "ok: 1\n1.5: a\n", "LOAD006", 2, 1),
    ("hex-key", "0x1F: a\n", "LOAD006", 1, 1),
    ("empty-key", "? \n: b\n", "LOAD006", 1, 2),
    ("sequence-key-explicit", "? [a]\n: b\n", "LOAD006", 1, 3),
    ("sequence-key-compact", "? [a]: b\n", "LOAD006", 1, 3),
    ("mapping-key", "{a: 1}: b\n", "LOAD006", 1, 1),
    ("nested-sequence-key", "a:\n  [x]: 1\n", "LOAD006", 2, 3),
    ("nested-int-key", "a:\n  b:\n    404: not found\n", "LOAD006", 3, 5),
    # documents
    ("empty-file", "", "LOAD007", 1, 1),
    ("comments-only", "# only\n# comments\n", "LOAD007", 1, 1),
    ("blank-lines", "   \n\n", "LOAD007", 1, 1),
    ("two-documents", "a: 1\n---\nb: 2\n", "LOAD007", 2, 1),
    ("two-explicit-documents", "---\na: 1\n...\n---\nb: 2\n", "LOAD007", 4, 1),
    ("trailing-empty-document", "a: 1\n---\n", "LOAD007", 2, 1),
    # top level
    ("top-level-list", "- a\n- b\n", "LOAD008", 1, 1),
    ("top-level-flow-list", "[a, b]\n", "LOAD008", 1, 1),
    ("top-level-scalar", "hello\n", "LOAD008", 1, 1),
    ("top-level-quoted", "'x'\n", "LOAD008", 1, 1),
    ("top-level-number", "---\n42\n", "LOAD008", 2, 1),
    ("explicit-empty-document", "---\n", "LOAD008", 2, 1),
    # numbers without an exact canonical JSON form
    ("nan", "a: .nan\n", "LOAD010", 1, 4),
    ("nan-caps", "a: .NaN\n", "LOAD010", 1, 4),
    ("inf", "a: .inf\n", "LOAD010", 1, 4),
    ("minus-inf", "a:\n  - -.Inf\n", "LOAD010", 2, 5),
    ("plus-inf", "a: +.INF\n", "LOAD010", 1, 4),
    ("overflow", "a: 1e400\n", "LOAD010", 1, 4),
    ("negative-overflow", "a: -1e400\n", "LOAD010", 1, 4),
    ("5000-digit-int", "a: " + "7" * 5000 + "\n", "LOAD010", 1, 4),
    ("4001-digit-int", "a: -" + "9" * 4001 + "\n", "LOAD010", 1, 4),
    ("huge-hex", "a: 0x" + "f" * 3400 + "\n", "LOAD010", 1, 4),
    # syntax
    ("nested-colon", "a: b: c\n", "LOAD001", 1, 5),
    ("unclosed-flow", "a: [1, 2\n", "LOAD001", 2, 1),
    ("tab-indent", "a:\n\tb: 1\n", "LOAD001", 2, 1),
    ("unterminated-quote", "key: 'unterminated\n", "LOAD001", 2, 1),
    ("bad-indent", "a: 1\n b: 2\n", "LOAD001", 2, 3),
    ("missing-key", ": b\n", "LOAD001", 1, 1),
    ("c1-control", "a: 1\nb: x\u0080y\n", "LOAD001", 2, 5),
    ("delete-char", "a: 1\n\x7f\n", "LOAD001", 2, 1),
    ("escaped-surrogate", 'a: "\\ud800"\n', "LOAD001", 1, 7),
    ("unknown-version", "%YAML 1.3\n---\na: 1\n", "LOAD001", 1, 1),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "col"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused(load_text: LoadText, text: str, code: str, line: int, col: int) -> None:
    result = load_text("artifact.yaml", text)
    assert result.document is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [(code, line, col)]
    finding = result.findings[0]
    assert finding.severity is Severity.ERROR
    assert finding.path == "artifact.yaml"
    assert "\n" not in finding.message and "\r" not in finding.message
    assert finding.message


def test_alias_bomb_is_refused(load_text: LoadText) -> None:
    result = load_text("bomb.yaml", _laughs(9))
    assert result.document is None
    assert result.findings[0].code == "LOAD003"
    assert "&a" in result.findings[0].message


def test_duplicate_keys_are_all_reported(load_text: LoadText) -> None:
    text = "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\na: 4\ne: {f: 1, f: 2}\n"
    result = load_text("dup.yaml", text)
    assert result.document is None
    assert [(f.code, f.line, f.col, f.pointer) for f in result.findings] == [
        ("LOAD002", 5, 3, "/b/c"),
        ("LOAD002", 6, 1, "/a"),
        ("LOAD002", 7, 11, "/e/f"),
    ]
    assert "line 3" in result.findings[0].message
    assert "line 1" in result.findings[1].message
    assert "line 7" in result.findings[2].message


def test_duplicate_then_syntax_error_reports_only_the_error(load_text: LoadText) -> None:
    result = load_text("dup.yaml", "a: 1\na: 2\nb: [\n")
    assert result.document is None
    assert [f.code for f in result.findings] == ["LOAD001"]


def test_quoted_and_tagged_keys_collide(load_text: LoadText) -> None:
    result = load_text("dup.yaml", "'1': a\n!!str 1: b\n")
    assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD002", 2, 1)]


def test_syntax_error_message(load_text: LoadText) -> None:
    result = load_text("bad.yaml", "a: [1, 2\n")
    message = result.findings[0].message
    assert message.startswith("YAML syntax error: ")
    assert "','" in message


def test_pointers_on_refusals(load_text: LoadText) -> None:
    cases = {
        "a:\n  b:\n    - 1\n    - .nan\n": "/a/b/1",
        "a:\n  x/y: !custom 1\n": "/a/x~1y",
        "a:\n  - [1, *x]\n": "/a/0/1",
    }
    for text, pointer in cases.items():
        result = load_text("p.yaml", text)
        assert result.findings[0].pointer == pointer, text


TYPED: list[tuple[str, Any]] = [
    ("1.10", 1.1),
    ("on", "on"),
    ("off", "off"),
    ("yes", "yes"),
    ("no", "no"),
    ("y", "y"),
    ("n", "n"),
    ("010", 10),
    ("0010", 10),
    ("2024-01-01", "2024-01-01"),
    ("12:30", "12:30"),
    ("0x1F", 31),
    ("0x1f", 31),
    ("0X1F", "0X1F"),
    ("0o17", 15),
    ("0b11", "0b11"),
    ("1_000", "1_000"),
    ("+12", 12),
    ("-0", 0),
    ("-7", -7),
    (".5", 0.5),
    ("-.5", -0.5),
    ("+.5e3", 500.0),
    ("1.", 1.0),
    ("1e3", 1000.0),
    ("1E-2", 0.01),
    ("1e-400", 0.0),
    ("~", None),
    ("", None),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("nULL", "nULL"),
    ("true", True),
    ("True", True),
    ("TRUE", True),
    ("tRUE", "tRUE"),
    ("false", False),
    ("False", False),
    ("FALSE", False),
    ("'1'", "1"),
    ('"true"', "true"),
    ("'null'", "null"),
    ("!!str 12", "12"),
    ("!!str true", "true"),
    ("!<tag:yaml.org,2002:str> x", "x"),
    (".inf.x", ".inf.x"),
    ("-x", "-x"),
    ("+x", "+x"),
    ("1.2.3", "1.2.3"),
    ("v1.10", "v1.10"),
    ("|\n  text\n", "text\n"),
    (">-\n  folded\n  text\n", "folded text"),
]


@pytest.mark.parametrize(("raw", "expected"), TYPED, ids=[repr(raw) for raw, _ in TYPED])
def test_core_schema_typing(load_text: LoadText, raw: str, expected: Any) -> None:
    result = load_text("typed.yaml", f"value: {raw}\n")
    assert result.findings == ()
    assert result.document is not None
    value = result.document.data["value"]
    assert value == expected
    assert type(value) is type(expected)


def test_version_loads_as_float(load_text: LoadText) -> None:
    result = load_text("v.yaml", "version: 1.10\n")
    assert result.document is not None
    assert result.document.data == {"version": 1.1}


def test_version_directive_does_not_change_typing(load_text: LoadText) -> None:
    result = load_text("v.yaml", "%YAML 1.1\n---\na: yes\nb: 010\nc: 0x10\n")
    assert result.document is not None
    assert result.document.data == {"a": "yes", "b": 10, "c": 16}


def test_quoted_numeric_keys_are_strings(load_text: LoadText) -> None:
    result = load_text("k.yaml", "'1': a\n\"true\": b\n!!str null: c\n")
    assert result.document is not None
    assert result.document.data == {"1": "a", "true": "b", "null": "c"}


def test_int_digit_limit_is_configurable(load_text: LoadText) -> None:
    assert load_text("i.yaml", "a: 12345\n", Limits(max_int_digits=5)).document is not None
    refused = load_text("i.yaml", "a: 123456\n", Limits(max_int_digits=5))
    assert [(f.code, f.line, f.col) for f in refused.findings] == [("LOAD010", 1, 4)]
    assert "digits" in refused.findings[0].message
    assert load_text("i.yaml", "a: 0x" + "f" * 30 + "\n", Limits(max_int_digits=10)).document is None


@pytest.mark.parametrize(("text", "ok"), [
    ("a: 9007199254740991\n", True),
    ("a: -9007199254740991\n", True),
    ("a: 9007199254740992\n", False),
    ("a: -9007199254740992\n", False),
    ("a: 0x1fffffffffffff\n", True),
    ("a: 0x20000000000000\n", False),
    ("a: '9007199254740992'\n", True),
    ("a: " + "9" * 4000 + "\n", False),
    ("a: 9.0e+15\n", True),
    ("a: 1.0e+16\n", False),
    ("a: -1.0e+300\n", False),
])
def test_integers_must_be_exact_in_canonical_json(load_text: LoadText, text: str,
                                                   ok: bool) -> None:
    result = load_text("i.yaml", text)
    assert (result.document is not None) is ok
    if not ok:
        assert [(f.code, f.line, f.col) for f in result.findings] == [("LOAD010", 1, 4)]


SPEC = """\
apiVersion: rspp.dev/v1alpha1
kind: Pipeline
metadata:
  name: "demo"
  labels: {tier: realtime, "a/b": x}
spec:
  stages:
    - name: vad
      params:
        threshold: 0.5
    - [1, [2, 3]]
  empty: {}
  none:
"""


def _span(span: Span) -> tuple[int, int, int | None, int | None]:
    return (span.line, span.col, span.end_line, span.end_col)


def test_spans(load_text: LoadText) -> None:
    result = load_text("pipelines/demo.yaml", SPEC)
    assert result.findings == ()
    doc = result.document
    assert doc is not None
    assert doc.path == "pipelines/demo.yaml"
    assert doc.syntax == "yaml"
    assert doc.text == SPEC
    assert doc.data == {
        "apiVersion": "rspp.dev/v1alpha1",
        "kind": "Pipeline",
        "metadata": {"name": "demo", "labels": {"tier": "realtime", "a/b": "x"}},
        "spec": {
            "stages": [{"name": "vad", "params": {"threshold": 0.5}}, [1, [2, 3]]],
            "empty": {},
            "none": None,
        },
    }
    spans = {pointer: _span(span) for pointer, span in doc.spans.items()}
    keys = {pointer: _span(span) for pointer, span in doc.key_spans.items()}
    assert spans[""] == (1, 1, 13, 8)
    assert spans["/apiVersion"] == (1, 13, 1, 30)
    assert keys["/apiVersion"] == (1, 1, 1, 11)
    assert spans["/metadata"] == (4, 3, 5, 37)
    assert spans["/metadata/name"] == (4, 9, 4, 15)
    assert keys["/metadata/labels"] == (5, 3, 5, 9)
    assert spans["/metadata/labels"] == (5, 11, 5, 37)
    assert keys["/metadata/labels/a~1b"] == (5, 28, 5, 33)
    assert spans["/metadata/labels/a~1b"] == (5, 35, 5, 36)
    assert keys["/spec/stages"] == (7, 3, 7, 9)
    assert spans["/spec/stages"] == (8, 5, 11, 18)
    assert spans["/spec/stages/0"] == (8, 7, 10, 23)
    assert keys["/spec/stages/0/params/threshold"] == (10, 9, 10, 18)
    assert spans["/spec/stages/0/params/threshold"] == (10, 20, 10, 23)
    assert spans["/spec/stages/1"] == (11, 7, 11, 18)
    assert spans["/spec/stages/1/1"] == (11, 11, 11, 17)
    assert spans["/spec/stages/1/1/0"] == (11, 12, 11, 13)
    assert spans["/spec/empty"] == (12, 10, 12, 12)
    assert keys["/spec/none"] == (13, 3, 13, 7)
    assert spans["/spec/none"][:2] == (13, 8)
    assert doc.span("/spec/stages/0/name") == Span(8, 13, 8, 16)
    assert doc.span("/spec/stages/0/name", key=True) == Span(8, 7, 8, 11)


def test_a_text_that_is_no_json_pointer_is_placed_at_the_start(load_text: LoadText) -> None:
    """A pack's rule may hand back any text as a pointer: it is placed at the document's
    start, and looking it up ends (it once looped for ever on a text without '/')."""
    doc = load_text("pipelines/demo.yaml", SPEC).document
    assert doc is not None
    for pointer in ("x", "spec/stages", "metadata/labels/tier", "~", "#/spec"):
        assert _span(doc.span(pointer)) == _span(doc.span("")), pointer
    assert doc.span("/spec/stages/0/nowhere").line == doc.span("/spec/stages/0").line


def test_every_value_has_a_span(load_text: LoadText) -> None:
    result = load_text("demo.yaml", SPEC)
    assert result.document is not None
    expected = {
        "",
        "/apiVersion",
        "/kind",
        "/metadata",
        "/metadata/name",
        "/metadata/labels",
        "/metadata/labels/tier",
        "/metadata/labels/a~1b",
        "/spec",
        "/spec/stages",
        "/spec/stages/0",
        "/spec/stages/0/name",
        "/spec/stages/0/params",
        "/spec/stages/0/params/threshold",
        "/spec/stages/1",
        "/spec/stages/1/0",
        "/spec/stages/1/1",
        "/spec/stages/1/1/0",
        "/spec/stages/1/1/1",
        "/spec/empty",
        "/spec/none",
    }
    assert set(result.document.spans) == expected
    members = {p for p in expected if p and not p.split("/")[-1].isdigit()}
    assert set(result.document.key_spans) == members


def test_columns_count_characters(load_text: LoadText) -> None:
    result = load_text("u.yaml", "näme: 'wörld'\nß: [é, 😀]\n")
    assert result.document is not None
    assert _span(result.document.spans["/näme"]) == (1, 7, 1, 14)
    assert _span(result.document.spans["/ß/1"]) == (2, 8, 2, 9)
    refused = load_text("u.yaml", "ü: 😀\n😀: .nan\n")
    assert [(f.code, f.line, f.col) for f in refused.findings] == [("LOAD010", 2, 4)]


def test_crlf_line_endings(load_text: LoadText) -> None:
    result = load_text("crlf.yaml", "a: 1\r\nb: [x,\r\n  y]\r\n")
    assert result.document is not None
    assert result.document.data == {"a": 1, "b": ["x", "y"]}
    assert _span(result.document.spans["/b/1"]) == (3, 3, 3, 4)


def test_depth_limit_boundary() -> None:
    def nested(levels: int) -> bytes:
        # root mapping is level 1; each flow sequence adds one
        return ("a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n").encode()

    assert load_bytes(nested(64), "d.yaml", syntax="yaml").document is not None
    refused = load_bytes(nested(65), "d.yaml", syntax="yaml")
    assert [(f.code, f.line, f.col) for f in refused.findings] == [("LOAD009", 1, 67)]
    small = load_bytes(b"a:\n  b:\n    c: 1\n", "d.yaml", syntax="yaml", limits=Limits(max_depth=2))
    assert [(f.code, f.line, f.col) for f in small.findings] == [("LOAD009", 3, 5)]


def test_fallback_parser_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from rspp.load import yaml_strict

    samples = [SPEC, "a: &x 1\n", "1: a\n", "a: [1, 2\n", "a: 1\na: 2\n", "a: x\u0080\n", "a: ~\n"]
    samples.append("a: " + "[" * 2000 + "]" * 2000 + "\n")
    native = [load_bytes(s.encode(), "f.yaml", syntax="yaml") for s in samples]
    monkeypatch.setattr(yaml_strict, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_strict, "_NATIVE", False)
    fallback = [load_bytes(s.encode(), "f.yaml", syntax="yaml") for s in samples]
    for sample, got, want in zip(samples, fallback, native, strict=True):
        assert [(f.code, f.line, f.col) for f in got.findings] == [
            (f.code, f.line, f.col) for f in want.findings
        ], sample[:40]
        if want.document is not None:
            assert got.document is not None
            assert got.document.data == want.document.data
            assert got.document.spans == want.document.spans
            assert got.document.key_spans == want.document.key_spans
