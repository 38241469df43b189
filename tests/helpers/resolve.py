"""Resolve a repository and look values up in resolved views (the resolve, plan and CLI tests).

Repositories come from ``tests.helpers.repos``; ``BASE_SPEC`` and ``BASE_BUNDLE`` name files of
the rule base.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from rspp.core.canonical import pretty
from rspp.core.findings import Finding
from rspp.load.api import load_bytes
from rspp.model.artifact import Artifact, Index
from rspp.model.kinds import ResolvedSpec
from rspp.report.result import Report
from rspp.resolve.api import bundle_inputs, resolve_inputs
from rspp.resolve.gate import validate_repository
from rspp.resolve.normalize import Resolution, normalize
from rspp.validate.engine import ValidateOptions
from rspp.validate.schema import check_schema
from tests.helpers.files import edit, write

BASE_BUNDLE = "pipelines/bundles/agent.json"
BASE_SPEC = "pipelines/specs/agent.yaml"


# ------------------------------------------------------------------ repositories
def load_index(root: Path) -> tuple[Report, Index]:
    result, repo = validate_repository(ValidateOptions(root=root, jobs=1))
    return result, repo.index


def findings(result: Report) -> list[str]:
    return [f"{f.location()} {f.code} {f.message}" for f in result.findings]


def clean_index(root: Path) -> Index:
    """The index of ``root``, which must validate without any finding."""
    result, index = load_index(root)
    assert findings(result) == []
    return index


def update_json(root: Path, rel: str, change: Any) -> None:
    path = root / rel
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def pin(root: Path, kind: str, ref: str, bundle: str = BASE_BUNDLE) -> None:
    """Add a pin to a bundle (JSON)."""
    update_json(root, bundle, lambda d: d["spec"]["pins"].append({"kind": kind, "ref": ref}))


def add_package(root: Path, node_type: str, bundle: str = BASE_BUNDLE,
                impl: str = "pkg:pypi/acme@1.0.0", digest: str = "sha256:" + "1" * 64) -> None:
    update_json(root, bundle, lambda d: d["spec"]["nodePackages"].append(
        {"type": node_type, "impl": impl, "digest": digest}))


def add_scorer_node(root: Path, cancel: str = "{scope: turn}", node_params: str = "") -> None:
    """A `scorer` node of the base's extension type custom.scorer, fed by the module's
    transcript; both base bundles pin its package."""
    edit(root, BASE_SPEC, "    - id: speaker\n",
         "    - id: scorer\n      type: custom.scorer\n      extension: scorer@1.0.0\n"
         f"      cancel: {cancel}\n{node_params}    - id: speaker\n")
    edit(root, BASE_SPEC, "    - {from: llm.text, to: tts.text}\n",
         "    - {from: llm.text, to: tts.text}\n    - {from: clean.text, to: scorer.text}\n")
    for bundle in (BASE_BUNDLE, "pipelines/bundles/agent_old.json"):
        add_package(root, "custom.scorer", bundle, "pkg:pypi/acme-scorer@1.0.0",
                    "sha256:" + "1" * 64)


def policy_text(ident: str, body: str) -> str:
    return ("apiVersion: rspp.dev/v1alpha1\nkind: PolicyOverlay\nmetadata:\n"
            f'  id: {ident}\n  version: "1.0.0"\nspec:\n{body}')


def add_policy(root: Path, body: str, ident: str = "p", *, pinned: bool = True) -> None:
    """Write policy ``ident``@1.0.0 with the given spec body; pin it in the base bundle."""
    write(root, f"pipelines/policies/{ident}.yaml", policy_text(ident, body))
    if pinned:
        pin(root, "PolicyOverlay", f"{ident}@1.0.0")


# An insert rule for the rule base: a redaction pass on the module's edge into the LLM; %s
# takes extra node fields.
INSERT_EXTRA = """\
  insertRules:
    - onEdge: [clean.text, llm.transcript]
      node: {id: extra, type: text.redact, cancel: {scope: turn}%s}
      input: text
      output: text
"""


def position(root: Path, rel: str, line_text: str, value: str) -> tuple[int, int]:
    """(line, column) of ``value`` (its first occurrence) on the only line of a file that
    contains ``line_text``."""
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line_text in line]
    assert len(hits) == 1, f"{line_text!r} is on lines {[i + 1 for i in hits]} of {rel}"
    col = lines[hits[0]].index(value)
    return hits[0] + 1, col + 1


OUTER = "pipelines/modules/outer.yaml"
OUTER_TEXT = """\
apiVersion: rspp.dev/v1alpha1
kind: Module
metadata:
  id: outer
  version: "1.0.0"
spec:
  interface:
    inputs: {text: {type: text/transcript+json}}
    outputs: {text: text/transcript+json}
  imports:
    - module: clean@1.0.0
      as: inner
      params: {redact: {replacement: "[outer]"}}
  bind:
    inputs: {text: [inner.text, tap.text]}
    outputs: {text: mask.text}
  nodes:
    - id: mask
      type: text.redact
      cancel: {scope: turn}
      degrade: {target: mask_lite, trigger: overload}
    - id: mask_lite
      type: text.redact
      cancel: {scope: turn}
    - id: tap
      type: text.normalize
      cancel: {scope: none}
  edges:
    - {from: inner.text, to: mask.text}
"""


def nest_modules(root: Path) -> None:
    """agent imports outer as wrap; outer imports clean as inner."""
    write(root, OUTER, OUTER_TEXT)
    edit(root, BASE_SPEC, "    - module: clean@1.0.0\n      as: clean\n",
         "    - module: outer@1.0.0\n      as: wrap\n"
         '      params: {mask: {replacement: "[spec]"}}\n')
    spec = root / BASE_SPEC
    spec.write_text(spec.read_text(encoding="utf-8").replace("clean.text", "wrap.text"),
                    encoding="utf-8")


# ------------------------------------------------------------------ resolving
def resolve_bundle(index: Index, ref: str) -> Resolution:
    ident, version = ref.split("@")
    bundle = index.get("PipelineBundle", ident, version)
    assert bundle is not None, ref
    inputs = bundle_inputs(bundle, index)
    assert inputs is not None, ref
    return resolve_inputs(inputs, index)


def bundle_refs(index: Index) -> list[str]:
    return sorted(b.ref for b in index.of_kind("PipelineBundle"))


def agent_view(root: Path) -> dict[str, Any]:
    """The view of the base's agent_bundle@1.0.0 in ``root``, which must validate cleanly."""
    return view_of(clean_index(root), "agent_bundle@1.0.0")


def view_of(index: Index, ref: str) -> dict[str, Any]:
    res = resolve_bundle(index, ref)
    assert [(p.code, p.message) for p in res.problems] == []
    assert res.view is not None
    return cast("dict[str, Any]", res.view)


def get(index: Index, kind: str, ref: str) -> Artifact:
    ident, version = ref.split("@")
    found = index.get(kind, ident, version)
    assert found is not None, f"{kind} {ref}"
    return found


def as_artifact(view: Mapping[str, Any], path: str = "resolved.json") -> Artifact:
    """A resolved view read back from its text, as an artifact of kind ResolvedSpec."""
    doc = load_bytes(pretty(view).encode("utf-8"), path, syntax="json").document
    assert doc is not None
    meta = view["metadata"]
    return Artifact(doc, "ResolvedSpec", meta["id"], meta["version"])


def renormalize(view: Mapping[str, Any], profile: Artifact, overlays: tuple[Artifact, ...] = (),
                *, index: Index, bundle: Artifact | None = None) -> Resolution:
    return normalize(as_artifact(view), profile, overlays, index=index, bundle=bundle)


def problems(res: Resolution) -> list[tuple[str, str, str]]:
    return [(p.code, p.art.path, p.pointer) for p in res.problems]


# ------------------------------------------------------------------ reading views
def node(view: Mapping[str, Any], node_id: str) -> tuple[str, dict[str, Any]]:
    """The pointer and data of the node with ``node_id``."""
    for i, item in enumerate(view["spec"]["nodes"]):
        if item["id"] == node_id:
            return f"/spec/nodes/{i}", item
    raise AssertionError(f"no node {node_id!r}: {[n['id'] for n in view['spec']['nodes']]}")


def edge(view: Mapping[str, Any], src: str, dst: str) -> tuple[str, dict[str, Any]]:
    found = [(f"/spec/edges/{i}", e) for i, e in enumerate(view["spec"]["edges"])
             if e["from"] == src and e["to"] == dst]
    assert len(found) == 1, f"{src} -> {dst}: {len(found)} edges"
    return found[0]


def edge_pairs(view: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(e["from"], e["to"]) for e in view["spec"]["edges"]}


def source(view: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    """The defaulting source recorded for exactly ``pointer``."""
    sources = view["spec"]["defaultingSources"]
    assert pointer in sources, f"no source for {pointer}"
    return dict(sources[pointer])


def node_source(view: Mapping[str, Any], node_id: str, *path: str) -> dict[str, Any]:
    base, _ = node(view, node_id)
    return source(view, base + "".join("/" + p for p in path))


def where(src: dict[str, Any]) -> tuple[str, str | None, int | None, int | None]:
    return src["kind"], src.get("file"), src.get("line"), src.get("column")


def schema_findings(view: Mapping[str, Any]) -> list[Finding]:
    doc = load_bytes(pretty(view).encode("utf-8"), "resolved.json", syntax="json").document
    assert doc is not None
    return check_schema(doc, "ResolvedSpec")


def implicit_fields(view: Mapping[str, Any]) -> list[str]:
    """Fields of the view's spec that the model would fill with a default (none may be)."""
    model = ResolvedSpec.model_validate(json.loads(pretty(view)))
    out: list[str] = []
    pending: list[tuple[str, Any]] = [("/spec", model.spec)]
    while pending:
        where_, value = pending.pop()
        if isinstance(value, list):
            pending.extend((f"{where_}/{i}", v) for i, v in enumerate(value))
        elif isinstance(value, dict):
            pending.extend((f"{where_}/{k}", v) for k, v in value.items())
        elif hasattr(type(value), "model_fields"):
            for name, info in type(value).model_fields.items():
                if name not in value.model_fields_set and info.default is not None \
                        and not info.is_required():
                    out.append(f"{where_}/{info.alias or name}")
                pending.append((f"{where_}/{info.alias or name}", getattr(value, name)))
    return sorted(out)
