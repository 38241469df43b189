"""The read policy itself: where a repository path leads, and which paths are refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rspp.core.paths import (
    MAX_LINKS,
    PathError,
    Refused,
    Resolved,
    Resolver,
    base_of,
    nearest_repository,
    refusal,
    relative_name,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "root"
    (base / "pipelines" / "specs").mkdir(parents=True)
    (base / "pipelines" / "specs" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    return base


def test_a_plain_file_resolves_to_itself(root: Path) -> None:
    got = Resolver(root).resolve("pipelines/specs/a.yaml")
    assert isinstance(got, Resolved)
    assert got.real == str(root / "pipelines/specs/a.yaml")
    assert got.mode is not None and stat.S_ISREG(got.mode)


def test_a_missing_file_resolves_to_nothing(root: Path) -> None:
    assert Resolver(root).resolve("pipelines/specs/b.yaml") == \
        Resolved(str(root / "pipelines/specs/b.yaml"), None)
    # a file used as a folder names nothing either
    assert Resolver(root).resolve("pipelines/specs/a.yaml/x").mode is None  # type: ignore[union-attr]


def test_links_that_stay_inside_are_followed(root: Path) -> None:
    (root / "alias.yaml").symlink_to("pipelines/specs/a.yaml")
    (root / "pipelines" / "shared").symlink_to("specs", target_is_directory=True)
    (root / "absolute.yaml").symlink_to(root / "pipelines/specs/a.yaml")
    resolver = Resolver(root)
    real = str(root / "pipelines/specs/a.yaml")
    for name in ("alias.yaml", "pipelines/shared/a.yaml", "absolute.yaml"):
        assert resolver.resolve(name) == Resolved(real, os.lstat(real).st_mode), name
    assert refusal(root / "pipelines/shared/a.yaml", root) is None


@pytest.mark.parametrize("target", [
    "../../outside.yaml", "/etc/passwd", "/dev/zero",
    "../../root/pipelines/specs/a.yaml",  # out and back in: refused, the way leaves the base
])
def test_a_link_out_is_refused(root: Path, target: str) -> None:
    (root / "pipelines" / "x.yaml").symlink_to(target)
    got = Resolver(root).resolve("pipelines/x.yaml")
    assert isinstance(got, Refused) and got.code == "FILE002"
    found = refusal(root / "pipelines" / "x.yaml", root)
    assert found is not None
    assert (found.code, found.path, found.line, found.col) == ("FILE002", "pipelines/x.yaml", 1, 1)


def test_a_folder_link_out_is_refused_with_the_link_named(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    (root / "pipelines" / "ext").symlink_to(elsewhere, target_is_directory=True)
    got = Resolver(root).resolve("pipelines/ext/a.yaml")
    assert got == Refused("FILE002", "symbolic link points outside the repository: "
                          f"pipelines/ext -> {elsewhere}", "pipelines/ext", str(elsewhere))


def test_a_link_loop_is_refused(root: Path) -> None:
    (root / "x.yaml").symlink_to("y.yaml")
    (root / "y.yaml").symlink_to("x.yaml")
    (root / "self.yaml").symlink_to("self.yaml")
    for name in ("x.yaml", "self.yaml"):
        got = Resolver(root).resolve(name)
        assert isinstance(got, Refused) and got.code == "FILE001"
        assert "link loop" in got.reason


def test_a_long_chain_of_links_inside_is_still_followed(root: Path) -> None:
    (root / "l0").symlink_to("pipelines/specs/a.yaml")
    for i in range(1, MAX_LINKS):
        (root / f"l{i}").symlink_to(f"l{i - 1}")
    assert isinstance(Resolver(root).resolve(f"l{MAX_LINKS - 1}"), Resolved)
    (root / f"l{MAX_LINKS}").symlink_to(f"l{MAX_LINKS - 1}")
    assert isinstance(Resolver(root).resolve(f"l{MAX_LINKS}"), Refused)


def test_the_root_may_be_named_through_a_link(root: Path, tmp_path: Path) -> None:
    via = tmp_path / "via"
    via.symlink_to(root, target_is_directory=True)
    assert relative_name(via / "pipelines/specs/a.yaml", via) == "pipelines/specs/a.yaml"
    assert relative_name(root / "pipelines", via) == "pipelines"  # by its real path
    assert refusal(via / "pipelines/specs/a.yaml", via) is None
    (root / "abs.yaml").symlink_to(via / "pipelines/specs/a.yaml")  # a link through the root
    assert isinstance(Resolver(via).resolve("abs.yaml"), Resolved)


def test_paths_outside_are_outside(root: Path, tmp_path: Path) -> None:
    assert relative_name(tmp_path / "x.yaml", root) is None
    assert relative_name(root / ".." / "x.yaml", root) is None
    assert relative_name(root / "pipelines" / ".." / "x.yaml", root) == "x.yaml"
    found = refusal(tmp_path / "x.yaml", root)
    assert found is not None and found.code == "FILE002"


def test_named_files(root: Path, tmp_path: Path) -> None:
    resolver = Resolver(root)
    assert resolver.named_file(root / "pipelines/specs/a.yaml") == "pipelines/specs/a.yaml"
    with pytest.raises(PathError) as err:
        resolver.named_file(tmp_path / "a.yaml")
    assert err.value.code == "PATH001"
    with pytest.raises(PathError) as err:
        resolver.named_file(root / "missing.yaml")
    assert err.value.code == "PATH002"
    (root / "dangling.yaml").symlink_to("missing.yaml")  # exists: reading it is refused
    assert resolver.named_file(root / "dangling.yaml") == "dangling.yaml"


def test_the_base_of_a_named_file(root: Path, tmp_path: Path) -> None:
    (root / ".git").mkdir()
    inside = root / "pipelines/specs/a.yaml"
    assert base_of(inside) == root  # the repository holding it
    assert base_of(inside, root / "pipelines") == root / "pipelines"  # --root when inside
    loose = tmp_path / "loose" / "x.yaml"
    assert base_of(loose, root) == tmp_path / "loose"  # outside any repository: its folder
    assert nearest_repository(root / "pipelines" / "specs") == root


# --- open_regular: judged on the open file ---------------------------------------------------

def test_open_regular_opens_a_regular_file(tmp_path: Path) -> None:
    from rspp.core.paths import open_regular

    (tmp_path / "t.jsonl").write_bytes(b"{}\n")
    with open_regular(tmp_path / "t.jsonl", "trace", "t.jsonl") as handle:
        assert handle.read() == b"{}\n"


def test_open_regular_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    from rspp.core.paths import PathError, open_regular

    fifo = tmp_path / "t.jsonl"
    os.mkfifo(fifo)  # nobody writes: a blocking open would never return
    with pytest.raises(PathError) as caught:
        open_regular(fifo, "trace", "t.jsonl")
    assert caught.value.code == "PATH003"
    assert caught.value.cause == "trace t.jsonl is a FIFO, not a regular file"


def test_open_regular_names_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    from rspp.core.paths import PathError, open_regular

    (tmp_path / "d").mkdir()
    with pytest.raises(PathError) as caught:
        open_regular(tmp_path / "d", "trace", "d")
    assert (caught.value.code, caught.value.cause) == ("PATH003",
                                                      "trace d is a folder, not a regular file")
    with pytest.raises(PathError) as caught:
        open_regular(tmp_path / "gone", "trace", "gone\n")
    assert (caught.value.code, caught.value.cause) == ("PATH002",
                                                      "trace gone\\n does not exist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission bits")
def test_open_regular_says_when_the_system_refuses(tmp_path: Path) -> None:
    from rspp.core.errors import UsageError
    from rspp.core.paths import PathError, open_regular

    locked = tmp_path / "t.jsonl"
    locked.write_bytes(b"{}\n")
    locked.chmod(0)
    with pytest.raises(UsageError) as caught:
        open_regular(locked, "trace", "t.jsonl")
    assert not isinstance(caught.value, PathError)
    assert caught.value.cause.startswith("trace t.jsonl cannot be read: ")
