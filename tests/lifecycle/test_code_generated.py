"""In rspp's own repository, the files generated from the code are derived files too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rspp.commands.build import BuildOptions, build, status
from tests.helpers import REPO_ROOT

GENERATED = ("docs/rules.md", "docs/catalog.md", ".pre-commit-hooks.yaml")


def _own_repo(tmp_path: Path) -> Path:
    root = tmp_path / "rspp"
    for folder in ("pipelines", "compat", "rollouts", "schemas", "docs"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    for name in ("rspp.lock", ".pre-commit-hooks.yaml", "pyproject.toml"):
        shutil.copyfile(REPO_ROOT / name, root / name)
    (root / "tools" / "rspp").mkdir(parents=True)
    (root / "tools" / "rspp" / "__init__.py").write_text("", encoding="utf-8")
    return root


def _states(root: Path) -> dict[str, tuple[str, str]]:
    return {e.path: (e.state, e.reason) for e in status(BuildOptions(root)).entries}


@pytest.mark.slow
def test_generated_files_are_tracked_and_rebuilt(tmp_path: Path) -> None:
    root = _own_repo(tmp_path)
    states = _states(root)
    assert all(states[p][0] == "fresh" for p in GENERATED)
    assert states["schemas/PipelineSpec.schema.json"][0] == "fresh"
    rules = root / "docs" / "rules.md"
    original = rules.read_bytes()
    rules.write_bytes(original + b"\nA hand edit.\n")
    (root / "schemas" / "Module.schema.json").unlink()
    states = _states(root)
    assert states["docs/rules.md"][0] == "stale"
    assert "edited by hand" in states["docs/rules.md"][1]
    assert states["schemas/Module.schema.json"] == ("missing", "not generated yet")
    outcome = build(BuildOptions(root))
    assert {"docs/rules.md", "schemas/Module.schema.json"} <= set(outcome.written)
    assert rules.read_bytes() == original
    assert all(e.state == "fresh" for e in outcome.entries)
    assert build(BuildOptions(root)).written == ()


def test_users_repositories_do_not_carry_them(tmp_path: Path) -> None:
    root = _own_repo(tmp_path)
    shutil.rmtree(root / "tools")
    assert not any(p.startswith(("schemas/", "docs/rules")) for p in _states(root))
