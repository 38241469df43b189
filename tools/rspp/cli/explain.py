"""`rspp explain CODE`: the documentation of one rule (rspp's, or an enabled pack's)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from rspp.cli import common


def command(code: str = typer.Argument(..., help="A rule code such as DAG004."),
            root: Path = common.ROOT) -> None:
    """Print a rule's summary and documentation; a code no rule of rspp has is looked up in
    the packs the repository's configuration enables."""
    from rspp.core.errors import UsageError
    from rspp.report.rules import explain_text
    from rspp.rules.registry import get

    rule = get(code)
    if rule is None:
        from rspp.commands.packs import list_packs
        from rspp.core.paths import nearest_repository

        base = root if root is not None else nearest_repository(Path.cwd())
        if base is not None:
            rule = {r.code: r for r in list_packs(base).packs.rules()}.get(code.upper())
    if rule is None:
        raise UsageError(f"no rule {code!r}", "`rspp rules list` shows every code; "
                                              "`rspp packs list` the codes of enabled packs")
    sys.stdout.write(explain_text(rule))
