"""`rspp schemas`, `rspp docs` and `rspp check-generated`: files generated from the code."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

RootOption = typer.Option(None, "--root", help="Repository root.")


def _root(root: Path | None) -> Path:
    from rspp.validate.discover import find_root

    return root if root is not None else find_root(Path.cwd())


def _schema_drift(root: Path, write: bool) -> list[str]:
    from rspp.model import schemagen

    target = root / "schemas"
    if write:
        return [f"wrote schemas/{name}" for name in schemagen.write(target)]
    return [f"schemas/{name}: out of date (run `rspp schemas --write`)"
            for name in schemagen.check(target)]


def _docs_drift(root: Path, write: bool) -> list[str]:
    from rspp.docgen import generated_files

    lines = []
    for rel, text in generated_files().items():
        target = root / rel
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            continue
        if write:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            lines.append(f"wrote {rel}")
        else:
            lines.append(f"{rel}: out of date (run `rspp docs --write`)")
    return lines


def _finish(lines: list[str], write: bool, clean: str) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines) or f"{clean}\n")
    raise typer.Exit(0 if write or not lines else 1)


def schemas_command(
    check: bool = typer.Option(False, "--check", help="Fail when schemas/ drifts (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate schemas/."),
    root: Path = RootOption,
) -> None:
    """Generate schemas/<Kind>.schema.json from the models, or check them."""
    _finish(_schema_drift(_root(root), write), write, "schemas/ matches the models")


def docs_command(
    check: bool = typer.Option(False, "--check", help="Fail when the files drift (default)."),
    write: bool = typer.Option(False, "--write", help="Regenerate them."),
    root: Path = RootOption,
) -> None:
    """Generate docs/rules.md and .pre-commit-hooks.yaml from the registry, or check them."""
    _finish(_docs_drift(_root(root), write), write, "generated docs match the registry")


def check_generated_command(root: Path = RootOption) -> None:
    """Check every generated file (schemas, rule reference, hook definitions) at once."""
    base = _root(root)
    _finish(_schema_drift(base, False) + _docs_drift(base, False), False,
            "generated files are fresh")
