"""`rspp compat` renderings: the Markdown a PR comment and a job summary show (golden), the
text header, the JSON `compat` member, and the size limit.

Regenerate the golden file after an intended change with RSPP_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from rspp.compat import render
from rspp.compat.engine import Evaluation
from tests.helpers import GOLDEN
from tests.helpers.cli import rspp
from tests.helpers.files import edit, read, write
from tests.helpers.repos import new_version

LIVEKIT = "pipelines/specs/livekit_voice_assistant.yaml"
NEW = "pipelines/specs/livekit_voice_assistant_1_1.yaml"


def _changed(root: Path) -> None:
    """livekit 1.1.0: the sentiment node and its edge removed, VAD silence shortened."""
    new_version(root, LIVEKIT, NEW, "1.1.0")
    text = read(root, NEW)
    start, end = text.index("    - id: sentiment\n"), text.index("    - id: otel\n")
    write(root, NEW, (text[:start] + text[end:]).replace(
        "    - from: norm.text\n      to: sentiment.text\n      lane: data\n", ""))
    edit(root, NEW, "min_silence_duration: 0.55", "min_silence_duration: 0.4")


@pytest.mark.slow
def test_markdown_matches_golden(capsys: pytest.CaptureFixture[str],
                                 example_git_repo: Path) -> None:
    """What a pull request adding livekit 1.1.0 gets as its comment."""
    _changed(example_git_repo)
    run = rspp(capsys, "compat", "--root", str(example_git_repo), "--against", "main",
               "--today", "2026-11-30", "--format", "markdown")
    assert run.code == 1
    # The base commit's id changes with every run (commit times): name it once.
    out = re.sub(r"main \([0-9a-f]{12}\)", "main (BASE)", run.out)
    golden = GOLDEN / "compat" / "markdown.md"
    if os.environ.get("RSPP_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert "| `node sentiment (custom.sentiment) removed` | CHG001 | breaking | major |" in out


def test_text_and_json_say_required_and_made(capsys: pytest.CaptureFixture[str],
                                             examples: Path) -> None:
    _changed(examples)
    text = rspp(capsys, "compat", "--root", str(examples), "--today", "2026-11-30")
    assert ("PipelineSpec livekit_voice_assistant 1.0.0 -> 1.1.0 (BACKWARD_TRANSITIVE): "
            "requires major, made minor - fails: bump too small") in text.out
    doc = json.loads(rspp(capsys, "compat", "--root", str(examples), "--today", "2026-11-30",
                          "--format", "json").out)
    [version] = [v for v in doc["compat"]["versions"]
                 if (v["id"], v["version"]) == ("livekit_voice_assistant", "1.1.0")]
    latest = version["comparisons"][0]
    assert (latest["against"], latest["required"], latest["made"], latest["ok"]) \
        == ("1.0.0", "major", "minor", False)
    verdicts = {c["code"]: c["verdict"] for c in latest["changes"]}
    assert verdicts == {"CHG001": "breaking", "CHG005": "breaking", "CHG016": "compatible"}


def test_markdown_stays_under_the_comment_limit(examples: Path) -> None:
    from rspp.compat.changes import Change
    from rspp.compat.engine import Comparison, Judged, Versioned
    from rspp.compat.versions import MODES, Bump, Verdict
    from rspp.core.findings import Related
    from rspp.resolve.gate import validate_repository
    from rspp.validate.engine import ValidateOptions

    report, repo = validate_repository(ValidateOptions(root=examples))
    art = next(iter(repo.index.of_kind("PipelineSpec")))
    where = Related(art.path, 1, 1)
    many = tuple(Judged(Change("CHG016", f"nodes.n{i}.params.x | `{i}` -> {i + 1}"),
                        Verdict.COMPATIBLE, where, None) for i in range(5000))
    item = Versioned(art, MODES["BACKWARD"], (Comparison(art, many, Bump.MINOR, Bump.MINOR),))
    out = render.markdown(Evaluation("main", (item,), ()), report)
    assert len(out) <= render.MARKDOWN_LIMIT + 200
    assert out.endswith("run `rspp compat` for all of it._\n")
    assert "`nodes.n1.params.x \\| '1' -> 2`" in out  # cells escape pipes, replace backticks


@pytest.mark.slow
def test_markup_in_an_artifact_never_renders(capsys: pytest.CaptureFixture[str],
                                             examples: Path) -> None:
    _changed(examples)
    edit(examples, NEW, "min_silence_duration: 0.4",
         'min_silence_duration: "<img src=x> [click](https://evil.example) ![i](x) |"')
    out = rspp(capsys, "compat", "--root", str(examples), "--today", "2026-11-30",
               "--format", "markdown").out
    rows = [line for line in out.splitlines() if "evil.example" in line]
    assert len(rows) == 2  # the change, and the validation error about the value
    for row in rows:
        [cell] = [c for c in row.strip("| ").split(" | ") if "evil.example" in c]
        assert cell.startswith("`") and cell.endswith("`")  # a code span: nothing renders
        assert "\\|" in cell


@pytest.mark.slow
def test_a_waived_bump_reads_as_waived(capsys: pytest.CaptureFixture[str],
                                       examples: Path) -> None:
    _changed(examples)
    edit(examples, "compat/waivers.yaml", "  waivers: []\n",
         "  waivers:\n    - rule: VER001\n      artifact: livekit_voice_assistant@1.1.0\n"
         "      owner: voice-platform@acme.example\n      reason: analytics moved\n"
         "      expires: \"2026-12-31\"\n")
    text = rspp(capsys, "compat", "--root", str(examples), "--today", "2026-11-30")
    assert text.code == 0
    assert ("requires major, made minor - bump too small, waived until 2026-12-31 by "
            "voice-platform@acme.example") in text.out
    out = rspp(capsys, "compat", "--root", str(examples), "--today", "2026-11-30",
               "--format", "markdown").out
    assert out.startswith("## rspp compat: passes")
    assert ("| VER001 | waived until 2026-12-31 by `voice-platform@acme.example`: "
            "`analytics moved` |") in out
