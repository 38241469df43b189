"""schemas/, docs/rules.md, docs/catalog.md and .pre-commit-hooks.yaml: rspp's own repository
only. A repository that uses rspp has none of them to check, and rspp writes none there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rspp.commands.build import BuildOptions, status
from rspp.gen.docs import is_rspp_source
from tests.helpers import REPO_ROOT
from tests.helpers.cli import rspp
from tests.helpers.files import snapshot
from tests.helpers.repos import consumer_repo, own_repo

# Every test makes a git repository (or runs rspp as a process).
pytestmark = pytest.mark.slow

Capture = pytest.CaptureFixture[str]
OWN = ("schemas/, docs/rules.md, docs/catalog.md and .pre-commit-hooks.yaml")


def test_check_generated_in_a_consumer_repository_has_nothing_to_check(
        capsys: Capture, tmp_path: Path) -> None:
    root = consumer_repo(tmp_path)
    # even with stale copies of rspp's files lying around: they are not this repository's
    (root / "schemas").mkdir()
    (root / "schemas" / "PipelineSpec.schema.json").write_text("{}\n", encoding="utf-8")
    (root / ".pre-commit-hooks.yaml").write_text("[]\n", encoding="utf-8")
    run = rspp(capsys, "check-generated", "--root", str(root))
    assert (run.code, run.err) == (0, "")
    assert run.out == (f"nothing to check: {OWN} are generated only in rspp's own repository "
                       "(`rspp status` checks this repository's derived files)\n")
    assert "out of date" not in run.out


def test_check_generated_from_inside_a_consumer_repository(
        capsys: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = consumer_repo(tmp_path)
    monkeypatch.chdir(root / "pipelines" / "specs")
    run = rspp(capsys, "check-generated")
    assert run.code == 0 and run.out.startswith("nothing to check: ")


@pytest.mark.parametrize("args", [["schemas", "--write"], ["schemas"], ["docs", "--write"],
                                  ["docs", "--check"]])
def test_schemas_and_docs_refuse_in_a_consumer_repository(capsys: Capture, tmp_path: Path,
                                                          args: list[str]) -> None:
    root = consumer_repo(tmp_path)
    before = snapshot(root)
    run = rspp(capsys, *args, "--root", str(root))
    assert run.code == 2 and run.out == "" and run.err.count("\n") == 1
    command = args[0]
    assert run.err == (f"rspp: error: {root} is not rspp's own repository: `rspp {command}` "
                       f"manages {OWN}, which only that repository has (run it in rspp's "
                       "source repository; `rspp build` writes the derived files of this one)\n")
    assert snapshot(root) == before


def test_status_and_build_leave_rspps_files_to_rspp(capsys: Capture, tmp_path: Path) -> None:
    root = consumer_repo(tmp_path)
    # a vendored copy of rspp's package does not make the repository rspp's own
    (root / "tools" / "rspp").mkdir(parents=True)
    (root / "tools" / "rspp" / "__init__.py").write_text("", encoding="utf-8")
    assert not is_rspp_source(root)
    paths = [e.path for e in status(BuildOptions(root)).entries]
    assert paths and not any(p.startswith(("schemas/", "docs/rules", "docs/catalog",
                                           ".pre-commit")) for p in paths)
    assert rspp(capsys, "build", "--root", str(root)).code == 0
    assert not (root / "schemas").exists() and not (root / "docs" / "rules.md").exists()


def test_rspps_own_repository_manages_them(capsys: Capture, tmp_path: Path) -> None:
    root = own_repo(tmp_path)
    run = rspp(capsys, "check-generated", "--root", str(root))
    assert run.code == 1 and "schemas/PipelineSpec.schema.json: out of date" in run.out
    assert "docs/rules.md: out of date (run `rspp docs --write`)" in run.out
    assert rspp(capsys, "schemas", "--write", "--root", str(root)).code == 0
    run = rspp(capsys, "docs", "--write", "--root", str(root))
    assert run.code == 0 and "wrote docs/rules.md" in run.out
    run = rspp(capsys, "check-generated", "--root", str(root))
    assert (run.code, run.out) == (0, "generated files are fresh\n")
    states = {e.path: e.state for e in status(BuildOptions(root)).entries}
    assert states["docs/rules.md"] == states["schemas/PipelineSpec.schema.json"] == "fresh"
    (root / "docs" / "rules.md").write_text("edited by hand\n", encoding="utf-8")
    assert rspp(capsys, "docs", "--root", str(root)).code == 1
    assert {e.path: e.state for e in status(BuildOptions(root)).entries}["docs/rules.md"] == "stale"


@pytest.mark.parametrize(("pyproject", "own"), [
    ('[project]\nname = "rspp"\n', True),
    ('[project]\nname = "RSPP"\n', True),  # distribution names compare normalised (PEP 503)
    ('[project]\nname = "rspp-plugins"\n', False),
    ('[tool.rspp]\nname = "rspp"\n', False),
    ('[project]\nname = "rspp\n', False),  # not TOML
    (None, False),
])
def test_how_rspps_own_repository_is_recognised(tmp_path: Path, pyproject: str | None,
                                                own: bool) -> None:
    root = own_repo(tmp_path)
    if pyproject is None:
        (root / "pyproject.toml").unlink()
    else:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert is_rspp_source(root) is own


def test_links_do_not_make_a_repository_rspps_own(tmp_path: Path) -> None:
    root = consumer_repo(tmp_path)
    (root / "pyproject.toml").unlink()
    (root / "pyproject.toml").symlink_to(REPO_ROOT / "pyproject.toml")
    (root / "tools").mkdir()
    (root / "tools" / "rspp").symlink_to(REPO_ROOT / "tools" / "rspp", target_is_directory=True)
    assert not is_rspp_source(root)
    shutil.rmtree(root / "tools")
    assert is_rspp_source(REPO_ROOT)
