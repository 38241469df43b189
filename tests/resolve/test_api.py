"""The resolve stage's public surface: normalize, resolve_target, explain, and the view's form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from rspp.commands.resolve import ResolveOptions, resolve_target
from rspp.core.canonical import canonical_bytes, pretty, sha256_digest
from rspp.core.errors import UsageError
from rspp.core.findings import Severity
from rspp.model.artifact import Index
from rspp.model.catalog import BUILTIN
from rspp.model.digest import pinned_ref
from rspp.resolve.api import Inputs, bundle_inputs, involved_files, resolve_inputs, to_finding
from rspp.resolve.explain import Explanation, explain
from rspp.resolve.normalize import Resolution, normalize
from tests.helpers import REPO_ROOT
from tests.helpers.files import edit, write
from tests.helpers.resolve import (
    as_artifact,
    bundle_refs,
    get,
    implicit_fields,
    load_index,
    node,
    renormalize,
    schema_findings,
    source,
    view_of,
)

LIVEKIT = "livekit_voice_assistant_bundle@1.0.0"


def _ok_combinations(index: Index) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every (spec, profile, policies) of the examples that resolves."""
    out = []
    for spec in index.of_kind("PipelineSpec"):
        for profile in index.of_kind("ExecutionProfile"):
            for policies in ((), tuple(index.of_kind("PolicyOverlay"))):
                if normalize(spec, profile, policies, index=index).ok:
                    out.append((spec.ref, profile.ref, tuple(p.ref for p in policies)))
    return out


# ---------------------------------------------------------------------- normalize
def test_normalize_resolves_a_bundle_with_pinned_references(example_index: Index) -> None:
    bundle = get(example_index, "PipelineBundle", LIVEKIT)
    spec = get(example_index, "PipelineSpec", "livekit_voice_assistant@1.0.0")
    profile = get(example_index, "ExecutionProfile", "simple/v1@1.0.0")
    policy = get(example_index, "PolicyOverlay", "default_voice_policy@1.0.0")
    res = normalize(spec, profile, [policy], index=example_index, bundle=bundle)
    assert isinstance(res, Resolution) and res.ok and res.problems == ()
    view = res.view
    assert view is not None
    assert (view["apiVersion"], view["kind"]) == ("rspp.dev/v1alpha1", "ResolvedSpec")
    assert (view["metadata"]["id"], view["metadata"]["version"]) == (spec.id, spec.version)
    body = view["spec"]
    assert body["source"] == f"livekit_voice_assistant@1.0.0#{sha256_digest(spec.doc.data)}"
    assert body["source"] == pinned_ref(spec)
    assert body["profile"] == pinned_ref(profile)
    assert body["policies"] == [pinned_ref(policy)]
    assert body["bundle"] == pinned_ref(bundle)
    assert body["mode"] == "standard"
    lanes = body["lanes"]
    assert {"control": lanes["control"]["priority"], "data": lanes["data"]["priority"],
            "telemetry": lanes["telemetry"]["priority"]} == {
        "control": 300, "data": 200, "telemetry": 100}
    # The bundle's own entry point gives the same view.
    inputs = bundle_inputs(bundle, example_index)
    assert inputs == Inputs(spec, profile, (policy,), bundle)
    assert resolve_inputs(inputs, example_index) == res


def test_involved_files_follow_modules_extensions_and_policies(example_index: Index) -> None:
    inputs = bundle_inputs(get(example_index, "PipelineBundle", LIVEKIT), example_index)
    assert inputs is not None
    assert involved_files(inputs, example_index) == {
        "pipelines/bundles/livekit_voice_assistant_bundle.json",
        "pipelines/specs/livekit_voice_assistant.yaml",
        "pipelines/profiles/simple_v1.yaml",
        "pipelines/policies/default_voice_policy.yaml",
        "pipelines/modules/transcription_normalize.yaml",
        "pipelines/extensions/custom_sentiment_node.yaml",
    }


def test_checks_only_finds_the_same_problems_without_a_view(example_index: Index) -> None:
    spec = get(example_index, "PipelineSpec", "sip_telephony_assistant@1.0.0")
    profile = get(example_index, "ExecutionProfile", "low_latency/v1@1.0.0")
    policy = get(example_index, "PolicyOverlay", "default_voice_policy@1.0.0")
    full = normalize(spec, profile, [policy], index=example_index)
    quick = normalize(spec, profile, [policy], index=example_index, checks_only=True)
    assert full.view is None and quick.view is None and not full.ok
    assert {p.code for p in full.problems} == {"POL001", "POL006"}
    assert full.problems == quick.problems
    clean = normalize(spec, profile, [], index=example_index, checks_only=True)
    assert clean == Resolution(None, ())


def test_problems_become_located_findings(example_index: Index) -> None:
    spec = get(example_index, "PipelineSpec", "sip_telephony_assistant@1.0.0")
    profile = get(example_index, "ExecutionProfile", "low_latency/v1@1.0.0")
    policy = get(example_index, "PolicyOverlay", "default_voice_policy@1.0.0")
    res = normalize(spec, profile, [policy], index=example_index)
    prefer = next(p for p in res.problems if p.code == "POL006")
    finding = to_finding(prefer)
    assert finding.severity is Severity.ERROR
    assert finding.path == "pipelines/policies/default_voice_policy.yaml"
    # sip_telephony_assistant's stt has no stand-in of type stt.openai.
    assert finding.pointer == prefer.pointer == "/spec/providerRules/0/prefer/1"
    text = (REPO_ROOT / finding.path).read_text(encoding="utf-8").splitlines()
    assert text[finding.line - 1][finding.col - 1:].startswith("stt.openai")


# ---------------------------------------------------------------------- RSV001
def test_renormalizing_with_another_profile_is_rsv001(example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    other = get(example_index, "ExecutionProfile", "low_latency/v1@1.0.0")
    res = renormalize(view, other, index=example_index)
    assert res.view is None and not res.ok
    assert [(p.code, p.art.kind, p.pointer) for p in res.problems] == [
        ("RSV001", "ResolvedSpec", "/spec/profile")]
    message = res.problems[0].message
    assert view["spec"]["profile"] in message and "low_latency/v1@1.0.0" in message
    finding = to_finding(res.problems[0])
    assert (finding.code, finding.path, finding.severity) == (
        "RSV001", "resolved.json", Severity.ERROR)
    lines = pretty(view).splitlines()
    assert lines[finding.line - 1].strip().startswith('"profile": "simple/v1@1.0.0#sha256:')


def test_renormalizing_with_another_version_of_the_profile_is_rsv001(
        examples: Path) -> None:
    text = (examples / "pipelines/profiles/simple_v1.yaml").read_text(encoding="utf-8")
    write(examples, "pipelines/profiles/simple_v1_1.yaml",
          text.replace('version: "1.0.0"', 'version: "1.1.0"', 1))
    _, index = load_index(examples)
    view = view_of(index, LIVEKIT)
    newer = get(index, "ExecutionProfile", "simple/v1@1.1.0")
    policy = get(index, "PolicyOverlay", "default_voice_policy@1.0.0")
    assert [p.code for p in renormalize(view, newer, (policy,), index=index).problems] == [
        "RSV001"]
    same = get(index, "ExecutionProfile", "simple/v1@1.0.0")
    assert renormalize(view, same, (policy,), index=index).view == view


def test_renormalizing_with_an_edited_profile_of_the_same_version_is_rsv001(
        examples: Path) -> None:
    view = view_of(load_index(examples)[1], "sip_telephony_bundle@1.0.0")
    edit(examples, "pipelines/profiles/low_latency_v1.yaml", "turnLatencyMs: 500",
         "turnLatencyMs: 450")
    _, index = load_index(examples)
    edited = get(index, "ExecutionProfile", "low_latency/v1@1.0.0")
    assert view["spec"]["profile"] != pinned_ref(edited)
    assert [p.code for p in renormalize(view, edited, index=index).problems] == ["RSV001"]


# ---------------------------------------------------------------------- canonical form
def test_views_are_canonical_json(example_index: Index) -> None:
    for ref in bundle_refs(example_index):
        view = view_of(example_index, ref)
        text = pretty(view)
        assert canonical_bytes(json.loads(text)) == canonical_bytes(view) == rfc8785.dumps(view)
        assert pretty(json.loads(text)) == text
        assert text.endswith("}\n") and "\t" not in text
        # Only whitespace outside strings separates the two forms.
        assert json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True,
                          ensure_ascii=False).encode("utf-8") == canonical_bytes(view)


# Integral floats of 2**53 and more print as integers that RFC 8785 then refuses to read back
# (see test_properties.py, the large-number cases); the property holds below that.
_SAFE = 2.0**53 - 1
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(-_SAFE, _SAFE, allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(_JSON)
def test_pretty_is_the_indented_canonical_form(value: Any) -> None:
    text = pretty(value)
    assert canonical_bytes(json.loads(text)) == canonical_bytes(value)
    assert pretty(json.loads(text)) == text


@pytest.mark.slow
def test_every_field_is_explicit_and_schema_valid(example_index: Index) -> None:
    views = [view_of(example_index, ref) for ref in bundle_refs(example_index)]
    bundles = len(views)
    for spec, profile, policies in _ok_combinations(example_index):
        res = normalize(get(example_index, "PipelineSpec", spec),
                        get(example_index, "ExecutionProfile", profile),
                        [get(example_index, "PolicyOverlay", p) for p in policies],
                        index=example_index)
        assert res.view is not None
        views.append(cast("dict[str, Any]", res.view))
    assert len(views) > bundles > 0  # bundles and spec/profile/policy combinations
    for view in views:
        assert schema_findings(view) == []
        assert implicit_fields(view) == []
        for item in view["spec"]["nodes"]:
            assert set(item["cancel"]) == {"scope", "inFlight"}
            assert {"params", "inputs", "outputs", "executionMode"} <= set(item)
        for e in view["spec"]["edges"]:
            assert set(e["buffer"]) == {"capacity", "lowWatermark", "highWatermark", "shedding"}


def _at(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def test_sources_point_at_the_value_they_name(example_index: Index) -> None:
    docs = {a.path: a.doc for a in example_index.artifacts}
    for ref in bundle_refs(example_index):
        view = view_of(example_index, ref)
        for pointer, src in view["spec"]["defaultingSources"].items():
            assert set(src) <= {"kind", "ref", "file", "line", "column", "pointer", "reason"}
            assert src["kind"] in {"spec", "module", "profile", "policy", "bundle",
                                   "extension", "builtin"} and src["reason"]
            if src["kind"] == "builtin":
                assert "file" not in src
                continue
            doc = docs[src["file"]]
            span = doc.span(src["pointer"])
            assert (span.line, span.col) == (src["line"], src["column"]), pointer
            # the exact value, not an ancestor; in a manifest read at v1alpha1 (ADR 0023) a
            # parameter's default is written as the parameter's value itself
            written = src["pointer"] if src["pointer"] in doc.spans else \
                src["pointer"].removesuffix("/default")
            assert written in doc.spans and (written == src["pointer"] or
                                             "/spec/params/" in written), pointer
            same_leaf = pointer.rsplit("/", 1)[1] == src["pointer"].rsplit("/", 1)[1]
            if same_leaf and any(k in pointer for k in ("/params/", "/buffer/", "/cancel/",
                                                        "/budgets/", "/priority")):
                assert _at(doc.data, src["pointer"]) == _at(view, pointer), pointer


def test_catalog_defaults_are_the_catalog_values(example_index: Index) -> None:
    view = view_of(example_index, "simple_livekit_voice_bundle@1.0.0")
    seen = 0
    for item in view["spec"]["nodes"]:
        base, _ = node(view, item["id"])
        for key, value in item["params"].items():
            src = source(view, f"{base}/params/{key}")
            if src["kind"] == "builtin":
                assert src["ref"] == item["type"]
                assert BUILTIN[item["type"]].params[key] == value
                seen += 1
    assert seen > 0


# ---------------------------------------------------------------------- resolve_target
def test_resolve_target_by_id_and_by_path(example_index: Index) -> None:
    by_id = resolve_target(ResolveOptions(REPO_ROOT, LIVEKIT))
    path = REPO_ROOT / "pipelines/bundles/livekit_voice_assistant_bundle.json"
    by_path = resolve_target(ResolveOptions(REPO_ROOT, str(path)))
    assert by_id.view == by_path.view == view_of(example_index, LIVEKIT)
    assert by_id.text == pretty(by_id.view)
    assert by_id.report.findings == ()
    assert "pipelines/modules/transcription_normalize.yaml" in by_id.report.files


def test_resolve_target_spec_with_profile_and_policies(example_index: Index) -> None:
    outcome = resolve_target(ResolveOptions(
        REPO_ROOT, "livekit_voice_assistant@1.0.0", "simple/v1@1.0.0",
        ("default_voice_policy@1.0.0",)))
    assert outcome.view is not None
    bundled = view_of(example_index, LIVEKIT)
    assert "bundle" not in outcome.view["spec"]
    assert all("package" not in n for n in outcome.view["spec"]["nodes"])
    # Without the bundle, the graph and every other value are the same.
    strip = {"bundle", "defaultingSources", "nodes"}
    assert {k: v for k, v in outcome.view["spec"].items() if k not in strip} == \
        {k: v for k, v in bundled["spec"].items() if k not in strip}
    assert [{k: v for k, v in n.items() if k != "package"} for n in bundled["spec"]["nodes"]] \
        == outcome.view["spec"]["nodes"]
    assert source(outcome.view, "/spec/policies")["kind"] == "builtin"
    assert source(bundled, "/spec/policies")["kind"] == "bundle"


@pytest.mark.parametrize(("target", "profile", "policies", "message"), [
    ("nothing@1.0.0", None, (), "no bundle or spec nothing@1.0.0"),
    (LIVEKIT, "simple/v1@1.0.0", (), "pins its own profile and policies"),
    (LIVEKIT, None, ("default_voice_policy@1.0.0",), "pins its own profile and policies"),
    ("sip_telephony_assistant@1.0.0", None, (), "needs a profile"),
    ("sip_telephony_assistant@1.0.0", "nope/v1@1.0.0", (), "no ExecutionProfile"),
    ("sip_telephony_assistant@1.0.0", "low_latency/v1@1.0.0", ("nope@1.0.0",),
     "no PolicyOverlay nope@1.0.0"),
    (str(REPO_ROOT / "pipelines/profiles/simple_v1.yaml"), None, (), "is a ExecutionProfile"),
    (str(REPO_ROOT / "README.md"), None, (), "not an artifact of this repository"),
    ("/definitely/not/here.yaml", None, (), "outside the repository"),
])
def test_resolve_target_usage_errors(target: str, profile: str | None,
                                     policies: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace(".", r"\.")):
        resolve_target(ResolveOptions(REPO_ROOT, target, profile, policies))


def test_resolve_target_stops_on_errors_in_involved_files_only(examples: Path) -> None:
    # An error in a file the view does not depend on does not stop it.
    edit(examples, "rollouts/canary_10pct.yaml", "type: canary", "type: sideways")
    outcome = resolve_target(ResolveOptions(examples, LIVEKIT))
    assert outcome.view is not None and outcome.report.findings == ()
    # One in its module does, and the report says why.
    edit(examples, "pipelines/modules/transcription_normalize.yaml",
         "type: text.normalize", "type: text.normalise")
    blocked = resolve_target(ResolveOptions(examples, LIVEKIT))
    assert blocked.view is None and blocked.text == ""
    assert {(f.path, f.code) for f in blocked.report.findings} >= {
        ("pipelines/modules/transcription_normalize.yaml", "REF002")}
    assert all(f.path in blocked.report.files for f in blocked.report.findings)


# ---------------------------------------------------------------------- explain
def test_explain_finds_sources_by_pointer_or_node_id(example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    base, stt = node(view, "stt")
    entries = explain(view, "/nodes/stt/params/model")
    assert entries == [Explanation(f"{base}/params/model", "nova-3",
                                   source(view, f"{base}/params/model"))]
    assert explain(view, f"{base}/params/model") == entries
    assert explain(view, "nodes/stt/params/model") == entries
    assert explain(view, "/spec/nodes/stt/params/model") == entries
    under = explain(view, "/nodes/stt/params")
    assert [e.pointer for e in under] == [f"{base}/params/{k}" for k in sorted(stt["params"])]
    assert [e.value for e in under] == [stt["params"][k] for k in sorted(stt["params"])]
    whole = explain(view, "")
    assert {e.pointer for e in whole} >= {"/apiVersion", "/kind", "/spec/profile",
                                          f"{base}/fallback/targets"}
    assert not any(e.pointer.startswith("/spec/defaultingSources") for e in whole)


@pytest.mark.parametrize("pointer", ["/nodes/nope/params", "/spec/nodes/99", "/spec/nope",
                                     "/nodes/stt/params/nope"])
def test_explain_unknown_pointer_is_a_usage_error(example_index: Index, pointer: str) -> None:
    with pytest.raises(UsageError):
        explain(view_of(example_index, LIVEKIT), pointer)


def test_explain_addresses_module_nodes_by_escaped_id(example_index: Index) -> None:
    view = view_of(example_index, LIVEKIT)
    base, _ = node(view, "norm/redact")
    entries = explain(view, "/nodes/norm~1redact/params/replacement")
    assert [e.pointer for e in entries] == [f"{base}/params/replacement"]


def test_renormalize_is_the_identity_on_the_examples(example_index: Index) -> None:
    for ref in bundle_refs(example_index):
        bundle = get(example_index, "PipelineBundle", ref)
        inputs = bundle_inputs(bundle, example_index)
        assert inputs is not None
        view = view_of(example_index, ref)
        again = renormalize(view, inputs.profile, inputs.policies, index=example_index,
                            bundle=bundle)
        assert again.problems == () and again.view is not None
        assert pretty(again.view) == pretty(view)
        assert as_artifact(view).kind == "ResolvedSpec"
