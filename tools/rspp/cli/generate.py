"""`rspp schemas` and `rspp docs`: write or check the files generated from the code."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def _root(root: Path | None) -> Path:
    from rspp.validate.discover import find_root

    return root if root is not None else find_root(Path.cwd())


def schemas_command(
    check: bool = typer.Option(False, "--check", help="Fail when schemas/ drifts."),
    write: bool = typer.Option(False, "--write", help="Regenerate schemas/."),
    root: Path = typer.Option(None, "--root", help="Repository root."),
) -> None:
    """Generate schemas/<Kind>.schema.json from the models, or check them."""
    from rspp.model import schemagen

    target = _root(root) / "schemas"
    if write:
        for name in schemagen.write(target):
            sys.stdout.write(f"wrote schemas/{name}\n")
        return
    drift = schemagen.check(target)
    for name in drift:
        sys.stdout.write(f"schemas/{name}: out of date (run `rspp schemas --write`)\n")
    if not drift:
        sys.stdout.write("schemas/ matches the models\n")
    raise typer.Exit(1 if drift else 0)


def docs_command(
    check: bool = typer.Option(False, "--check", help="Fail when docs/rules.md drifts."),
    write: bool = typer.Option(False, "--write", help="Regenerate docs/rules.md."),
    root: Path = typer.Option(None, "--root", help="Repository root."),
) -> None:
    """Generate docs/rules.md from the rule registry, or check it."""
    from rspp.docgen import rules_markdown

    target = _root(root) / "docs" / "rules.md"
    text = rules_markdown()
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if write:
        if current != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            sys.stdout.write("wrote docs/rules.md\n")
        return
    if current != text:
        sys.stdout.write("docs/rules.md: out of date (run `rspp docs --write`)\n")
        raise typer.Exit(1)
    sys.stdout.write("docs/rules.md matches the registry\n")
