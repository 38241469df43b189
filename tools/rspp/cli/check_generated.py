"""`rspp check-generated`: every file generated from rspp's code is fresh."""

from __future__ import annotations

from pathlib import Path

from rspp.cli import common
from rspp.cli.schemas import finish


def command(root: Path = common.ROOT) -> None:
    """Check every file generated from rspp's code (schemas, rule and catalog references, hook
    definitions); in a repository other than rspp's own there are none, and it says so."""
    finish("all", False, root, "generated files are fresh")
