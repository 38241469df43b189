"""What a change does to the pipelines the runtime will execute (ADR 0009): for every new
artifact version its compatibility verdict, and for every pipeline whose resolved view changes
because of it, the changes grouped as a reviewer reads them, each with its verdict, and the
picture of the changed pipeline.

Which pipelines a change reaches:

- a new bundle version: its resolved view against the previous version's;
- a new spec version no new bundle pins: resolved as ``rspp compat`` resolves it (with the
  profile of the newest bundle that pins it, else its counterpart's);
- a new profile or policy version: every bundle pinning the previous version, resolved again
  with the new one (what the bundle becomes when it is re-pinned);
- the first version of a bundle: the whole pipeline, added;
- a published file edited in place (the gate's IMM001): every bundle published at the base
  whose view the edit changes, against its view at the base.

Views are keyed by identity before they are compared (nodes by id, edges by ``from -> to``,
policy rules by node or scope: ``rspp.compat.changes.identity``), so list positions never show
as changes; ``deepdiff`` (tree view) then gives every changed leaf with its path. Each leaf is
grouped (``GROUPS``), annotated with where its old and new value came from (the view's
``defaultingSources``), and judged by the compat detectors run on the same two views under the
kind's mode, so the diff and the gate never disagree. A value that stays the same while its
source moves (a spec default moved into the profile) is reported as a ``defaulting source``
change, cosmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final, Literal

import msgspec

from rspp.compat import changes as ch
from rspp.compat.contract import Contract, active_contract
from rspp.compat.engine import (
    Evaluation,
    Views,
    base_contract_of,
    dependents_of,
    judging_mode,
)
from rspp.compat.history import History, Key
from rspp.compat.versions import Bump, Mode, Verdict, verdict
from rspp.core.jsontypes import JsonValue, as_object
from rspp.gen import graph as gr
from rspp.load.spans import escape_token
from rspp.model.artifact import Artifact, Index
from rspp.resolve.api import Inputs, bundle_inputs, resolve_inputs
from rspp.validate.engine import Repository

Json = JsonValue
Action = Literal["added", "removed", "changed", "moved"]

# The groups a reviewer thinks in, in the order they are shown.
GROUPS: Final = ("node", "port", "edge", "lane", "buffer", "budget", "policy rule",
                 "defaulting source", "pipeline")
# Above this many nodes a picture shows only the changed nodes and their neighbours.
DRAW_ALL_UP_TO: Final = 40
# View keys that are not the pipeline itself: references to the inputs (shown as the pins
# line of a pipeline) and the sources of its values (shown with each change).
_NOT_COMPARED: Final = frozenset({"defaultingSources", "bundle", "source", "profile",
                                  "policies"})
_UNJUDGED: Final = "unjudged"


@dataclass(frozen=True, slots=True)
class Item:
    """One change in a resolved view.

    ``group`` is one of ``GROUPS``; ``subject`` the node id, edge (``from -> to``), lane,
    budget or rule it belongs to; ``field`` the dotted path below it ("" for the subject as a
    whole); ``old``/``new`` the values (None on the side where it is absent); ``old_source``/
    ``new_source`` where they came from (``profile simple/v1@1.1.0``, ``spec line 62``);
    ``code``/``verdict``/``requires`` the compat rule that judges it, its verdict under the
    mode and the bump it requires (``unjudged`` when no rule claims it)."""

    group: str
    subject: str
    field: str
    action: Action
    old: Json
    new: Json
    old_source: str
    new_source: str
    code: str
    verdict: str
    requires: str

    @property
    def name(self) -> str:
        """``subject.field`` as shown (node parameters without ``params.``); an edge's field
        after a colon (``a.out -> b.in: capacity``)."""
        if not self.field:
            return self.subject
        return f"{self.subject}{': ' if ' ' in self.subject else '.'}{self.field}"

    @property
    def origin(self) -> str:
        """``from X, was Y`` (``from X`` when both are alike; "" when neither is known)."""
        if self.action == "removed":
            return f"from {self.old_source}" if self.old_source else ""
        if not self.new_source:
            return ""
        if self.old_source and self.old_source != self.new_source and self.action != "added":
            return f"from {self.new_source}, was {self.old_source}"
        return f"from {self.new_source}"


@dataclass(frozen=True, slots=True)
class PipelineDiff:
    """One pipeline whose resolved view changes: ``old`` and ``new`` name the two sides
    (``id@version``; ``old`` is "" for a first version), ``reason`` why it is compared,
    ``pins`` how its inputs moved, ``items`` the changes (in ``GROUPS`` order), ``graph`` the
    picture with review marks (``omitted``: unchanged nodes left out of it)."""

    kind: str
    old: str
    new: str
    reason: str
    mode: str
    pins: tuple[str, ...]
    items: tuple[Item, ...]
    graph: gr.Graph
    nodes: int
    omitted: int
    # A bundle resolved again with a new input version it does not pin yet: what re-pinning
    # it would change (its own version is not part of the change).
    repin: bool = False

    @property
    def verdict(self) -> str:
        """The strictest verdict of its items (``breaking``, ``compatible``, ``cosmetic``)."""
        found = {i.verdict for i in self.items}
        return next((v for v in ("breaking", _UNJUDGED, "compatible") if v in found),
                    "cosmetic")

    @property
    def requires(self) -> str:
        """The largest bump its items require (``major``, ``minor``, ``patch``, ``none``)."""
        words = [b.word for b in Bump]
        return max((i.requires for i in self.items), key=words.index, default="none")


@dataclass(frozen=True, slots=True)
class Version:
    """A new artifact version and its verdict: compared with ``old`` ("" for the first
    version of its id), the bump its changes require under ``mode`` and the bump made."""

    kind: str
    id: str
    version: str
    path: str
    old: str
    mode: str
    required: str
    made: str
    ok: bool
    changes: int
    breaking: int
    note: str = ""  # why it was not compared ("" when it was, or is a first version)


@dataclass(frozen=True, slots=True)
class Review:
    """The whole review: ``label`` names the base, ``versions`` the new versions, ``pipelines``
    the changed pipelines (breaking first, then by name)."""

    label: str
    versions: tuple[Version, ...]
    pipelines: tuple[PipelineDiff, ...]
    # The run's errors (``path:line:col CODE message``): a change with errors never reads
    # as green, whatever its pipelines show.
    problems: tuple[str, ...] = ()
    # Pipelines that could not be resolved (their errors are among ``problems``).
    unresolved: tuple[str, ...] = ()
    # Findings the repository's configuration (rspp.toml, [tool.rspp]) turned off or excluded.
    hidden: int = 0

    @property
    def failed(self) -> bool:
        """An error was found, a version's bump is too small, or a pipeline the change
        reaches cannot be resolved."""
        return bool(self.problems) or bool(self.unresolved) or any(
            not v.ok for v in self.versions)

    @property
    def verdict(self) -> str:
        """``breaking`` when any change breaks its mode, else ``compatible`` when anything
        changed, else ``cosmetic`` (``unchanged`` when there is nothing new)."""
        if not self.versions and not self.pipelines:
            return "unchanged"
        if any(v.breaking for v in self.versions) or any(
                p.verdict == "breaking" for p in self.pipelines if not p.repin):
            return "breaking"
        if any(v.changes for v in self.versions) or self.pipelines:
            return "compatible"
        return "cosmetic"


# --------------------------------------------------------------------------- keyed views
@dataclass(slots=True)
class _Keyed:
    """A view keyed by identity, and for each keyed item its real JSON pointer."""

    data: dict[str, Json]
    real: dict[tuple[str, ...], str]  # identity path -> real pointer (RFC 6901)
    ident: dict[str, tuple[str, ...]]  # real pointer -> identity path


def _key(value: Json, path: tuple[str, ...], pointer: str, out: _Keyed) -> Json:
    if isinstance(value, dict):
        return {k: _key(v, (*path, k), f"{pointer}/{escape_token(k)}", out)
                for k, v in value.items()}
    if isinstance(value, list) and path and path[-1] in ch.IDENTITY_LISTS:
        keyed: dict[str, Json] = {}
        for i, item in enumerate(value):
            name = ch.identity(path[-1], item)
            name = ch.unique(name if name is not None else f"#{i + 1}", keyed)
            real = f"{pointer}/{i}"
            out.real[(*path, name)] = real
            out.ident[real] = (*path, name)
            keyed[name] = _key(item, (*path, name), real, out)
        return keyed
    if isinstance(value, list):
        return [_key(v, (*path, str(i)), f"{pointer}/{i}", out) for i, v in enumerate(value)]
    return value


def _keyed(body: Mapping[str, Json]) -> _Keyed:
    out = _Keyed({}, {}, {})
    out.data = {k: _key(v, (k,), f"/{escape_token(k)}", out) for k, v in body.items()
                if k not in _NOT_COMPARED}
    return out


def _real(keyed: _Keyed, path: Sequence[str]) -> str:
    """The real pointer (into the view's ``spec``) of an identity path."""
    for n in range(len(path), 0, -1):
        found = keyed.real.get(tuple(path[:n]))
        if found is not None:
            return found + "".join(f"/{escape_token(t)}" for t in path[n:])
    return "".join(f"/{escape_token(t)}" for t in path)


def _identity(keyed: _Keyed, pointer: str) -> tuple[str, ...]:
    """The identity path of a real pointer (the inverse of ``_real``)."""
    tokens = pointer.split("/")[1:]
    for n in range(len(tokens), 0, -1):
        found = keyed.ident.get("/" + "/".join(tokens[:n]))
        if found is not None:
            return (*found, *(_unescape(t) for t in tokens[n:]))
    return tuple(_unescape(t) for t in tokens)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


# --------------------------------------------------------------------------- sources
def _describe(entry: Json) -> str:
    """A ``defaultingSources`` entry as a reviewer reads it."""
    obj = as_object(entry)
    kind, ref, line = obj.get("kind"), obj.get("ref"), obj.get("line")
    ref_text = str(ref).partition("#")[0] if isinstance(ref, str) else ""
    if kind == "builtin":
        return "built-in" if ref_text in ("", "model") else f"catalog default of {ref_text}"
    if kind in ("spec", "bundle") and isinstance(line, int):
        return f"{kind} line {line}"
    if isinstance(kind, str) and ref_text:
        return f"{kind} {ref_text}"
    return str(kind) if isinstance(kind, str) else ""


def _origin_key(entry: Json) -> tuple[str, str]:
    """Which layer a value comes from, ignoring positions and versions: (kind, ref id); every
    catalog or model default is one layer (a new node type's defaults are not a move)."""
    obj = as_object(entry)
    kind = str(obj.get("kind", ""))
    return (kind, "") if kind == "builtin" else (kind, str(obj.get("ref", "")).partition("@")[0])


def _source_of(body: Mapping[str, Json], keyed: _Keyed, path: Sequence[str]) -> Json:
    """The ``defaultingSources`` entry of ``path``: its own, else (a whole node or edge)
    where its identity is written, else its first member's, else its nearest ancestor's (an
    item of a list of values)."""
    sources = as_object(body.get("defaultingSources"))
    full = "/spec" + _real(keyed, path)
    if full in sources:
        return sources[full]
    if len(path) <= 2:
        for anchor in ("id", "from"):
            if f"{full}/{anchor}" in sources:
                return sources[f"{full}/{anchor}"]
    below = next((sources[k] for k in sorted(sources) if k.startswith(full + "/")), None)
    if below is not None:
        return below
    for n in range(len(path) - 1, 1, -1):
        above = "/spec" + _real(keyed, path[:n])
        if above in sources:
            return sources[above]
    return None


# --------------------------------------------------------------------------- grouping
def _group(path: Sequence[str]) -> tuple[str, str, str]:
    """(group, subject, field) of an identity path."""
    head, rest = path[0], list(path[1:])
    if head == "nodes" and rest:
        subject, below = rest[0], rest[1:]
        if below and below[0] in ("inputs", "outputs"):
            return "port", subject, ".".join(below)
        if below and below[0] == "params":
            below = below[1:]
        return "node", subject, ".".join(below)
    if head == "edges" and rest:
        subject, below = rest[0], rest[1:]
        if below and below[0] in ("lane", "priority"):
            return "lane", subject, ".".join(below)
        if below and below[0] == "buffer":
            return "buffer", subject, ".".join(below[1:])
        return "edge", subject, ".".join(below)
    if head == "lanes":
        return "lane", rest[0] if rest else head, ".".join(rest[1:])
    if head == "budgets":
        return "budget", rest[0] if rest else head, ".".join(rest[1:])
    if head == "turnPolicy" and len(rest) >= 2:
        return "policy rule", f"{rest[0]} {rest[1]}", ".".join(rest[2:])
    if head == "turnPolicy":
        return "policy rule", ".".join(rest) or head, ""
    return "pipeline", head, ".".join(rest)


def _leaves(value: Json, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Json]]:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    else:
        yield path, value


_ORDER: Final = MappingProxyType({"breaking": 0, _UNJUDGED: 1, "compatible": 2, "cosmetic": 3})


def _judge(path: tuple[str, ...], judged: Sequence[tuple[tuple[str, ...], ch.Change, Verdict]],
           mode: Mode) -> tuple[str, str, str]:
    """(code, verdict, required bump) of the strictest compat change at, above or below
    ``path``."""
    matches = [(c, v) for at, c, v in judged
               if at[:len(path)] == path or path[:len(at)] == at]
    if not matches:  # judged with its subject (a parameter of a node whose type changed)
        depth = 3 if path[0] == "turnPolicy" else 2
        matches = [(c, v) for at, c, v in judged
                   if len(path) > depth and at[:depth] == path[:depth]]
    if not matches:
        return "", _UNJUDGED, "none"
    change, found = min(matches, key=lambda m: (_ORDER[m[1].value], m[0].code))
    requires = found.requires.word if mode.checks else "none"
    return change.code, found.value, requires


def compare_views(kind: str, old_body: Mapping[str, Json], new_body: Mapping[str, Json],
                  mode: Mode, uses: ch.Dependents) -> list[Item]:
    """The grouped changes from ``old_body`` to ``new_body`` (the ``spec`` of two resolved
    views, ``defaultingSources`` included), judged under ``mode`` by the ``kind``'s compat
    detectors. Raises nothing for well-formed views."""
    from deepdiff import DeepDiff
    from deepdiff.helper import notpresent

    old, new = _keyed(old_body), _keyed(new_body)
    found = ch.compare(kind, old_body, new_body,
                       low_latency=new_body.get("mode") == "low_latency", uses=uses)
    judged = []
    for change in found:
        v = verdict(mode, backward=change.backward, forward=change.forward,
                    cosmetic=change.cosmetic)
        for pointer, keyed in ((change.pointer, new), (change.was, old)):
            if pointer:
                judged.append((_identity(keyed, pointer), change, v))
    items: list[Item] = []
    # threshold_to_diff_deeper=0: always compare members, even of mappings sharing few keys
    # (a provider swap replaces most parameters; each one is a change of its own).
    tree = DeepDiff(old.data, new.data, view="tree", threshold_to_diff_deeper=0)
    for report in sorted(tree.keys()):
        for level in tree[report]:
            path = tuple(str(t) for t in level.path(output_format="list"))
            if _provenance(path):
                continue
            before = None if level.t1 is notpresent else level.t1
            after = None if level.t2 is notpresent else level.t2
            action: Action = "added" if "added" in report else \
                "removed" if "removed" in report else "changed"
            items.append(_item(path, action, before, after, old_body, new_body, old, new,
                               judged, mode))
    # Values alike whose source moved (a spec's value now the profile's default).
    for path, value in _leaves(new.data, ()):
        if _at(old.data, path) != value or not path or _provenance(path):
            continue
        a = _source_of(old_body, old, path)
        b = _source_of(new_body, new, path)
        if a is not None and b is not None and _origin_key(a) != _origin_key(b):
            _, subject, fld = _group(path)
            items.append(Item("defaulting source", subject, fld, "moved", value, value,
                              _describe(a), _describe(b), "", "cosmetic", "none"))
    # By group and subject; a subject's type first, then its fields by name.
    return sorted(items, key=lambda i: (GROUPS.index(i.group), i.subject, i.field != "",
                                        i.field != "type", i.field, i.action))


def _provenance(path: Sequence[str]) -> bool:
    """The policy a resolved rule came from (``turnPolicy/<list>/<rule>/policy``): it names
    the policy's version, so it moves with every new policy version; the pins line shows it."""
    return len(path) == 4 and path[0] == "turnPolicy" and path[3] == "policy"


def _at(data: Json, path: Sequence[str]) -> Json:
    for token in path:
        if isinstance(data, dict) and token in data:
            data = data[token]
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return None
    return data


def _item(path: tuple[str, ...], action: Action, before: Json, after: Json,
          old_body: Mapping[str, Json], new_body: Mapping[str, Json], old: _Keyed,
          new: _Keyed, judged: Sequence[tuple[tuple[str, ...], ch.Change, Verdict]],
          mode: Mode) -> Item:
    group, subject, fld = _group(path)
    a = _source_of(old_body, old, path) if action != "added" else None
    b = _source_of(new_body, new, path) if action != "removed" else None
    code, verdict_, requires = _judge(path, judged, mode)
    return Item(group, subject, fld, action, before, after,
                _describe(a) if a is not None else "", _describe(b) if b is not None else "",
                code, verdict_, requires)


# --------------------------------------------------------------------------- pictures
def _edge_key(edge: gr.Edge) -> tuple[str, ...]:
    return (edge.source, edge.target, edge.source_port, edge.target_port, edge.relation)


def marked_graph(old_body: Mapping[str, Json] | None, new_body: Mapping[str, Json],
                 items: Iterable[Item]) -> tuple[gr.Graph, int, int]:
    """The new pipeline's picture with what was added (green), removed (drawn from the old
    view, red) and changed (amber); above ``DRAW_ALL_UP_TO`` nodes only the marked nodes and
    their neighbours. Returns (graph, nodes in the pipeline, nodes left out)."""
    new = gr.from_view({"spec": dict(new_body)}, " ")
    old = gr.from_view({"spec": dict(old_body)}, " ") if old_body is not None else \
        gr.Graph(" ", ())
    old_nodes = {n.id: n for n in old.nodes}
    new_ids = {n.id for n in new.nodes}
    touched = {i.subject for i in items if i.group in ("node", "port")}
    nodes = [replace(n, mark="added" if n.id not in old_nodes else
                     "changed" if n.id in touched else "") for n in new.nodes]
    nodes += [replace(n, mark="removed") for n in old.nodes if n.id not in new_ids]
    old_edges = {_edge_key(e): e for e in old.edges}
    new_edges = {_edge_key(e) for e in new.edges}
    edge_subjects = {i.subject for i in items if i.group in ("edge", "lane", "buffer")}

    def name(e: gr.Edge) -> str:
        a = f"{e.source}.{e.source_port}" if e.source_port else e.source
        b = f"{e.target}.{e.target_port}" if e.target_port else e.target
        return f"{a} -> {b}"

    edges = []
    for e in new.edges:
        before = old_edges.get(_edge_key(e))
        mark: gr.Mark = "added" if before is None else \
            "changed" if name(e) in edge_subjects or before.lane != e.lane else ""
        edges.append(replace(e, mark=mark))
    edges += [replace(e, mark="removed") for k, e in old_edges.items() if k not in new_edges]
    total = len(new.nodes)
    keep = {n.id for n in nodes}
    if len(nodes) > DRAW_ALL_UP_TO:
        marked = {n.id for n in nodes if n.mark}
        marked |= {x for e in edges if e.mark for x in (e.source, e.target)}
        keep = set(marked)
        for e in edges:
            if e.source in marked or e.target in marked:
                keep.update((e.source, e.target))
    drawn = tuple(sorted((n for n in nodes if n.id in keep), key=lambda n: n.id))
    lines = tuple(sorted((e for e in edges if e.source in keep and e.target in keep),
                         key=lambda e: (*_edge_key(e), e.lane, e.mark)))
    omitted = len({n.id for n in nodes} - keep)
    return gr.Graph("", drawn, lines), total, omitted


# --------------------------------------------------------------------------- the review
def _strip(ref: Json) -> str:
    return str(ref).partition("#")[0] if isinstance(ref, str) else ""


def _refs(value: Json) -> list[str]:
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def _pins(old: Mapping[str, Json] | None, new: Mapping[str, Json]) -> tuple[str, ...]:
    """How a pipeline's inputs moved: ``spec a@1.0.0 -> a@1.1.0`` and the like."""
    out = []
    for key, word in (("source", "spec"), ("profile", "profile")):
        a = _strip(old.get(key)) if old is not None else ""
        b = _strip(new.get(key))
        if b and a != b:
            out.append(f"{word} {a} -> {b}" if a else f"{word} {b}")
    before = [_strip(p) for p in _refs(old.get("policies") if old is not None else None)]
    after = [_strip(p) for p in _refs(new.get("policies"))]
    if before != after:
        out.append(f"policies {', '.join(before) or 'none'} -> {', '.join(after) or 'none'}")
    return tuple(out)


def _pipeline(kind: str, old_name: str, new_name: str, reason: str, mode: Mode,
              old_body: Mapping[str, Json] | None, new_body: Mapping[str, Json],
              uses: ch.Dependents) -> PipelineDiff | None:
    if old_body is None:
        empty: dict[str, Json] = {k: {} for k, v in new_body.items()
                 if isinstance(v, dict | list) and k not in _NOT_COMPARED}
        items = compare_views(kind, empty, new_body, mode, uses)
    else:
        items = compare_views(kind, old_body, new_body, mode, uses)
    if not items:
        return None
    picture, total, omitted = marked_graph(old_body, new_body, items)
    return PipelineDiff(kind, old_name, new_name, reason, mode.name,
                        _pins(old_body, new_body), tuple(items), picture, total, omitted)


class _Inputs:
    """Each bundle's inputs (``bundle_inputs`` over the working tree), worked out once for
    the whole review, and only for the bundles it looks at."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._found: dict[Key, Inputs | None] = {}

    def of(self, bundle: Artifact) -> Inputs | None:
        if bundle.key not in self._found:
            self._found[bundle.key] = bundle_inputs(bundle, self.index)
        return self._found[bundle.key]


def _body(views: Views, bundle: Artifact, inputs: Inputs, profile: Artifact | None = None,
          policies: tuple[Artifact, ...] | None = None) -> Mapping[str, Json] | None:
    """A bundle's view (``spec`` with its compatibility window) resolved from its
    ``inputs`` with ``profile`` or ``policies`` in place of the ones it pins."""
    inputs = msgspec.structs.replace(inputs, profile=profile or inputs.profile,
                     policies=inputs.policies if policies is None else policies)
    view = resolve_inputs(inputs, views.index).view
    if view is None:
        return None
    body = dict(as_object(view["spec"]))
    body["compatibility"] = bundle.spec.get("compatibility")
    return body


def review(repo: Repository, history: History, evaluation: Evaluation) -> Review:
    """The review of ``evaluation`` (``rspp.compat.engine.evaluate`` over ``repo`` against
    ``history``): see the module doc. Resolves only the pipelines a new version reaches."""
    views = Views(history.index)
    contract: Contract = active_contract(repo.index)
    base = base_contract_of(history)
    uses = dependents_of(repo.index)
    versions: list[Version] = []
    pipelines: list[PipelineDiff | None] = []
    unresolved: list[str] = []
    pins = _Inputs(repo.index)
    bundle_mode = judging_mode(contract, base, "PipelineBundle")
    new_bundles = [v.art for v in evaluation.versions if v.art.kind == "PipelineBundle"]
    new_bundles += [a for a in evaluation.firsts if a.kind == "PipelineBundle"]
    pinned_specs = set()
    for bundle in new_bundles:
        inputs = pins.of(bundle)
        if inputs is not None:
            pinned_specs.add(inputs.spec.key)
    for item in evaluation.versions:
        comp = item.latest
        assert comp is not None
        art, old = item.art, comp.old
        breaking = sum(1 for j in comp.changes if j.verdict is Verdict.BREAKING)
        versions.append(Version(art.kind, art.id, art.version, art.path, old.version,
                                item.mode.name, comp.required.word if item.mode.checks
                                else "none", comp.made.word, all(c.ok for c in
                                                                 item.comparisons),
                                len(comp.changes), breaking))
        if art.kind == "PipelineBundle":
            body = views.of(art)
            if body is None:
                unresolved.append(art.ref)
                continue
            pipelines.append(_pipeline(art.kind, old.ref, art.ref, "new version", item.mode,
                                       views.of(old), body, uses))
        elif art.kind == "PipelineSpec" and art.key not in pinned_specs:
            before, after = views.profiles(old, art)
            old_body, new_body = views.of(old, before), views.of(art, after)
            if new_body is None:
                unresolved.append(art.ref)
            elif old_body is not None:
                profile = after.ref if after is not None else "none"
                pipelines.append(_pipeline(art.kind, old.ref, art.ref,
                                           f"new version, resolved with profile {profile}",
                                           item.mode, old_body, new_body, uses))
        elif art.kind in ("ExecutionProfile", "PolicyOverlay"):
            pipelines.extend(_reach(views, repo, pins, art, old, bundle_mode, uses,
                                    new_bundles))
    pipelines.extend(_edited(views, repo, pins, history, uses, bundle_mode))
    for art in evaluation.firsts:
        if art.kind == "PipelineBundle":
            body = views.of(art)
            if body is None:
                unresolved.append(art.ref)
            else:
                pipelines.append(_pipeline(art.kind, "", art.ref, "first version",
                                           bundle_mode, None, body, uses))
    drawn = [p for p in pipelines if p is not None]
    drawn.sort(key=lambda p: (_ORDER.get(p.verdict, 9), p.new, p.reason))
    versions.sort(key=lambda v: (v.ok, -v.breaking, v.kind, v.id, v.version))
    for art in evaluation.firsts:
        versions.append(Version(art.kind, art.id, art.version, art.path, "",
                                judging_mode(contract, base, art.kind).name, "none", "none",
                                True, 0, 0))
    for art in evaluation.unchecked:
        versions.insert(0, Version(art.kind, art.id, art.version, art.path, "",
                                   judging_mode(contract, base, art.kind).name, "none", "none",
                                   False, 0, 0, "not compared: it has schema errors"))
    return Review(evaluation.label, tuple(versions), tuple(drawn),
                  unresolved=tuple(sorted(unresolved)))


def _edited(views: Views, repo: Repository, pins: _Inputs, history: History,
            uses: ch.Dependents, mode: Mode) -> Iterator[PipelineDiff | None]:
    """Bundles published at the base whose resolved view changes because a file they depend
    on was edited in place (immutability forbids it: ``rspp check`` reports IMM001; here the
    reviewer sees what the edit would change)."""
    from rspp.compat.history import artifact_of
    from rspp.core.constants import LOCK_FILE
    from rspp.resolve.api import involved_files

    if history.base_keys is None:
        return
    head = {a.path: a for a in repo.index.artifacts}
    edited = {p for p in history.changed if p != LOCK_FILE and p in head
              and head[p].key in history.base_keys and p in history.base_files}
    if not edited:
        return
    before = Index()
    for art in repo.index.artifacts:
        if art.path not in edited:
            before.add(art)
    for path in sorted(edited):
        old = artifact_of(history.base_files[path], path, repo.root, history.pack_kinds)
        if old is not None:
            before.add(old)
    at_base = {a.path: a for a in before.artifacts}
    for bundle in sorted(repo.index.of_kind("PipelineBundle"), key=lambda a: a.ref):
        inputs = pins.of(bundle) if bundle.schema_valid else None
        if inputs is None or bundle.key not in history.base_keys:
            continue
        touched = involved_files(inputs, repo.index) & edited
        was = at_base.get(bundle.path)
        old_inputs = bundle_inputs(was, before) if touched and was is not None else None
        if old_inputs is None:
            continue
        old_view = resolve_inputs(old_inputs, before).view
        new_body = views.of(bundle)
        if old_view is None or new_body is None:
            continue
        old_body = dict(as_object(old_view["spec"]))
        old_body["compatibility"] = was.spec.get("compatibility") if was else None
        yield _pipeline("PipelineBundle", f"{bundle.ref} at {history.label}", bundle.ref,
                        "published files edited in place: " + ", ".join(sorted(touched)),
                        mode, old_body, new_body, uses)


def _pins_key(inputs: Inputs | None, art: Artifact) -> bool:
    return inputs is not None and art.key in {
        inputs.spec.key, inputs.profile.key, *(p.key for p in inputs.policies)}


def _reach(views: Views, repo: Repository, pins: _Inputs, art: Artifact, old: Artifact,
           mode: Mode, uses: ch.Dependents, new_bundles: Sequence[Artifact]
           ) -> Iterator[PipelineDiff | None]:
    """Every bundle pinning ``old`` (a profile or policy version), resolved again with
    ``art``; not a bundle whose id the change already moves to a version pinning ``art``
    (that version is compared with its predecessor)."""
    moved = {b.id for b in new_bundles if _pins_key(pins.of(b), art)}
    for bundle in sorted(repo.index.of_kind("PipelineBundle"), key=lambda a: a.ref):
        inputs = pins.of(bundle) if bundle.schema_valid else None
        if inputs is None or bundle.id in moved:
            continue
        if art.kind == "ExecutionProfile" and inputs.profile.key == old.key:
            after = _body(views, bundle, inputs, profile=art)
        elif art.kind == "PolicyOverlay" and old.key in {p.key for p in inputs.policies}:
            after = _body(views, bundle, inputs, policies=tuple(
                art if p.key == old.key else p for p in inputs.policies))
        else:
            continue
        if after is not None:
            found = _pipeline("PipelineBundle", bundle.ref, f"{bundle.ref} with {art.ref}",
                              f"pins {old.ref}; re-resolved with {art.ref}", mode,
                              views.of(bundle), after, uses)
            yield replace(found, repin=True) if found is not None else None
