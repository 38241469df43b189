"""Where report paths are relative to, and how a path is written as a SARIF URI.

Findings carry paths relative to the artifact root (``rspp validate --root voice``). GitHub
annotations and SARIF results are matched against files of the checked-out repository, so
the machine formats (json, github, sarif) write paths relative to the top of the git work
tree that holds the root. The top is found without running git: the nearest ancestor of
the root (the root included, symbolic links resolved) with a ``.git`` entry that is a
directory holding ``HEAD``, or a ``gitdir:`` file (linked work trees and submodules). No
such ancestor: paths stay relative to the root.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


def _is_git_entry(candidate: Path) -> bool:
    dot_git = candidate / ".git"
    try:
        if dot_git.is_dir():
            return (dot_git / "HEAD").is_file()
        if dot_git.is_file():
            with dot_git.open("rb") as handle:
                return handle.read(8) == b"gitdir: "
    except OSError:
        return False
    return False


def work_tree_top(root: Path) -> Path | None:
    """The top of the git work tree that holds ``root`` (resolved), or None outside git."""
    try:
        start = Path(os.path.realpath(root))
    except (OSError, ValueError):
        return None
    for candidate in (start, *start.parents):
        if _is_git_entry(candidate):
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class PathBase:
    """How root-relative finding paths become paths of the machine formats.

    ``prefix`` is the root relative to the base ("" when they are the same; "voice" for
    ``--root voice``); ``base`` names the base: ``"work-tree"`` (the git work tree's top)
    or ``"root"`` (no git work tree holds the root).
    """

    base: str
    prefix: str

    def path(self, rel: str) -> str:
        """``rel`` (relative to the root, POSIX separators) relative to the base."""
        if not self.prefix:
            return rel
        return posixpath.normpath(posixpath.join(self.prefix, rel))


def path_base(root: Path) -> PathBase:
    """The base for paths of findings under ``root``."""
    top = work_tree_top(root)
    if top is None:
        return PathBase("root", "")
    rel = Path(os.path.realpath(root)).relative_to(top).as_posix()
    return PathBase("work-tree", "" if rel == "." else rel)


def uri_reference(path: str) -> str:
    """A relative POSIX path as an RFC 3986 relative reference (section 4.2).

    The path is encoded as UTF-8, and a name that was not valid UTF-8 (bytes kept by
    ``surrogateescape``) as its original bytes; every octet other than the unreserved
    characters (section 2.3) and ``/`` is percent-encoded (section 2.1), so a space, ``#``,
    ``?``, ``%``, ``:`` or a non-ASCII character never changes which file the URI names.
    """
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate no file name decodes to: keep it visible
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")
