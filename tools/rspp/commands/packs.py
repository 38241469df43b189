"""`rspp packs list`: the packs a repository enables, as loaded (ADR 0024, docs/packs.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.load.config import load_config
from rspp.report.result import Report
from rspp.rules.packs import Packs, load_packs

__all__ = ["PacksOutcome", "list_packs"]


@dataclass(frozen=True, slots=True)
class PacksOutcome:
    """The enabled packs that loaded (``packs``) and ``report``: the configuration's findings
    and those of the packs that could not be loaded (PCK001-PCK005)."""

    packs: Packs
    report: Report


def list_packs(root: Path) -> PacksOutcome:
    """Load the packs the configuration of the repository at ``root`` enables: exactly what
    a check of that repository would run. Never raises for a bad pack or configuration."""
    configured = load_config(root)
    packs = load_packs(root, configured.config)
    report = Report(root, (), (), {})
    return PacksOutcome(packs, report.with_findings([*configured.findings, *packs.findings]))
