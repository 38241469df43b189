"""Dated deprecations: uses of what the contract in effect deprecates (``spec.deprecations``).

A deprecation's ``target`` names what is going away, in one of four forms (the grammar is
``rspp.rules.compat.parse_target``; CMP003 reports a target in none of them, and such an
entry is skipped here, as is one whose dates are not calendar dates, CMP001):

- ``event ABI <semver>``, used by bundles (``compatibility.eventAbi``), runtime adapters
  (``contracts.eventAbi``) and the contract itself (``eventAbi.current``);
- ``<type>``, a node type, used by every node of that type;
- ``<type> params.<name>=<value>``, used by every node of the type whose parameter has the
  value; the value is compared with the text of the YAML/JSON scalar (``nova-2``, ``0.5``,
  ``true``; lists and mappings never match);
- ``<Kind>/<id>@<version>``, an artifact version (build metadata ignored), used by every
  id@version reference the reference rules read (``rspp.rules.refs.references``): bundle
  pins and node packages, rollouts' ``bundle`` and ``rollback.bundle``, module imports, node
  extensions of specs and modules and of the nodes a policy inserts, conformance gates'
  ``bundle`` and ``replay``.

Nodes are read twice: as written in every schema-valid PipelineSpec and Module (located at the
node's ``/type`` or ``/params/<name>``), and in the resolved view of every bundle, where a
value that comes from defaults (the node catalog, the profile, an extension's parameter
defaults) is a use too, located at the bundle's pin of its spec. A value the view takes from a
spec, module or policy is located where it is written, so each use is reported once per
location.

With ``today`` after ``removeAfter`` a use is DEP001 (an error); from ``since`` to
``removeAfter`` inclusive it is DEP002 (a warning naming the date and the replacement);
before ``since`` nothing is reported. The related location is the deprecation entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

from rspp.compat.contract import Contract, located, parse_day, related_at, same_version
from rspp.core.findings import Finding
from rspp.core.jsontypes import JsonValue, objects
from rspp.load.spans import escape_token
from rspp.model.access import (
    bundle_body,
    extension_body,
    graph_body,
)
from rspp.model.artifact import Artifact, Index, version_identity
from rspp.model.ids import parse_ref
from rspp.resolve.api import bundle_inputs, involved_files, resolve_inputs
from rspp.rules.compat import (
    AbiTarget,
    ArtifactTarget,
    NodeTypeTarget,
    ParamTarget,
    Target,
    parse_target,
)
from rspp.rules.refs import links

# Where a resolved view's value is written by hand, by the kind of its defaulting source.
_AUTHORED_SOURCES = ("spec", "module", "policy")


@dataclass(frozen=True, slots=True)
class Use:
    """One use of something a target may name, at ``pointer`` of ``art``."""

    art: Artifact
    pointer: str
    what: Target
    defaults: str = ""
    """Why the value is there when it comes from defaults (empty when written)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int
    target: Target
    since: dt.date
    remove_after: dt.date
    replacement: str


def check_deprecations(index: Index, contract: Contract, today: dt.date) -> list[Finding]:
    """Every use of a deprecated target (DEP001, DEP002) on ``today``, sorted."""
    entries = [e for e in _entries(contract) if e.since <= today]
    if not entries or contract.artifact is None:
        return []
    art = contract.artifact
    found: dict[tuple[str, int, int, int], Finding] = {}
    node_types = frozenset(e.target.type for e in entries
                           if isinstance(e.target, NodeTypeTarget | ParamTarget))
    for use in uses(index, contract, node_types):
        for entry in entries:
            if not matches(entry.target, use.what):
                continue
            span = use.art.doc.span(use.pointer)
            key = (use.art.path, span.line, span.col, entry.index)
            if key in found:
                continue
            related = [related_at(art, f"/spec/deprecations/{entry.index}",
                                  f"deprecation of {_name(entry.target)}")]
            found[key] = located(_code(entry, today), use.art, use.pointer,
                                 _message(entry, today, use), related)
    return sorted(found.values(), key=Finding.sort_key)


def _entries(contract: Contract) -> Iterator[_Entry]:
    for i, dep in contract.deprecations():
        target = parse_target(dep["target"])
        try:
            since, until = parse_day(dep["since"]), parse_day(dep["removeAfter"])
        except ValueError:
            continue
        if target is not None:
            yield _Entry(i, target, since, until, dep.get("replacement", ""))


def _code(entry: _Entry, today: dt.date) -> str:
    return "DEP001" if today > entry.remove_after else "DEP002"


def _name(target: Target) -> str:
    if isinstance(target, ParamTarget):
        return f"parameter value {target}"
    if isinstance(target, ArtifactTarget):
        return f"artifact version {target}"
    return str(target)


def _message(entry: _Entry, today: dt.date, use: Use) -> str:
    name = _name(entry.target)
    instead = f"use {entry.replacement}" if entry.replacement else "stop using it"
    origin = f" (the value comes from defaults: {use.defaults})" if use.defaults else ""
    if today > entry.remove_after:
        return f"{name}{origin} was removed after {entry.remove_after}; {instead}"
    return (f"{name}{origin} is deprecated and removed after {entry.remove_after}; "
            f"{instead}")


def matches(target: Target, used: Target) -> bool:
    """True when the use ``used`` (a target naming exactly what is used) is ``target``'s."""
    match target:
        case AbiTarget(version):
            return isinstance(used, AbiTarget) and same_version(version, used.version)
        case NodeTypeTarget(node_type):
            return isinstance(used, NodeTypeTarget) and used.type == node_type
        case ParamTarget():
            return used == target
        case ArtifactTarget(kind, ident, version):
            return isinstance(used, ArtifactTarget) and (used.kind, used.id) == (kind, ident) \
                and version_identity(used.version) == version_identity(version)
    return False  # pragma: no cover - the match is exhaustive


def scalar_text(value: JsonValue) -> str | None:
    """The text a parameter target compares with: a string as is, other scalars as JSON
    (``0.5``, ``true``, ``null``); None for lists and mappings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return None
    return json.dumps(value)


# ------------------------------------------------------------------------------ uses
def uses(index: Index, contract: Contract,
         node_types: frozenset[str] | None = None) -> Iterator[Use]:
    """Every use a deprecation target can name, in a stable order. ``node_types``, when
    given, are the only node types asked about: a bundle is resolved (to see the values its
    defaults fill in) only when its spec, modules or policies hold a node of one of them."""
    by_path = {a.path: a for a in index.artifacts}
    if contract.artifact is not None and contract.body is not None:
        yield Use(contract.artifact, "/spec/eventAbi/current",
                  AbiTarget(contract.body["eventAbi"]["current"]))
    for art in sorted((a for a in index.artifacts if a.schema_valid), key=lambda a: a.path):
        # every id@version reference, of every kind, as the reference rules read them
        for pointer, kind, text in links(art):
            yield from _ref_use(art, pointer, kind, text)
        if art.kind in ("PipelineSpec", "Module"):
            yield from _graph_uses(art)
        elif art.kind == "PipelineBundle":
            yield from _bundle_uses(art, index, by_path, node_types)
        elif art.kind == "ExtensionManifest":
            contracts = extension_body(art).get("contracts")
            if extension_body(art)["type"] == "runtime_adapter" and contracts is not None:
                yield Use(art, "/spec/contracts/eventAbi", AbiTarget(contracts["eventAbi"]))


def _ref_use(art: Artifact, pointer: str, kind: str, text: str) -> Iterator[Use]:
    ref = parse_ref(text)
    if ref is not None:
        yield Use(art, pointer, ArtifactTarget(kind, ref.id, ref.version))


def _node_uses(art: Artifact, base: str, node_type: str,
               params: dict[str, JsonValue]) -> Iterator[Use]:
    yield Use(art, f"{base}/type", NodeTypeTarget(node_type))
    for name in sorted(params):
        text = scalar_text(params[name])
        if text is not None:
            yield Use(art, f"{base}/params/{escape_token(name)}",
                      ParamTarget(node_type, name, text))


def _graph_uses(art: Artifact) -> Iterator[Use]:
    for i, node in enumerate(graph_body(art)["nodes"]):
        yield from _node_uses(art, f"/spec/nodes/{i}", node["type"], node.get("params", {}))


def _types_of(art: Artifact) -> Iterator[str]:
    for node in objects(art.spec.get("nodes")):
        if isinstance(node.get("type"), str):
            yield str(node["type"])
    for rule in objects(art.spec.get("insertRules")):
        inserted = rule.get("node")
        if isinstance(inserted, dict) and isinstance(inserted.get("type"), str):
            yield str(inserted["type"])


def _bundle_uses(art: Artifact, index: Index, by_path: dict[str, Artifact],
                 node_types: frozenset[str] | None) -> Iterator[Use]:
    body = bundle_body(art)
    yield Use(art, "/spec/compatibility/eventAbi", AbiTarget(body["compatibility"]["eventAbi"]))
    spec_pin = "/spec/pins"
    for i, pin in enumerate(body["pins"]):
        if pin["kind"] == "PipelineSpec":
            spec_pin = f"/spec/pins/{i}/ref"
    inputs = bundle_inputs(art, index)
    if inputs is None:
        return
    if node_types is not None:
        declared = {t for path in involved_files(inputs, index)
                    if path in by_path for t in _types_of(by_path[path])}
        if not declared & node_types:
            return
    view = resolve_inputs(inputs, index).view
    if view is None:
        return
    sources = view["spec"]["defaultingSources"]
    for i, node in enumerate(view["spec"]["nodes"]):
        base = f"/spec/nodes/{i}"
        for use in _node_uses(art, base, node["type"], node["params"]):
            source = sources.get(use.pointer)
            written = by_path.get(source.get("file", "")) if source is not None else None
            if source is not None and written is not None and "pointer" in source \
                    and source["kind"] in _AUTHORED_SOURCES:
                yield Use(written, source["pointer"], use.what)
            else:
                reason = source["reason"] if source is not None else "no source recorded"
                yield Use(art, spec_pin, use.what, defaults=f"node {node['id']}, {reason}")
