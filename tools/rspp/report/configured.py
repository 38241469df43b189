"""Applying a consumer's configuration to findings (ADR 0010): the one place it happens.

:class:`rspp.report.result.Report` calls :func:`apply` whenever it is made or copied with a
configuration, so every command built on the report, every format and the exit code see the
same findings. The catalogue gives each finding its severity (:mod:`rspp.core.sink`); here a
configured level replaces it, ``off`` and the excludes drop the finding into the report's
``hidden`` findings (listed by the JSON and SARIF reports, counted by the others). A code that
cannot be configured (``Entry.configurable``) is never touched. Idempotent: the configured
severity is computed from the catalogue's, so applying twice changes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from rspp.core.catalogue import BY_CODE, Entry
from rspp.core.findings import Finding, Severity
from rspp.load.config import Config, Where


def apply(config: Config, findings: Iterable[Finding],
          entries: Mapping[str, Entry] | None = None
          ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(kept, hidden): ``findings`` with configured severities, and those dropped;
    ``entries``: the enabled packs' codes, configured like rspp's own."""
    kept: list[Finding] = []
    hidden: list[Finding] = []
    for made in findings:
        entry = BY_CODE.get(made.code) or (entries or {}).get(made.code)
        level = config.severity.get(made.code)
        if entry is None or (not entry.configurable and level is None):
            kept.append(made)
            continue
        if (level is not None and level[0] == "off") or \
                config.excluded_by(made.code, made.path, entry):
            hidden.append(made)
            continue
        severity = entry.severity if level is None else Severity(level[0])
        kept.append(made if made.severity is severity
                    else msgspec.structs.replace(made, severity=severity))
    return tuple(kept), tuple(hidden)


def severity_source(config: Config | None, made: Finding) -> tuple[Severity, Where] | None:
    """(default severity, where the configuration sets it) when ``made``'s severity comes
    from the configuration and differs from the catalogue's; None otherwise."""
    if config is None:
        return None
    level = config.severity.get(made.code)
    entry = BY_CODE.get(made.code)
    if level is None or entry is None or entry.severity is made.severity:
        return None
    return entry.severity, level[1]


def why_hidden(config: Config | None, made: Finding) -> tuple[str, Where] | None:
    """Why the configuration hides ``made`` (a phrase) and where that is written, or None."""
    if config is None:
        return None
    level = config.severity.get(made.code)
    if level is not None and level[0] == "off":
        return f"severity of {made.code} is 'off' in {config.source}", level[1]
    glob = config.excluded_by(made.code, made.path)
    if glob is None:
        return None
    key = f"exclude_codes.{made.code}" if glob in config.exclude_codes.get(made.code, ()) \
        else "exclude"
    return f"excluded by {key} {glob.text!r} in {config.source}", glob.where
