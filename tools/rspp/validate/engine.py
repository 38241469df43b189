"""The validation pipeline: discover -> load -> envelope/schema -> index -> rules -> result.

Memory stays proportional to the data of the artifacts, not to their positions: a document
keeps its text and data, and its position tables are dropped as soon as the loader's own
checks are done (rebuilt from the text when a later finding needs a position, and dropped
again once a bounded number of documents hold them).
"""

from __future__ import annotations

import gc
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import msgspec

from rspp.core import sink
from rspp.core.constants import ARTIFACT_DIRS, SHARED_STR_MAX
from rspp.core.findings import Finding, Span
from rspp.core.jsontypes import JsonObject, JsonValue
from rspp.core.paths import PathError, RepositoryError, Resolver, name_inside, show
from rspp.core.pool import ChunkMap, default_jobs
from rspp.load.api import Limits, LoadResult, load_bytes, load_file, syntax_for
from rspp.load.config import Loaded as ConfigLoaded
from rspp.load.config import load_config
from rspp.load.document import Document
from rspp.load.reading import read_file
from rspp.model.artifact import Artifact, DeferredArtifact, Index
from rspp.report.result import Report
from rspp.rules.base import EVERY_KIND, Context, Hit, Rule
from rspp.rules.packs import NO_PACKS, KindTable, Packs, load_packs
from rspp.rules.registry import active_rules
from rspp.validate.cache import FileCache, Loaded
from rspp.validate.discover import SUFFIXES, scan, scan_targets
from rspp.validate.headers import (
    Header,
    header_of,
    read_headers,
    referred_ids,
    stamp_of,
    unchanged,
    with_stamp,
    write_headers,
)
from rspp.validate.memo import memo_key, read_memo, write_memo
from rspp.validate.schema import (
    check_envelope,
    check_pack_kind,
    check_schema,
    unknown_kind,
    upgrade_document,
)

_intern = sys.intern

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200


Progress = Callable[[str, int, int], None]
"""A progress callback: (stage, done, total)."""


class ValidateOptions(msgspec.Struct, frozen=True):
    root: Path
    targets: tuple[Path, ...] = ()
    strict: bool = False
    limits: Limits = msgspec.field(default_factory=Limits)
    jobs: int = 0  # worker processes for loading; 0 = one per core
    # the per-file cache in the work area (ADR 0013); False: neither read nor written
    cache: bool = True
    # whether the repository handed back must hold every document (loaded in worker
    # processes); False when only the report is wanted: deferred documents stay unread
    # until something reads them
    load_all: bool = True
    # told how far the run is: (stage, done, total); stages "load" (files) and "rules"
    # (rules run); the command line shows it on a terminal, the library never prints
    progress: Progress | None = None


class Repository(msgspec.Struct):
    """Everything loaded: documents by path, artifacts in the index, loader/schema findings."""

    root: Path
    documents: dict[str, Document] = msgspec.field(default_factory=dict)
    index: Index = msgspec.field(default_factory=Index)
    findings: list[Finding] = msgspec.field(default_factory=list)
    unloaded: list[str] = msgspec.field(default_factory=list)
    # process ids of the worker processes that loaded it (empty: loaded in this process)
    workers: frozenset[int] = frozenset()
    # a partial run: the paths of the artifacts concerned with its targets (:func:`concerned`),
    # the only ones whose rules and resolved-graph checks run; None: a whole run
    scope: frozenset[str] | None = None
    # with the cache: every file's repository-relative name -> its content key, or a marker
    # of why it could not be read (what a whole run's findings depend on: validate.memo)
    contents: dict[str, str] = msgspec.field(default_factory=dict)
    # the files of the deferred artifacts (repository-relative name -> path), to load them
    sources: dict[str, Path] = msgspec.field(default_factory=dict)
    limits: Limits = msgspec.field(default_factory=Limits)
    cache: FileCache | None = None
    # the rules of the packs the configuration enables (ADR 0024), run after rspp's own
    packs: Packs = NO_PACKS


def load_named(path: Path, root: Path | None = None) -> LoadResult:
    """Read and parse a file named on the command line that is not one of the repository's
    artifacts (a routing snapshot, a saved view), under the read policy of :mod:`rspp.core.paths`.

    It is read inside ``root`` when it is in it, else inside the repository holding it (else
    its folder): a link out of that base, a link loop, a folder, a FIFO, a device or an
    unreadable file is a FILE finding; nothing is followed or read. Findings and the
    document name the file repository-relative when it is inside ``root``, else as given.
    Raises PathError PATH002 when nothing has that name.
    """

    from rspp.core.paths import base_of

    base = base_of(path, root)
    resolver = Resolver(base)
    rel = resolver.named_file(path)
    shown = rel if root is not None and base == root else show(str(path))
    problem = resolver.refusal(path, shown)
    if problem is not None:
        return LoadResult(None, (problem,))
    loaded = load_file(path, base)
    if loaded.document is not None:
        loaded.document.path = shown
    return LoadResult(loaded.document,
                      tuple(msgspec.structs.replace(f, path=shown) for f in loaded.findings))


def _load_one(path: Path, root: Path, limits: Limits, resolver: Resolver,
              cache: FileCache | None = None) -> Loaded:
    """Load and check one file; the document leaves without its position tables. With
    ``cache``, a file whose bytes were loaded before is not parsed again (ADR 0013)."""
    problem = resolver.refusal(path)
    if problem is not None:
        return Loaded(name_inside(path, root), None, None, (problem,))
    stamp = stamp_of(path) if cache is not None else None  # before the bytes are read
    rel, raw = read_file(path, root, limits.max_bytes, policy_checked=True)
    if isinstance(raw, Finding):
        return Loaded(rel, None, None, (raw,))
    syntax = syntax_for(path) or "yaml"
    key = ""
    if cache is not None:
        key = cache.key_of(rel, syntax, limits, raw)
        hit = cache.get(rel, syntax, limits, raw, key)
        if hit is not None:
            if hit.doc is not None:
                hit.doc.data = _shared_keys(hit.doc.data)
            return _upgraded(msgspec.structs.replace(hit, key=key, stamp=stamp))
    # Positions are made only for a file with a finding (most have none).
    loaded = load_bytes(raw, rel, syntax=syntax, limits=limits, located=False)
    doc = loaded.document
    if doc is None:
        outcome = Loaded(rel, None, None, loaded.findings)
    else:
        kind, problems = check_envelope(doc)
        if kind is not None:
            problems = check_schema(doc, kind, root=root)
        outcome = Loaded(doc.path, doc.without_spans(), kind, tuple(problems))
    if cache is not None:
        cache.put(syntax, limits, raw, outcome, key)  # as the file holds it
    return _upgraded(msgspec.structs.replace(outcome, key=key, stamp=stamp))


def _upgraded(loaded: Loaded) -> Loaded:
    """``loaded`` with its document upgraded in memory to its kind's storage version when it
    is schema-valid and written at an older API version (ADR 0023)."""
    if loaded.doc is None or loaded.kind is None or loaded.findings:
        return loaded
    problems = upgrade_document(loaded.doc, loaded.kind)
    return msgspec.structs.replace(loaded, findings=tuple(problems)) if problems else loaded


def _known_header(path: Path, rel: str, root: Path, limits: Limits, resolver: Resolver,
                  cache: FileCache, known: dict[str, Header],
                  stamped: dict[str, tuple[str, Header]]) -> tuple[str, Header] | None:
    """(cache key, header) of a file whose content has a recorded header, with the stamp
    taken now; None when it has none (or the read policy refuses it, or it cannot be read:
    loading it reports why). A regular file whose stamp is the recorded one is not read."""
    was = stamped.get(rel)
    if was is not None and was[1].stamp is not None and unchanged(path, was[1].stamp):
        return was
    if resolver.refusal(path) is not None:
        return None
    stamp = stamp_of(path)
    name, raw = read_file(path, root, limits.max_bytes, policy_checked=True)
    if isinstance(raw, Finding):
        return None
    key = cache.key_of(name, syntax_for(path) or "yaml", limits, raw)
    header = known.get(key)
    if header is None or header.path != name:
        return None
    return key, with_stamp(header, stamp)


class _LoadJob(msgspec.Struct, frozen=True):
    """What every chunk of a load needs; reaches worker processes through fork."""

    root: Path
    limits: Limits
    cache: FileCache | None = None


def _load_chunk(job: _LoadJob, paths: Sequence[Path]) -> list[Loaded]:
    """One chunk of files (positions already dropped, so results pickle small)."""
    resolver = Resolver(job.root)
    return [_load_one(path, job.root, job.limits, resolver, job.cache) for path in paths]


def _shared_keys(value: JsonObject) -> JsonObject:
    """``value`` with every mapping key and every string value of at most
    ``SHARED_STR_MAX`` code points interned, as the loaders make them: artifacts of one
    repository repeat the same few hundred keys and values, and one copy of each (instead of
    one per occurrence) saves about half of the memory their data takes. For data decoded
    from the cache. Equal values, same order; depth is bounded by the loader. (A worker's results
    keep the sharing: one chunk is pickled at once, and pickle writes a shared object
    once.)"""
    return {_intern(k): _shared(v) for k, v in value.items()}


def _shared(value: JsonValue) -> JsonValue:
    if isinstance(value, str):
        return _intern(value) if len(value) <= SHARED_STR_MAX else value
    if isinstance(value, dict):
        return _shared_keys(value)
    if isinstance(value, list):
        return [_shared(v) for v in value]
    return value


def load_repository(root: Path, files: list[Path], limits: Limits, jobs: int = 1,
                    cache: FileCache | None = None, targets: set[str] | None = None,
                    progress: Progress | None = None,
                    names: Sequence[str] | None = None, packs: Packs = NO_PACKS) -> Repository:
    """Load, envelope-check and schema-check ``files``; in ``jobs`` worker processes when
    there are at least ``PARALLEL_MIN_FILES`` (``Repository.workers`` then names them); with
    ``cache``, unchanged files come from it.

    With ``cache`` and recorded headers, no unchanged clean file (but the ``targets`` of a
    partial run: the repository-relative names it checks) is loaded: it is hashed (or known
    unchanged by its stamp), and its header (:mod:`rspp.validate.headers`) makes a
    :class:`DeferredArtifact` whose document is loaded only when a rule or a later stage
    reads it (:func:`materialize` loads them all at once). Every run with ``cache`` records
    the headers of the clean files it saw. ``progress`` hears ("load", files done, files).
    ``names``: the repository path of each file (as discovery found it; else computed).
    A file of an artifact kind one of ``packs`` declares is checked against that pack's
    schema here, in this process (:func:`_pack_kind`)."""
    repo = Repository(root, limits=limits, cache=cache, packs=packs)
    kinds = packs.kinds()
    known = read_headers(cache) if cache is not None else {}
    deferred: dict[int, tuple[Path, str, Header]] = {}
    pending = files
    targets = targets or set()
    if known and cache is not None:
        resolver = Resolver(root)
        stamped = {h.path: (key, h) for key, h in known.items() if h.stamp is not None}
        pending = []
        if names is None:
            names = [name_inside(path, root) for path in files]
        for i, (path, rel) in enumerate(zip(files, names, strict=True)):
            found = (None if rel in targets else
                     _known_header(path, rel, root, limits, resolver, cache, known, stamped))
            if found is None:
                pending.append(path)
            else:
                deferred[i] = (path, *found)
    loading = ChunkMap(_load_chunk, _LoadJob(root, limits, cache), jobs, PARALLEL_MIN_FILES)
    loaded = iter(loading.run(pending))
    headers: dict[str, Header] = {}
    total = len(files)
    for i in range(total):
        if progress is not None:
            progress("load", i, total)
        if i in deferred:
            assert cache is not None
            path, key, header = deferred[i]
            repo.contents[header.path] = key
            headers[key] = header
            repo.sources[header.path] = path
            repo.index.add(DeferredArtifact(header.path, header.kind, header.id,
                                            header.version, header.links, header.summary,
                                            _fetcher(repo, path, header)))
            continue
        one = next(loaded)
        if cache is not None:
            repo.contents[one.rel] = one.key or "!" + "\n".join(
                f"{f.code} {f.message}" for f in one.findings)
        if kinds:
            one = _pack_kind(one, kinds)
        art = _admit(repo, one)
        # a pack kind's file gets no header: without the pack its kind is unknown
        if (art is not None and cache is not None and one.key and not one.findings
                and art.kind not in kinds):
            was = known.get(one.key)
            headers[one.key] = with_stamp(was or header_of(art), one.stamp)
    if progress is not None:
        progress("load", total, total)
    repo.workers = frozenset(loading.workers)
    if cache is not None and headers != known:
        write_headers(cache, headers)
    return repo


def _pack_kind(one: Loaded, kinds: KindTable) -> Loaded:
    """``one`` as an artifact of a pack's kind when the loader refused its kind (ENV001) and
    an enabled pack declares it (ADR 0024): checked against rspp's envelope and the pack's
    schema (SCH001/SCH003), or ENV002 for another apiVersion. An unknown kind's ENV001 names
    the packs' kinds too. The loader itself never knows packs, so what the cache keeps of a
    file does not depend on them; a pack kind's file has no header and is always loaded."""
    doc = one.doc
    if doc is None or one.kind is not None or [f.code for f in one.findings] != ["ENV001"]:
        return one
    dropped = doc.spans_dropped
    checked = check_pack_kind(doc, kinds)
    if checked is None:
        outcome = msgspec.structs.replace(one, findings=(unknown_kind(doc, list(kinds)),))
    else:
        kind, problems = checked
        outcome = msgspec.structs.replace(one, kind=kind, findings=tuple(problems))
    if dropped:
        _drop_spans(doc)
    return outcome


def _admit(repo: Repository, one: Loaded) -> Artifact | None:
    """Take one loading outcome into ``repo``; its artifact, if it makes one."""
    repo.findings.extend(one.findings)
    doc = one.doc
    if doc is None or one.kind is None:
        repo.unloaded.append(one.rel)
        return None
    repo.documents[doc.path] = doc
    meta = doc.data.get("metadata")
    ident = meta.get("id") if isinstance(meta, dict) else None
    version = meta.get("version") if isinstance(meta, dict) else None
    if not isinstance(ident, str) or not isinstance(version, str):
        return None
    art = Artifact(doc, one.kind, ident, version, not one.findings)
    repo.index.add(art)
    return art


def _fetcher(repo: Repository, path: Path, header: Header) -> Callable[[], Document]:
    """Load the document of a deferred artifact when it is first read: from its cache entry,
    else parsed again. Raises RepositoryError (REPO003) when the file no longer is what its
    header says (it changed during the run)."""

    def fetch() -> Document:
        one = _load_one(path, repo.root, repo.limits, Resolver(repo.root), repo.cache)
        return _take(repo, header.kind, header.id, header.version, header.path, one)

    return fetch


def _take(repo: Repository, kind: str, ident: str, version: str, rel: str,
          one: Loaded) -> Document:
    """The document of a deferred artifact, loaded as ``one``; RepositoryError REPO003 when
    its content is not the one the run took its header for (the run's other decisions, and
    the key of its record, rest on that content), or not a clean artifact of that kind, id
    and version."""
    doc = one.doc
    meta = doc.data.get("metadata") if doc is not None else None
    if (doc is None or not one.key or one.key != repo.contents.get(rel)
            or one.kind != kind or one.findings or not isinstance(meta, dict)
            or meta.get("id") != ident or meta.get("version") != version):
        raise RepositoryError(
            "REPO003", f"{rel} changed while rspp was checking the repository",
            "run rspp again once the files stay put")
    repo.documents[doc.path] = doc
    return doc


def materialize(repo: Repository, jobs: int, progress: Progress | None = None) -> None:
    """Load the documents of every deferred artifact not loaded yet, in ``jobs`` worker
    processes when there are enough of them; ``progress`` hears ("load", done, total).
    Raises RepositoryError (REPO003) as reading one would."""
    waiting = [a for a in repo.index.artifacts
               if isinstance(a, DeferredArtifact) and not a.loaded]
    if not waiting:
        return
    loading = ChunkMap(_load_chunk, _LoadJob(repo.root, repo.limits, repo.cache), jobs,
                       PARALLEL_MIN_FILES)
    outcomes = loading.run([repo.sources[a.path] for a in waiting])
    for done, (art, one) in enumerate(zip(waiting, outcomes, strict=True)):
        if progress is not None:
            progress("load", done, len(waiting))
        art.doc = _take(repo, art.kind, art.id, art.version, art.path, one)
    if progress is not None:
        progress("load", len(waiting), len(waiting))
    repo.workers |= loading.workers


class Positions:
    """Spans of documents whose positions were dropped, rebuilt on demand; at most
    ``keep`` documents hold rebuilt position tables at a time (least recently used first
    out), so a run where every file has a finding stays within bounded memory."""

    def __init__(self, keep: int = 256) -> None:
        self.keep = keep
        self._held: OrderedDict[int, Document] = OrderedDict()

    def span(self, doc: Document, pointer: str, *, key: bool = False) -> Span:
        dropped = doc.spans_dropped
        found = doc.span(pointer, key=key)
        if dropped:
            self._held[id(doc)] = doc
            if len(self._held) > self.keep:
                _, old = self._held.popitem(last=False)
                _drop_spans(old)
        elif id(doc) in self._held:
            self._held.move_to_end(id(doc))
        return found

    def release(self) -> None:
        """Drop the positions rebuilt so far."""
        while self._held:
            _drop_spans(self._held.popitem()[1])


def _drop_spans(doc: Document) -> None:
    doc.spans, doc.key_spans, doc.spans_dropped = {}, {}, True


def _to_finding(rule: Rule, owner: Artifact, hit: Hit, positions: Positions) -> Finding:
    doc = (hit.target or owner).doc
    span = positions.span(doc, hit.pointer, key=hit.key)
    # the rule's own entry: the catalogue's, or a pack's (ADR 0024)
    return sink.entry_finding(rule.entry, doc.path, span.line, span.col, hit.message,
                              pointer=hit.pointer, end_line=span.end_line, end_col=span.end_col,
                              related=hit.related)


def concerned(index: Index, targets: set[str]) -> list[Artifact]:
    """The artifacts whose rules can report about ``targets`` (repository-relative paths), or
    whose errors decide what a later stage of a run on ``targets`` resolves: the targets'
    artifacts and the other versions of their ids; every artifact referring to one of those
    ids (a dangling reference to another version included), transitively, with the other
    versions of its id (a rule of a spec places findings in a module it imports, a rule of a
    bundle in its policy, a gates manifest's in the bundle's profile); then everything those
    refer to, transitively (a referent's errors keep a bundle from being resolved). In index
    order. The references are :func:`rspp.rules.refs.references` (a deferred artifact's, as
    its header recorded them)."""
    refs: dict[int, set[tuple[str, str]]] = {}
    referrers: dict[tuple[str, str], list[Artifact]] = {}
    by_id: dict[tuple[str, str], list[Artifact]] = {}
    for art in index.artifacts:
        by_id.setdefault((art.kind, art.id), []).append(art)
        mine = referred_ids(art) if art.schema_valid else set()  # a header's, if deferred
        refs[id(art)] = mine
        for key in mine:
            referrers.setdefault(key, []).append(art)
    chosen: dict[int, Artifact] = {}
    todo = list({(a.kind, a.id) for a in index.artifacts if a.path in targets})
    seen_ids = set(todo)
    while todo:  # up: the ids' versions and everything referring to them
        key = todo.pop()
        for art in (*by_id.get(key, ()), *referrers.get(key, ())):
            chosen[id(art)] = art
            own = (art.kind, art.id)
            if own not in seen_ids:
                seen_ids.add(own)
                todo.append(own)
    down = [key for art in chosen.values() for key in refs[id(art)]]
    while down:  # then down: what they refer to
        key = down.pop()
        for art in by_id.get(key, ()):
            if id(art) not in chosen:
                chosen[id(art)] = art
                down.extend(refs[id(art)])
    return [a for a in index.artifacts if id(a) in chosen]


def run_rules(repo: Repository, targets: set[str] | None, *, every_artifact: bool = False,
              select: Callable[[Rule], bool] | None = None,
              progress: Progress | None = None) -> tuple[list[Finding], set[str]]:
    """Run every active rule over the index: over every artifact for a whole run, over the
    artifacts :func:`concerned` with ``targets`` for a partial one (``every_artifact`` runs
    them all anyway: the reference the tests compare with).

    Returns what concerns ``targets`` (None: all), and every file with an error finding
    among the artifacts checked (the resolve stage skips what depends on them). A partial run
    sets ``repo.scope`` to the paths of the artifacts it checked. ``select`` picks the rules
    to run (default: all). Only the checks bound with ``reads_files`` see the repository root.
    ``progress`` hears ("rules", artifacts checked, artifacts).

    The artifacts are checked one after another, each by every rule, in
    :func:`neighbourhoods` order, so the analyses rules share (port graphs, effective
    buffers, parameter sites: ``Context.cache``) are used while they are held and memory
    stays bounded (:class:`rspp.rules.base.Analyses`). The findings are then taken in rule
    order, and within a rule in index order, as a rule-by-rule run takes them: which of two
    equal findings is kept never depends on that schedule.
    """
    ctx = Context(repo.index, unloaded=tuple(repo.unloaded))
    ctx_files = Context(repo.index, unloaded=tuple(repo.unloaded), root=repo.root)
    target_ids = {(a.kind, a.id) for a in repo.index.artifacts
                  if targets is None or a.path in targets}
    if targets is None or every_artifact:
        owners = repo.index.artifacts
    else:
        owners = concerned(repo.index, targets)
        repo.scope = frozenset(a.path for a in owners)
    broken: set[str] = set()
    positions = Positions()
    pack_kinds = tuple(repo.packs.kinds())
    chosen = [msgspec.structs.replace(r, kinds=r.kinds + pack_kinds)
              if pack_kinds and r.kinds == EVERY_KIND else r
              for r in (*active_rules(), *repo.packs.rules())
              if r.check is not None and (select is None or select(r))]
    # (rule's place, owner's place, hit's place, finding, wanted)
    hits: list[tuple[int, int, int, Finding, bool]] = []
    order = neighbourhoods(owners)
    for done, place in enumerate(order):
        if progress is not None:
            progress("rules", done, len(order))
        art = owners[place]
        for rule_place, rule in enumerate(chosen):
            if art.kind not in rule.kinds or (rule.needs_schema_valid and not art.schema_valid):
                continue
            assert rule.check is not None
            seen_by = ctx_files if rule.reads_files else ctx
            for n, hit in enumerate(rule.check(art, seen_by)):
                finding = _to_finding(rule, art, hit, positions)
                if finding.is_error:
                    broken.add(finding.path)
                wanted = (targets is None or finding.path in targets
                          or (hit.refers_to is not None and hit.refers_to in target_ids))
                hits.append((rule_place, place, n, finding, wanted))
    positions.release()
    hits.sort(key=_schedule)
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for _, _, _, finding, wanted in hits:
        key = (finding.code, finding.path, finding.pointer + "|" + finding.message)
        if wanted and key not in seen:
            seen.add(key)
            out.append(finding)
    if progress is not None:
        progress("rules", len(order), len(order))
    return out, broken


def _schedule(hit: tuple[int, int, int, Finding, bool]) -> tuple[int, int, int]:
    return hit[0], hit[1], hit[2]


def neighbourhoods(owners: Sequence[Artifact]) -> list[int]:
    """The places of ``owners`` in the order rules check them: every artifact next to the
    spec it refers to (a bundle next to the versions of the spec it pins; within one
    neighbourhood, index order), so the analyses of a spec are still held when its bundles
    are checked. An
    artifact that refers to no spec is its own neighbourhood; an artifact whose document is
    not loaded is placed by its header's references (nothing is read to order it)."""
    def neighbourhood(art: Artifact) -> tuple[str, str]:
        if art.kind == "PipelineSpec":
            return ("PipelineSpec", art.id)
        mine = referred_ids(art) if art.schema_valid else set()  # a header's, if deferred
        specs = sorted(ident for kind, ident in mine if kind == "PipelineSpec")
        return ("PipelineSpec", specs[0]) if specs else (art.kind, art.id)

    keys = [neighbourhood(art) for art in owners]
    return sorted(range(len(owners)), key=lambda i: (keys[i], i))


# A repository-wide check run after the rules: (repository, files with errors so far, the
# targets or None for all) -> its findings. Higher floors hand these in (resolve's checks of
# the resolved graph); validation never imports them.
RepositoryPass = Callable[[Repository, set[str], "set[str] | None"], list[Finding]]


def check_repository(options: ValidateOptions,
                     passes: Sequence[RepositoryPass]) -> tuple[Report, Repository]:
    """Validate the repository at ``options.root`` (or only the named targets) with the rules
    and then ``passes``; hand back the loaded repository for the stages that follow.

    Raises PathError (PATH002) for a missing root and RepositoryError (REPO002) when there is
    nothing to check. Callers above ``resolve`` use ``rspp.resolve.gate``, which adds the
    resolved-graph checks."""
    # Loaded artifacts are plain acyclic data; the cycle collector only rescans them
    # (about a fifth of the run on large repositories). Restored afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        report, repo = _validate(options, passes)
        if options.load_all:
            materialize(repo, options.jobs or default_jobs(), options.progress)
        return report, repo
    finally:
        if collecting:
            gc.enable()


class Documents(Mapping[str, Document]):
    """The documents of a repository by path, as a report shows them: a deferred artifact's
    document is loaded when it is first looked up (a finding added after validation, in a
    file the run did not read, still shows its source line). Iterating names every
    document, loaded or not. Looking one up raises RepositoryError (REPO003) as reading it
    would."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._deferred = {a.path: a for a in repo.index.artifacts
                          if isinstance(a, DeferredArtifact)}

    def __getitem__(self, path: str) -> Document:
        found = self._repo.documents.get(path)
        if found is not None:
            return found
        art = self._deferred.get(path)
        if art is None:
            raise KeyError(path)
        return art.doc

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._repo.documents.keys() | self._deferred.keys()))

    def __len__(self) -> int:
        return len(self._repo.documents.keys() | self._deferred.keys())


def _reads_files(rule: Rule) -> bool:
    return rule.reads_files


def _reads_artifacts(rule: Rule) -> bool:
    return not rule.reads_files


def _whole_run(repo: Repository, passes: Sequence[RepositoryPass], broken: set[str],
               jobs: int, progress: Progress | None = None) -> list[Finding]:
    """The rules and ``passes`` of a whole run; ``broken``: the files the loader found
    broken, completed here. With the cache, the findings that depend only on the artifacts
    come from the record of the last whole run when its key (:func:`memo_key`: every file's
    content, and the files found broken by the loader and by the checks that read other
    files, which always run) is this run's; otherwise every deferred document is loaded, the
    rules run, and the record is written."""
    found, broken_by_files = run_rules(repo, None, select=_reads_files)
    broken |= broken_by_files
    cache = repo.cache
    key = memo_key(repo.contents, broken, repo.packs.fingerprint()) \
        if cache is not None else None
    if cache is not None and key is not None:
        recorded = read_memo(cache, key)
        if recorded is not None:  # the report loads the documents its findings show
            return found + recorded
    materialize(repo, jobs, progress)
    derived, broken_by_rules = run_rules(repo, None, select=_reads_artifacts,
                                         progress=progress)
    broken |= broken_by_rules
    for check in passes:
        derived.extend(check(repo, broken, None))
    if cache is not None and key is not None:
        write_memo(cache, key, derived)
    return found + derived


def _with_pack_codes(configured: ConfigLoaded, packs: Packs) -> ConfigLoaded:
    """``configured``, refused (CFG004, and then not applied) when it names a code that
    neither rspp nor an enabled pack defines (``Config.pack_codes``, ADR 0024)."""
    config = configured.config
    if config is None or not config.pack_codes:
        return configured
    known = packs.entries()
    unknown = [(code, where) for code, where in sorted(config.pack_codes.items())
               if code not in known]
    if not unknown:
        return configured
    return ConfigLoaded(None, tuple(
        sink.finding("CFG004", where.path, where.line, where.col,
                     f"unknown code {code!r}: neither rspp nor an enabled pack defines it"
                     + (f" (pack codes: {', '.join(sorted(known))})" if known else
                        "; `rspp packs list` shows the enabled packs"))
        for code, where in unknown))


def _listing(names: tuple[str, ...], suffix: str, last: str = "and") -> str:
    shown = [n + suffix for n in names]
    return f"{', '.join(shown[:-1])} {last} {shown[-1]}" if len(shown) > 1 else shown[0]


def _validate(options: ValidateOptions,
              passes: Sequence[RepositoryPass]) -> tuple[Report, Repository]:
    root = Path(os.path.abspath(options.root))
    if not os.path.isdir(root):
        raise PathError("PATH002", f"{show(str(options.root))}: no such folder",
                        "--root names the top folder of the repository")
    found = scan(root)
    all_files = list(found.files)
    if options.targets:
        named = scan_targets(root, list(options.targets))
        if not named.files and not named.findings:
            shown = ", ".join(show(str(t)) for t in options.targets)
            raise RepositoryError("REPO002", f"no artifact files in {shown}",
                                  f"artifact files end in {_listing(SUFFIXES, '', 'or')}")
        targets: set[str] | None = set(named.names)
        known = set(found.names)
        extra = [(p, rel) for p, rel in zip(named.files, named.names, strict=True)
                 if rel not in known]
        files = all_files + [p for p, _ in extra]
        names = [*found.names, *(rel for _, rel in extra)]
        walk_findings = named.findings
    else:
        if not all_files and not found.findings:
            raise RepositoryError(
                "REPO002", f"no artifact files in {show(str(root))}: {_listing(ARTIFACT_DIRS, '/')}"
                f" hold no {_listing(SUFFIXES, '', 'or')} file",
                "point --root at the repository that holds the artifacts")
        targets = None
        files = all_files
        names = list(found.names)
        walk_findings = found.findings
    jobs = options.jobs or default_jobs()
    configured = load_config(root)  # rspp.toml or [tool.rspp] (ADR 0010)
    packs = load_packs(root, configured.config)  # imports only what it enables (ADR 0024)
    configured = _with_pack_codes(configured, packs)
    repo = load_repository(root, files, options.limits, jobs,
                           FileCache.open(root) if options.cache else None, targets,
                           options.progress, names, packs)
    repo.index.node_types = packs.catalog()
    repo.index.pack_gate_types = frozenset(packs.gates())
    findings = [f for f in repo.findings if targets is None or f.path in targets]
    findings.extend(packs.findings)
    findings.extend(walk_findings)
    # Resolve only what the loader, schema and rules found sound, repository-wide: a partial
    # run must not resolve a bundle whose (unnamed) spec is broken.
    broken = {f.path for f in repo.findings if f.is_error}
    if targets is None:
        findings.extend(_whole_run(repo, passes, broken, jobs, options.progress))
    else:
        rule_findings, rule_broken = run_rules(repo, targets, progress=options.progress)
        findings.extend(rule_findings)
        broken |= rule_broken
        for check in passes:
            findings.extend(check(repo, broken, targets))
    findings.extend(configured.findings)
    findings.sort(key=Finding.sort_key)
    checked = sorted(targets) if targets is not None else names
    result = Report(root, tuple(checked), tuple(findings), Documents(repo),
                    options.strict, configured.config, entries=packs.entries())
    return result, repo
