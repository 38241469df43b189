"""Every artifact of the repository and of a generated repository formats faithfully.

The files are formatted as copies (in memory or under tmp_path); the repository's own files
are never rewritten by the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.fmt import FmtOptions, Status, format_text, run
from rspp.load.api import syntax_for
from rspp.resolve.gate import validate
from rspp.validate.discover import discover
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.fmt import comment_lines, comment_targets, same_meaning
from tests.helpers.repos import artifact_files, copy_artifacts, load_generator

EXAMPLES = discover(REPO_ROOT)


def _check_file(path: Path, text: str) -> str:
    fmt = syntax_for(path) or "yaml"
    first = format_text(text, fmt, path.name)
    assert first.ok, [f"{f.location()} {f.code} {f.message}" for f in first.findings]
    same_meaning(text, first.text, fmt)
    second = format_text(first.text, fmt, path.name)
    assert second.ok and second.text == first.text, "formatting is not idempotent"
    if fmt == "yaml":
        assert comment_lines(first.text) == comment_lines(text)
        assert comment_targets(first.text) == comment_targets(text)
    return first.text


def test_the_repository_has_examples_of_both_formats() -> None:
    assert artifact_files(REPO_ROOT) == EXAMPLES  # discovery sees every file
    assert {p.suffix for p in EXAMPLES} == {".yaml", ".json"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(REPO_ROOT).as_posix())
def test_example_formats_faithfully(path: Path) -> None:
    _check_file(path, path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_formatting_a_copy_of_the_repository(tmp_path: Path) -> None:
    root = copy_artifacts(tmp_path / "repo")
    before = {p: p.read_text(encoding="utf-8") for p in discover(root)}
    result = run(FmtOptions(root=root))
    assert result.count(Status.FAILED) == 0
    assert result.count(Status.REFORMATTED) + result.count(Status.UNCHANGED) == len(before)
    for path, text in before.items():
        after = path.read_text(encoding="utf-8")
        same_meaning(text, after, syntax_for(path) or "yaml")
        assert comment_lines(after) == comment_lines(text)
    again = run(FmtOptions(root=root, check=True))
    assert again.count(Status.UNCHANGED) == len(before), "formatting is not idempotent"
    findings = validate(ValidateOptions(root=root)).findings
    assert [f"{f.location()} {f.code} {f.message}" for f in findings] == []


_generator = load_generator


@pytest.mark.slow
def test_generated_repository_formats_faithfully(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = _generator().generate(root, 8, 5)
    before = {p: p.read_text(encoding="utf-8") for p in files}
    result = run(FmtOptions(root=root))
    assert result.count(Status.FAILED) == 0
    # The generator writes fields in the models' order: its files are already canonical.
    assert result.count(Status.REFORMATTED) == 0
    for path, text in before.items():
        after = path.read_text(encoding="utf-8")
        same_meaning(text, after, syntax_for(path) or "yaml")
        assert comment_lines(after) == comment_lines(text), path
        assert comment_targets(after) == comment_targets(text), path
    assert run(FmtOptions(root=root, check=True)).count(Status.UNCHANGED) == len(files)
    assert validate(ValidateOptions(root=root)).findings == ()
