"""The checked-in schemas: generated from the models, valid 2020-12, and agreeing with an
independent validator (check-jsonschema) and with the pydantic models on every example."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from rspp.core.jsontypes import JsonObject
from rspp.gen import schemas as schemagen
from rspp.load.api import load_file
from rspp.model.kinds import AUTHORED_MODELS as AUTHORED_KINDS
from rspp.model.kinds import OLDER_MODELS
from rspp.model.migrations import schema_name
from rspp.validate.discover import discover
from rspp.validate.schema import check_envelope, check_schema
from tests.helpers import REPO_ROOT, RULE_BASE, SCHEMA_FIXTURES
from tests.helpers.cli import check_jsonschema

SCHEMAS = REPO_ROOT / "schemas"
INVALID = SCHEMA_FIXTURES / "invalid"


def _examples() -> list[Path]:
    return discover(REPO_ROOT) + discover(RULE_BASE)


def _kind_of(path: Path, root: Path) -> tuple[str, JsonObject, bool]:
    loaded = load_file(path, root)
    assert loaded.document is not None, loaded.findings
    kind, problems = check_envelope(loaded.document)
    assert kind is not None, problems
    # the schema of the version the file is written at (ADR 0023)
    name = schema_name(kind, str(loaded.document.data["apiVersion"]))
    return name, loaded.document.data, not check_schema(loaded.document, kind)


def test_schemas_match_the_models() -> None:
    assert schemagen.check(SCHEMAS) == []


def test_schema_drift_is_detected(tmp_path: Path) -> None:
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    target = tmp_path / "schemas" / "PipelineSpec.schema.json"
    target.write_text(target.read_text().replace('"minLength": 1', '"minLength": 2', 1))
    (tmp_path / "schemas" / "Stale.schema.json").write_text("{}")
    assert schemagen.check(tmp_path / "schemas") == ["PipelineSpec.schema.json",
                                                    "Stale.schema.json"]


@pytest.mark.slow
def test_schemas_pass_the_metaschema_check() -> None:
    files = sorted(str(p) for p in SCHEMAS.glob("*.schema.json"))
    assert len(files) == len(schemagen.generate())
    run = subprocess.run([*check_jsonschema(), "--check-metaschema", *files],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_examples_exist_for_every_authored_kind() -> None:
    kinds = {str(_kind_of(p, REPO_ROOT)[1]["kind"]) for p in discover(REPO_ROOT)}
    assert kinds == set(AUTHORED_KINDS)


@pytest.mark.slow
def test_check_jsonschema_agrees_on_valid_examples() -> None:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for path in _examples():
        root = REPO_ROOT if path.is_relative_to(REPO_ROOT / "pipelines") or \
            path.is_relative_to(REPO_ROOT / "compat") or \
            path.is_relative_to(REPO_ROOT / "rollouts") else RULE_BASE
        kind, _, valid = _kind_of(path, root)
        assert valid, f"{path} must be schema-valid"
        by_kind[kind].append(str(path))
    for kind, files in sorted(by_kind.items()):
        run = subprocess.run(
            [*check_jsonschema(), "--schemafile", str(SCHEMAS / f"{kind}.schema.json"), *files],
            capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(INVALID.iterdir()), ids=lambda p: p.name)
def test_check_jsonschema_agrees_on_invalid_fixtures(path: Path) -> None:
    kind, _, valid = _kind_of(path, INVALID)
    assert not valid, "fixture must be schema-invalid for rspp"
    run = subprocess.run(
        [*check_jsonschema(), "--schemafile", str(SCHEMAS / f"{kind}.schema.json"), str(path)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr


@pytest.mark.parametrize("path", [*_examples(), *sorted(INVALID.iterdir())],
                         ids=lambda p: p.name)
def test_models_agree_with_schemas(path: Path) -> None:
    root = path.parent
    while root != root.parent and not (root / "pipelines").is_dir() and root != INVALID:
        root = root.parent
    kind, data, valid = _kind_of(path, root if root != root.parent else path.parent)
    try:
        models: dict[str, type[BaseModel]] = {**AUTHORED_KINDS, **OLDER_MODELS}
        models[kind].model_validate(data)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == valid


# --- editors: descriptions (hover) and the node catalog (completion) -------------------------

def _generated(name: str) -> Any:
    """The generated schema ``name``, for reading nested keys without narrowing each."""
    return schemagen.generate()[name]


def undescribed(schema: object, where: str = "") -> list[str]:
    """Pointers of every property (in ``properties`` maps at any depth, ``$defs`` included)
    whose schema has no non-empty ``description``."""
    found: list[str] = []
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            found += undescribed(item, f"{where}/{index}")
    elif isinstance(schema, dict):
        for key, value in schema.items():
            here = f"{where}/{key}"
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    if not (isinstance(sub, dict) and isinstance(sub.get("description"), str)
                            and sub["description"].strip()):
                        found.append(f"{here}/{name}")
                    found += undescribed(sub, f"{here}/{name}")
            elif key not in ("enum", "const", "default", "examples", "required"):
                found += undescribed(value, here)
    return found


def test_every_property_has_a_description() -> None:
    missing = [f"{name}#{pointer}" for name, schema in schemagen.generate().items()
               for pointer in undescribed(schema)]
    assert missing == []


def test_the_description_walk_names_a_property_without_one() -> None:
    schema = {"properties": {"a": {"type": "string", "description": "An a."},
                             "b": {"type": "string"}},
              "$defs": {"X": {"properties": {"c": {"description": " "}}}}}
    assert undescribed(schema) == ["/properties/b", "/$defs/X/properties/c"]


def test_descriptions_are_one_line_and_name_units() -> None:
    spec = _generated("ExecutionProfile.schema.json")
    budgets = spec["$defs"]["Budgets"]["properties"]
    assert budgets["turnLatencyMs"]["description"].endswith("in ms.")
    assert "USD" in budgets["maxCostPerTurnUsd"]["description"]
    text = schemagen.render(spec)
    assert "\\n" not in text


def _node_type(kind: str) -> Any:
    schema = _generated(f"{kind}.schema.json")
    return schema["$defs"]["Node"]["properties"]["type"]


@pytest.mark.parametrize("kind", ["PipelineSpec", "Module", "PolicyOverlay"])
def test_node_type_offers_exactly_the_catalog(kind: str) -> None:
    from rspp.model.catalog import BUILTIN
    from rspp.model.ids import NODE_TYPE_PATTERN

    prop = _node_type(kind)
    *choices, other = prop["anyOf"]
    assert [c["const"] for c in choices] == list(BUILTIN)
    assert all(set(c) == {"const", "description"} and c["description"] for c in choices)
    assert set(other) == {"description"}  # passes every value: the rule owns unknown types
    assert (prop["type"], prop["pattern"], prop["maxLength"]) == ("string", NODE_TYPE_PATTERN,
                                                                 100)


def test_policy_preferences_and_implements_offer_the_catalog() -> None:
    from rspp.model.catalog import BUILTIN

    policy = _generated("PolicyOverlay.schema.json")["$defs"]
    prefer = policy["ProviderRule"]["properties"]["prefer"]["items"]
    extension = _generated("ExtensionManifest.schema.json")["$defs"]
    implements = extension["ExtensionManifestBody"]["properties"]["implements"]
    for prop in (prefer, implements):
        assert [c.get("const") for c in prop["anyOf"][:-1]] == list(BUILTIN)
    # a type the extension defines is its own: no catalog offered
    assert "anyOf" not in extension["ExtensionManifestBody"]["properties"]["nodeType"]


REF002_SPEC = REPO_ROOT / "tests/rules/cases/REF002/unknown_node_type/pipelines/specs/notes.yaml"


def test_an_unknown_node_type_passes_the_schema_and_reaches_its_rule(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers.cli import rspp

    loaded = load_file(REF002_SPEC, REF002_SPEC.parents[2])
    assert loaded.document is not None
    assert check_schema(loaded.document, "PipelineSpec") == []
    data: Any = loaded.document.data
    assert data["spec"]["nodes"][1]["type"] == "stt.deepgramm"
    run = rspp(capsys, "validate", "--root", str(REF002_SPEC.parents[2]), "--format", "json",
               "--no-cache")  # writes no work area into the source tree
    assert "REF002" in run.out and "did you mean 'stt.deepgram'" in run.out, run.out
    assert "SCH001" not in run.out


def test_a_malformed_node_type_keeps_its_schema_message(tmp_path: Path) -> None:
    text = REF002_SPEC.read_text().replace("stt.deepgramm", "Stt.Deepgram")
    (tmp_path / "notes.yaml").write_text(text)
    loaded = load_file(tmp_path / "notes.yaml", tmp_path)
    assert loaded.document is not None
    messages = [f.message for f in check_schema(loaded.document, "PipelineSpec")]
    assert messages == ['"Stt.Deepgram" at /spec/nodes/1/type is not a node type such as '
                        'stt.deepgram']
