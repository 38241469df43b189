"""`rspp schemas --export DIR`: the schemas written into a consumer repository for editors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rspp.commands.schemas import ExportOptions, export
from rspp.core.files import FileAccessError
from rspp.gen import schemas as schemagen
from tests.helpers import REPO_ROOT
from tests.helpers.cli import check_jsonschema, rspp, rspp_process

SCHEMAS = REPO_ROOT / "schemas"
NAMES = sorted(schemagen.generate())


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.schema.json"))}


def test_export_writes_rspps_schemas_byte_for_byte(tmp_path: Path) -> None:
    outcome = export(ExportOptions(Path("editor/schemas"), tmp_path))
    assert outcome.written == tuple(f"editor/schemas/{n}" for n in NAMES)
    assert outcome.unchanged == ()
    assert _bytes(tmp_path / "editor/schemas") == _bytes(SCHEMAS)


def test_a_second_export_writes_nothing_and_keeps_other_files(tmp_path: Path) -> None:
    export(ExportOptions(Path("schemas"), tmp_path))
    own = tmp_path / "schemas" / "Mine.schema.json"
    own.write_text("{}")
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "schemas").iterdir()}
    again = export(ExportOptions(Path("schemas"), tmp_path))
    assert again.written == ()
    assert again.unchanged == tuple(f"schemas/{n}" for n in NAMES)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "schemas").iterdir()} == stamps
    assert own.read_text() == "{}"


def test_export_repairs_an_edited_file(tmp_path: Path) -> None:
    export(ExportOptions(Path("s"), tmp_path))
    edited = tmp_path / "s" / "PipelineSpec.schema.json"
    edited.write_text("{}")
    assert export(ExportOptions(Path("s"), tmp_path)).written == ("s/PipelineSpec.schema.json",)
    assert edited.read_bytes() == (SCHEMAS / "PipelineSpec.schema.json").read_bytes()


def test_exported_schemas_refer_only_inside_themselves(tmp_path: Path) -> None:
    export(ExportOptions(Path("s"), tmp_path))
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k in ("$ref", "$dynamicRef"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in (tmp_path / "s").iterdir():
        walk(json.loads(path.read_text()))
    assert refs and all(r.startswith("#/$defs/") for r in refs)


@pytest.mark.parametrize(("target", "code"), [
    ("../elsewhere", "IO001"),
    (".git/schemas", "IO001"),
    ("afile", "IO002"),
    ("afile/schemas", "IO002"),
    ("link/schemas", "IO002"),
    ("schemas", "IO002"),  # schemas/PipelineSpec.schema.json is a link
])
def test_export_refuses(tmp_path: Path, target: str, code: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    base = tmp_path / "repo"
    (base / ".git").mkdir(parents=True)
    (base / "afile").write_text("keep")
    (base / "link").symlink_to(outside)
    (base / "schemas").mkdir()
    (base / "schemas" / "PipelineSpec.schema.json").symlink_to(outside / "victim.json")
    with pytest.raises(FileAccessError) as caught:
        export(ExportOptions(Path(target), base))
    assert caught.value.code == code
    assert list(outside.iterdir()) == []
    assert (base / "afile").read_text() == "keep"
    assert not (tmp_path / "elsewhere").exists()
    leftovers = [p for p in base.rglob("*") if p.name.startswith(".") and p.name != ".git"]
    assert leftovers == []


def test_the_cli_exports_in_any_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no pyproject.toml, no tools/rspp: a consumer's folder
    run = rspp(capsys, "schemas", "--export", "schemas")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [f"wrote schemas/{n}" for n in NAMES]
    run = rspp(capsys, "schemas", "--export", "schemas")
    assert (run.code, run.out) == (0, f"{len(NAMES)} schemas in schemas are up to date\n")
    run = rspp(capsys, "schemas", "--export", "../up")
    assert run.code == 2 and "IO001 refusing to export into ../up" in run.err, run.err
    run = rspp(capsys, "schemas", "--export", "schemas", "--write")
    assert run.code == 2 and "--export" in run.err


@pytest.mark.slow
def test_exported_schemas_pass_the_metaschema_and_validate_a_spec(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}  # this checkout's rspp
    run = rspp_process("schemas", "--export", "schemas", cwd=tmp_path, module=True, env=env)
    assert run.code == 0, run.err
    files = sorted(str(p) for p in (tmp_path / "schemas").glob("*.schema.json"))
    assert len(files) == len(NAMES)
    meta = subprocess.run([*check_jsonschema(), "--check-metaschema", *files],
                          capture_output=True, text=True, timeout=120, check=False)
    assert meta.returncode == 0, meta.stdout + meta.stderr
    schema = str(tmp_path / "schemas" / "PipelineSpec.schema.json")
    spec = REPO_ROOT / "pipelines/specs/livekit_voice_assistant.yaml"
    good = subprocess.run([*check_jsonschema(), "--schemafile", schema, str(spec)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec.read_text().replace("  nodes:", "  nodez:", 1))
    refused = subprocess.run([*check_jsonschema(), "--schemafile", schema, str(bad)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "nodez" in refused.stdout + refused.stderr


def test_export_in_a_repository_offers_its_own_node_types(tmp_path: Path) -> None:
    """In a repository, the types its extension manifests provide are offered for completion
    beside the built-in ones (annotations only: the schemas validate exactly as rspp's)."""
    from tests.helpers.repos import copy_examples

    repo = copy_examples(tmp_path / "repo")
    outcome = export(ExportOptions(Path("schemas"), repo))
    assert outcome.node_types == ("custom.sentiment", "external.llm_gateway")
    spec = json.loads((repo / "schemas/PipelineSpec.schema.json").read_text(encoding="utf-8"))
    text = json.dumps(spec)
    assert '"const": "custom.sentiment"' in text
    assert ("use it with extension: custom_sentiment_node@1.0.0 or extension: "
            "custom_sentiment_node@2.0.0.") in text
    own = json.loads((SCHEMAS / "PipelineSpec.schema.json").read_text(encoding="utf-8"))
    assert '"const": "custom.sentiment"' not in json.dumps(own)
    # the built-in types are still offered first, and every other file is rspp's own
    assert text.index('"const": "stt.deepgram"') < text.index('"const": "custom.sentiment"')
    assert (repo / "schemas/RolloutManifest.schema.json").read_bytes() == \
        (SCHEMAS / "RolloutManifest.schema.json").read_bytes()
