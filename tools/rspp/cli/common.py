"""What the commands share: the --root and --format options, and writing results."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rspp.report import Reporter
    from rspp.report.result import Report

ROOT = typer.Option(None, "--root", help="Repository root (default: found from cwd).")
TODAY = typer.Option(None, "--today", help="The date deprecations and waivers are judged on "
                                           "(YYYY-MM-DD; default: the clock's).")
FORMAT = typer.Option("text", "--format", "-f", help="Findings: text, json, github or sarif.")


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


def say(text: str) -> None:
    """Write the multi-line text of a library renderer; its line breaks are kept, any other
    hidden character is escaped. The renderer escapes line breaks inside the values it
    quotes (use :func:`line` for a line built here)."""
    from rspp.report.escape import visible

    sys.stdout.write("\n".join(visible(part) for part in text.split("\n")))


def emit(text: str, out: Path | None, root: Path | None = None) -> None:
    """Write ``text`` to ``out`` atomically, or to stdout.

    ``out`` (relative to the working directory) must be inside the repository ``root`` (the
    command's ``--root``; None: the repository found from the working directory) and is never
    written through a link: ``rspp.core.files.FileAccessError`` (IO001-IO003) otherwise, one line
    and exit 2.
    """
    if out is None:
        sys.stdout.write(text)
        return
    from rspp.core.files import write_atomic

    write_atomic(out, text.encode("utf-8"), root=base(root))


def write_report(result: Report, fmt: str, *, quiet_when_clean: bool = False) -> None:
    """Render ``result`` with the ``--format`` reporter on stdout; with ``quiet_when_clean``
    a clean text report prints nothing."""
    if result.findings or fmt != "text" or not quiet_when_clean:
        sys.stdout.write(reporter(fmt)(result))  # reporters escape what they quote
