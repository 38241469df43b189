"""Properties of normalize: deterministic, idempotent, blind to key, file and index order.

Inputs are the repository's own examples, the small rule base, a repository with nested
modules and a few bundles of the benchmark generator, each copied to a temporary folder.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.core.canonical import canonical_bytes, pretty
from rspp.load.api import load_bytes, load_file
from rspp.load.document import Document
from rspp.model.artifact import Artifact, Index
from rspp.resolve.api import bundle_inputs
from rspp.resolve.normalize import normalize
from rspp.validate.discover import discover
from tests.helpers.files import edit
from tests.helpers.repos import copy_examples, copy_rule_base, load_generator
from tests.helpers.resolve import (
    BASE_SPEC,
    INSERT_EXTRA,
    add_policy,
    as_artifact,
    clean_index,
    findings,
    get,
    load_index,
    nest_modules,
    renormalize,
    resolve_bundle,
)

# Property tests (hypothesis) over whole repositories, built once per module.
pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=15, deadline=None)
GENERATED_SPECS = 3  # the benchmark generator writes one bundle per spec


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Source repositories by name; every one validates without findings. "nested" has
    modules importing modules and a policy that inserts a node on a module's port."""
    base = tmp_path_factory.mktemp("sources")
    out = {"examples": copy_examples(base / "examples"),
           "rule_base": copy_rule_base(base / "rule_base")}
    nested = copy_rule_base(base / "nested")
    nest_modules(nested)
    add_policy(nested, INSERT_EXTRA.replace("clean.text", "wrap.text") % "" + "  costCaps:\n"
               "    - {scope: turn, maxUsd: 0.01, action: degrade}\n  circuitBreakers:\n"
               "    - {node: stt, failureThreshold: 2, windowMs: 10, openForMs: 10}\n")
    out["nested"] = nested
    load_generator().generate(base / "generated", GENERATED_SPECS, 11)
    out["generated"] = base / "generated"
    for root in out.values():
        clean_index(root)
    return out


@pytest.fixture(scope="module")
def indexes(repos: dict[str, Path]) -> dict[str, Index]:
    """The loaded source repositories (never changed by a test)."""
    return {name: clean_index(root) for name, root in repos.items()}


@pytest.fixture(scope="module")
def baselines(indexes: dict[str, Index]) -> dict[str, dict[str, str]]:
    """The pretty view of every bundle of every source repository."""
    out: dict[str, dict[str, str]] = {}
    for name, index in indexes.items():
        out[name] = {}
        for bundle in index.of_kind("PipelineBundle"):
            res = resolve_bundle(index, bundle.ref)
            assert res.view is not None, (name, bundle.ref, res.problems)
            out[name][bundle.ref] = pretty(res.view)
    assert len(out["generated"]) == GENERATED_SPECS and all(out.values())
    return out


REPOS = st.sampled_from(["examples", "rule_base", "nested", "generated"])


# ---------------------------------------------------------------------- deterministic
@SETTINGS
@given(name=REPOS, data=st.data())
def test_normalize_is_deterministic(repos: dict[str, Path], name: str, data: st.DataObject
                                    ) -> None:
    """Any spec, profile and overlays, resolved from two separate loads: the same bytes (or
    the same problems)."""
    first, second = clean_index(repos[name]), clean_index(repos[name])
    spec = data.draw(st.sampled_from(sorted(a.ref for a in first.of_kind("PipelineSpec"))))
    profile = data.draw(st.sampled_from(sorted(
        a.ref for a in first.of_kind("ExecutionProfile"))))
    policies = data.draw(st.lists(st.sampled_from(sorted(
        a.ref for a in first.of_kind("PolicyOverlay")) or ["none"]), max_size=2, unique=True))
    policies = [p for p in policies if p != "none"]
    results = []
    for index in (first, second):
        res = normalize(get(index, "PipelineSpec", spec), get(index, "ExecutionProfile", profile),
                        [get(index, "PolicyOverlay", p) for p in policies], index=index)
        results.append((pretty(res.view) if res.view is not None else None,
                        [(p.code, p.art.path, p.pointer, p.message) for p in res.problems]))
    assert results[0] == results[1]
    assert (results[0][0] is None) == bool(results[0][1])


# ---------------------------------------------------------------------- idempotent
@SETTINGS
@given(name=REPOS, data=st.data())
def test_normalize_is_idempotent(indexes: dict[str, Index],
                                 baselines: dict[str, dict[str, str]], name: str,
                                 data: st.DataObject) -> None:
    """normalize(the view read back as a ResolvedSpec, same profile and overlays) == the view,
    byte for byte, with or without the bundle, and again on its own output."""
    index = indexes[name]
    ref = data.draw(st.sampled_from(sorted(baselines[name])))
    bundle = get(index, "PipelineBundle", ref)
    inputs = bundle_inputs(bundle, index)
    assert inputs is not None
    view = json.loads(baselines[name][ref])
    with_bundle = data.draw(st.booleans())
    once = renormalize(view, inputs.profile, inputs.policies, index=index,
                       bundle=bundle if with_bundle else None)
    assert once.problems == () and once.view is not None
    assert pretty(once.view) == baselines[name][ref]
    twice = renormalize(once.view, inputs.profile, inputs.policies, index=index)
    assert twice.view is not None and pretty(twice.view) == baselines[name][ref]


def test_idempotent_for_a_spec_resolved_without_a_bundle(indexes: dict[str, Index]) -> None:
    index = indexes["examples"]
    spec = get(index, "PipelineSpec", "sip_telephony_assistant@1.0.0")
    profile = get(index, "ExecutionProfile", "low_latency/v1@1.0.0")
    view = normalize(spec, profile, index=index).view
    assert view is not None
    again = normalize(as_artifact(view), profile, index=index)
    assert again.view is not None and pretty(again.view) == pretty(view)


def test_a_large_float_parameter_survives_the_round_trip(base_repo: Path) -> None:
    edit(base_repo, BASE_SPEC, "      type: llm.openai\n",
         "      type: llm.openai\n      params: {temperature: 1.0e+16}\n")
    result, index = load_index(base_repo)
    if any(f.path == BASE_SPEC for f in result.findings):
        return  # refusing the value with a located finding is a fix too
    view = resolve_bundle(index, "agent_bundle@1.0.0").view
    assert view is not None
    assert load_bytes(pretty(view).encode(), "view.json", syntax="json").findings == ()
    again = renormalize(view, get(index, "ExecutionProfile", "base/v1@1.0.0"), index=index)
    assert again.view is not None and pretty(again.view) == pretty(view)


# ---------------------------------------------------------------------- order blind (memory)
def _permute(value: Any, rng: random.Random) -> Any:
    """The same data with the keys of every mapping in another insertion order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _permute(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [_permute(v, rng) for v in value]
    return value


def _shuffled(index: Index, rng: random.Random) -> Index:
    """Another index of the same artifacts: other list order, other key order, same spans."""
    arts = list(index.artifacts)
    rng.shuffle(arts)
    out = Index()
    for art in arts:
        doc = art.doc
        copy = Document(doc.path, doc.text, _permute(doc.data, rng), doc.syntax, doc.spans,
                        doc.key_spans)
        out.add(Artifact(copy, art.kind, art.id, art.version, art.schema_valid))
    return out


@SETTINGS
@given(name=REPOS, rng=st.randoms(use_true_random=False))
def test_views_do_not_depend_on_key_or_index_order(
        indexes: dict[str, Index], baselines: dict[str, dict[str, str]], name: str,
        rng: random.Random) -> None:
    index = _shuffled(indexes[name], rng)
    for ref, expected in baselines[name].items():
        res = resolve_bundle(index, ref)
        assert res.view is not None
        assert pretty(res.view) == expected


# ---------------------------------------------------------------------- order blind (files)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any, fmt: str, rng: random.Random) -> str:
    if fmt == "json":
        return json.dumps(data, indent=rng.choice([None, 1, 2, 4]), ensure_ascii=rng.random() < 0.5)
    header = "".join(f"# moved {i}\n" for i in range(rng.randint(0, 3)))
    body = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True,
                     default_flow_style=rng.choice([False, None]),
                     width=rng.choice([60, 100, 4096]))
    return header + body


def _rewrite(src: Path, dst: Path, rng: random.Random) -> dict[str, str]:
    """Copy ``src`` to ``dst`` with every artifact's keys permuted, reformatted, renamed and
    written in a random order; returns new path -> old path."""
    artifacts = discover(src)
    shutil.copytree(src, dst, ignore=lambda d, names: [
        n for n in names if (Path(d) / n) in artifacts])
    rng.shuffle(artifacts)
    renames: dict[str, str] = {}
    for path in artifacts:
        old = path.relative_to(src).as_posix()
        doc = load_file(path, src).document
        assert doc is not None
        name = f"{rng.choice('zyxabc')}{rng.randrange(10**6)}_{path.name}"
        new = (path.parent.relative_to(src) / name).as_posix()
        target = dst / new
        target.write_text(_dump(_permute(doc.data, rng), doc.syntax, rng), encoding="utf-8")
        again = load_file(target, dst).document
        assert again is not None and canonical_bytes(again.data) == canonical_bytes(doc.data)
        renames[new] = old
    return renames


def _positionless(view: Mapping[str, Any], renames: dict[str, str]) -> str:
    sources = view["spec"]["defaultingSources"]
    for src in sources.values():
        if "file" in src:
            src["file"] = renames[src["file"]]
            del src["line"], src["column"]
    return pretty(view)


@SETTINGS
@given(name=REPOS, rng=st.randoms(use_true_random=False))
def test_views_do_not_depend_on_file_names_order_or_formatting(
        repos: dict[str, Path], baselines: dict[str, dict[str, str]], name: str,
        rng: random.Random) -> None:
    """Everything but the recorded file names and positions is byte-identical; those point at
    the same values in the rewritten files."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        renames = _rewrite(repos[name], root, rng)
        result, index = load_index(root)
        assert findings(result) == []
        for ref, expected in baselines[name].items():
            view = resolve_bundle(index, ref).view
            assert view is not None
            for src in view["spec"]["defaultingSources"].values():
                if "file" in src:
                    span = result.documents[src["file"]].span(src["pointer"])
                    assert (span.line, span.col) == (src["line"], src["column"])
            assert _positionless(view, renames) == _positionless(json.loads(expected), {
                old: old for old in renames.values()})
