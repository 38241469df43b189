"""Artifact suffixes in any letter case are artifacts: `agent.YAML` is never skipped silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from rspp.cli.main import main
from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_rule_base


@pytest.mark.parametrize("name", ["broken.YAML", "broken.Yml", "broken.JSON"])
def test_upper_case_suffixes_are_validated(tmp_path: Path, name: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = copy_rule_base(tmp_path / "repo")
    main(["fmt", "--check", "--root", str(repo)])
    before = _fmt_count(capsys.readouterr().out)
    text = '{"apiVersion": "rspp.dev/v1alpha1", "kind": "Nope"}\n'
    (repo / "pipelines" / "specs" / name).write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--root", str(repo)]) == 1
    assert f"pipelines/specs/{name}:1:" in capsys.readouterr().out
    # named on the command line (as the pre-commit hook passes it), too
    assert main(["validate", "--root", str(repo), str(repo / "pipelines/specs" / name)]) == 1
    capsys.readouterr()
    main(["fmt", "--check", "--root", str(repo)])
    assert _fmt_count(capsys.readouterr().out) == before + 1  # fmt sees it too


def _fmt_count(summary: str) -> int:
    """How many files fmt's summary line counts."""
    return sum(int(n) for n in re.findall(r"(\d+) (?:files?|unchanged)", summary.splitlines()[-1]))


def test_the_hooks_pass_upper_case_suffixes() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pattern = next(h["files"] for h in hooks if h["id"] == "rspp-validate")
    assert re.search(pattern, "pipelines/specs/agent.YAML")
    assert re.search(pattern, "pipelines/specs/agent.yaml")
    assert not re.search(pattern, "pipelines/specs/README.md")
