"""The registry joins the catalogue with the checks: every code the rules report has exactly
one check, every check a catalogued code, and what the registry hands out cannot change."""

from __future__ import annotations

import functools
from collections import Counter
from types import MappingProxyType

from rspp.core.catalogue import BY_CODE, ENTRIES
from rspp.rules import registry
from rspp.rules.base import Check


def _checks() -> list[Check]:
    return [c for m in registry._MODULES for c in m.CHECKS]


def test_every_code_of_the_rules_has_exactly_one_check() -> None:
    bound = Counter(c.code for c in _checks())
    reported = {e.code for e in ENTRIES if e.emitted_by == "rules"}
    assert len(reported) > 40
    assert {code: n for code, n in bound.items() if n != 1} == {}
    assert set(bound) == reported


def test_every_check_names_a_catalogued_code_of_the_rules() -> None:
    for check in _checks():
        assert BY_CODE[check.code].emitted_by == "rules", check.code
        assert check.kinds, check.code


def test_the_registry_is_the_catalogue_joined_with_the_checks() -> None:
    rules = registry.all_rules()
    assert [r.code for r in rules] == sorted(e.code for e in ENTRIES)
    for rule in rules:
        assert rule.entry is BY_CODE[rule.code]
        assert (rule.check is not None) == (rule.emitted_by == "rules"), rule.code
    assert registry.get("dag004") is registry.by_code()["DAG004"]
    assert registry.get("NOPE001") is None
    assert registry.active_rules() == tuple(r for r in rules if not r.retired)


def test_what_the_registry_hands_out_is_immutable() -> None:
    assert isinstance(registry.all_rules(), tuple)
    assert isinstance(registry.active_rules(), tuple)
    assert isinstance(registry.by_code(), MappingProxyType)
    assert isinstance(registry.BINDINGS, MappingProxyType)
    state = {name: value for name, value in vars(registry).items() if not name.startswith("__")}
    assert [n for n, v in state.items() if isinstance(v, (list, dict, set, bytearray))] == []
    assert [n for n, v in state.items() if isinstance(v, functools._lru_cache_wrapper)] == []
    for module in registry._MODULES:
        assert isinstance(module.CHECKS, tuple), module.__name__
