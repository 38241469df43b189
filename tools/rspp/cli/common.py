"""What the commands share: the --root and --format options, and writing results."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rspp.cli.fast import say as say  # the commands' say, kept where Typer is not needed

if TYPE_CHECKING:
    from rspp.report import Reporter
    from rspp.report.result import Report

ROOT = typer.Option(None, "--root", help="Repository root (default: found from cwd).")
TODAY = typer.Option(None, "--today", help="The date deprecations and waivers are judged on "
                                           "(YYYY-MM-DD; default: the clock's).")
FORMAT = typer.Option("text", "--format", "-f", help="Findings: text, json, github or sarif.")
NO_CACHE = typer.Option(False, "--no-cache", help="Neither read nor write the per-file cache "
                                                  "in .rspp/cache (ADR 0013).")


def today_of(text: str | None) -> dt.date:
    """``--today`` as a date (None: the clock's), or a usage error."""
    from rspp.compat.contract import parse_day
    from rspp.core.errors import UsageError

    if text is None:
        return dt.date.today()
    try:
        return parse_day(text)
    except ValueError:
        raise UsageError(f"--today {text!r} is not a calendar date",
                         "write it as YYYY-MM-DD, e.g. --today 2026-11-30") from None


def base(root: Path | None) -> Path:
    from rspp.validate.discover import find_root

    return root if root is not None else find_root(Path.cwd())


def reporter(fmt: str) -> Reporter:
    """The reporter for ``--format``, or a usage error naming the choices."""
    from rspp.core.errors import UsageError
    from rspp.report import REPORTERS

    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r}", "use text, json, github or sarif")
    return REPORTERS[fmt]


def fail(report: Report, fmt: str) -> None:
    """Print what stopped the command and exit 1."""
    sys.stdout.write(reporter(fmt)(report))
    raise typer.Exit(1)


def line(text: str) -> None:
    """Write one line meant for people to stdout: every hidden character in ``text`` (line
    breaks included) is written as an escape (``rspp.report.escape.visible``), so a path, key
    or value it quotes can neither add a line (a forged GitHub workflow command) nor hide text.
    """
    from rspp.report.escape import visible

    sys.stdout.write(visible(text) + "\n")


def emit(text: str, out: Path | None, root: Path | None = None) -> None:
    """Write ``text`` to ``out`` atomically, or to stdout.

    ``out`` (relative to the working directory) must be inside the repository ``root`` (the
    command's ``--root``; None: the repository found from the working directory) and is never
    written through a link: ``rspp.core.files.FileAccessError`` (IO001-IO003) otherwise, one line
    and exit 2. It is never one of the repository's managed files (:func:`write_output`).
    """
    if out is None:
        sys.stdout.write(text)
        return
    write_output(out, text.encode("utf-8"), base(root))


def managed(path: Path, root: Path) -> str | None:
    """The managed place ``path`` (relative to the working directory) falls in, or None.

    Managed: the work area ``.rspp/``, the lock, the configuration files, and every existing
    file of the artifact folders and of docs/pipelines (derived files); the commands that own
    them (build, lock, fmt, publish) or people write them, never a command's ``--out``. A new
    file there is allowed (``rspp bundle build --out`` adds a bundle, which the gate then
    checks like any other)."""
    import os

    from rspp.core.constants import ARTIFACT_DIRS, DERIVED_DIR, LOCK_FILE
    from rspp.load.config import SOURCES

    rel = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
    if rel in (LOCK_FILE, *SOURCES):
        return rel
    for folder in (*ARTIFACT_DIRS, DERIVED_DIR, ".rspp"):
        inside = rel == folder or rel.startswith(folder + "/")
        if inside and (folder == ".rspp" or os.path.lexists(path)):
            return f"{folder}/" if folder == ".rspp" else rel
    return None


def write_output(out: Path, data: bytes, root: Path) -> None:
    """Write a command's output file ``out`` inside ``root`` (``write_atomic``'s rules), never
    over a managed file or a file git tracks: UsageError (exit 2) for ``--out`` in the
    artifact folders, docs/pipelines, the work area, the lock or the configuration, or over
    an existing file of the repository's git index (:func:`refuse_managed`)."""
    from rspp.core.files import write_atomic

    refuse_managed(out, root)
    write_atomic(out, data, root=root)


def refuse_managed(out: Path, root: Path) -> None:
    """UsageError when ``out`` is a managed file (:func:`managed`) or an existing file git
    tracks in ``root`` (:func:`tracked`); a command calls it before its work too, so a long
    run never ends in a refusal. An untracked existing file (a previous report) may be
    overwritten."""
    from rspp.core.errors import UsageError
    from rspp.core.paths import show

    place = managed(out, root)
    if place is not None:
        raise UsageError(f"refusing to write {show(str(out))}: {place} is managed by rspp or "
                         "its authors", "write the output elsewhere (for example under build/)")
    rel = tracked(out, root)
    if rel is not None:
        raise UsageError(f"refusing to write {show(str(out))}: {show(rel)} is a file git "
                         "tracks in the repository",
                         "write the output elsewhere (for example under build/)")


def tracked(path: Path, root: Path) -> str | None:
    """The name of ``path`` (relative to the working directory) under ``root`` when it is an
    existing file git tracks there, else None. Asks ``git --literal-pathspecs ls-files
    --error-unmatch -- NAME`` in ``root`` (no shell) when ``root`` or a folder above it holds
    ``.git``; None when ``path`` does not exist or lies outside ``root``, when ``root`` is not
    in a git work tree, or when git is not installed or fails (then only the managed places of
    :func:`managed` are refused)."""
    import os
    import shutil
    import subprocess

    if not os.path.lexists(path):
        return None
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return None
    folder = Path(os.path.abspath(root))
    if not any(os.path.lexists(f / ".git") for f in (folder, *folder.parents)):
        return None  # not in a git work tree: git is not asked
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, "--literal-pathspecs", "ls-files", "--error-unmatch", "--",
                               rel], cwd=root, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(rel).as_posix() if done.returncode == 0 else None


def write_report(result: Report, fmt: str, *, quiet_when_clean: bool = False) -> None:
    """Render ``result`` with the ``--format`` reporter on stdout; with ``quiet_when_clean``
    a clean text report prints nothing."""
    if result.findings or fmt != "text" or not quiet_when_clean:
        sys.stdout.write(reporter(fmt)(result))  # reporters escape what they quote
