"""Files the tests read, write and edit, and snapshots to compare folders before and after."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from rspp.load.api import LoadResult

# The loader tests' fixtures (tests/conftest.py): write a file, write and load one.
WriteFile = Callable[[str, str | bytes], Path]
LoadText = Callable[..., LoadResult]

OUTSIDE_TEXT = b"belongs to someone else\n"


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def write(root: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``root/rel`` (folders made as needed); the path written."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def edit(root: Path, rel: str, old: str, new: str, *, first: bool = False) -> None:
    """Replace ``old`` in a file that holds it exactly once (so an edit never lands in the
    wrong place); ``first``: the first of however many there are."""
    text = read(root, rel)
    if first:
        assert old in text, f"{old!r} not in {rel}"
    else:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    write(root, rel, text.replace(old, new, 1))


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, link targets ("-> target"), folders ("/")."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "/"
            else:
                out[rel] = path.read_bytes()
    return out


def mtimes(root: Path, *folders: str) -> dict[str, int]:
    """Modification times (ns) of every file under ``folders``."""
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns
            for folder in folders for p in sorted((root / folder).rglob("*")) if p.is_file()}


def outside_folder(tmp_path: Path) -> Path:
    """A folder beside the repository with one file in it (``keep.txt``: ``OUTSIDE_TEXT``),
    which no test may change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_bytes(OUTSIDE_TEXT)
    return folder
