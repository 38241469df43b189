"""Generated pages quote artifact data as text: no value can inject a link, HTML, emphasis, or
break a table. Pages are parsed with a real GitHub-flavoured Markdown parser (tables, bare-URL
autolinks, strikethrough) and checked token by token."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from rspp.core.markdown import code, render_page, text, visible
from tests.helpers import REPO_ROOT
from tests.helpers.cli import rspp
from tests.helpers.files import read
from tests.helpers.repos import SIP_VIEW

HOSTILE = [
    "pkg:pypi/__init__@1.0.0?x=~~struck~~&y=_em_",
    "a | b || c",
    "back\\|slash pipe",
    "`tick` and ``two`` and ```",
    "`",
    " leading and trailing ",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example) ![img](https://evil.example/x.png)",
    "https://evil.example www.evil.example mail@evil.example",
    "&amp; &#60; &lt;",
    "*star* **strong** _under_",
    "line one\nline two\r\nthree\rfour\tfive",
    "# heading\n- item\n> quote\n---",
    "bell\x07 nul\x00 del\x7f c1\x85 bidi\u202e zwsp\u200b ls\u2028 ps\u2029",
    "trailing backslash\\",
    "emoji \U0001f600 and e\u0301",
]
LINKS = ("link_open", "image", "html_inline", "html_block", "em_open", "strong_open", "s_open",
         "bullet_list_open", "ordered_list_open", "blockquote_open", "hr", "fence",
         "code_block")


def _md() -> MarkdownIt:
    return MarkdownIt("gfm-like")


def _walk(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        out.append(token)
        out.extend(_walk(token.children or []))
    return out


def _tables(tokens: list[Token]) -> list[list[list[list[Token]]]]:
    """Tables -> rows -> cells -> the inline tokens of each cell."""
    tables: list[list[list[list[Token]]]] = []
    cell: list[Token] | None = None
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("td_open", "th_open"):
            cell = []
            tables[-1][-1].append(cell)
        elif token.type in ("td_close", "th_close"):
            cell = None
        elif token.type == "inline" and cell is not None:
            cell.extend(token.children or [])
    return tables


def _hostile_view() -> dict[str, Any]:
    view: dict[str, Any] = json.loads(read(REPO_ROOT, SIP_VIEW))
    body = view["spec"]
    for i, node in enumerate(body["nodes"]):
        node["id"] = HOSTILE[i % len(HOSTILE)]
        node["type"] = HOSTILE[(i + 1) % len(HOSTILE)]
        node.setdefault("package", {})["impl"] = HOSTILE[(i + 2) % len(HOSTILE)]
        node["executionMode"] = HOSTILE[(i + 3) % len(HOSTILE)]
    for i, edge in enumerate(body["edges"]):
        edge["from"], edge["lane"] = HOSTILE[i % len(HOSTILE)], HOSTILE[(i + 4) % len(HOSTILE)]
        edge["buffer"]["shedding"] = HOSTILE[(i + 5) % len(HOSTILE)]
    body["bundle"] = HOSTILE[0] + "\n# injected"
    body["mode"] = HOSTILE[3]
    body["budgets"] = {h: i for i, h in enumerate(HOSTILE)}
    return view


def test_hostile_values_stay_text_in_every_table_cell() -> None:
    view = _hostile_view()
    page = render_page(view)
    tokens = _md().parse(page)
    found = {t.type for t in _walk(tokens)}
    assert not found & set(LINKS), found & set(LINKS)
    tables = _tables(tokens)
    assert [len(rows[0]) for rows in tables] == [2, 2, 5, 5]
    for rows in tables:
        assert all(len(r) == len(rows[0]) for r in rows)
    nodes, edges = tables[2][1:], tables[3][1:]
    body = view["spec"]
    for cells, node in zip(nodes, body["nodes"], strict=True):
        spans = [[t.content for t in c if t.type == "code_inline"] for c in cells]
        assert spans[0] == [visible(node["id"])]
        assert spans[1] == [visible(node["type"])]
        assert spans[3] == [visible(node["executionMode"])]
        assert spans[4] == [visible(node["package"]["impl"])]
        # Nothing outside the spans but the cell's own spacing.
        assert all(t.type == "code_inline" for c in cells for t in c)
    for cells, edge in zip(edges, body["edges"], strict=True):
        assert [t.content for t in cells[0]] == [visible(edge["from"])]
        assert [t.content for t in cells[3]] == [visible(edge["lane"])]
    budgets = tables[1][1:]
    assert [next(t.content for t in c if t.type == "code_inline") for c, *_ in budgets] == \
        sorted(visible(h) for h in HOSTILE)
    # The heading is one line: the injected heading stays in it.
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [t.tag for t in headings] == ["h1", "h2", "h2"]


def test_the_example_pages_render_their_values_unchanged() -> None:
    view = json.loads(read(REPO_ROOT, SIP_VIEW))
    tables = _tables(_md().parse(render_page(view)))
    impls = [[t.content for t in cells[4]] for cells in tables[2][1:]]
    assert impls == [[n["package"]["impl"]] if n.get("package") else []
                     for n in view["spec"]["nodes"]]


@pytest.mark.parametrize("value", HOSTILE)
def test_code_and_text_render_exactly_their_characters(value: str) -> None:
    md = _md()
    shown = visible(value)
    assert "\n" not in shown and "\r" not in shown
    inline = md.parseInline(f"x {code(value)} y")[0].children or []
    assert [t.content for t in inline if t.type == "code_inline"] == [shown]
    plain = md.parseInline(text(value))[0].children or []
    assert {t.type for t in plain} == {"text"}
    assert "".join(t.content for t in plain) == shown
    in_table = md.parse(f"| a |\n| --- |\n| {code(value, cell=True)} |\n| {text(value)} |\n")
    rows = _tables(in_table)[0]
    assert [[t.content for t in c if t.type == "code_inline"] for c in rows[1]] == [[shown]]
    assert ["".join(t.content for t in c) for c in rows[2]] == [shown]


def test_control_and_format_characters_are_shown_not_hidden() -> None:
    assert visible("a\x07b\u202ec\u200bd\U000e0001") == "a\\u0007b\\u202ec\\u200bd\\U000e0001"
    assert visible("a\r\nb\nc\rd\te\u2028f") == "a b c d e\\u2028f"
    assert code("") == "" and code("`") == "`` ` ``" and code(" x") == "`  x `"


def test_a_hostile_package_impl_in_a_real_repository(capsys: pytest.CaptureFixture[str],
                                                     examples: Path) -> None:
    """A package URL that is valid and reads as Markdown (`__init__` is bold, `~~x~~` struck
    through) is quoted as written on the page `rspp build` writes."""
    impl = "pkg:pypi/acme/__init__@0.4.1?x=~~struck~~&y=_em_"
    for rel in ("pipelines/extensions/custom_sentiment_node.yaml",
                "pipelines/bundles/livekit_voice_assistant_bundle.json"):
        path = examples / rel
        original = path.read_text(encoding="utf-8")
        assert "pkg:pypi/acme-voice-sentiment@0.4.1" in original
        path.write_text(original.replace("pkg:pypi/acme-voice-sentiment@0.4.1", impl),
                        encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(examples)).code == 0
    page = read(examples, "docs/pipelines/livekit_voice_assistant_bundle@1.0.0.md")
    tokens = _md().parse(page.split("\n---\n", 1)[1])
    # the one fence is the page's picture (rspp.gen.graph.page_section), nothing else
    pictures = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in pictures] == ["mermaid"]
    assert not {t.type for t in _walk(tokens) if t not in pictures} & set(LINKS)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2", "h2"]
    cells = [c for row in _tables(tokens)[2][1:] for c in row]
    assert [[impl]] == [[t.content for t in c] for c in cells if any(
        impl in t.content for t in c)]


def test_render_page_does_not_change_its_input() -> None:
    view = _hostile_view()
    before = copy.deepcopy(view)
    render_page(view)
    assert view == before
