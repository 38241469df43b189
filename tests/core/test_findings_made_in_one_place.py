"""Nobody but the sink makes a finding, and nobody but the catalogue chooses a severity.

The source of the package is read, not imported: a second path to a finding (a hand-built
``Finding(...)``, a hard-coded ``Severity.ERROR``) fails here before it can disagree with the
catalogue.
"""

from __future__ import annotations

import ast

from tests.helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "tools" / "rspp"
# Where a finding may be constructed: the sink.
MAKES_FINDINGS = {"core/sink.py"}
# Where a severity may be named: its definition, the catalogue, a pack's rules (each pack
# catalogues its own codes, ADR 0024), and the reporters that map severities to output levels.
NAMES_SEVERITIES = ("core/findings.py", "core/catalogue.py", "rules/packs.py", "report/")


def _uses(tree: ast.AST) -> tuple[list[int], list[int]]:
    """Lines constructing a Finding, and lines naming a Severity member or calling Severity."""
    made, named = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else \
                func.attr if isinstance(func, ast.Attribute) else None
            if name == "Finding":
                made.append(node.lineno)
            elif name == "Severity":
                named.append(node.lineno)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "Severity" and node.attr.isupper():
            named.append(node.lineno)
    return made, named


def _scan() -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    made: dict[str, list[int]] = {}
    named: dict[str, list[int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        m, n = _uses(ast.parse(path.read_text(encoding="utf-8")))
        if m:
            made[rel] = m
        if n:
            named[rel] = n
    return made, named


def test_the_scan_sees_what_it_looks_for() -> None:
    made, named = _uses(ast.parse("Finding('X', Severity.ERROR)\nf.Finding()\nSeverity('info')\n"
                                  "rank = Severity.WARNING.rank\n"))
    assert made == [1, 2] and sorted(named) == [1, 3, 4]


def test_only_the_sink_makes_findings() -> None:
    made, _ = _scan()
    assert set(made) == MAKES_FINDINGS, made


def test_only_the_catalogue_chooses_a_severity() -> None:
    _, named = _scan()
    assert "core/catalogue.py" in named  # the scan reads the package
    outside = {rel: lines for rel, lines in named.items()
               if not rel.startswith(NAMES_SEVERITIES)}
    assert outside == {}

