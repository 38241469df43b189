"""artifact_text: the text rspp writes for an artifact it builds is what fmt writes for it;
derived documents (views, turn plans) keep canonical JSON's key order under fmt."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.core.canonical import pretty
from rspp.fmt import ArtifactWriteError, artifact_text, format_text
from rspp.load.document import Syntax
from tests.fmt.test_properties import TRICKY
from tests.helpers.fmt import load, typed

_strings = st.sampled_from(TRICKY) | st.text(st.characters(codec="utf-8",
                                                           exclude_categories=["Cs"]),
                                             max_size=8)
_scalars = (_strings | st.integers(-10**6, 10**6) | st.booleans() | st.none()
            | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
_keys = st.sampled_from([k for k in TRICKY if "\n" not in k]) | st.text("abcxyz_-", max_size=6)
_trees = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(_keys, inner, max_size=3), max_leaves=12)
_kinds = st.sampled_from(["PipelineBundle", "PipelineSpec", "ResolvedSpec", "Other"])


@pytest.mark.slow
@settings(deadline=None, max_examples=150)
@given(kind=_kinds, metadata=st.dictionaries(_keys, _trees, max_size=3),
       body=st.dictionaries(_keys, _trees, max_size=4), fmt=st.sampled_from(["json", "yaml"]))
def test_written_artifacts_are_canonical_and_hold_the_data(
    kind: str, metadata: dict[str, Any], body: dict[str, Any], fmt: Syntax,
) -> None:
    data = {"spec": body, "kind": kind, "metadata": {**metadata, "version": "1.0.0"},
            "apiVersion": "rspp.dev/v1alpha1"}
    text = artifact_text(data, fmt)
    assert format_text(text, fmt, f"x.{fmt}").text == text  # fmt --check accepts it
    if kind != "ResolvedSpec" or fmt == "yaml":  # canonical JSON writes 1.0 as 1, by design
        assert typed(load(text, fmt)) == typed(data)
    order = ["apiVersion", "kind", "metadata", "spec"]
    assert list(load(text, fmt)) == (order if kind != "Other" else list(data))


def test_a_bundle_is_written_in_schema_order() -> None:
    data = {"spec": {"compatibility": {"eventAbi": "1.1.0", "maxRuntime": "1.6.0",
                                       "minRuntime": "1.4.0"},
                     "pins": [{"ref": "a@1.0.0", "kind": "PipelineSpec"}]},
            "metadata": {"version": "1.0.0", "id": "b"}, "kind": "PipelineBundle",
            "apiVersion": "rspp.dev/v1alpha1"}
    assert artifact_text(data, "yaml") == (
        "apiVersion: rspp.dev/v1alpha1\nkind: PipelineBundle\nmetadata:\n  id: b\n"
        '  version: "1.0.0"\nspec:\n  pins:\n    - kind: PipelineSpec\n      ref: a@1.0.0\n'
        '  compatibility:\n    minRuntime: "1.4.0"\n    maxRuntime: "1.6.0"\n'
        '    eventAbi: "1.1.0"\n')
    assert list(json.loads(artifact_text(data))["spec"]["compatibility"]) == [
        "minRuntime", "maxRuntime", "eventAbi"]


@pytest.mark.parametrize("data", [
    {}, {"kind": "X", "when": object()}, {"kind": "X", "n": float("nan")}, {"kind": "X", 1: 2},
    {"kind": "X", "t": (1, 2)},
], ids=["empty", "object", "nan", "int-key", "tuple"])
def test_what_is_not_an_artifact_is_refused(data: dict[Any, Any]) -> None:
    with pytest.raises(ArtifactWriteError):
        artifact_text(data)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ArtifactWriteError, match="unknown artifact syntax"):
        artifact_text({"kind": "X"}, "toml")  # type: ignore[arg-type]


def test_fmt_keeps_canonical_json_order_for_derived_documents() -> None:
    view = {"apiVersion": "rspp.dev/v1alpha1", "kind": "ResolvedSpec",
            "metadata": {"id": "a", "version": "1.0.0"},
            "spec": {"source": "a@1.0.0", "nodes": [{"type": "t", "id": "n", "é": 1,
                                                     "z": 0.5}]}}
    assert format_text(json.dumps(view, indent=2), "json").text == pretty(view)
    assert format_text(pretty(view), "json").text == pretty(view)
    yaml_text = format_text("kind: ResolvedSpec\napiVersion: v\nb: {z: 1, a: 2}\n", "yaml").text
    assert yaml_text == "apiVersion: v\nb: {a: 2, z: 1}\nkind: ResolvedSpec\n"


def test_the_models_cover_exactly_the_kinds_named_in_core() -> None:
    from rspp.core import constants
    from rspp.model.kinds import ALL_MODELS, AUTHORED_MODELS, DERIVED_MODELS

    assert tuple(AUTHORED_MODELS) == constants.AUTHORED_KINDS
    assert tuple(DERIVED_MODELS) == constants.DERIVED_KINDS
    assert tuple(ALL_MODELS) == constants.ALL_KINDS
