"""The git work tree's top (found without git) and paths written as SARIF URIs."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from rspp.report.paths import PathBase, path_base, uri_reference, work_tree_top
from tests.helpers.git import commit, git, init


@pytest.mark.slow
def test_top_of_a_work_tree_from_a_subfolder(tmp_path: Path) -> None:
    init(tmp_path)
    (tmp_path / "voice" / "pipelines").mkdir(parents=True)
    assert work_tree_top(tmp_path / "voice") == tmp_path.resolve()
    assert path_base(tmp_path / "voice") == PathBase("work-tree", "voice")
    assert path_base(tmp_path) == PathBase("work-tree", "")


@pytest.mark.slow
def test_top_of_a_linked_work_tree(tmp_path: Path) -> None:
    """A linked work tree (and a submodule) has a ``.git`` file, not a folder."""
    main = tmp_path / "main"
    (main / "voice").mkdir(parents=True)
    (main / "voice" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    init(main)
    commit(main, message="one")
    git(main, "worktree", "add", "-q", str(tmp_path / "linked"))
    linked = tmp_path / "linked"
    assert (linked / ".git").is_file()
    assert path_base(linked / "voice") == PathBase("work-tree", "voice")


def test_outside_git_paths_stay_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)  # no HEAD: not a git folder
    assert path_base(tmp_path / "repo") == PathBase("root", "")
    assert PathBase("root", "").path("pipelines/a.yaml") == "pipelines/a.yaml"


@pytest.mark.slow
def test_symlinked_root_maps_to_the_real_work_tree(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "voice").mkdir(parents=True)
    init(real)
    (tmp_path / "link").symlink_to(real / "voice")
    assert path_base(tmp_path / "link") == PathBase("work-tree", "voice")


def test_paths_join_the_prefix() -> None:
    base = PathBase("work-tree", "voice")
    assert base.path("pipelines/specs/a.yaml") == "voice/pipelines/specs/a.yaml"
    assert base.path("../shared/x.yaml") == "shared/x.yaml"


@pytest.mark.parametrize(("path", "uri"), [
    ("pipelines/specs/agent.yaml", "pipelines/specs/agent.yaml"),
    ("pipelines/specs/a b.yaml", "pipelines/specs/a%20b.yaml"),
    ("pipelines/specs/a#b.yaml", "pipelines/specs/a%23b.yaml"),
    ("pipelines/specs/a?b.yaml", "pipelines/specs/a%3Fb.yaml"),
    ("pipelines/specs/100%.yaml", "pipelines/specs/100%25.yaml"),
    ("c:/x.yaml", "c%3A/x.yaml"),  # a colon in the first segment would read as a scheme
    ("pipelines/specs/café.yaml", "pipelines/specs/caf%C3%A9.yaml"),
    ("pipelines/specs/caf\udce9.yaml", "pipelines/specs/caf%E9.yaml"),  # the byte itself
    ("pipelines/specs/x\n::error.yaml", "pipelines/specs/x%0A%3A%3Aerror.yaml"),
])
def test_uri_reference(path: str, uri: str) -> None:
    assert uri_reference(path) == uri
    checker = jsonschema.FormatChecker()
    assert not checker.conforms("a b", "uri-reference"), "uri-reference is not checked"
    assert checker.conforms(uri, "uri-reference")
