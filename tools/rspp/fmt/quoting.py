"""Which plain scalars must be quoted to stay strings, for rspp and for YAML 1.1 readers.

rspp reads YAML 1.2 with the core schema (``on``, ``no``, ``1_000`` and ``2026-01-01`` are
strings; ``010`` is ten), but many tools still read YAML 1.1, where the same plain scalars
are booleans, octal or underscored integers, sexagesimal numbers or timestamps. fmt quotes a
plain string that either reader would take for something else.
"""

from __future__ import annotations

import re

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_STR_TAG = "tag:yaml.org,2002:str"
# YAML 1.1 booleans that PyYAML's resolver leaves out (the specification lists them).
_SHORT_BOOLEANS = re.compile(r"[yYnN]")
_RESOLVER = Resolver()
# The YAML 1.2 core schema, as rspp's strict loader applies it (rspp.load.yaml_strict).
_CORE = re.compile(
    r"|null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def yaml12_differs(value: str) -> bool:
    """Whether rspp (YAML 1.2 core schema) reads the plain scalar ``value`` as a non-string."""
    return _CORE.fullmatch(value) is not None


def yaml11_differs(value: str) -> bool:
    """Whether a YAML 1.1 reader would type the plain scalar ``value`` as something else."""
    if _SHORT_BOOLEANS.fullmatch(value):
        return True
    tag: str = _RESOLVER.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag != _STR_TAG


def needs_quotes(value: str) -> bool:
    """Whether the string ``value``, written plain, would not read back as a string."""
    return yaml12_differs(value) or yaml11_differs(value)
