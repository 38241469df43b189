"""`rspp schemas --export DIR`: rspp's JSON Schemas written into a consumer repository, for
editors (completion and hover through the YAML language server's ``$schema`` support)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.core.files import FileAccessError
from rspp.gen.schemas import export as export_files
from rspp.report.result import Report


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """``directory`` as given (relative to ``base``, or absolute inside it); ``base`` the
    folder nothing is written outside of (the CLI passes the working directory)."""

    directory: Path
    base: Path


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """``written``: paths (as given, POSIX) of the schema files written; ``unchanged``: those
    already holding the same bytes."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    report: Report


def export(options: ExportOptions) -> ExportOutcome:
    """Write every ``<Kind>.schema.json`` into ``options.directory``; works in any folder,
    not only rspp's own repository.

    Raises FileAccessError: IO001 the directory is outside ``base``, IO002 a link or a file
    is in the way (a ``directory`` that is a file included), IO003 the system refused.
    """
    base = options.base
    folder = options.directory if options.directory.is_absolute() else base / options.directory
    shown = options.directory.as_posix().rstrip("/") or "."
    try:
        written, unchanged = export_files(folder, root=base)
    except FileAccessError as exc:
        if exc.code != "IO001":
            raise
        raise FileAccessError("IO001", exc.path, f"refusing to export into {shown}: it is "
                              f"outside the working directory {base.as_posix()} (or inside its .git)",
                              "name a folder inside it, or run rspp from a folder that "
                              "holds the target") from None
    return ExportOutcome(tuple(f"{shown}/{n}" for n in written),
                         tuple(f"{shown}/{n}" for n in unchanged),
                         Report(base, (), (), {}))
