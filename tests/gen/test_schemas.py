"""The checked-in schemas: generated from the models, valid 2020-12, and agreeing with an
independent validator (check-jsonschema) and with the pydantic models on every example."""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from rspp.core.jsontypes import JsonObject
from rspp.gen import schemas as schemagen
from rspp.load.api import load_file
from rspp.model.kinds import AUTHORED_MODELS as AUTHORED_KINDS
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
    return kind, loaded.document.data, not check_schema(loaded.document, kind)


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
    kinds = {_kind_of(p, REPO_ROOT)[0] for p in discover(REPO_ROOT)}
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
        AUTHORED_KINDS[kind].model_validate(data)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == valid
