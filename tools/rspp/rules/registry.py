"""The rule registry: every catalogue code, joined with its check where the rules report it.

Built once at import from literal data (the catalogue in :mod:`rspp.core.catalogue`, the
``CHECKS`` of each rule module); what it hands out is immutable.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from rspp.core.catalogue import BY_CODE as ENTRY_BY_CODE
from rspp.core.catalogue import ENTRIES
from rspp.rules import (
    buffers,
    bundle,
    compat,
    envelope,
    extension,
    gates,
    policy,
    refs,
    replay,
    rollout,
    spec,
)
from rspp.rules.base import Check, Rule

_MODULES = (envelope, refs, spec, buffers, bundle, policy, extension, rollout, replay, compat, gates)


def _bindings() -> Mapping[str, Check]:
    """Code -> check, refusing a code bound twice or one the rules do not report."""
    out: dict[str, Check] = {}
    for check in (c for m in _MODULES for c in m.CHECKS):
        entry = ENTRY_BY_CODE.get(check.code)
        if entry is None or entry.emitted_by != "rules":
            raise RuntimeError(f"{check.code} is bound to a check but the catalogue does not "
                               "list it as reported by the rules")
        if check.code in out:
            raise RuntimeError(f"{check.code} is bound to two checks")
        out[check.code] = check
    return MappingProxyType(out)


BINDINGS: Mapping[str, Check] = _bindings()
"""Every code the rules report, with its check."""

_ALL: tuple[Rule, ...] = tuple(sorted((Rule.join(e, BINDINGS.get(e.code)) for e in ENTRIES),
                                      key=lambda r: r.code))
_BY_CODE: Mapping[str, Rule] = MappingProxyType({r.code: r for r in _ALL})
_ACTIVE: tuple[Rule, ...] = tuple(r for r in _ALL if not r.retired)


def all_rules() -> tuple[Rule, ...]:
    """Every code, by code."""
    return _ALL


def by_code() -> Mapping[str, Rule]:
    return _BY_CODE


def get(code: str) -> Rule | None:
    """The rule of ``code`` in any letter case, or None."""
    return _BY_CODE.get(code.upper())


def active_rules() -> tuple[Rule, ...]:
    """Every code not retired, by code."""
    return _ACTIVE
