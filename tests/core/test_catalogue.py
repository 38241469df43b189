"""The code catalogue is literal data: one frozen entry per code, read-only, cheap to import."""

from __future__ import annotations

import ast
import re
from types import MappingProxyType

import pytest

from rspp.core import catalogue
from rspp.core.catalogue import BY_CODE, ENTRIES, Entry, entry, get
from rspp.core.findings import Severity
from tests.helpers import REPO_ROOT

SOURCE = REPO_ROOT / "tools" / "rspp" / "core" / "catalogue.py"
CODE = re.compile(r"[A-Z]{2,5}[0-9]{3}")
FIELDS = set(Entry.__struct_fields__)


def test_one_entry_per_code_in_category_then_code_order() -> None:
    assert len(ENTRIES) > 50
    assert len(BY_CODE) == len(ENTRIES)
    assert list(ENTRIES) == sorted(ENTRIES, key=lambda e: (e.category, e.code))
    assert all(CODE.fullmatch(e.code) for e in ENTRIES)


def test_every_entry_is_complete() -> None:
    for e in ENTRIES:
        assert e.category and e.summary and e.doc, e.code
        assert e.summary.endswith(".") and "\n" not in e.summary, e.code
        assert e.replaced_by is None or (e.replaced_by in BY_CODE
                                         and not BY_CODE[e.replaced_by].retired), e.code


def test_lookup() -> None:
    assert entry("DAG004") is get("dag004") is get("DAG004") is BY_CODE["DAG004"]
    assert entry("DAG005").severity is Severity.WARNING
    assert get("NOPE001") is None
    with pytest.raises(KeyError):
        entry("dag004")  # exact: only the command line is tolerant of the letter case


def test_read_only() -> None:
    assert isinstance(BY_CODE, MappingProxyType)
    assert isinstance(ENTRIES, tuple)
    with pytest.raises(TypeError):
        BY_CODE["NEW001"] = ENTRIES[0]  # type: ignore[index]
    with pytest.raises(AttributeError):  # a frozen struct
        ENTRIES[0].summary = "changed"  # type: ignore[misc]


def _entry_calls() -> list[ast.Call]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id == "Entry"]


def test_every_string_is_written_out() -> None:
    """Each entry is a call with keyword arguments only, each a literal string (adjacent
    literals are one literal to the parser) or, for the severity, a Severity member: a code's
    whole definition is found by searching for it."""
    calls = _entry_calls()
    assert len(calls) == len(ENTRIES)
    for call in calls:
        assert call.args == []
        given = {k.arg: k.value for k in call.keywords}
        assert set(given) <= FIELDS and {"code", "category", "severity", "summary", "doc",
                                         "emitted_by"} <= set(given)
        for name, value in given.items():
            if name == "severity":
                assert isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) \
                    and value.value.id == "Severity", ast.dump(value)
            else:
                assert isinstance(value, ast.Constant) and isinstance(value.value, str), \
                    f"{ast.unparse(call)[:60]}: {name} is not a literal string"


def test_importing_it_parses_nothing() -> None:
    """Start-up time matters (pre-commit runs rspp on every commit): the catalogue imports
    only a few standard modules and the findings, and reads no file."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    imported = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
    assert imported == {"__future__", "collections.abc", "msgspec", "types", "typing",
                        "rspp.core.findings"}
    assert "open(" not in SOURCE.read_text(encoding="utf-8")


def test_no_mutable_module_state() -> None:
    mutable = (list, dict, set, bytearray)
    assert [name for name, value in vars(catalogue).items()
            if not name.startswith("__") and isinstance(value, mutable)] == []
