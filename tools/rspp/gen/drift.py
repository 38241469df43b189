"""Drift of the files generated from rspp's own code (schemas/, docs/rules.md,
docs/catalog.md, .pre-commit-hooks.yaml): which are out of date, and rewriting them.

Shared by `rspp schemas`, `rspp docs`, `rspp check-generated` and the derived-file graph.
They exist only in rspp's own repository (``rspp.gen.docs.is_rspp_source``).
"""

from __future__ import annotations

from pathlib import Path

from rspp.core.errors import UsageError
from rspp.core.files import read_existing, write_atomic
from rspp.gen import schemas as schemagen
from rspp.gen.docs import OWN_FILES, generated_files, is_rspp_source

SCHEMA_DIR = "schemas"


def own_repository(root: Path, command: str) -> Path:
    """``root`` when it is rspp's own repository; else UsageError naming ``command``."""
    if not is_rspp_source(root):
        raise UsageError(f"{root} is not rspp's own repository: `rspp {command}` manages "
                         f"{OWN_FILES}, which only that repository has",
                         "run it in rspp's source repository; `rspp build` writes the derived "
                         "files of this one")
    return root


def expected_docs() -> dict[str, bytes]:
    """Repository-relative path -> the bytes this rspp writes for each generated document."""
    return {rel: text.encode("utf-8") for rel, text in generated_files().items()}


def expected_files() -> dict[str, bytes]:
    """Repository-relative path -> the bytes this rspp writes, for every file generated from
    its code (the documents and ``schemas/``): what the derived-file graph holds them to."""
    schemas = {f"{SCHEMA_DIR}/{name}": data for name, data in schemagen.expected().items()}
    return {**expected_docs(), **schemas}


def schema_drift(root: Path, write: bool) -> list[str]:
    """One line per schema file written (``write``) or out of date. Raises FileAccessError
    (IO001-IO003) for a path the writer refuses."""
    target = root / SCHEMA_DIR
    if write:
        return [f"wrote {SCHEMA_DIR}/{name}" for name in schemagen.write(target, root=root)]
    return [f"{SCHEMA_DIR}/{name}: out of date (run `rspp schemas --write`)"
            for name in schemagen.check(target, root=root)]


def docs_drift(root: Path, write: bool) -> list[str]:
    """One line per generated document written (``write``) or out of date. Every file is
    looked at before any is written: a refused one (FileAccessError) stops the run with
    nothing written."""
    wanted = expected_docs()
    changed = [rel for rel, data in wanted.items()
               if read_existing(root / rel, root=root, verb="write" if write else "check")
               != data]
    if not write:
        return [f"{rel}: out of date (run `rspp docs --write`)" for rel in changed]
    for rel in changed:
        write_atomic(root / rel, wanted[rel], root=root)
    return [f"wrote {rel}" for rel in changed]
