"""`rspp diff` on the pull requests a platform engineer makes (issue 12, acceptance 1): the
Markdown (PR comment and job summary), text and JSON of each, golden, Mermaid block included.

Each scenario (``tests.helpers.review``) edits a git repository of the examples on branch
``feature``; the diff is taken against ``main``. Regenerate the golden files after an intended
change with RSPP_UPDATE_GOLDEN=1 and read the diff of them before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rspp.commands.diff import DiffOptions, DiffOutcome, diff
from rspp.review import render
from tests.helpers import GOLDEN
from tests.helpers.repos import example_repo
from tests.helpers.review import SCENARIOS

pytestmark = pytest.mark.slow

TODAY = "2026-11-30"
FORMATS = {"md": render.markdown, "txt": render.text, "json": render.json_document}


def _run(tmp_path: Path, name: str) -> DiffOutcome:
    import datetime as dt

    root = example_repo(tmp_path / name)
    SCENARIOS[name](root)
    return diff(DiffOptions(root, "main", dt.date.fromisoformat(TODAY)))


def _stable(text: str) -> str:
    """The base commit's id changes with every run (commit times): name it once."""
    return re.sub(r"main \([0-9a-f]{12}\)", "main (BASE)", text)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_matches_golden(tmp_path: Path, name: str) -> None:
    outcome = _run(tmp_path, name)
    for ext, renderer in FORMATS.items():
        out = _stable(renderer(outcome.review))
        golden = GOLDEN / "review" / f"{name}.{ext}"
        if os.environ.get("RSPP_UPDATE_GOLDEN"):
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(out, encoding="utf-8")
        assert out == golden.read_text(encoding="utf-8"), f"{golden.name} differs"
    # Every change a reviewer sees is judged by a compat rule.
    assert all(i.verdict != "unjudged" for p in outcome.review.pipelines for i in p.items)


def _mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)


def test_pictures_parse_with_their_marks() -> None:
    """Every picture of the golden comments is read by Mermaid itself; the new fallback's
    node is marked added and its primary changed, as the reviewer is told."""
    from tests.helpers.mermaid import require_mermaid, shapes

    require_mermaid()
    charts = {name: _mermaid_blocks((GOLDEN / "review" / f"{name}.md").read_text(
        encoding="utf-8")) for name in sorted(SCENARIOS)}
    assert all(charts.values())
    read = dict(zip(charts, shapes([c for blocks in charts.values() for c in blocks[:1]]),
                    strict=True))

    def marked(name: str, mark: str) -> set[str]:
        """The marked nodes' text as Mermaid reads it: the node id, then its type."""
        return {n.text for n in read[name].nodes if mark in n.classes}

    assert marked("new_fallback", "added") == {"llm_fallbackllm.anthropic"}
    assert marked("new_fallback", "changed") == {"llmllm.openai"}
    assert marked("provider_swap", "changed") == {"sttstt.assemblyai"}
    assert marked("buffer_resize", "changed") == set()
    assert any(e.style for e in read["buffer_resize"].edges)  # the resized edge, amber
