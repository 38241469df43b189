"""`rspp explain CODE`: the documentation of one rule."""

from __future__ import annotations

import sys
import textwrap

import typer


def command(code: str = typer.Argument(..., help="A rule code such as DAG004.")) -> None:
    """Print a rule's summary and documentation."""
    from rspp.core.errors import UsageError
    from rspp.rules.registry import get

    rule = get(code)
    if rule is None:
        raise UsageError(f"no rule {code!r}", "`rspp rules list` shows every code")
    body = textwrap.fill(rule.doc, width=88)
    kinds = f"\nApplies to: {', '.join(rule.kinds)}" if rule.kinds else ""
    retired = f"\nRetired; replaced by {rule.replaced_by}." if rule.replaced_by else ""
    sys.stdout.write(f"{rule.code} ({rule.category}, {rule.severity.value}): {rule.summary}"
                     f"{kinds}{retired}\n\n{body}\n")
