"""`rspp cache clear`: delete the per-file cache of validation (ADR 0013)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.report.result import Report


@dataclass(frozen=True, slots=True)
class Cleared:
    """``removed`` entries deleted from ``.rspp/cache`` of the repository at ``report.root``."""

    report: Report
    removed: int


def clear_cache(root: Path) -> Cleared:
    """Delete the cache of ``root``. A link where a cache folder should be is removed, never
    followed. Raises FileAccessError (IO002) when a folder on the way to it is a link."""
    from rspp.validate.cache import clear

    return Cleared(Report(root, (), (), {}), clear(root))
