"""A float literal cannot stand where the schema says integer (SCH003, ADR 0004).

JSON Schema counts 64.0 as an integer and RFC 8785 writes it as 64, so the digest of
``capacity: 64.0`` is the digest of ``capacity: 64``; a runtime reading the YAML gets a float.
Refusing the literal keeps the digest honest about every type a runtime can see.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rspp.core.findings import Finding
from rspp.load.api import load_bytes, load_file
from rspp.load.document import Syntax
from rspp.model.digest import data_digest
from rspp.model.schemafiles import SCHEMA_DIR
from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from rspp.validate.schema import check_schema
from tests.helpers import RULE_BASE
from tests.helpers.cli import check_json
from tests.helpers.files import edit, read
from tests.helpers.repos import PROFILE, example_repo

BASE_PROFILE = "pipelines/profiles/base.yaml"
DATA_LANE = "    data: {priority: 200, buffer: {capacity: 64, "


def _profile(text: str, fmt: Syntax = "yaml") -> list[Finding]:
    loaded = load_bytes(text.encode("utf-8"), "profile." + fmt, syntax=fmt)
    assert loaded.document is not None, loaded.findings
    return check_schema(loaded.document, "ExecutionProfile")


def _base_with(capacity: str) -> str:
    text = (RULE_BASE / BASE_PROFILE).read_text(encoding="utf-8")
    assert DATA_LANE in text
    return text.replace(DATA_LANE, DATA_LANE.replace("capacity: 64", f"capacity: {capacity}"))


def test_an_integer_literal_is_quiet() -> None:
    assert _profile(_base_with("64")) == []


@pytest.mark.parametrize(("literal", "runtime"), [("64.0", "64.0"), ("6.4e1", "64.0"),
                                                  ("6.4e+1", "64.0"), ("64.", "64.0")])
def test_a_float_literal_where_an_integer_is_wanted_is_refused(literal: str,
                                                               runtime: str) -> None:
    found = _profile(_base_with(literal))
    assert [(f.code, f.location()) for f in found] == [("SCH003", "profile.yaml:10:46")]
    assert found[0].message == (
        f"/spec/lanes/data/buffer/capacity must be an integer, but {literal} is a float "
        f"literal (a runtime reads the float {runtime}); write 64")
    assert (found[0].end_line, found[0].end_col) == (10, 46 + len(literal))


def test_json_float_literals_are_refused_too() -> None:
    loaded = load_file(RULE_BASE / BASE_PROFILE, RULE_BASE)
    assert loaded.document is not None
    data: Any = loaded.document.data
    data["spec"]["lanes"]["data"]["buffer"]["capacity"] = 64.0
    text = json.dumps(data, indent=2)
    assert '"capacity": 64.0' in text
    assert [f.code for f in _profile(text, "json")] == ["SCH003"]


def test_a_fractional_number_stays_a_schema_violation_only() -> None:
    assert [f.code for f in _profile(_base_with("64.5"))] == ["SCH001"]


def test_a_float_where_any_number_is_allowed_is_quiet(base_repo: Path) -> None:
    gates = base_repo / "pipelines/tests/gates.yaml"
    text = gates.read_text(encoding="utf-8")
    gates.write_text(text.replace("p95_turn_latency_ms: 800", "p95_turn_latency_ms: 800.0"),
                     encoding="utf-8")
    assert validate(ValidateOptions(root=base_repo)).findings == ()


def _with_capacity_schema(tmp_path: Path, capacity: dict[str, Any]) -> Path:
    directory = tmp_path / "schemas"
    directory.mkdir()
    for source in SCHEMA_DIR.resolve().glob("*.schema.json"):
        schema = json.loads(source.read_text(encoding="utf-8"))
        if source.name == "ExecutionProfile.schema.json":
            schema["$defs"]["Buffer"]["properties"]["capacity"] = capacity
        (directory / source.name).write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return directory


@pytest.mark.parametrize(("capacity", "fires"), [
    ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, True),
    ({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "boolean"}]}, True),
    ({"allOf": [{"$ref": "#/$defs/Count"}]}, True),
    ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, False),
    ({"type": ["integer", "string"]}, True),
    ({"type": "number"}, False),
])
def test_every_way_a_schema_can_say_integer(tmp_path: Path, capacity: dict[str, Any],
                                            fires: bool) -> None:
    directory = _with_capacity_schema(tmp_path, capacity)
    schema_file = directory / "ExecutionProfile.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["$defs"]["Count"] = {"type": "integer"}
    schema_file.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    loaded = load_bytes(_base_with("64.0").encode("utf-8"), "profile.yaml", syntax="yaml")
    assert loaded.document is not None
    found = check_schema(loaded.document, "ExecutionProfile", schema_dir=directory)
    assert [f.code for f in found] == (["SCH003"] if fires else [])


def test_the_digest_cannot_tell_64_from_64_0() -> None:
    """Why the literal is refused: RFC 8785 numbers carry no integer/float distinction."""
    def digest(text: str) -> str:
        loaded = load_bytes(text.encode("utf-8"), "profile.yaml", syntax="yaml")
        assert loaded.document is not None
        return data_digest(loaded.document.data)

    assert digest(_base_with("64")) == digest(_base_with("64.0"))


@pytest.mark.slow
def test_check_against_refuses_a_published_integer_turned_float(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    repo = example_repo(tmp_path / "repo")
    assert check_json(capsys, repo, "--against", "main") == (0, [])
    edit(repo, PROFILE, "        capacity: 64\n", "        capacity: 64.0\n")
    code, findings = check_json(capsys, repo, "--against", "main")
    assert code == 1
    line = read(repo, PROFILE).splitlines().index("        capacity: 64.0") + 1
    assert [(f["code"], f["line"], f["column"]) for f in findings if f["path"] == PROFILE] == [
        ("SCH003", line, 19)]
    # The pages built from the profile are blocked by the error, not silently fresh.
    assert {f["code"] for f in findings if f["path"] != PROFILE} == {"DRV004"}
