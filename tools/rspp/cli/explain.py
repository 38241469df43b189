"""`rspp explain CODE`: the documentation of one rule."""

from __future__ import annotations

import sys

import typer


def command(code: str = typer.Argument(..., help="A rule code such as DAG004.")) -> None:
    """Print a rule's summary and documentation."""
    from rspp.core.errors import UsageError
    from rspp.report.rules import explain_text
    from rspp.rules.registry import get

    rule = get(code)
    if rule is None:
        raise UsageError(f"no rule {code!r}", "`rspp rules list` shows every code")
    sys.stdout.write(explain_text(rule))
