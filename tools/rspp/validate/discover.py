"""Find the artifact files of a repository, and the repository root."""

from __future__ import annotations

import os
from pathlib import Path

from rspp.errors import UsageError

ARTIFACT_DIRS = ("pipelines", "compat", "rollouts")
SUFFIXES = (".yaml", ".yml", ".json")


def find_root(start: Path) -> Path:
    """The nearest ancestor holding .git or pipelines/, else ``start``."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists() or (candidate / "pipelines").is_dir():
            return candidate
    return start


def _walk(directory: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath) / f for f in filenames if f.endswith(SUFFIXES))
    return found


def discover(root: Path) -> list[Path]:
    """Every artifact file under the managed folders, sorted by repository path."""
    files: list[Path] = []
    for name in ARTIFACT_DIRS:
        if (root / name).is_dir():
            files.extend(_walk(root / name))
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def relative(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` (without resolving symlinks), or a UsageError."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{path}: outside the repository {root}",
                         "pass paths inside the repository or set --root") from None


def expand_targets(root: Path, targets: list[Path]) -> list[Path]:
    """Named files and the artifact files under named folders."""
    out: list[Path] = []
    for target in targets:
        relative(root, target)
        if os.path.isdir(target) and not os.path.islink(target):
            out.extend(_walk(target))
        elif os.path.lexists(target):
            if not str(target).endswith(SUFFIXES):
                raise UsageError(f"{target}: not an artifact file",
                                 "artifact files end in .yaml, .yml or .json")
            out.append(target)
        else:
            raise UsageError(f"{target}: no such file or directory")
    return sorted({Path(os.path.abspath(p)) for p in out}, key=lambda p: p.as_posix())
