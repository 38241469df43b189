"""Smoke test of the benchmark generator: what it writes is valid for rspp and for the anchor."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.cli import check_jsonschema
from tests.helpers.repos import load_generator

SCHEMAS = REPO_ROOT / "schemas"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return load_generator()


@pytest.mark.slow
def test_generated_repository_is_valid(generator: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = generator.generate(root, 20, 7)
    groups = generator.by_kind(root, files)
    assert {k: len(v) for k, v in groups.items()} == {
        "ExecutionProfile": 4, "Module": 4, "PipelineBundle": 20, "PipelineSpec": 20,
    }
    sizes = [(root / p).stat().st_size for p in groups["PipelineSpec"]]
    assert 5_000 < sum(sizes) / len(sizes) < 8_000

    result = validate(ValidateOptions(root=root))
    assert [f"{f.location()} {f.code} {f.message}" for f in result.findings] == []
    assert len(result.files) == len(files)

    for kind, paths in sorted(groups.items()):
        proc = subprocess.run(
            [*check_jsonschema(), "--schemafile", str(SCHEMAS / f"{kind}.schema.json"),
             *map(str, paths)],
            cwd=root, capture_output=True, text=True, check=False,
        )
        assert proc.returncode == 0, f"{kind}: {proc.stdout}{proc.stderr}"


@pytest.mark.slow
def test_anchor_rejects_a_broken_spec(generator: ModuleType, tmp_path: Path) -> None:
    """The anchor really checks the files: one unknown key makes it fail."""
    root = tmp_path / "repo"
    files = generator.generate(root, 1, 7)
    spec = generator.by_kind(root, files)["PipelineSpec"][0]
    text = (root / spec).read_text(encoding="utf-8")
    (root / spec).write_text(text.replace("  nodes:\n", "  nodez: []\n  nodes:\n", 1),
                             encoding="utf-8")
    proc = subprocess.run(
        [*check_jsonschema(), "--schemafile", str(SCHEMAS / "PipelineSpec.schema.json"),
         str(spec)],
        cwd=root, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "nodez" in proc.stdout + proc.stderr


def test_generation_is_deterministic(generator: ModuleType, tmp_path: Path) -> None:
    first = generator.generate(tmp_path / "a", 3, 11)
    second = generator.generate(tmp_path / "b", 3, 11)
    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in second
    ]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    other = generator.generate(tmp_path / "c", 3, 12)
    assert [p.read_bytes() for p in other] != [p.read_bytes() for p in first]
    with pytest.raises(ValueError, match="not empty"):
        generator.generate(tmp_path / "a", 3, 11)
