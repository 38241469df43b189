"""Source excerpts: bounded windows, carets under the reported characters, the right line."""

from __future__ import annotations

import json
import time
import unicodedata
from pathlib import Path

import pytest

from rspp.load.api import load_bytes
from rspp.load.document import Syntax
from rspp.report import REPORTERS
from rspp.report.excerpt import MARK, WIDTH, SourceLines, excerpt
from rspp.report.result import Report
from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers.repos import copy_rule_base


def _caret_target(shown: str, carets: str) -> str:
    """The shown characters standing above the carets (wide characters: two columns)."""
    first, last = carets.index("^"), len(carets)
    out, column = [], 0
    for char in shown:
        if first <= column < last:
            out.append(char)
        column += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return "".join(out)


def test_short_line_is_whole() -> None:
    assert excerpt("    - id: llm", 11, 14) == ("    - id: llm", "          ^^^")
    assert excerpt("    - id: llm   ", 11) == ("    - id: llm", "          ^^^")
    assert excerpt("   ", 1) is None


def test_caret_stays_under_the_character_after_escapes() -> None:
    shown, carets = excerpt("\tkey:\x1b[31m bad\u202e", 12, 15) or ("", "")
    assert shown == "\\tkey:\\x1b[31m bad\\u202e"
    assert _caret_target(shown, carets) == "bad"


def test_wide_characters_take_two_columns() -> None:
    shown, carets = excerpt("名前: 未知キー: 1", 5, 9) or ("", "")
    assert shown == "名前: 未知キー: 1"
    assert carets == " " * 6 + "^" * 8  # 名前 and 未知キー are two columns a character


def test_column_past_the_end_points_after_the_line() -> None:
    assert excerpt("abc", 4) == ("abc", "   ^")


@pytest.mark.parametrize("fill", ["x", "é", "未", "\t"])
def test_long_line_is_cut_around_the_column(fill: str) -> None:
    line = fill * 200_000 + "TARGET" + fill * 200_000 + "end"
    col = 200_001
    shown, carets = excerpt(line, col, col + 6) or ("", "")
    assert shown.startswith(MARK) and shown.endswith(MARK)
    assert len(shown) <= WIDTH + 10
    assert _caret_target(shown, carets) == "TARGET"
    assert carets.strip() == "^" * 6


def test_long_line_cut_at_its_ends() -> None:
    line = "START" + "y" * 10_000 + "END"
    shown, carets = excerpt(line, 1, 6) or ("", "")
    assert shown.startswith("START") and shown.endswith(MARK) and len(shown) <= WIDTH
    assert carets == "^^^^^"
    shown, carets = excerpt(line, len(line) - 2, len(line) + 1) or ("", "")
    assert shown.startswith(MARK) and shown.endswith("END") and len(shown) <= WIDTH
    assert _caret_target(shown, carets) == "END"
    shown, carets = excerpt(line, 3) or ("", "")  # to the end of a long line: cut carets
    assert len(carets) <= WIDTH and _caret_target(shown, carets).startswith("ART")


@pytest.mark.parametrize(("fmt", "raw", "expected"), [
    # U+2028 and NEL are string content, not line breaks: the finding's line is shown
    ("json", '{\n  "a": "x\u2028y\x85z",\n  "b": 1\n}\n', '  "b": 1'),
    ("json", '{\r\n  "a": 0,\r  "b": 1\r}', '  "b": 1'),
    ("yaml", 'a: "x\u2028y\x85z"\nb: 1\n', "b: 1"),
    ("yaml", "a: 0\rb: 1\r", "b: 1"),
    ("yaml", "# \u2029 \x85\r\nb: 1\r\n", "b: 1"),
])
def test_excerpt_shows_the_line_of_the_finding(fmt: Syntax, raw: str, expected: str) -> None:
    doc = load_bytes(raw.encode(), f"f.{fmt}", syntax=fmt).document
    assert doc is not None
    assert SourceLines({"f": doc}).line("f", doc.span("/b").line) == expected


def _many_findings(tmp_path: Path, count: int, pad: int) -> Report:
    repo = copy_rule_base(tmp_path / "repo")
    spec: dict[str, object] = {"mode": "standard", "budgets": {"turnLatencyMs": 800}}
    spec.update({f"unknown_{i:05d}_" + "x" * pad: i for i in range(count)})
    doc = {"apiVersion": "rspp.dev/v1alpha1", "kind": "ExecutionProfile",
           "metadata": {"id": "big/v1", "version": "1.0.0"}, "spec": spec}
    text = json.dumps(doc, separators=(",", ":"))
    (repo / "pipelines/profiles/big.json").write_text(text, encoding="utf-8")
    return validate(ValidateOptions(root=repo, jobs=1))


def test_report_size_grows_with_findings_not_line_length(tmp_path: Path) -> None:
    """200 unknown keys on one 23 KB line once gave 7 MB of text."""
    result = _many_findings(tmp_path, 200, 100)
    assert len(result.findings) > 200
    started = time.perf_counter()
    rendered = REPORTERS["text"](result)
    elapsed = time.perf_counter() - started
    lines = rendered.splitlines()
    excerpts = [ln for ln in lines if ln.startswith("  1 | ")]
    assert len(excerpts) == len(result.findings)
    assert max(len(ln) for ln in excerpts) <= len("  1 | ") + WIDTH
    assert len(rendered) < 1000 * len(result.findings)
    assert elapsed < 5
