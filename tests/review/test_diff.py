"""`rspp diff`: what a reviewer relies on besides the golden renderings — exit codes, the
base, the output file, a large pipeline collapsed, the comment size limit, values that must
stay text, and where a value came from."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rspp.compat.changes import Dependents
from rspp.compat.versions import MODES
from rspp.core.jsontypes import JsonValue
from rspp.review import render
from rspp.review.diff import GROUPS, Item, PipelineDiff, Review, compare_views, marked_graph
from tests.helpers.cli import rspp
from tests.helpers.files import read, write
from tests.helpers.repos import new_version
from tests.helpers.review import SPEC, buffer_resize, new_fallback

TODAY = "2026-11-30"
BACKWARD = MODES["BACKWARD"]


def _diff(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Any:
    return rspp(capsys, "diff", "--root", str(root), "--today", TODAY, *args)


# --------------------------------------------------------------------------- the command
@pytest.mark.slow
def test_nothing_new_passes(capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "json")
    assert run.code == 0, run.out
    doc = json.loads(run.out)
    assert (doc["verdict"], doc["ok"], doc["versions"], doc["pipelines"]) == \
        ("unchanged", True, [], [])


@pytest.mark.slow
def test_default_base_is_the_last_commit(capsys: pytest.CaptureFixture[str],
                                         example_git_repo: Path) -> None:
    """Without --against the uncommitted changes are compared with HEAD."""
    buffer_resize(example_git_repo)
    run = _diff(capsys, example_git_repo)
    assert run.code == 0, run.out
    assert run.out.startswith("rspp diff against HEAD (")
    assert "room_in.audio -> resample.audio: capacity 500 -> 800 (from spec line " in run.out


@pytest.mark.slow
def test_a_bump_too_small_fails(capsys: pytest.CaptureFixture[str],
                                example_git_repo: Path) -> None:
    new_fallback(example_git_repo)
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "markdown")
    assert run.code == 1
    assert run.out.startswith(render.MARKER + "\n## rspp diff: fails: 1 version(s) need")
    assert "❌ bump too small" in run.out


@pytest.mark.slow
def test_errors_never_read_green(capsys: pytest.CaptureFixture[str],
                                 example_git_repo: Path) -> None:
    """A change whose new bundle cannot be resolved lists the errors and fails."""
    buffer_resize(example_git_repo)
    bundle = "pipelines/bundles/livekit_voice_assistant_bundle_1_1_0.json"
    write(example_git_repo, bundle, read(example_git_repo, bundle).replace(
        '"type": "stt.deepgram"', '"type": "stt.deepgramm"'))
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert doc["ok"] is False and doc["errors"]
    assert all(re.match(r"\S+:\d+:\d+ [A-Z]+\d{3} ", e) for e in doc["errors"])


@pytest.mark.slow
def test_unknown_base_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                       example_git_repo: Path) -> None:
    run = _diff(capsys, example_git_repo, "--against", "no-such-branch", "--no-fetch")
    assert run.code == 2
    assert run.out == "" and len(run.err.strip().splitlines()) == 1
    assert "no-such-branch" in run.err and "Traceback" not in run.err


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                         examples: Path) -> None:
    run = _diff(capsys, examples, "--format", "html")
    assert run.code == 2 and "unknown format 'html'" in run.err


@pytest.mark.slow
def test_out_writes_inside_the_repository_only(capsys: pytest.CaptureFixture[str],
                                               example_git_repo: Path,
                                               tmp_path: Path) -> None:
    buffer_resize(example_git_repo)
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "markdown",
                "--out", str(example_git_repo / "review.md"))
    assert run.code == 0 and run.out == ""
    assert (example_git_repo / "review.md").read_text(encoding="utf-8").startswith(
        render.MARKER)
    outside = tmp_path / "outside.md"
    run = _diff(capsys, example_git_repo, "--against", "main", "--out", str(outside))
    assert run.code == 2 and not outside.exists()


@pytest.mark.slow
def test_same_inputs_same_bytes(capsys: pytest.CaptureFixture[str],
                                example_git_repo: Path) -> None:
    buffer_resize(example_git_repo)
    runs = [_diff(capsys, example_git_repo, "--against", "main", "--format", fmt).out
            for fmt in ("json", "json", "markdown", "markdown")]
    assert runs[0] == runs[1] and runs[2] == runs[3]


@pytest.mark.slow
def test_where_a_value_came_from(capsys: pytest.CaptureFixture[str],
                                 example_git_repo: Path) -> None:
    """An edge's own buffer removed: its values now come from the profile, and the diff says
    so, naming the spec line they were written on (issue 12's example)."""
    root = example_git_repo
    new = SPEC.replace(".yaml", "_1_1.yaml")
    new_version(root, SPEC, new, "1.1.0")
    text = read(root, new)
    block = ("      buffer:\n        capacity: 3000\n        lowWatermark: 500\n"
             "        highWatermark: 2500\n")
    line = text[:text.index(block)].count("\n") + 2  # the capacity line
    write(root, new, text.replace(block, ""))
    run = _diff(capsys, root, "--against", "main")
    assert run.code == 1  # a buffer below the old high watermark: breaking, bump too small
    assert ("tts.audio -> room_out.audio: capacity 3000 -> 256 (from profile "
            f"simple/v1@1.0.0, was spec line {line})") in run.out


# --------------------------------------------------------------------------- the library
def _pipeline(size: int, casing: str = "sentence") -> dict[str, JsonValue]:
    nodes: list[JsonValue] = [{"id": f"node{i:03}", "type": "text.normalize",
                               "params": {"casing": casing}} for i in range(size)]
    edges: list[JsonValue] = [{"from": f"node{i:03}.text", "to": f"node{i + 1:03}.text",
                               "lane": "data"} for i in range(size - 1)]
    return {"mode": "standard", "nodes": nodes, "edges": edges}


def test_a_large_pipeline_draws_only_what_changed() -> None:
    old = _pipeline(200)
    new = json.loads(json.dumps(old))
    new["nodes"][100]["params"]["casing"] = "lower"
    items = compare_views("PipelineSpec", old, new, BACKWARD, Dependents())
    assert [(i.group, i.name, i.old, i.new) for i in items] == \
        [("node", "node100.casing", "sentence", "lower")]
    graph, total, omitted = marked_graph(old, new, items)
    assert (total, omitted) == (200, 197)
    assert [(n.id, n.mark) for n in graph.nodes] == \
        [("node099", ""), ("node100", "changed"), ("node101", "")]


def test_nodes_and_edges_are_matched_by_identity_not_position() -> None:
    old = _pipeline(5)
    new = json.loads(json.dumps(old))
    new["nodes"].reverse()
    new["edges"].reverse()
    assert compare_views("PipelineSpec", old, new, BACKWARD, Dependents()) == []


def _item(n: int) -> Item:
    return Item("node", f"node{n}", "casing", "changed", "sentence", "lower", "spec line 1",
                "spec line 1", "CHG016", "compatible", "minor")


def _review(pipelines: int, items: int, size: int) -> Review:
    old, new = _pipeline(size), _pipeline(size, "lower")
    graph, total, omitted = marked_graph(old, new, [_item(n) for n in range(size)])
    return Review("main (0123456789ab)", (), tuple(
        PipelineDiff("PipelineBundle", f"bundle{p}@1.0.0", f"bundle{p}@1.1.0", "new version",
                     "FULL", (), tuple(_item(n) for n in range(items)), graph, total, omitted)
        for p in range(pipelines)))


@pytest.mark.parametrize(("pipelines", "items", "size"),
                         [(40, 20, 30), (3, 5000, 200), (1, 10, 2000)])
def test_markdown_stays_under_the_comment_limit(pipelines: int, items: int,
                                                size: int) -> None:
    """Never above the limit, never a section or a Mermaid fence cut in half; what is left
    out is said."""
    from markdown_it import MarkdownIt

    out = render.markdown(_review(pipelines, items, size))
    assert len(out) <= render.MARKDOWN_LIMIT
    assert out.count("<details") == out.count("</details>")
    fences = [t for t in MarkdownIt("gfm-like").parse(out) if t.type == "fence"]
    assert all(t.info == "mermaid" and t.content.startswith("flowchart LR") for t in fences)
    assert out.count("```mermaid") == len(fences)
    listed = out.count("\n- `node")
    assert listed < pipelines * items or "left out" in out or "not listed" in out


def test_a_small_review_is_whole() -> None:
    out = render.markdown(_review(2, 3, 4))
    assert "left out" not in out and "not listed" not in out
    assert out.count("```mermaid") == 2 and out.count("\n- `node") == 6


def test_values_stay_text_in_the_comment() -> None:
    """A parameter value can hold anything an author writes; in the comment it is text."""
    from markdown_it import MarkdownIt

    evil = "</details><script>alert(1)</script>``` <!-- x"
    old = _pipeline(2)
    new = json.loads(json.dumps(old))
    new["nodes"][0]["params"]["casing"] = evil
    items = compare_views("PipelineSpec", old, new, BACKWARD, Dependents())
    graph, total, omitted = marked_graph(old, new, items)
    review = Review("main", (), (PipelineDiff("PipelineSpec", "a</summary>@1", "a@2", evil,
                                              "BACKWARD", (), tuple(items), graph, total,
                                              omitted),))
    html = MarkdownIt("commonmark", {"html": True}).render(render.markdown(review))
    assert "<script>" not in html and "</summary>@1" not in html
    assert html.count("</details>") == 1


def test_every_group_has_a_heading() -> None:
    assert set(GROUPS) <= set(render._HEADINGS)


@pytest.mark.slow
def test_an_edit_in_place_fails_and_shows_what_it_changes(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """A published module edited in place: the gate's IMM001 fails the diff, and the bundle
    whose resolved view the edit changes is shown with the change."""
    from tests.helpers.files import edit
    from tests.helpers.review import MODULE

    edit(example_git_repo, MODULE, "casing: sentence", "casing: lower")
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert any(" IMM001 " in e for e in doc["errors"])
    [pipeline] = doc["pipelines"]
    assert pipeline["new"] == "livekit_voice_assistant_bundle@1.0.0"
    assert pipeline["reason"] == f"published files edited in place: {MODULE}"
    assert [(c["subject"], c["field"], c["old"], c["new"]) for c in pipeline["changes"]] == \
        [("norm/normalize", "casing", "sentence", "lower")]


@pytest.mark.slow
def test_a_rewritten_lock_fails(capsys: pytest.CaptureFixture[str],
                                example_git_repo: Path) -> None:
    lock = json.loads(read(example_git_repo, "rspp.lock"))
    lock["artifacts"]["ExecutionProfile/simple/v1@1.0.0"] = "sha256:" + "c" * 64
    write(example_git_repo, "rspp.lock", json.dumps(lock, indent=2, sort_keys=True) + "\n")
    run = _diff(capsys, example_git_repo, "--against", "main")
    assert run.code == 1 and "IMM004" in run.out


@pytest.mark.slow
def test_a_value_moved_to_its_default_is_a_defaulting_source_change(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """A spec line removed whose value equals the catalog default: nothing the runtime does
    changes, but the value's source moves, and the reviewer is told (cosmetic)."""
    from tests.helpers.files import edit

    new = SPEC.replace(".yaml", "_1_1.yaml")
    new_version(example_git_repo, SPEC, new, "1.1.0")
    edit(example_git_repo, new, "        min_silence_duration: 0.55\n", "")
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "json")
    [pipeline] = json.loads(run.out)["pipelines"]
    assert [(c["group"], c["subject"], c["field"], c["newSource"], c["oldSource"],
             c["verdict"]) for c in pipeline["changes"]] == [
        ("defaulting source", "vad", "min_silence_duration", "catalog default of vad.silero",
         "spec line 65", "cosmetic")]


@pytest.mark.slow
def test_a_new_version_with_schema_errors_is_listed_as_failing(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    from tests.helpers.files import edit

    new = SPEC.replace(".yaml", "_1_1.yaml")
    new_version(example_git_repo, SPEC, new, "1.1.0")
    edit(example_git_repo, new, "  nodes:\n", "  nodez:\n")
    run = _diff(capsys, example_git_repo, "--against", "main", "--format", "json")
    assert run.code == 1
    doc = json.loads(run.out)
    assert [(v["id"], v["version"], v["ok"], v["note"]) for v in doc["versions"]] == [
        ("livekit_voice_assistant", "1.1.0", False, "not compared: it has schema errors")]
    assert any(" SCH001 " in e for e in doc["errors"])
