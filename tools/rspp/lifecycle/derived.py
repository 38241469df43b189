"""The derived-file graph of a repository: what `rspp status` reports and `rspp build` makes.

Nodes are built from the loaded, validated repository; whether each is fresh comes from
``rspp.lifecycle.provenance.assess``. Building regenerates stale and missing nodes in
dependency order and writes atomically; a second build finds nothing to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rspp.core.jsontypes import as_array, as_object
from rspp.core.markdown import render_page
from rspp.gen.graph import page_section
from rspp.lifecycle.freshness import Record
from rspp.lifecycle.provenance import (
    DerivedGraph,
    Node,
    State,
    assess,
    page_path,
    view_path,
    with_page_provenance,
    with_view_provenance,
)
from rspp.model.artifact import Artifact, Index
from rspp.model.digest import artifact_digest
from rspp.model.ids import parse_ref
from rspp.report.result import Report
from rspp.validate.engine import Repository


@dataclass(frozen=True, slots=True)
class Entry:
    path: str
    generator: str
    state: State
    reason: str


def graph(repo: Repository, result: Report, locked: set[str]) -> DerivedGraph:
    """The derived files of ``repo``; ``locked``: the keys of rspp.lock (compared by version
    identity, build metadata ignored). With the repository's cache, a fresh verdict comes
    from the record of :mod:`rspp.lifecycle.freshness` while it holds: the derived file and
    its inputs are not read."""
    from rspp.lifecycle.freshness import read_record, write_record
    from rspp.lifecycle.lock import identity_key
    from rspp.resolve.api import bundle_inputs, involved_files

    locked = {identity_key(key) for key in locked}
    root = repo.root
    broken = {f.path for f in result.findings if f.is_error}
    g = DerivedGraph(root)
    known = read_record(repo.cache)
    record = Record()
    for bundle in sorted(repo.index.of_kind("PipelineBundle"), key=lambda a: a.key):
        found = bundle_inputs(bundle, repo.index) if bundle.schema_valid else None
        files = tuple(sorted(involved_files(found, repo.index))) if found else None
        pins = _pins_node(bundle, repo.index, locked, root)
        g.nodes[pins.path] = pins
        inputs = files or (bundle.path,)
        view = Node(view_path(bundle), "rspp resolve", inputs,
                    partial(_make_view, root, repo.index, bundle, inputs), deps=(pins.path,))
        page = Node(page_path(bundle), "rspp page", (view.path,),
                    partial(_make_page, root, view.path), deps=(view.path,))
        for node in (view, page):
            g.nodes[node.path] = node
        if files is None or set(files) & broken:
            for node in (view, page):
                node.state, node.reason = State.BLOCKED, "an input has validation errors"
    _assess_all(g, known, record)
    write_record(repo.cache, record, known)
    _catalog(g, repo, broken)
    _code_generated(g)
    return g


def _catalog(g: DerivedGraph, repo: Repository, broken: set[str]) -> None:
    """The repository's node catalog (``rspp.gen.catalog``), when it adds node types: fresh
    exactly when it equals what this rspp makes of the repository now. Blocked, naming the
    first cause, while an extension manifest has errors, a file could not be read as an
    artifact at all (it may be a manifest whose types would be missing), or an enabled pack
    could not be loaded (its types would be missing)."""
    from rspp.gen.catalog import CATALOG_PAGE, repository_catalog

    text = repository_catalog(repo.index, repo.packs)
    if text is None:
        return
    node = Node(CATALOG_PAGE, "rspp catalog",
                tuple(sorted(a.path for a in repo.index.of_kind("ExtensionManifest"))),
                partial(_same, text.encode("utf-8")))
    causes = [f"an input has validation errors ({path})"
              for path in sorted(set(node.inputs) & broken)]
    causes += [f"{path} could not be read as an artifact" for path in sorted(repo.unloaded)]
    causes += [f"an enabled pack could not be loaded ({f.location()} {f.code})"
               for f in repo.packs.findings]
    if causes:
        node.state = State.BLOCKED
        node.reason = causes[0] + (f" (and {len(causes) - 1} more)" if len(causes) > 1 else "")
    else:
        _judge_bytes(g.root, node, text.encode("utf-8"), "the extension manifests, the "
                     "enabled packs or the built-in catalog changed, or it was edited by hand")
    g.nodes[node.path] = node


def _judge_bytes(root: Path, node: Node, data: bytes, why_stale: str) -> None:
    """Set ``node``'s state by comparing its file with ``data``, read as rspp writes it (no
    link followed, nothing outside the repository)."""
    from rspp.core.files import FileAccessError, read_existing

    try:
        current = read_existing(root / node.path, root=root, verb="check")
    except FileAccessError as exc:
        node.state, node.reason = State.INVALID, exc.cause
    else:
        if current is None:
            node.state, node.reason = State.MISSING, "not generated yet"
        elif current != data:
            node.state, node.reason = State.STALE, f"differs from what this rspp generates ({why_stale})"


def _assess_all(g: DerivedGraph, known: Record, record: Record) -> None:
    """Judge every generated node not blocked: fresh without reading anything when
    ``known``'s verdict still holds, else from its files; fresh verdicts go to ``record``."""
    from rspp.lifecycle.freshness import Stamps, judged, still_fresh
    from rspp.lifecycle.provenance import generator_fingerprint

    stamps = Stamps(g.root)
    digests: dict[str, str] = {}
    for node in g.nodes.values():
        if node.state == State.BLOCKED or node.generator in ("pins", "rspp code",
                                                             "rspp catalog"):
            continue
        made_by = generator_fingerprint(node.generator)
        was = known.fresh.get(node.path)
        if was is not None and still_fresh(was, node.generator, made_by, node.inputs, stamps,
                                           node.path):
            node.state, node.reason = State.FRESH, ""
            record.fresh[node.path] = was
            continue
        assess(g.root, node, digests, stamps)
        if node.state == State.FRESH:
            now = judged(node.generator, made_by, node.inputs, stamps, node.path)
            if now is not None:
                record.fresh[node.path] = now


def _code_generated(g: DerivedGraph) -> None:
    """schemas/, the rule and catalog references and the hook definitions are generated from
    rspp's own models and registry: fresh exactly when they equal what this rspp writes.
    They belong to rspp's own repository (``rspp.gen.docs.is_rspp_source``), not to its
    users'."""
    from rspp.gen.docs import is_rspp_source

    if not is_rspp_source(g.root):
        return
    from rspp.gen.drift import expected_files

    for path, data in sorted(expected_files().items()):
        node = Node(path, "rspp code", (), partial(_same, data))
        _judge_bytes(g.root, node, data, "the models or the rule registry changed, or it was "
                                         "edited by hand")
        g.nodes[path] = node


def _same(data: bytes) -> bytes:
    return data


def _make_view(root: Path, index: Index, bundle: Artifact, files: tuple[str, ...]
               ) -> bytes | None:
    from rspp.resolve.api import bundle_inputs, resolve_inputs

    inputs = bundle_inputs(bundle, index)
    view = resolve_inputs(inputs, index).view if inputs else None
    return with_view_provenance(root, view, files) if view is not None else None


def _make_page(root: Path, view_file: str) -> bytes | None:
    """The page of a resolved view (None when the view cannot be read or lacks fields)."""
    from rspp.core.files import FileAccessError, read_existing

    try:  # the view is a file rspp wrote: read it the same way (no link followed)
        raw = read_existing(root / view_file, root=root, verb="read")
        if raw is None:
            return None
        view = json.loads(raw.decode("utf-8"))
        page = render_page(view) + page_section(view)
    except (FileAccessError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    return with_page_provenance(root, page, (view_file,))


def _pins_node(bundle: Artifact, index: Index, locked: set[str], root: Path) -> Node:
    """A bundle's pins are derived too: each must carry the digest of what it pins.
    ``locked``: identity keys (``rspp.lock.identity_key``) of the lock's entries."""
    from rspp.lifecycle.lock import artifact_identity, unpinned_refs

    node = Node(f"{bundle.path}#pins", "pins", (bundle.path,),
                partial(_rewrite_pins, root, bundle, index))
    missing = unpinned_refs(bundle)
    if not missing:
        node.state = State.FRESH
    elif artifact_identity(bundle) in locked:
        node.state, node.reason = State.BLOCKED, (f"pins {', '.join(missing)} have no digest, but "
                                              "the bundle is locked (published)")
    else:
        node.state, node.reason = State.STALE, f"pins without digest: {', '.join(missing)}"
    return node


def _rewrite_pins(root: Path, bundle: Artifact, index: Index) -> bytes | None:
    """The bundle's text with every pin's digest added in place (nothing else changes)."""
    from rspp.load.api import load_bytes

    lines = bundle.doc.text.split("\n")
    wanted: list[str] = []
    # read as loaded: a bundle that is not schema-valid still has a pins node
    for i, pin in enumerate(as_object(p) for p in as_array(bundle.spec.get("pins"))):
        text, kind = pin.get("ref"), pin.get("kind")
        ref = parse_ref(text)
        target = index.get(kind, ref.id, ref.version) if ref and isinstance(kind, str) else None
        if ref is None or target is None or not isinstance(text, str):
            return None
        # The reference keeps its version as written (build metadata or not) and gains the
        # digest of the artifact it names.
        new = f"{ref.id}@{ref.version}#{artifact_digest(target)}"
        wanted.append(new)
        if ref.digest is None:
            line = bundle.doc.span(f"/spec/pins/{i}/ref").line - 1
            if text not in lines[line]:
                return None
            lines[line] = lines[line].replace(text, new, 1)
    text = "\n".join(lines)
    again = load_bytes(text.encode("utf-8"), bundle.path, syntax=bundle.doc.syntax).document
    pins = as_array(as_object(again.data.get("spec")).get("pins")) if again else []
    if again is None or [as_object(p).get("ref") for p in pins] != wanted:
        return None
    return text.encode("utf-8")


def entries(g: DerivedGraph) -> list[Entry]:
    return [Entry(n.path, n.generator, n.state, n.reason) for n in g.order()]


def run_build(g: DerivedGraph, *, only_pins: bool = False) -> tuple[list[str], list[Entry]]:
    """Regenerate what is stale or missing, dependencies first: (written, failed)."""
    from rspp.core.files import read_existing, write_atomic

    written: list[str] = []
    failed: list[Entry] = []
    for node in g.order():
        if only_pins != (node.generator == "pins"):
            continue
        deps_rebuilt = any(d in written for d in node.deps)
        if node.state not in (State.STALE, State.MISSING, State.INVALID) and not deps_rebuilt:
            continue
        if node.state == State.BLOCKED:
            continue
        content = node.make()
        if content is None:
            failed.append(Entry(node.path, node.generator, State.ERROR, "could not be generated"))
            continue
        target = g.root / node.path.split("#")[0]
        if read_existing(target, root=g.root) != content:  # a link on the way: IO002
            write_atomic(target, content, root=g.root)
        written.append(node.path)
    return written, failed
