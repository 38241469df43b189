"""The Mermaid text rspp draws (rspp.gen.graph), read by Mermaid itself (ADR 0009).

Mermaid's parser (tests/js/parse.mjs, under jsdom) reads every picture of the examples and
pictures built to hold every drawing feature and hostile text; what it understood (nodes,
labels, edges, lanes, classes, subgraphs) is compared with the graph drawn. mermaid-cli with
Debian's chromium renders a plain picture and a review-marked one. Without node, the packages
of tests/js or chromium these tests skip, and fail under CI (tests/helpers/mermaid.py).
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from rspp.gen.graph import LANES, Edge, Graph, Mark, Node, from_spec, from_view, to_mermaid
from tests.helpers import REPO_ROOT
from tests.helpers.mermaid import Shape, parse_errors, render, require_mermaid, shapes

pytestmark = pytest.mark.slow

VIEWS = sorted((REPO_ROOT / "docs/pipelines").glob("*.resolved.json"))
SPECS = sorted(p for p in (REPO_ROOT / "pipelines").rglob("*.yaml")
               if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind")
               in ("PipelineSpec", "Module"))
LIVEKIT = REPO_ROOT / "docs/pipelines/livekit_voice_assistant_bundle@1.0.0.resolved.json"
STROKE = {"data": "normal", "control": "thick", "telemetry": "dotted"}  # Mermaid's names
MARK_COLOURS = {"added": ("#dafbe1", "#1a7f37"), "removed": ("#ffebe9", "#cf222e"),
                "changed": ("#fff8c5", "#9a6700")}  # fill, stroke (GitHub's Primer colours)


@pytest.fixture(autouse=True)
def _mermaid() -> None:
    require_mermaid()


def _visible(text: str) -> str:
    """What a label shows of ``text``: control characters (newlines too) are dropped."""
    return "".join(c for c in text if c.isprintable())


def _drawn_edges(graph: Graph) -> Iterator[Edge]:
    ids = {n.id for n in graph.nodes}
    return (e for e in graph.edges if e.source in ids and e.target in ids)


def assert_reads_as(graph: Graph, shape: Shape) -> None:
    """Mermaid understood the picture of ``graph`` as drawn: one node per node (generated
    ids, the name and type as text, only the label's own elements, its stand-in and review
    classes), one edge per edge in order (lane as stroke, ports as text, a marked edge
    coloured), one subgraph per module holding its nodes."""
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    assert shape.type == "flowchart-v2"
    read_by_id = {n.id: n for n in shape.nodes}  # in the order they appear in the text
    assert sorted(read_by_id) == sorted(ids.values()) and len(shape.nodes) == len(ids)
    for node in graph.nodes:
        read = read_by_id[ids[node.id]]
        name = node.id.rpartition("/")[2] if node.module else node.id
        assert read.text == _visible(name) + _visible(node.type), (node, read)
        assert read.tags == ("br", "small"), (node, read)
        standin = ("standin",) if node.role in ("fallback", "degrade") else ()
        assert read.classes == standin + ((node.mark,) if node.mark else ()), (node, read)
    drawn = list(_drawn_edges(graph))
    assert len(shape.edges) == len(drawn)
    for edge, got in zip(drawn, shape.edges, strict=True):
        assert (got.start, got.end) == (ids[edge.source], ids[edge.target]), (edge, got)
        if edge.relation:
            assert (got.stroke, got.text) == ("dotted", edge.relation), (edge, got)
        else:
            ports = f"{edge.source_port} → {edge.target_port}".strip(" →")
            assert (got.stroke, got.text) == (STROKE.get(edge.lane, "normal"),
                                              _visible(ports)), (edge, got)
        colour = f"stroke:{MARK_COLOURS[edge.mark][1]}" if edge.mark else None
        assert (colour in got.style) if colour else got.style == (), (edge, got)
    modules = sorted({n.module for n in graph.nodes if n.module})
    assert [(s.title, set(s.nodes)) for s in shape.subgraphs] == [
        (_visible(m), {ids[n.id] for n in graph.nodes if n.module == m}) for m in modules]


def example_graphs() -> list[tuple[str, Graph]]:
    """Every picture the examples give: each bundle's resolved view (as ``rspp graph`` and as
    its page draw it) and each spec and module under pipelines/ as written."""
    graphs = []
    for view in VIEWS:
        graph = from_view(json.loads(view.read_text(encoding="utf-8")))
        graphs += [(view.name, graph), (f"{view.name} (page)", replace(graph, title=""))]
    graphs += [(str(spec.relative_to(REPO_ROOT)),
                from_spec(yaml.safe_load(spec.read_text(encoding="utf-8")))) for spec in SPECS]
    return graphs


def test_every_example_picture_reads_as_drawn() -> None:
    graphs = example_graphs()
    assert len(VIEWS) >= 3 and len(SPECS) >= 4  # the examples are there to be drawn
    assert any(n.module for _, g in graphs for n in g.nodes)
    assert any(n.role == "module" for _, g in graphs for n in g.nodes)
    assert any(n.role == "fallback" for _, g in graphs for n in g.nodes)
    charts = [to_mermaid(graph) for _, graph in graphs]
    errors = parse_errors(charts)
    assert [(name, e) for (name, _), e in zip(graphs, errors, strict=True) if e] == []
    for (name, graph), shape in zip(graphs, shapes(charts), strict=True):
        try:
            assert_reads_as(graph, shape)
        except AssertionError as failure:
            raise AssertionError(f"{name}: {failure}") from failure


def every_feature() -> Graph:
    """A picture with every drawing feature: two modules (subgraphs), a module import
    (``[[...]]``), fallback and degrade stand-ins, all three lanes, every review mark on nodes
    and edges, an unknown lane drawn as data, an edge to a node not in the graph (left out)."""
    nodes = (
        Node("asr/stt", "stt.deepgram", module="asr", mark="changed"),
        Node("asr/stt_backup", "stt.openai", "fallback", module="asr", mark="added"),
        Node("llm", "llm.openai"),
        Node("norm", "module transcription_normalize@1.0.0", "module"),
        Node("out/tts", "tts.cartesia", module="out"),
        Node("out/tts_lite", "tts.piper", "degrade", module="out", mark="removed"),
        Node("otel", "metrics.otel_exporter", mark="added"),
        Node("turn", "turn.detector"),
    )
    edges = (
        Edge("asr/stt", "asr/stt_backup", relation="fallback", mark="added"),
        Edge("asr/stt", "norm", "transcript", "text"),
        Edge("llm", "otel", "metrics", "metrics", "telemetry", mark="added"),
        Edge("llm", "out/tts", "text", "text", mark="changed"),
        Edge("norm", "llm", "text", "transcript", "data"),
        Edge("norm", "turn", "", "", "sideband"),
        Edge("out/tts", "out/tts_lite", relation="degrade", mark="removed"),
        Edge("turn", "ghost", "turn", "turn", "control"),
        Edge("turn", "llm", "turn", "turn", "control", mark="removed"),
    )
    return Graph("every feature@1.0.0", nodes, edges)


def test_every_mark_stand_in_module_and_lane_reads_as_drawn() -> None:
    graph = every_feature()
    chart = to_mermaid(graph)
    assert "linkStyle" in chart and "[[" in chart and "subgraph m1" in chart
    assert "  class m0,m1 module" in chart  # module boxes clear, not Mermaid's pale yellow
    [shape] = shapes([chart])
    assert_reads_as(graph, shape)
    assert {e.stroke for e in shape.edges} == {"normal", "thick", "dotted"}
    assert len(shape.edges) == len(graph.edges) - 1  # the edge to "ghost" is not drawn


HOSTILE = (
    'say "hi"', "x\"] --> evil[\"", "#quot; #35; &amp; ##", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "`**bold**`", "end", "subgraph", "click n0 call alert()",
    "a:::added", "%%{init: {'theme': 'dark'}}%%", "line\nbreak\r\n%% comment",
    "日本語 → émigré 🎙", "a|b|c {x} [y] (z)", "tab\there;semi", "\\back\\slash", "\u2028sep",
)


def hostile() -> Graph:
    """Every hostile text as a node id, a type, a module name, a port and the title."""
    nodes = [Node(f"{t}/n{i}" if i % 3 == 0 else t, HOSTILE[-1 - i], module=t if i % 3 == 0
                  else "") for i, t in enumerate(HOSTILE)]
    nodes.sort(key=lambda n: n.id)
    edges = [Edge(a.id, b.id, HOSTILE[i], HOSTILE[-1 - i], LANES[i % 3])
             for i, (a, b) in enumerate(pairwise(nodes))]
    return Graph(" ".join(HOSTILE), tuple(nodes), tuple(edges))


def test_hostile_text_stays_text() -> None:
    graph = hostile()
    chart = to_mermaid(graph)
    [shape] = shapes([chart])
    assert_reads_as(graph, shape)  # no extra node, edge, subgraph, class or element
    assert "<script>alert(1)</script>" in {s.title for s in shape.subgraphs}
    assert any(n.text.startswith("<img src=x onerror=alert(1)>") for n in shape.nodes)
    # Without the escaping, the same picture does not even parse: this test can fail.
    naive = chart.replace("#34;", '"').replace("#91;", "[").replace("#93;", "]")
    assert parse_errors([naive]) != [None]


BROKEN = {
    "subgraph without end": "flowchart LR\n  subgraph m0\n    n0\n",
    "stray end": "flowchart LR\n  n0 --> n1\n  end\n",
    "bad arrow": "flowchart LR\n  n0 -=> n1\n",
    "unclosed label": 'flowchart LR\n  n0["open --> n1\n',
    "two closing brackets": 'flowchart LR\n  n0["a"]]\n',
    "unknown statement": "flowchart LR\n  frobnicate n0 n1\n",
    "linkStyle past the last edge": "flowchart LR\n  n0 --> n1\n  linkStyle 1 stroke:red\n",
    "no diagram type": "flowchrt LR\n  n0 --> n1\n",
    "empty": "",
    "broken front matter": '---\ntitle: "a \\q"\n---\nflowchart LR\n  n0\n',
}


def test_broken_charts_are_rejected() -> None:
    good = to_mermaid(every_feature())
    errors = parse_errors([good, *BROKEN.values(), good])
    assert errors[0] is None and errors[-1] is None  # one bad chart spoils no other
    rejected = dict(zip(BROKEN, errors[1:-1], strict=True))
    assert [name for name, error in rejected.items() if not error] == []
    assert re.match(r"Parse error on line 3:", rejected["stray end"] or "")
    with pytest.raises(AssertionError, match="chart 1 does not parse"):
        shapes([good, BROKEN["bad arrow"]])


# ------------------------------------------------------------------------------ rendering


def _svg_text(svg: str) -> str:
    """The text an SVG shows, tags removed and XML entities read."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", svg))


def test_a_plain_pipeline_renders_to_svg(tmp_path: Path) -> None:
    graph = from_view(json.loads(LIVEKIT.read_text(encoding="utf-8")))
    out = tmp_path / "livekit.svg"
    render(to_mermaid(graph), out)
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'aria-roledescription="flowchart-v2"' in svg
    shown = _svg_text(svg)
    assert graph.title in shown and "norm" in shown  # the title and the module's box
    for node in graph.nodes:
        assert node.id.rpartition("/")[2] in shown and node.type in shown, node
    assert "cancel → cancel" in shown  # a port label
    assert "stroke-dasharray:5 4" in svg  # the stand-ins' dashed border


def review_marked() -> Graph:
    """The livekit bundle as a review would show a change: a fallback added, a node removed
    (with its edge), a node and an edge changed; the title holds quotes and a script tag."""
    graph = from_view(json.loads(LIVEKIT.read_text(encoding="utf-8")))
    marks: dict[str, Mark] = {"stt_fallback": "added", "sentiment": "removed",
                              "tts": "changed"}
    nodes = tuple(replace(n, mark=marks.get(n.id, "")) for n in graph.nodes)
    edges = tuple(replace(e, mark="removed") if e.target == "sentiment" else
                  replace(e, mark="changed") if (e.source, e.target) == ("llm", "tts") else
                  replace(e, mark="added") if e.target == "stt_fallback" else e
                  for e in graph.edges)
    return Graph('review of "livekit" #1 \\ <script>x</script>', nodes, edges)


def test_a_review_marked_picture_renders_to_svg_and_png(tmp_path: Path) -> None:
    graph = review_marked()
    chart = to_mermaid(graph)
    svg_out, png_out = tmp_path / "review.svg", tmp_path / "review.png"
    render(chart, svg_out)
    svg = svg_out.read_text(encoding="utf-8")
    shown = _svg_text(svg)
    # The title is plain text: quotes and backslashes shown; Mermaid's sanitizer drops tags.
    assert 'review of "livekit" #1 \\ ' in shown and "<script" not in svg.lower()
    for node in graph.nodes:
        assert node.id.rpartition("/")[2] in shown, node
    for mark, (fill, stroke) in MARK_COLOURS.items():
        # a marked node carries its class and the class's style; a marked edge its colour
        assert re.search(rf'class="node default[^"]*\b{mark}"', svg), mark
        assert re.search(rf'style="[^"]*fill:{fill} !important;stroke:{stroke} ', svg), mark
        assert re.search(rf'flowchart-link" style="stroke:{stroke};stroke-width:3px', svg), mark
    assert 'class="node default standin added"' in svg  # the added fallback, dashed
    render(chart, png_out)
    png = png_out.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 1000 and height > 250 and len(png) > 50_000, (width, height, len(png))
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        render(chart, tmp_path / "review.pdf")
