"""The rule registry: every rule rspp knows, by stable code."""

from __future__ import annotations

import functools

from rspp.core.findings import Severity
from rspp.rules import (
    buffers,
    bundle,
    compat,
    envelope,
    extension,
    fmt,
    immutability,
    io,
    load,
    policy,
    refs,
    replay,
    rollout,
    spec,
)
from rspp.rules.base import Rule

_MODULES = (load, envelope, refs, spec, buffers, bundle, policy, extension, rollout, replay,
            compat, fmt, immutability, io)


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    rules = [r for m in _MODULES for r in m.RULES]
    codes = [r.code for r in rules]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise RuntimeError(f"rule codes registered twice: {duplicated}")
    return tuple(sorted(rules, key=lambda r: r.code))


@functools.cache
def by_code() -> dict[str, Rule]:
    return {r.code: r for r in all_rules()}


def get(code: str) -> Rule | None:
    return by_code().get(code.upper())


def active_rules() -> tuple[Rule, ...]:
    return tuple(r for r in all_rules() if not r.retired)


def severity_of(code: str) -> Severity:
    return by_code()[code].severity
