"""`rspp schemas`, `rspp docs` and `rspp check-generated`: files generated from rspp's code.

They exist only in rspp's own repository (``rspp.docgen.is_rspp_source``): elsewhere
`schemas` and `docs` refuse, and `check-generated` says there is nothing of that kind.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

RootOption = typer.Option(None, "--root", help="Repository root.")


def _root(root: Path | None) -> Path:
    from rspp.validate.discover import find_root

    return root if root is not None else find_root(Path.cwd())


def _own(root: Path, command: str) -> Path:
    """``root``, or a usage error when it is not rspp's own repository."""
    from rspp.core.errors import UsageError
    from rspp.gen.docs import OWN_FILES, is_rspp_source

    if not is_rspp_source(root):
        raise UsageError(f"{root} is not rspp's own repository: `rspp {command}` manages "
                         f"{OWN_FILES}, which only that repository has",
                         "run it in rspp's source repository; `rspp build` writes the derived "
                         "files of this one")
    return root


def _schema_drift(root: Path, write: bool) -> list[str]:
    from rspp.gen import schemas as schemagen

    target = root / "schemas"
    if write:
        return [f"wrote schemas/{name}" for name in schemagen.write(target, root=root)]
    return [f"schemas/{name}: out of date (run `rspp schemas --write`)"
            for name in schemagen.check(target, root=root)]


def _docs_drift(root: Path, write: bool) -> list[str]:
    from rspp.core.files import read_existing, write_atomic
    from rspp.gen.docs import generated_files

    wanted = {rel: text.encode("utf-8") for rel, text in generated_files().items()}
    # every file is looked at before any is written: a refused one stops the run untouched
    changed = [rel for rel, data in wanted.items()
               if read_existing(root / rel, root=root, verb="write" if write else "check")
               != data]
    if not write:
        return [f"{rel}: out of date (run `rspp docs --write`)" for rel in changed]
    for rel in changed:
        write_atomic(root / rel, wanted[rel], root=root)
    return [f"wrote {rel}" for rel in changed]


def _finish(lines: list[str], write: bool, clean: str) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines) or f"{clean}\n")
    raise typer.Exit(0 if write or not lines else 1)


def schemas_command(
    check: bool = typer.Option(False, "--check", help="Fail when schemas/ drifts (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate schemas/."),
    root: Path = RootOption,
) -> None:
    """Generate schemas/<Kind>.schema.json from the models, or check them (rspp's own
    repository only)."""
    base = _own(_root(root), "schemas")
    _finish(_schema_drift(base, write), write, "schemas/ matches the models")


def docs_command(
    check: bool = typer.Option(False, "--check", help="Fail when the files drift (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate them."),
    root: Path = RootOption,
) -> None:
    """Generate docs/rules.md, docs/catalog.md and .pre-commit-hooks.yaml from the registry,
    or check them (rspp's own repository only)."""
    base = _own(_root(root), "docs")
    _finish(_docs_drift(base, write), write, "generated docs match the registry")


def check_generated_command(root: Path = RootOption) -> None:
    """Check every file generated from rspp's code (schemas, rule and catalog references, hook
    definitions); in a repository other than rspp's own there are none, and it says so."""
    from rspp.gen.docs import OWN_FILES, is_rspp_source

    base = _root(root)
    if not is_rspp_source(base):
        sys.stdout.write(f"nothing to check: {OWN_FILES} are generated only in rspp's own "
                         "repository (`rspp status` checks this repository's derived files)\n")
        raise typer.Exit(0)
    _finish(_schema_drift(base, False) + _docs_drift(base, False), False,
            "generated files are fresh")
