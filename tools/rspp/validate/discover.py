"""Find the artifact files of a repository, and the repository root.

Discovery follows the read policy of :mod:`rspp.core.paths`: folders are listed one at a time
(iteratively, never by recursion), a symbolic link is followed only while it stays inside the
repository, and nothing outside the repository is listed or looked at. What discovery cannot
walk is a finding, never a silent skip:

- a folder named like an artifact file (``x.yaml/``): FILE003 at that folder; the files in it
  are still checked;
- a link that leads out of the repository: FILE002 (whatever its name: it may hide
  artifacts); a link loop or a folder that cannot be listed: FILE001;
- a folder more than :data:`MAX_FOLDER_DEPTH` levels below the repository root: LOAD009 at
  that folder; what is below it is not looked at.

Hidden folders (a name starting with ".") are not walked.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import msgspec

from rspp.core.constants import ARTIFACT_DIRS
from rspp.core.findings import Finding
from rspp.core.paths import (
    PathError,
    RepositoryError,
    Resolved,
    Resolver,
    file_error,
    nearest_repository,
    show,
)

SUFFIXES = (".yaml", ".yml", ".json")
# Folders below the repository root; real layouts use three or four
# (pipelines/specs/<team>/x.yaml). Deeper trees are generated or hostile.
MAX_FOLDER_DEPTH = 32


class Discovery(msgspec.Struct, frozen=True):
    """The artifact files found (absolute, sorted by repository path; duplicates removed),
    the findings about what could not be walked (sorted), and ``names``: the repository
    path (POSIX, relative) of each file, in the order of ``files``."""

    files: tuple[Path, ...]
    findings: tuple[Finding, ...]
    names: tuple[str, ...] = ()


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``.git`` or ``pipelines/``.

    Raises RepositoryError REPO001 when there is none: a run that finds no repository has
    checked nothing and must not look clean.
    """
    real = start.resolve()
    found = nearest_repository(real)
    if found is None:
        raise RepositoryError("REPO001", f"no repository found at or above {show(str(real))}: "
                              "no folder there holds .git or pipelines/",
                              "run rspp inside a repository, or pass --root")
    return found


def _is_artifact_name(name: str) -> bool:
    """Whether ``name`` ends in an artifact suffix, in any letter case (``agent.YAML`` is
    read like ``agent.yaml``, as the loader does: never skipped without a word)."""
    return name.lower().endswith(SUFFIXES)


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


class _Walker:
    """One discovery run: the files and findings, and the folders already walked."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))
        self.resolver = Resolver(self.root)
        self.files: dict[str, Path] = {}
        self.findings: list[Finding] = []
        self.walked: set[str] = set()  # real paths of the folders queued
        self.todo: list[tuple[str, str]] = []  # folders to list: (repository name, real path)

    def result(self) -> Discovery:
        names = tuple(sorted(self.files))
        return Discovery(tuple(self.files[rel] for rel in names),
                         tuple(sorted(set(self.findings), key=Finding.sort_key)), names)

    def add_file(self, rel: str) -> None:
        self.files.setdefault(rel, self.root / rel)

    def folder(self, rel: str, real: str) -> None:
        """Queue the folder ``rel`` (at the real path ``real``) unless too deep or queued."""
        if _is_artifact_name(rel):
            self.findings.append(file_error(
                "FILE003", rel, "not a regular file: a folder named like an artifact file; "
                "the files inside it are checked, the folder itself is not an artifact"))
        if rel and rel.count("/") + 1 > MAX_FOLDER_DEPTH:
            self.findings.append(file_error(
                "LOAD009", rel, f"folders nested more than {MAX_FOLDER_DEPTH} levels below the "
                "repository root; nothing below this one is checked"))
            return
        if real not in self.walked:
            self.walked.add(real)
            self.todo.append((rel, real))

    def entry(self, rel: str, *, named: bool = False) -> None:
        """Whatever ``rel`` names, found through links that stay inside the repository.

        ``named``: a target the caller named, which must be a folder or an artifact file.
        """
        outcome = self.resolver.resolve(rel)
        if not isinstance(outcome, Resolved):
            if _is_artifact_name(rel):
                self.add_file(rel)  # the reader refuses it with the same finding
            else:
                self.findings.append(file_error(outcome.code, rel or ".", outcome.reason))
        elif outcome.mode is not None and stat.S_ISDIR(outcome.mode):
            self.folder(rel, outcome.real)
        elif _is_artifact_name(rel):
            self.add_file(rel)  # a dangling link or a special file: the reader says which
        elif named:
            raise PathError("PATH003", f"{show(rel)}: not an artifact file",
                            "artifact files end in .yaml, .yml or .json")

    def run(self) -> None:
        """List the queued folders, one at a time (no recursion, whatever the depth)."""
        while self.todo:
            rel, real = self.todo.pop()
            try:
                with os.scandir(real) as listing:  # a real path: no link on the way
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                self.findings.append(file_error("FILE001", rel or ".", "cannot list folder: "
                                                f"{exc.strerror or exc}"))
                continue
            for entry in entries:
                name = entry.name
                child = _join(rel, name)
                try:
                    if entry.is_symlink():
                        if not name.startswith("."):
                            self.entry(child)
                    elif entry.is_dir(follow_symlinks=False):
                        if not name.startswith("."):
                            self.folder(child, f"{real}/{name}")
                    elif _is_artifact_name(name):
                        self.add_file(child)  # FIFOs, devices: refused by the reader
                except OSError as exc:
                    self.findings.append(file_error("FILE001", child, "cannot read: "
                                                    f"{exc.strerror or exc}"))


def scan(root: Path) -> Discovery:
    """Every artifact file under the managed folders, and what could not be walked."""
    walker = _Walker(root)
    for name in ARTIFACT_DIRS:
        walker.entry(name)
    walker.run()
    return walker.result()


def discover(root: Path) -> list[Path]:
    """Every artifact file under the managed folders, sorted by repository path."""
    return list(scan(root).files)


def scan_targets(root: Path, targets: list[Path]) -> Discovery:
    """Named files, and the artifact files under named folders, with what could not be
    walked.

    Raises PathError: PATH001 a target outside the repository, PATH002 a target that does
    not exist, PATH003 a file that is not an artifact file (by its name).
    """
    walker = _Walker(root)
    for target in targets:
        walker.entry(walker.resolver.named_file(target), named=True)
    walker.run()
    return walker.result()


def expand_targets(root: Path, targets: list[Path]) -> list[Path]:
    """Named files and the artifact files under named folders (see :func:`scan_targets`)."""
    return list(scan_targets(root, targets).files)
