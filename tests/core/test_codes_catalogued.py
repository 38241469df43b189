"""Every code the package can emit is in the catalogue, so a finding always has a severity and
`rspp explain CODE` documents it."""

from __future__ import annotations

import ast
import re

from rspp.core.catalogue import BY_CODE
from tests.helpers import REPO_ROOT

CODE = re.compile(r"^(?:[A-Z]{2,5}\d{3})$")
PACKAGE = REPO_ROOT / "tools" / "rspp"
CATALOGUE = PACKAGE / "core" / "catalogue.py"


def _code_literals() -> dict[str, str]:
    """Every string literal outside the catalogue that has the shape of a code, and where."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == CATALOGUE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and CODE.match(node.value):
                found.setdefault(node.value, f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    return found


def test_every_code_in_the_package_is_catalogued() -> None:
    literals = _code_literals()
    assert len(literals) > 50  # the scan really reads the package, not the catalogue
    missing = {code: where for code, where in literals.items() if code not in BY_CODE}
    assert missing == {}
