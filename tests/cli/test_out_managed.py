"""`--out` and `--out-dir` never overwrite what the repository manages: the artifacts, the
lock, the configuration, the derived files and the work area. The file stays byte for byte
what it was and the command exits 2 with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import rspp
from tests.helpers.git import commit

BUNDLE = "pipelines/bundles/sip_telephony_bundle.yaml"


TEXT_TARGETS = ("rspp.lock", "pipelines/profiles/simple_v1.yaml", "rspp.toml",
                "docs/pipelines/sip_telephony_bundle@1.0.0.md", ".rspp/anything.json")
JSON_TARGETS = ("pipelines/bundles/livekit_voice_assistant_bundle.json",
                "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json", ".rspp/view.json")
CASES = [*((("graph", "{bundle}", "--format", "mermaid"), t) for t in TEXT_TARGETS),
         *((("diff",), t) for t in TEXT_TARGETS),
         *((("resolve", "{bundle}"), t) for t in JSON_TARGETS)]


@pytest.mark.parametrize(("command", "target"), CASES)
def test_out_never_overwrites_a_managed_file(capsys: pytest.CaptureFixture[str],
                                             examples: Path, command: tuple[str, ...],
                                             target: str) -> None:
    command = tuple(a.format(bundle=examples / BUNDLE) for a in command)
    path = examples / target
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kept\n", encoding="utf-8")
    before = path.read_bytes()
    run = rspp(capsys, *command, "--root", str(examples), "--out", str(path))
    assert run.code == 2, run.out
    assert "is managed by rspp or its authors" in run.err and len(run.err.splitlines()) == 1
    assert path.read_bytes() == before


def test_out_dir_is_never_a_managed_folder(capsys: pytest.CaptureFixture[str],
                                           examples: Path) -> None:
    run = rspp(capsys, "resolve", "--all", "--root", str(examples), "--out-dir",
               str(examples / "docs" / "pipelines"))
    assert run.code == 2 and "into docs/pipelines:" in run.err


def test_a_new_file_elsewhere_is_written(capsys: pytest.CaptureFixture[str],
                                         examples: Path) -> None:
    out = examples / "build" / "sip.mmd"
    run = rspp(capsys, "graph", str(examples / BUNDLE), "--root", str(examples), "--out",
               str(out))
    assert run.code == 0 and out.read_text(encoding="utf-8").startswith("---\ntitle:")


@pytest.mark.slow  # asks git
def test_out_never_overwrites_a_file_git_tracks(capsys: pytest.CaptureFixture[str],
                                                example_git_repo: Path) -> None:
    repo = example_git_repo
    commit(repo, {"notes.md": "tracked\n", "build/kept.md": "tracked too\n"},
           message="notes")
    for target in ("notes.md", "build/kept.md"):
        path = repo / target
        before = path.read_bytes()
        run = rspp(capsys, "diff", "--root", str(repo), "--out", str(path))
        assert run.code == 2, run.out
        assert f"{target} is a file git tracks in the repository" in run.err, run.err
        assert len(run.err.splitlines()) == 1 and path.read_bytes() == before
    # An untracked previous report is overwritten.
    report = repo / "build" / "diff.md"
    report.write_text("old\n", encoding="utf-8")
    run = rspp(capsys, "diff", "--root", str(repo), "--out", str(report))
    assert run.code in (0, 1), run.out + run.err
    assert report.read_text(encoding="utf-8") != "old\n"
