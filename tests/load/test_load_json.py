"""JSON loading: strict RFC 8259 refusals with exact positions, values and spans."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rspp.core.findings import Severity, Span
from rspp.load.api import Limits, LoadResult, load_bytes

LoadText = Callable[..., LoadResult]

REFUSED: list[tuple[str, str, str, int, int]] = [
    # syntax
    ("trailing-comma-object", '{"a": 1,}', "LOAD001", 1, 8),
    ("trailing-comma-array", '{"a": [1, 2,\n]}', "LOAD001", 1, 12),
    ("line-comment", '{\n  "a": 1 // note\n}', "LOAD001", 2, 10),
    ("block-comment", '{/* c */ "a": 1}', "LOAD001", 1, 2),
    ("comment-as-value", '{"a": /* c */ 1}', "LOAD001", 1, 7),
    ("missing-colon", '{"a" 1}', "LOAD001", 1, 6),
    ("missing-comma", '{"a": 1\n "b": 2}', "LOAD001", 2, 2),
    ("missing-comma-array", '{"a": [1 2]}', "LOAD001", 1, 10),
    ("missing-value", '{"a": }', "LOAD001", 1, 7),
    ("empty-member", "{,}", "LOAD001", 1, 2),
    ("single-quotes", "{'a': 1}", "LOAD001", 1, 2),
    ("bare-key", "{a: 1}", "LOAD001", 1, 2),
    ("unclosed-object", '{"a": 1', "LOAD001", 1, 8),
    ("unclosed-array", '{"a": [1, 2', "LOAD001", 1, 12),
    ("unterminated-string", '{"a": "abc', "LOAD001", 1, 7),
    ("bad-escape", '{"a": "\\x41"}', "LOAD001", 1, 8),
    ("raw-tab-in-string", '{"a": "x\ty"}', "LOAD001", 1, 9),
    ("raw-newline-in-string", '{"a": "x\ny"}', "LOAD001", 1, 9),
    ("leading-zero", '{"a": 01}', "LOAD001", 1, 7),
    ("leading-plus", '{"a": +1}', "LOAD001", 1, 7),
    ("bare-dot", '{"a": .5}', "LOAD001", 1, 7),
    ("trailing-dot", '{"a": 1.}', "LOAD001", 1, 8),
    ("hex", '{"a": 0x1F}', "LOAD001", 1, 8),
    ("misspelt-literal", '{"a": tru}', "LOAD001", 1, 7),
    ("python-literal", '{"a": True}', "LOAD001", 1, 7),
    ("lone-surrogate", '{"a": "\\ud800"}', "LOAD001", 1, 7),
    ("lone-low-surrogate", '{\n  "b": ["ok", "x\\udc00y"]\n}', "LOAD001", 2, 15),
    ("surrogate-key", '{"\\udfff": 1}', "LOAD001", 1, 2),
    ("not-json", "key: value", "LOAD001", 1, 1),
    # numbers without an exact canonical JSON form
    ("nan", '{"a": NaN}', "LOAD010", 1, 7),
    ("infinity", '{"a": Infinity}', "LOAD010", 1, 7),
    ("minus-infinity", '{"a": [-Infinity]}', "LOAD010", 1, 8),
    ("overflow", '{\n  "a": [\n    1e400\n  ]\n}', "LOAD010", 3, 5),
    ("5000-digit-int", '{"a": ' + "8" * 5000 + "}", "LOAD010", 1, 7),
    ("4001-digit-negative", '{"a": -' + "8" * 4001 + "}", "LOAD010", 1, 7),
    ("2^53", '{"a": 9007199254740992}', "LOAD010", 1, 7),
    ("float-2^53", '{"a": 1e16}', "LOAD010", 1, 7),
    ("-2^53", '{"a": [1, -9007199254740992]}', "LOAD010", 1, 11),
    # duplicates
    ("duplicate", '{"a": 1, "a": 2}', "LOAD002", 1, 10),
    ("duplicate-nested", '{"x": {"b": 1,\n       "b": 2}}', "LOAD002", 2, 8),
    ("duplicate-escaped", '{"a": 1, "\\u0061": 2}', "LOAD002", 1, 10),
    # documents and top level
    ("empty", "", "LOAD007", 1, 1),
    ("whitespace-only", " \n\t\n", "LOAD007", 1, 1),
    ("two-values", "{} {}", "LOAD007", 1, 4),
    ("trailing-bracket", '{"a": 1}\n]', "LOAD007", 2, 1),
    ("trailing-garbage", '{"a": 1} x', "LOAD007", 1, 10),
    ("top-level-array", "[1, 2]", "LOAD008", 1, 1),
    ("top-level-string", '  "x"', "LOAD008", 1, 3),
    ("top-level-number", "\n42", "LOAD008", 2, 1),
    ("top-level-null", "null", "LOAD008", 1, 1),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "col"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_refused(load_text: LoadText, text: str, code: str, line: int, col: int) -> None:
    result = load_text("artifact.json", text)
    assert result.document is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [(code, line, col)]
    finding = result.findings[0]
    assert finding.severity is Severity.ERROR
    assert finding.path == "artifact.json"
    assert "\n" not in finding.message and "\r" not in finding.message


def test_messages(load_text: LoadText) -> None:
    def message(text: str) -> str:
        return load_text("m.json", text).findings[0].message

    assert "trailing comma" in message('{"a": 1,}')
    assert "comments are not allowed" in message('{"a": 1 // c\n}')
    assert "invalid string" in message('{"a": "\\ud800"}')
    assert "more than one JSON value" in message("{} {}")
    assert "NaN" in message('{"a": NaN}')
    assert message('{"a" 1}').startswith("JSON syntax error: ")


def test_duplicate_keys_are_all_reported(load_text: LoadText) -> None:
    text = '{\n  "a": 1,\n  "b": {"c": 1, "c": 2},\n  "a": 3\n}'
    result = load_text("dup.json", text)
    assert result.document is None
    assert [(f.code, f.line, f.col, f.pointer) for f in result.findings] == [
        ("LOAD002", 3, 17, "/b/c"),
        ("LOAD002", 4, 3, "/a"),
    ]
    assert "line 3" in result.findings[0].message
    assert "line 2" in result.findings[1].message


def test_pointers_on_refusals(load_text: LoadText) -> None:
    result = load_text("p.json", '{"a": {"x/y": [1, NaN]}}')
    assert result.findings[0].pointer == "/a/x~1y/1"


def test_values(load_text: LoadText) -> None:
    text = (
        '{"s": "h\\u00e9\\n", "i": -12, "z": -0, "f": 1.5e3, "g": 1E-2, "t": true,'
        ' "n": null, "e": {}, "l": [], "nested": [[[]]], "emoji": "\\ud83d\\ude00",'
        ' "": "empty key", "del": "\x7f", "big": 9007199254740991, "small": -9007199254740991}'
    )
    result = load_text("v.json", text)
    assert result.findings == ()
    doc = result.document
    assert doc is not None
    assert doc.syntax == "json"
    data = doc.data
    assert data["s"] == "hé\n"
    assert data["i"] == -12 and type(data["i"]) is int
    assert data["z"] == 0 and type(data["z"]) is int
    assert data["f"] == 1500.0 and type(data["f"]) is float
    assert data["g"] == 0.01
    assert data["t"] is True and data["n"] is None
    assert data["e"] == {} and data["l"] == [] and data["nested"] == [[[]]]
    assert data["emoji"] == "😀"
    assert data[""] == "empty key"
    assert data["del"] == "\x7f"
    assert data["big"] == 2**53 - 1 and data["small"] == -(2**53 - 1)
    assert "/" in doc.key_spans


def test_depth_limit_boundary() -> None:
    def nested(levels: int) -> bytes:
        return ('{"a": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}").encode()

    assert load_bytes(nested(64), "d.json", syntax="json").document is not None
    refused = load_bytes(nested(65), "d.json", syntax="json")
    assert [(f.code, f.line, f.col) for f in refused.findings] == [("LOAD009", 1, 70)]
    small = load_bytes(b'{"a": {"b": {}}}', "d.json", syntax="json", limits=Limits(max_depth=2))
    assert [(f.code, f.line, f.col) for f in small.findings] == [("LOAD009", 1, 13)]


SPEC = """\
{
  "apiVersion": "rspp.dev/v1alpha1",
  "metadata": {"name": "demo", "a/b~c": 1},
  "spec": {
    "stages": [
      {"name": "vad", "threshold": 0.5},
      [1, [2, 3]]
    ],
    "empty": {},
    "none": null
  }
}
"""


def _span(span: Span) -> tuple[int, int, int | None, int | None]:
    return (span.line, span.col, span.end_line, span.end_col)


def test_spans(load_text: LoadText) -> None:
    result = load_text("pipelines/demo.json", SPEC)
    assert result.findings == ()
    doc = result.document
    assert doc is not None
    assert doc.path == "pipelines/demo.json"
    assert doc.text == SPEC
    spans = {pointer: _span(span) for pointer, span in doc.spans.items()}
    keys = {pointer: _span(span) for pointer, span in doc.key_spans.items()}
    assert spans[""] == (1, 1, 12, 2)
    assert keys["/apiVersion"] == (2, 3, 2, 15)
    assert spans["/apiVersion"] == (2, 17, 2, 36)
    assert spans["/metadata"] == (3, 15, 3, 43)
    assert keys["/metadata/a~1b~0c"] == (3, 32, 3, 39)
    assert spans["/metadata/a~1b~0c"] == (3, 41, 3, 42)
    assert spans["/spec"] == (4, 11, 11, 4)
    assert spans["/spec/stages"] == (5, 15, 8, 6)
    assert spans["/spec/stages/0"] == (6, 7, 6, 40)
    assert spans["/spec/stages/0/threshold"] == (6, 36, 6, 39)
    assert spans["/spec/stages/1"] == (7, 7, 7, 18)
    assert spans["/spec/stages/1/1/1"] == (7, 15, 7, 16)
    assert spans["/spec/empty"] == (9, 14, 9, 16)
    assert spans["/spec/none"] == (10, 13, 10, 17)
    assert set(doc.spans) == {
        "",
        "/apiVersion",
        "/metadata",
        "/metadata/name",
        "/metadata/a~1b~0c",
        "/spec",
        "/spec/stages",
        "/spec/stages/0",
        "/spec/stages/0/name",
        "/spec/stages/0/threshold",
        "/spec/stages/1",
        "/spec/stages/1/0",
        "/spec/stages/1/1",
        "/spec/stages/1/1/0",
        "/spec/stages/1/1/1",
        "/spec/empty",
        "/spec/none",
    }


def test_columns_count_characters(load_text: LoadText) -> None:
    result = load_text("u.json", '{"ä😀": "ö", "b": [1, "é", 2]}')
    assert result.document is not None
    assert _span(result.document.key_spans["/ä😀"]) == (1, 2, 1, 6)
    assert _span(result.document.spans["/b/2"]) == (1, 27, 1, 28)


def test_crlf_and_utf8_bom(load_text: LoadText) -> None:
    result = load_text("c.json", b'\xef\xbb\xbf{\r\n  "a": [1,\r\n  2]\r\n}\r\n')
    assert result.document is not None
    assert result.document.data == {"a": [1, 2]}
    assert _span(result.document.spans["/a/1"]) == (3, 3, 3, 4)
    assert _span(result.document.key_spans["/a"]) == (2, 3, 2, 6)
