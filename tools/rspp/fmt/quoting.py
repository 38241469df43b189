"""Which plain strings a YAML 1.1 reader would not read as strings.

rspp reads YAML 1.2 (``on``, ``no``, ``010``, ``1_000`` and ``2026-01-01`` are strings or
decimal numbers), but many tools still read YAML 1.1, where the same plain scalars are
booleans, octal or underscored integers, sexagesimal numbers or timestamps. fmt quotes such
strings so that every reader sees the same text.
"""

from __future__ import annotations

import re

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_STR_TAG = "tag:yaml.org,2002:str"
# YAML 1.1 booleans that PyYAML's resolver leaves out (the specification lists them).
_SHORT_BOOLEANS = re.compile(r"[yYnN]")
_RESOLVER = Resolver()


def yaml11_differs(value: str) -> bool:
    """Whether a YAML 1.1 reader would type the plain scalar ``value`` as something else."""
    if _SHORT_BOOLEANS.fullmatch(value):
        return True
    return _RESOLVER.resolve(ScalarNode, value, (True, False)) != _STR_TAG
