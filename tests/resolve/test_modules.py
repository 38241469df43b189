"""Module imports: inline expansion with namespaced ids, nesting, interface rewiring, cycles."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.core.findings import Related
from rspp.resolve.gate import validate
from rspp.resolve.normalize import normalize
from rspp.validate.engine import ValidateOptions
from tests.helpers import RULE_CASES
from tests.helpers.files import edit
from tests.helpers.repos import build_case_repo
from tests.helpers.resolve import (
    BASE_SPEC,
    OUTER,
    clean_index,
    edge,
    edge_pairs,
    get,
    implicit_fields,
    load_index,
    nest_modules,
    node,
    node_source,
    position,
    renormalize,
    schema_findings,
    source,
    view_of,
)


def test_import_expands_inline_with_namespaced_ids(base_repo: Path) -> None:
    view = view_of(clean_index(base_repo), "agent_bundle@1.0.0")
    ids = [n["id"] for n in view["spec"]["nodes"]]
    assert "clean/redact" in ids and "clean/normalize" in ids and "clean" not in ids
    assert ids == sorted(ids)
    _, redact = node(view, "clean/redact")
    assert redact["module"] == "clean@1.0.0"
    assert node_source(view, "clean/redact", "module")["kind"] == "module"
    got = node_source(view, "clean/redact", "id")
    assert (got["kind"], got["file"], got["pointer"]) == (
        "module", "pipelines/modules/clean.yaml", "/spec/nodes/0/id")
    # Edges through the module's interface are rewired to the bound node ports.
    pairs = edge_pairs(view)
    assert {("stt.transcript", "clean/redact.text"), ("clean/redact.text", "clean/normalize.text"),
            ("clean/normalize.text", "turn.transcript"),
            ("clean/normalize.text", "llm.transcript")} <= pairs
    assert not any(".text" in p and p.split(".")[0] == "clean" for pair in pairs for p in pair)
    pointer, _ = edge(view, "stt.transcript", "clean/redact.text")
    src = source(view, f"{pointer}/to")
    assert (src["kind"], src["file"]) == ("spec", BASE_SPEC)
    assert (src["line"], src["column"]) == position(base_repo, BASE_SPEC,
                                                    "{from: stt.transcript", "clean.text")
    assert "wired through the imported module's interface bindings" in src["reason"]
    inner_ptr, _ = edge(view, "clean/redact.text", "clean/normalize.text")
    assert source(view, f"{inner_ptr}/from")["file"] == "pipelines/modules/clean.yaml"


def test_nested_modules_expand_and_rewire(base_repo: Path) -> None:
    nest_modules(base_repo)
    index = clean_index(base_repo)
    view = view_of(index, "agent_bundle@1.0.0")
    ids = {n["id"] for n in view["spec"]["nodes"]}
    assert {"wrap/inner/redact", "wrap/inner/normalize", "wrap/mask", "wrap/mask_lite",
            "wrap/tap"} <= ids
    assert not {i for i in ids if i.startswith(("clean", "inner"))}
    assert node(view, "wrap/inner/redact")[1]["module"] == "clean@1.0.0"
    assert node(view, "wrap/mask")[1]["module"] == "outer@1.0.0"
    # A module's stand-in is namespaced like the node it stands in for.
    assert node(view, "wrap/mask")[1]["degrade"] == {"target": "wrap/mask_lite",
                                                       "trigger": "overload"}
    pairs = edge_pairs(view)
    assert {
        # The interface input is bound to two ports: one spec edge becomes two.
        ("stt.transcript", "wrap/inner/redact.text"), ("stt.transcript", "wrap/tap.text"),
        ("wrap/inner/redact.text", "wrap/inner/normalize.text"),
        # outer's edge from inner's interface output reaches the bound node port.
        ("wrap/inner/normalize.text", "wrap/mask.text"),
        ("wrap/mask.text", "turn.transcript"), ("wrap/mask.text", "llm.transcript"),
    } <= pairs
    assert not any(p.startswith(("wrap.", "inner.", "clean")) for pair in pairs for p in pair)
    pointer, _ = edge(view, "wrap/inner/normalize.text", "wrap/mask.text")
    src = source(view, f"{pointer}/from")
    assert (src["kind"], src["file"], src["pointer"]) == ("module", OUTER, "/spec/edges/0/from")
    assert "interface bindings" in src["reason"]
    assert schema_findings(view) == [] and implicit_fields(view) == []
    # Idempotent with nesting too.
    spec = get(index, "PipelineSpec", "agent@1.0.0")
    profile = get(index, "ExecutionProfile", "base/v1@1.0.0")
    assert renormalize(view, profile, index=index, bundle=get(
        index, "PipelineBundle", "agent_bundle@1.0.0")).view == view
    assert normalize(spec, profile, index=index).ok


def test_import_params_override_module_values_at_every_depth(base_repo: Path) -> None:
    nest_modules(base_repo)
    view = view_of(clean_index(base_repo), "agent_bundle@1.0.0")
    assert node(view, "wrap/mask")[1]["params"]["replacement"] == "[spec]"
    got = node_source(view, "wrap/mask", "params", "replacement")
    assert (got["kind"], got["file"], got["pointer"], got["ref"]) == (
        "spec", BASE_SPEC, "/spec/imports/0/params/mask/replacement", "agent@1.0.0")
    assert (got["line"], got["column"]) == position(base_repo, BASE_SPEC, "params: {mask",
                                                    '"[spec]"')
    # outer's import of clean sets inner's redact: the importing module is the source.
    assert node(view, "wrap/inner/redact")[1]["params"]["replacement"] == "[outer]"
    inner = node_source(view, "wrap/inner/redact", "params", "replacement")
    assert (inner["kind"], inner["file"], inner["pointer"], inner["ref"]) == (
        "module", OUTER, "/spec/imports/0/params/redact/replacement", "outer@1.0.0")
    assert "import parameter of outer@1.0.0" in inner["reason"]
    # Only the named nodes change.
    assert node_source(view, "wrap/mask_lite", "params", "replacement")["kind"] == "builtin"


def test_import_params_are_validated_mod003(base_repo: Path) -> None:
    nest_modules(base_repo)
    edit(base_repo, OUTER, 'params: {redact: {replacement: "[outer]"}}',
         'params: {redact: {replacment: "[outer]"}, nope: {x: 1}}')
    result, _ = load_index(base_repo)
    got = sorted((f.path, f.code, f.pointer) for f in result.findings)
    assert got == [(OUTER, "MOD003", "/spec/imports/0/params/nope"),
                   (OUTER, "MOD003", "/spec/imports/0/params/redact/replacment")]


def test_import_cycle_is_mod002_in_validate_and_in_normalize(tmp_path: Path) -> None:
    repo = build_case_repo(RULE_CASES / "MOD002" / "two_modules_import_each_other", tmp_path / "r")
    result = validate(ValidateOptions(root=repo))
    cycles = [f for f in result.findings if f.code == "MOD002"]
    assert {(f.path, f.message) for f in cycles} == {
        ("pipelines/modules/clean.yaml", "module import cycle: clean@1.0.0 -> other@1.0.0 -> "
                                         "clean@1.0.0"),
        ("pipelines/modules/other.yaml", "module import cycle: other@1.0.0 -> clean@1.0.0 -> "
                                         "other@1.0.0")}
    _, index = load_index(repo)
    res = normalize(get(index, "PipelineSpec", "agent@1.0.0"),
                    get(index, "ExecutionProfile", "base/v1@1.0.0"), index=index)
    assert res.view is None
    found = [p for p in res.problems if p.code == "MOD002"]
    assert [(p.art.path, p.pointer, p.message) for p in found] == [
        ("pipelines/modules/other.yaml", "/spec/imports/0/module",
         "module import cycle: agent@1.0.0 -> clean@1.0.0 -> other@1.0.0 -> clean@1.0.0")]


def test_a_module_importing_itself_is_a_cycle(base_repo: Path) -> None:
    edit(base_repo, "pipelines/modules/clean.yaml", "  bind:\n",
         "  imports:\n    - {module: clean@1.0.0, as: again}\n  bind:\n")
    result, index = load_index(base_repo)
    assert ("pipelines/modules/clean.yaml", "MOD002",
            "module import cycle: clean@1.0.0 -> clean@1.0.0") in {
        (f.path, f.code, f.message) for f in result.findings}
    res = normalize(get(index, "PipelineSpec", "agent@1.0.0"),
                    get(index, "ExecutionProfile", "base/v1@1.0.0"), index=index)
    assert [p.message for p in res.problems if p.code == "MOD002"] == [
        "module import cycle: agent@1.0.0 -> clean@1.0.0 -> clean@1.0.0"]


def test_importing_one_module_twice_is_no_cycle(base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "      as: clean\n",
         "      as: clean\n    - module: clean@1.0.0\n      as: again\n")
    edit(base_repo, BASE_SPEC, "    - {from: clean.text, to: turn.transcript}\n",
         "    - {from: clean.text, to: again.text}\n    - {from: again.text, to: turn.transcript}\n")
    view = view_of(clean_index(base_repo), "agent_bundle@1.0.0")
    assert {"clean/redact", "again/redact"} <= {n["id"] for n in view["spec"]["nodes"]}
    assert ("clean/normalize.text", "again/redact.text") in edge_pairs(view)


# ---------------------------------------------------------------------- interface typing
@pytest.mark.parametrize(("old", "new", "message", "side", "decl"), [
    ("{from: stt.transcript, to: clean.text}", "{from: turn.turn, to: clean.text}",
     "edge turn.turn -> clean.text: event/turn does not satisfy text/transcript+json",
     "input", "inputs: {text: {type"),
    ("{from: llm.text, to: tts.text}", "{from: llm.text, to: tts.text}\n"
     "    - {from: clean.text, to: tts.text}",
     "edge clean.text -> tts.text: text/transcript+json does not satisfy text/plain",
     "output", "outputs: {text: text"),
], ids=["into_the_module", "out_of_the_module"])
def test_type_mismatch_at_an_import_endpoint_names_both_sides(
        base_repo: Path, old: str, new: str, message: str, side: str, decl: str) -> None:
    edit(base_repo, BASE_SPEC, old, new)
    result = validate(ValidateOptions(root=base_repo))
    (typ,) = [f for f in result.findings if f.code == "TYP001"]
    assert (typ.path, typ.message) == (BASE_SPEC, message)
    spec_line = new.split("\n")[-1].strip()
    assert (typ.line, typ.col) == position(base_repo, BASE_SPEC, spec_line, "{")
    # The other side: the module's interface declaration.
    line, brace = position(base_repo, "pipelines/modules/clean.yaml", decl, "{text")
    assert [(r.path, r.line, r.col, r.message) for r in typ.related
            if isinstance(r, Related)] == [("pipelines/modules/clean.yaml", line, brace + 1,
                                             f"interface {side} 'text' of module clean@1.0.0")]
