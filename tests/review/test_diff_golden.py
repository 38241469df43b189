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
