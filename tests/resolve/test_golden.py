"""Golden resolved views of the repository's example bundles, byte for byte.

Regenerate after an intended change (or after the examples were reformatted: sources record
lines) with RSPP_UPDATE_GOLDEN=1 python3 -m pytest tests/resolve/test_golden.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rspp.core.canonical import pretty
from rspp.load.api import load_bytes
from rspp.model.artifact import Index
from rspp.resolve.explain import explain
from rspp.validate.schema import check_schema
from tests.helpers import GOLDEN, REPO_ROOT
from tests.helpers.resolve import (
    add_policy,
    add_scorer_node,
    agent_view,
    bundle_refs,
    load_index,
    nest_modules,
    view_of,
)

GOLDEN_RESOLVE = GOLDEN / "resolve"
BUNDLES = bundle_refs(load_index(REPO_ROOT)[1])


def _golden(ref: str) -> Path:
    return GOLDEN_RESOLVE / (ref.replace("/", "_") + ".json")


def unsourced(view: dict[str, Any]) -> list[str]:
    """Leaves of the view for which explain() finds no recorded source."""
    return [e.pointer for e in explain(view, "") if e.source is None]


def test_every_example_bundle_has_a_golden() -> None:
    assert BUNDLES, "the examples hold bundles"
    assert sorted(p.name for p in GOLDEN_RESOLVE.glob("*.json")) == sorted(
        _golden(ref).name for ref in BUNDLES)


@pytest.mark.parametrize("ref", BUNDLES)
def test_resolved_view_matches_golden(example_index: Index, ref: str) -> None:
    rendered = pretty(view_of(example_index, ref))
    golden = _golden(ref)
    if os.environ.get("RSPP_UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("ref", BUNDLES)
def test_golden_is_a_valid_fully_sourced_resolved_spec(ref: str) -> None:
    raw = _golden(ref).read_bytes()
    loaded = load_bytes(raw, _golden(ref).name, syntax="json")
    assert loaded.findings == () and loaded.document is not None
    assert [f"{f.location()} {f.message}" for f in check_schema(loaded.document,
                                                                 "ResolvedSpec")] == []
    view = json.loads(raw)
    assert unsourced(view) == []
    entries = explain(view, "")
    assert len(entries) > 200
    # Every recorded source names a leaf (or subtree) of the view.
    values = {e.pointer for e in entries}
    for pointer in view["spec"]["defaultingSources"]:
        assert pointer in values or any(v.startswith(pointer + "/") for v in values), pointer


def test_every_leaf_of_a_view_with_nested_modules_and_policies_has_a_source(
        base_repo: Path) -> None:
    nest_modules(base_repo)
    add_policy(base_repo, "  circuitBreakers:\n    - {node: stt, failureThreshold: 3, "
                          "windowMs: 100, openForMs: 100}\n  insertRules:\n"
                          "    - onEdge: [wrap.text, llm.transcript]\n"
                          "      node: {id: extra, type: text.redact, cancel: {scope: turn}}\n"
                          "      input: text\n      output: text\n")
    view = agent_view(base_repo)
    assert "extra" in {n["id"] for n in view["spec"]["nodes"]}
    assert unsourced(view) == []


def test_an_extension_node_without_params_has_a_source(base_repo: Path) -> None:
    add_scorer_node(base_repo)  # scorer.yaml declares no params
    assert unsourced(agent_view(base_repo)) == []
