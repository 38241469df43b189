"""rspp validates with its own schemas only: a schema file that would make validation fetch
or read anything else, or that cannot be read, is refused with a located finding (SCH002).

The schemas are copied into a temporary directory and edited there; a loopback listener
stands where a remote schema would be and must receive nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rspp.core.findings import Finding
from rspp.load.api import load_file
from rspp.load.document import Document
from rspp.model.schemafiles import DIALECT, SCHEMA_DIR, read_schema, schema_id, sound_schemas
from rspp.validate.schema import check_schema, schema_findings
from tests.helpers import RULE_BASE
from tests.helpers.cli import rspp_process
from tests.helpers.repos import copy_package, copy_rule_base

SCHEMAS = SCHEMA_DIR.resolve()
SPEC = "schemas/PipelineSpec.schema.json"
AGENT_KIND = "pipelines/specs/agent.yaml:2:7"  # where the artifact names its kind


@dataclass
class Listener:
    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll interval: shutdown() waits for the loop to look up (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding a copy of rspp's schemas in schemas/."""
    root = tmp_path / "repo"
    shutil.copytree(SCHEMAS, root / "schemas")
    return root


def _edit(repo: Path, kind: str, change: Callable[[dict[str, Any]], None]) -> str:
    path = repo / "schemas" / f"{kind}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    text = json.dumps(schema, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def _position(text: str, needle: str) -> str:
    """line:col (1-based) of ``needle`` in ``text``."""
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


def _ref_at_capacity(ref: str) -> Callable[[dict[str, Any]], None]:
    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["Buffer"]["properties"]["capacity"] = {"$ref": ref}
    return change


def _agent() -> Document:
    doc = load_file(RULE_BASE / "pipelines/specs/agent.yaml", RULE_BASE).document
    assert doc is not None
    return doc


def _validate(repo: Path, kind: str = "PipelineSpec",
              doc: Document | None = None) -> list[Finding]:
    return check_schema(doc or _agent(), kind, root=repo, schema_dir=repo / "schemas")


def _assert_refused(repo: Path, where: str, message: str, kind: str = "PipelineSpec") -> None:
    """One SCH002 on the artifact naming ``where``, and one at ``where`` in the schema file."""
    doc = None if kind == "PipelineSpec" else _profile()
    found = _validate(repo, kind, doc)
    on_artifact = AGENT_KIND if kind == "PipelineSpec" else "pipelines/profiles/base.yaml:2:7"
    assert [(f.code, f.location()) for f in found] == [("SCH002", on_artifact)]
    assert f"is refused at {where}: " in found[0].message
    assert message in found[0].message
    assert [f"{r.path}:{r.line}:{r.col}" for r in found[0].related] == [where]
    at_schema = schema_findings((kind,), root=repo, schema_dir=repo / "schemas")
    assert [(f.code, f.location()) for f in at_schema] == [("SCH002", where)]
    assert message in at_schema[0].message


def _profile() -> Document:
    doc = load_file(RULE_BASE / "pipelines/profiles/base.yaml", RULE_BASE).document
    assert doc is not None
    return doc


def test_the_listener_counts_requests(listener: Listener) -> None:
    with urllib.request.urlopen(f"{listener.url}/probe.json", timeout=5) as answer:
        assert answer.status == 200
    assert listener.requests == ["/probe.json"]


def test_copied_schemas_validate_the_base_repository_quietly(repo: Path) -> None:
    assert _validate(repo) == []
    assert schema_findings(root=repo, schema_dir=repo / "schemas") == []


def test_remote_ref_is_refused_and_never_fetched(repo: Path, listener: Listener) -> None:
    ref = f"{listener.url}/x.json"
    text = _edit(repo, "PipelineSpec", _ref_at_capacity(ref))
    where = f"{SPEC}:{_position(text, json.dumps(ref))}"
    _assert_refused(repo, where, f'$ref "{ref}" is refused')
    assert listener.requests == []


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "../../x.json", "x.json",
                                 "//127.0.0.1:9/x.json", "urn:example:other#/x"])
def test_other_refs_are_refused(repo: Path, ref: str) -> None:
    text = _edit(repo, "PipelineSpec", _ref_at_capacity(ref))
    where = f"{SPEC}:{_position(text, json.dumps(ref))}"
    _assert_refused(repo, where, f"$ref {json.dumps(ref)} is refused")


def test_a_file_ref_to_a_real_schema_is_not_read(repo: Path, tmp_path: Path) -> None:
    # If it were read, capacity would have to be a string and the base spec would fail SCH001.
    outside = tmp_path / "outside.json"
    outside.write_text('{"type": "string"}', encoding="utf-8")
    ref = outside.as_uri()
    text = _edit(repo, "PipelineSpec", _ref_at_capacity(ref))
    _assert_refused(repo, f"{SPEC}:{_position(text, json.dumps(ref))}", "is refused")


def test_dynamic_ref_and_nested_id_are_refused(repo: Path, listener: Listener) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["Buffer"]["$id"] = f"{listener.url}/base/"
        schema["$defs"]["Buffer"]["properties"]["capacity"] = {"$dynamicRef": "x.json"}

    text = _edit(repo, "PipelineSpec", change)
    found = schema_findings(("PipelineSpec",), root=repo, schema_dir=repo / "schemas")
    assert sorted(f.location() for f in found) == sorted([
        f"{SPEC}:{_position(text, json.dumps(listener.url + '/base/'))}",
        f"{SPEC}:{_position(text, json.dumps('x.json'))}"])
    assert [f.code for f in _validate(repo)] == ["SCH002"]
    assert listener.requests == []


@pytest.mark.parametrize("dialect", [
    "http://127.0.0.1:9/meta.json",
    "https://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2020-12/schema#",
    "http://json-schema.org/draft/2020-12/schema",
])
def test_a_dialect_other_than_2020_12_is_refused(repo: Path, dialect: str) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["$schema"] = dialect

    text = _edit(repo, "PipelineSpec", change)
    _assert_refused(repo, f"{SPEC}:{_position(text, json.dumps(dialect))}",
                    f'"$schema" {json.dumps(dialect)} is refused; rspp reads only {DIALECT}')


def test_a_remote_dialect_is_never_fetched(repo: Path, listener: Listener) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["$schema"] = f"{listener.url}/meta.json"

    _edit(repo, "PipelineSpec", change)
    assert [f.code for f in _validate(repo)] == ["SCH002"]
    assert listener.requests == []


def test_a_missing_dialect_is_refused(repo: Path) -> None:
    def change(schema: dict[str, Any]) -> None:
        del schema["$schema"]

    _edit(repo, "PipelineSpec", change)
    _assert_refused(repo, f"{SPEC}:1:1", 'the schema has no "$schema"')


def test_a_foreign_id_is_refused(repo: Path, listener: Listener) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["$id"] = f"{listener.url}/spec.json"

    text = _edit(repo, "PipelineSpec", change)
    _assert_refused(repo, f"{SPEC}:{_position(text, json.dumps(listener.url + '/spec.json'))}",
                    f"PipelineSpec's schema is {schema_id('PipelineSpec')}")
    assert listener.requests == []


def test_an_invalid_schema_is_located(repo: Path) -> None:
    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["Buffer"]["properties"]["capacity"]["minimum"] = "one"

    text = _edit(repo, "PipelineSpec", change)
    _assert_refused(repo, f"{SPEC}:{_position(text, json.dumps('one'))}",
                    "not a valid JSON Schema 2020-12 at /$defs/Buffer/properties/capacity/minimum")


def test_a_missing_schema_file_is_refused(repo: Path) -> None:
    (repo / SPEC).unlink()
    _assert_refused(repo, f"{SPEC}:1:1", "cannot read the schema: cannot read file")


def test_malformed_json_is_located(repo: Path) -> None:
    (repo / SPEC).write_text('{\n  "$schema": "x",\n  "$id": nope\n}\n', encoding="utf-8")
    found = _validate(repo)
    assert [f.code for f in found] == ["SCH002"]
    assert f"is refused at {SPEC}:3:10: cannot read the schema" in found[0].message


def test_duplicate_keys_are_refused(repo: Path) -> None:
    text = (repo / SPEC).read_text(encoding="utf-8")
    (repo / SPEC).write_text(text.replace('  "$id":', '  "$id": "x",\n  "$id":', 1),
                             encoding="utf-8")
    found = _validate(repo)
    assert [f.code for f in found] == ["SCH002"]
    assert "duplicate key" in found[0].message


def test_a_link_out_of_the_schema_directory_is_not_followed(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.schema.json"
    shutil.copyfile(repo / SPEC, outside)
    (repo / SPEC).unlink()
    os.symlink(outside, repo / SPEC)
    _assert_refused(repo, f"{SPEC}:1:1", "symbolic link points outside")


def test_refs_between_rspp_schemas_resolve_from_the_registry(repo: Path,
                                                              listener: Listener) -> None:
    ref = schema_id("PipelineSpec") + "#/$defs/Buffer"

    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["Buffer"] = {"$ref": ref}

    _edit(repo, "ExecutionProfile", change)
    assert _validate(repo, "ExecutionProfile", _profile()) == []
    text = (RULE_BASE / "pipelines/profiles/base.yaml").read_text(encoding="utf-8")
    bad = text.replace("capacity: 64,", "capacity: 0,").replace("capacity: 16,", "capacity: 1.6e1,")
    profile = _load_text(repo, bad)
    assert sorted((f.code, f.line) for f in _validate(repo, "ExecutionProfile", profile)) == [
        ("SCH001", 10), ("SCH003", 9)]
    assert listener.requests == []


def test_a_ref_to_a_refused_rspp_schema_refuses_the_referrer(repo: Path) -> None:
    _edit(repo, "PipelineSpec", lambda schema: schema.update({"$schema": "x"}))

    def change(schema: dict[str, Any]) -> None:
        schema["$defs"]["Buffer"] = {"$ref": schema_id("PipelineSpec") + "#/$defs/Buffer"}

    _edit(repo, "ExecutionProfile", change)
    found = _validate(repo, "ExecutionProfile", _profile())
    assert [f.code for f in found] == ["SCH002"]
    assert "whose schema file is refused" in found[0].message


def test_fmt_leaves_a_refused_schema_out(repo: Path) -> None:
    _edit(repo, "PipelineSpec", _ref_at_capacity("file:///etc/passwd"))
    kinds = sound_schemas(repo / "schemas")
    assert "PipelineSpec" not in kinds and "ExecutionProfile" in kinds


def _load_text(repo: Path, text: str) -> Document:
    path = repo / "pipelines" / "profiles" / "base.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    doc = load_file(path, repo).document
    assert doc is not None
    return doc


@pytest.mark.slow
def test_the_cli_reports_a_refused_schema_as_a_finding(tmp_path: Path,
                                                        listener: Listener) -> None:
    package = copy_package(tmp_path / "pkg")
    ref = f"{listener.url}/x.json"
    path = package / "schemas" / "PipelineSpec.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    _ref_at_capacity(ref)(schema)
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    where = _position(path.read_text(encoding="utf-8"), json.dumps(ref))
    base = copy_rule_base(tmp_path / "base")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "pkg")}
    for command in (["validate"], ["fmt", "--check"]):
        run = rspp_process(*command, "--root", base, cwd=tmp_path, env=env, module=True)
        assert "internal error" not in run.out + run.err, command
        assert run.code in (0, 1), (command, run.out, run.err)
    validate = rspp_process("validate", "--root", base, cwd=tmp_path, env=env, module=True)
    assert validate.code == 1, validate.out + validate.err
    assert f"{AGENT_KIND}: error SCH002" in validate.out or \
        f"{AGENT_KIND} SCH002" in validate.out, validate.out
    assert f"PipelineSpec.schema.json:{where}" in validate.out
    assert listener.requests == []


def test_a_kind_name_never_leads_out_of_the_schema_directory(repo: Path) -> None:
    (repo / "outside.schema.json").write_text((repo / SPEC).read_text(encoding="utf-8"),
                                              encoding="utf-8")
    read = read_schema("../outside", repo / "schemas")
    assert read.schema is None
    assert [p.message for p in read.problems] == [
        "'../outside' is not a kind name; no schema file is read for it"]


def test_a_special_file_in_place_of_a_schema_is_refused(repo: Path) -> None:
    (repo / SPEC).unlink()
    os.mkfifo(repo / SPEC)
    _assert_refused(repo, f"{SPEC}:1:1", "cannot read the schema: not a regular file: a FIFO")


def test_a_huge_unknown_key_gives_a_short_message(tmp_path: Path) -> None:
    """The message quotes at most 60 characters of a key; the pointer keeps it whole."""
    from rspp.load.api import load_bytes
    from rspp.validate.schema import check_schema

    key = "k" * 20_000
    text = ('{"apiVersion": "rspp.dev/v1alpha1", "kind": "ExecutionProfile", "metadata": '
            '{"id": "p/v1", "version": "1.0.0", "' + key + '": 1}, "spec": {}}')
    doc = load_bytes(text.encode(), "p.json", syntax="json").document
    assert doc is not None
    found = [f for f in check_schema(doc, "ExecutionProfile") if "unknown key" in f.message]
    assert len(found) == 1
    assert len(found[0].message) < 120 and found[0].pointer == "/metadata/" + key
