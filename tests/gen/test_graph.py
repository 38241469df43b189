"""Pictures of pipelines (`rspp graph`, rspp.gen.graph): what they show, that the text is
safe for each language, and that Graphviz draws the DOT."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rspp.gen.graph import Edge, Graph, Node, from_spec, from_view, to_dot, to_mermaid
from tests.helpers import REPO_ROOT as EXAMPLES_ROOT
from tests.helpers.cli import rspp

VIEWS = sorted((EXAMPLES_ROOT / "docs/pipelines").glob("*.resolved.json"))
VIEW = "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json"
LIVEKIT = EXAMPLES_ROOT / "docs/pipelines/livekit_voice_assistant_bundle@1.0.0.resolved.json"


def dot_program() -> str:
    found = shutil.which("dot")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz is not installed (.ci/run installs the Debian package "
                        "graphviz)")
        pytest.skip("Graphviz is not installed: apt-get install graphviz")
    return found


def test_a_resolved_view_as_mermaid() -> None:
    text = to_mermaid(from_view(json.loads(LIVEKIT.read_text(encoding="utf-8"))))
    lines = text.splitlines()
    assert lines[:4] == ["---", 'title: "livekit_voice_assistant_bundle@1.0.0"', "---",
                         "flowchart LR"]
    # the module's nodes in a subgraph named by its alias
    start = lines.index('  subgraph m0["norm"]')
    assert lines[start + 1].startswith('    n3["normalize<br/>') and lines[start + 3] == "  end"
    # lanes as edge styles: control thick, telemetry dotted, data solid
    assert '  n1 ==>|"cancel → cancel"| n2' in lines
    assert '  n2 -.->|"metrics → metrics"| n5' in lines
    assert '  n0 -->|"text → transcript"| n2' in lines
    # stand-ins dashed and linked from their primary
    assert "  n10 -. fallback .-> n11" in lines and "  n12 -. degrade .-> n13" in lines
    assert "  class n11,n13 standin" in lines
    # identifiers are generated, never user text
    assert set(re.findall(r"\bn\d+\b", text)) == {f"n{i}" for i in range(16)}


def test_the_same_view_gives_the_same_text() -> None:
    data = json.loads(LIVEKIT.read_text(encoding="utf-8"))
    reordered = json.loads(LIVEKIT.read_text(encoding="utf-8"))
    reordered["spec"]["nodes"].reverse()
    reordered["spec"]["edges"].reverse()
    assert to_mermaid(from_view(data)) == to_mermaid(from_view(reordered))
    assert to_dot(from_view(data)) == to_dot(from_view(reordered))


def test_a_spec_as_written_shows_its_imports_as_modules() -> None:
    import yaml

    spec = yaml.safe_load((EXAMPLES_ROOT / "pipelines/specs/livekit_voice_assistant.yaml")
                          .read_text(encoding="utf-8"))
    picture = from_spec(spec)
    norm = next(n for n in picture.nodes if n.id == "norm")
    assert (norm.role, norm.type) == ("module", "module transcription_normalize@1.0.0")
    assert 'n2[["norm<br/><small>module transcription_normalize@1.0.0</small>"]]' in \
        to_mermaid(picture)
    assert any(e.target == "norm" and e.target_port == "text" for e in picture.edges)


def test_hostile_labels_stay_labels() -> None:
    evil = 'x"] --> y\n%%{init: {}}%% <script>#'
    picture = Graph('t"itle', (Node(evil, 'type"\\', mark="changed"), Node("b", "t")),
                    (Edge(evil, "b", 'p"', "q", "control", mark="added"),))
    mermaid = to_mermaid(picture)
    node = next(line for line in mermaid.splitlines() if line.startswith("  n0["))
    inner = node[len('  n0["'):-len('"]')]
    assert '"' not in inner and "<script>" not in inner and "\n" not in inner
    assert inner.startswith("x#34;#93; --#62; y%%#123;init#58; #123;#125;#125;%% #60;script#62;")
    assert "\n%%" not in mermaid and len(mermaid.splitlines()) == len(to_mermaid(
        Graph("t", (Node("a", "t", mark="changed"), Node("b", "t")),
              (Edge("a", "b", "p", "q", "control", mark="added"),))).splitlines())
    assert "  class n0 changed" in mermaid and "linkStyle 0 stroke:#1a7f37" in mermaid
    dot = to_dot(picture)
    assert 'label="x\\"] --> y%%{init: {}}%% <script>#\\ntype\\"\\\\"' in dot


@pytest.mark.slow
@pytest.mark.parametrize("view", VIEWS, ids=lambda p: p.name)
def test_graphviz_draws_every_example(view: Path) -> None:
    program = dot_program()
    text = to_dot(from_view(json.loads(view.read_text(encoding="utf-8"))))
    done = subprocess.run([program, "-Tsvg"], input=text.encode(), capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"<?xml") and b"<svg" in done.stdout
    assert done.stderr == b""  # no warning either


@pytest.mark.slow
def test_the_command(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(examples)
    run = rspp(capsys, "graph", "sip_telephony_bundle@1.0.0", "--root", root)
    assert run.code == 0 and run.out.splitlines()[3] == "flowchart LR"
    spec = rspp(capsys, "graph", str(examples / "pipelines/specs/sip_telephony_assistant.yaml"),
                "--format", "dot", "--root", root)
    assert spec.code == 0 and spec.out.startswith('digraph "sip_telephony_assistant@1.0.0"')
    view = rspp(capsys, "graph", str(examples / "docs/pipelines/"
                                     "sip_telephony_bundle@1.0.0.resolved.json"), "--root", root)
    assert view.out == run.out  # the view file and the bundle draw the same picture
    bad = rspp(capsys, "graph", "sip_telephony_bundle@1.0.0", "--format", "gif", "--root", root)
    assert bad.code == 2 and "unknown format 'gif'" in bad.err
    not_view = examples / "docs/x.resolved.json"
    not_view.write_text('{"kind": "PipelineSpec"}', encoding="utf-8")
    assert rspp(capsys, "graph", str(not_view), "--root", root).code == 2


@pytest.mark.slow
def test_svg_and_png_through_graphviz(examples: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    dot_program()
    for fmt, magic in (("svg", b"<?xml"), ("png", b"\x89PNG")):
        out = examples / f"picture.{fmt}"
        run = rspp(capsys, "graph", "livekit_voice_assistant_bundle@1.0.0", "--format", fmt,
                   "--out", str(out), "--root", str(examples))
        assert run.code == 0, run.err
        assert out.read_bytes().startswith(magic)


def test_every_bundle_page_carries_its_picture() -> None:
    from markdown_it import MarkdownIt

    for view in VIEWS:
        page = view.with_name(view.name.replace(".resolved.json", ".md")).read_text(
            encoding="utf-8")
        fences = [t for t in MarkdownIt("gfm-like").parse(page)
                  if t.type == "fence" and t.info == "mermaid"]
        assert len(fences) == 1, view.name
        drawn = from_view(json.loads(view.read_text(encoding="utf-8")))
        assert fences[0].content == to_mermaid(Graph("", drawn.nodes, drawn.edges))


@pytest.mark.parametrize("breakage", ["nodes", "spec"])
def test_a_malformed_view_file_is_a_located_error(examples: Path, breakage: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A .resolved.json whose nodes are not a list (or whose spec is not an object) is refused
    with the schema's located finding, never drawn as an empty picture."""
    view = json.loads((examples / VIEW).read_text(encoding="utf-8"))
    if breakage == "nodes":
        view["spec"]["nodes"] = None
    else:
        view["spec"] = []
    bad = examples / "build" / "bad.resolved.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps(view), encoding="utf-8")
    run = rspp(capsys, "graph", str(bad), "--root", str(examples))
    assert run.code == 1 and "flowchart" not in run.out
    assert re.search(r"build/bad\.resolved\.json:1:\d+ SCH001 error: /spec", run.out), run.out


def test_every_committed_view_matches_its_schema(examples: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """What rspp writes under docs/pipelines is what its ResolvedSpec schema describes
    (provenance included): each view draws."""
    for view in sorted((examples / "docs" / "pipelines").glob("*.resolved.json")):
        run = rspp(capsys, "graph", str(view), "--root", str(examples))
        assert run.code == 0, run.out
