"""The compatibility gate: changes between versions, the bumps they require, deleted published
versions, version skew, deprecations and waivers, in one evaluation (ADR 0007).

``evaluate`` is what ``rspp compat`` and ``rspp check`` call. Findings:

- every change is an info finding with its own code (CHG…), located in the new version (or
  at its ``metadata.version`` when the changed thing is gone, with the old place related);
- VER001 a bump below what the changes require under the kind's mode, at
  ``metadata.version``, with the changes as related locations;
- VER002 a published version deleted without a retirement while something names it;
- VER003 a version a transitive mode must compare with whose content no commit holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING

from rspp.compat import changes as ch
from rspp.compat.contract import (
    Contract,
    active_contract,
    located,
    newest,
    parse_day,
    parse_version,
    related_at,
)
from rspp.compat.history import History, Key, lock_name, recover, with_base, working_tree
from rspp.compat.versions import MODES, Bump, Mode, Verdict, bump_made, stricter, verdict
from rspp.core.catalogue import ENTRIES
from rspp.core.constants import AUTHORED_KINDS, LOCK_FILE, MUTABLE_KINDS
from rspp.core.findings import Finding, Related
from rspp.core.jsontypes import JsonValue, as_object, objects
from rspp.core.sink import finding
from rspp.lifecycle.lock import Lock
from rspp.load.spans import escape_token
from rspp.model.artifact import Artifact, Index, version_identity
from rspp.model.ids import parse_ref
from rspp.resolve.api import bundle_inputs, resolve_inputs
from rspp.resolve.normalize import normalize
from rspp.rules.refs import links
from rspp.validate.engine import Repository

if TYPE_CHECKING:
    import semver

# Every code the gate can emit (waivers of other codes are not the gate's to judge).
EMITTED: frozenset[str] = frozenset(e.code for e in ENTRIES if e.emitted_by == "compat")
# Codes judged on a version only while it is new against the base (its comparisons).
PER_VERSION: frozenset[str] = frozenset(
    c for c in EMITTED if c.startswith("CHG") or c in ("VER001", "VER003"))


@dataclass(frozen=True, slots=True)
class Judged:
    """One change with its verdict under the mode."""

    change: ch.Change
    verdict: Verdict
    where: Related  # the new side, else the new version's metadata.version
    was: Related | None  # the old side


@dataclass(frozen=True, slots=True)
class Comparison:
    """A new version against one earlier version."""

    old: Artifact
    changes: tuple[Judged, ...]
    required: Bump
    made: Bump

    @property
    def ok(self) -> bool:
        return self.made >= self.required


@dataclass(frozen=True, slots=True)
class Versioned:
    """A new version of one artifact and what it was compared with (newest first)."""

    art: Artifact
    mode: Mode
    comparisons: tuple[Comparison, ...]

    @property
    def latest(self) -> Comparison | None:
        return self.comparisons[0] if self.comparisons else None


@dataclass(frozen=True, slots=True)
class Options:
    against: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    fetch: bool = True
    compare_tree: bool = True  # without a base: compare the working tree's versions


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What the gate compared: ``versions`` (new versions with an earlier one), ``firsts``
    (new versions that are the first of their id, or below every earlier one: nothing to
    compare with), ``unchecked`` (new versions with schema errors: validation reports them),
    and the findings."""

    label: str
    versions: tuple[Versioned, ...]
    findings: tuple[Finding, ...]
    firsts: tuple[Artifact, ...] = ()
    unchecked: tuple[Artifact, ...] = ()


# --------------------------------------------------------------------------- views
class Views:
    """Views of artifact versions, each computed once: resolved views for specs and bundles,
    the authored body for the rest."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._cache: dict[tuple[Key, Key | None], Mapping[str, JsonValue] | None] = {}
        self._paired: dict[Key, Artifact] | None = None

    def bundle_profile(self, spec: Artifact) -> Artifact | None:
        """The profile the newest bundle pinning ``spec`` pairs it with, or None."""
        from rspp.compat.contract import newest

        if self._paired is None:
            pairs: dict[Key, list[tuple[Artifact, Artifact]]] = {}
            for bundle in self.index.of_kind("PipelineBundle"):
                inputs = bundle_inputs(bundle, self.index) if bundle.schema_valid else None
                if inputs is not None:
                    pairs.setdefault(inputs.spec.key, []).append((bundle, inputs.profile))
            self._paired = {}
            for key, found in pairs.items():
                best = newest([b for b, _ in found])
                if best is not None:
                    self._paired[key] = next(p for b, p in found if b is best)
        return self._paired.get(spec.key)

    def default_profile(self) -> Artifact | None:
        """The newest simple/v1 (the design's default pack), else the newest version of the
        first profile id."""
        from rspp.compat.contract import newest

        profiles = [p for p in self.index.of_kind("ExecutionProfile") if p.schema_valid]
        simple = newest([p for p in profiles if p.id == "simple/v1"])
        if simple is not None:
            return simple
        ids = sorted({p.id for p in profiles})
        return newest([p for p in profiles if p.id == ids[0]]) if ids else None

    def profiles(self, old: Artifact, new: Artifact) -> tuple[Artifact | None, Artifact | None]:
        """The profiles two spec versions are resolved with: each one's bundle profile; a
        version no bundle pins takes the other's, and when neither is pinned both take the
        default profile. So a default moved from a spec into its profile compares equal, and
        an unbundled new version is not compared against another profile's defaults."""
        before, after = self.bundle_profile(old), self.bundle_profile(new)
        if before is None and after is None:
            before = after = self.default_profile()
        return before or after, after or before

    def of(self, art: Artifact, profile: Artifact | None = None
           ) -> Mapping[str, JsonValue] | None:
        """The view's body, or None when it cannot be resolved (compare authored text).
        ``profile`` is used for a PipelineSpec only."""
        key = (art.key, profile.key if profile is not None else None)
        if key not in self._cache:
            self._cache[key] = self._view(art, profile)
        return self._cache[key]

    def _view(self, art: Artifact, profile: Artifact | None) -> Mapping[str, JsonValue] | None:
        if not art.schema_valid:
            return None
        if art.kind == "PipelineBundle":
            inputs = bundle_inputs(art, self.index)
            view = resolve_inputs(inputs, self.index).view if inputs else None
            if view is None:
                return None
            body: dict[str, JsonValue] = dict(view["spec"])  # type: ignore[arg-type]
            body["compatibility"] = art.spec.get("compatibility")
            return body
        if art.kind == "PipelineSpec":
            if profile is None:
                return None
            resolved = normalize(art, profile, (), index=self.index).view
            return dict(resolved["spec"]) if resolved else None  # type: ignore[arg-type]
        return art.spec


# Where a whole node or edge is best shown: its id, or the line that names its source.
_ANCHORS = ("id", "from", "to", "type", "node")


def _source(view: Mapping[str, JsonValue] | None, pointer: str) -> tuple[str, int, int] | None:
    """(file, line, column) a resolved view's value at ``pointer`` came from."""
    if view is None:
        return None
    sources = view.get("defaultingSources")
    if not isinstance(sources, dict) or not pointer:
        return None
    full = "/spec" + pointer
    entry = next((sources[k] for k in (full, *(f"{full}/{leaf}" for leaf in _ANCHORS))
                  if k in sources), None)
    if entry is None:
        entry = next((sources[k] for k in sorted(sources) if k.startswith(full + "/")), None)
    if not isinstance(entry, dict):
        return None
    file, line, col = entry.get("file"), entry.get("line"), entry.get("column")
    if isinstance(file, str) and isinstance(line, int) and isinstance(col, int):
        return file, line, col
    return None


def _place(art: Artifact, view: Mapping[str, JsonValue] | None, pointer: str,
           note: str) -> Related | None:
    """Where the value at ``pointer`` of ``art``'s view is shown (None: nowhere to point)."""
    if not pointer:
        return None
    found = _source(view, pointer)
    if found is not None and found[0] != art.path and pointer.count("/") > 2:
        # A default from the profile or a module: show the node or edge in the artifact
        # itself when it is written there (a pull request's annotations land in its diff).
        entity = _source(view, "/".join(pointer.split("/")[:3]))
        found = entity if entity is not None and entity[0] == art.path else found
    if found is not None:
        return Related(found[0], found[1], found[2], note)
    if art.kind in ("PipelineSpec", "PipelineBundle") and view is not None \
            and "defaultingSources" in view and not pointer.startswith("/compatibility"):
        return None
    return related_at(art, "/spec" + pointer, note)


# --------------------------------------------------------------------------- comparisons
def dependents_of(index: Index) -> ch.Dependents:
    """What the specs and modules of ``index`` rely on of node types (``ch.Dependents``)."""
    ports: set[tuple[str, str]] = set()
    params: set[tuple[str, str]] = set()
    types: set[str] = set()
    for art in index.artifacts:
        if art.kind not in ("PipelineSpec", "Module") or not art.schema_valid:
            continue
        nodes = objects(art.spec.get("nodes"))
        kind_of = {n.get("id"): n.get("type") for n in nodes}
        stand_ins: dict[object, list[object]] = {}
        for node in nodes:
            ntype = node.get("type")
            if isinstance(ntype, str):
                types.add(ntype)
                params.update((ntype, name) for name in as_object(node.get("params")))
            listed = as_object(node.get("fallback")).get("targets")
            targets = [t for t in listed if isinstance(t, str)] if isinstance(listed, list) \
                else []
            degrade = as_object(node.get("degrade")).get("target")
            if isinstance(degrade, str):
                targets.append(degrade)
            stand_ins[node.get("id")] = [kind_of.get(t) for t in targets]
        for edge in objects(art.spec.get("edges")):
            for end in (edge.get("from"), edge.get("to")):
                if isinstance(end, str) and "." in end:
                    node_id, _, port = end.rpartition(".")
                    for candidate in (kind_of.get(node_id), *stand_ins.get(node_id, [])):
                        if isinstance(candidate, str):
                            ports.add((candidate, port))
    return ch.Dependents(frozenset(ports), frozenset(params), frozenset(types))


def _profile_defaults(views: Views, old: Artifact, new: Artifact) -> list[ch.Change]:
    """CHG012: a profile default changed, with what it changes in each bundle pinning the old
    version (resolved again with the new one): the nodes of the default's type whose value
    of that parameter differs."""
    before, after = as_object(old.spec.get("nodeDefaults")), as_object(new.spec.get("nodeDefaults"))
    if before == after:
        return []
    changed = [(ntype, param) for ntype in sorted(set(before) | set(after))
               for param in sorted(set(as_object(before.get(ntype))) | set(as_object(after.get(ntype))))
               if as_object(before.get(ntype)).get(param) != as_object(after.get(ntype)).get(param)]
    effects: dict[tuple[str, str], list[str]] = {key: [] for key in changed}
    for bundle in sorted(views.index.of_kind("PipelineBundle"), key=lambda a: a.ref):
        inputs = bundle_inputs(bundle, views.index) if bundle.schema_valid else None
        if inputs is None or inputs.profile.key != old.key:
            continue
        was = resolve_inputs(inputs, views.index).view
        now = normalize(inputs.spec, new, inputs.policies, index=views.index).view
        if was is None or now is None:
            continue
        then = {n["id"]: n for n in was["spec"]["nodes"]}
        for node in now["spec"]["nodes"]:
            prior = then.get(node["id"])
            for ntype, param in changed:
                if prior is None or node["type"] != ntype:
                    continue
                a, b = prior["params"].get(param), node["params"].get(param)
                if a != b:
                    effects[(ntype, param)].append(
                        f"{bundle.ref} node {node['id']} {ch.show(a)} -> {ch.show(b)}")
    out = []
    for ntype, param in changed:
        a, b = as_object(before.get(ntype)).get(param), as_object(after.get(ntype)).get(param)
        reach = effects[(ntype, param)]
        tail = (f"; changes {', '.join(reach[:5])}" + (", ..." if len(reach) > 5 else "")
                if reach else f"; no bundle pinning {old.ref} resolves differently")
        at = f"/nodeDefaults/{escape_token(ntype)}/{escape_token(param)}"
        out.append(ch.Change(
            "CHG012", f"default {ntype}.{param} {ch.show(a) if a is not None else 'unset'} -> "
            f"{ch.show(b) if b is not None else 'unset'}{tail}", backward=bool(reach),
            pointer=at if b is not None else "", was=at if a is not None else ""))
    return out


def _compare(views: Views, old: Artifact, new: Artifact, mode: Mode, label: str,
             uses: Callable[[], ch.Dependents]) -> Comparison:
    """``uses``: what the specs and modules rely on of node types, computed when first
    asked (only an extension's node type is judged by its dependents: every spec and module
    is read for it)."""
    if new.kind == "PipelineSpec":
        old_profile, new_profile = views.profiles(old, new)
        old_view, new_view = views.of(old, old_profile), views.of(new, new_profile)
    else:
        old_view, new_view = views.of(old), views.of(new)
    authored = old_view is None or new_view is None
    a = old.spec if authored else old_view
    b = new.spec if authored else new_view
    assert a is not None and b is not None
    low = b.get("mode") == "low_latency"
    found = ch.compare(new.kind, a, b, low_latency=low,
                       uses=uses() if new.kind == "ExtensionManifest" else None)
    if new.kind == "ExecutionProfile":
        extra = _profile_defaults(views, old, new)
        found = [c for c in found if not c.pointer.startswith("/nodeDefaults")
                 and not c.was.startswith("/nodeDefaults")] + extra
    if not found and _unversioned(old.doc.data) != _unversioned(new.doc.data):
        found = [ch.Change("CHG000", "only text outside the resolved view changed "
                           "(descriptions, comments, labels, owners)", cosmetic=True)]
    version_at = related_at(new, "/metadata/version", "")
    judged = []
    for change in found:
        v = verdict(mode, backward=change.backward, forward=change.forward,
                    cosmetic=change.cosmetic)
        where = _place(new, None if authored else new_view, change.pointer, "") or version_at
        was = _place(old, None if authored else old_view, change.was,
                     f"{old.ref} at {label}")
        judged.append(Judged(change, v, where, was))
    required = max((j.verdict.requires for j in judged), default=Bump.NONE)
    if not mode.checks:
        required = Bump.NONE
    old_v, new_v = parse_version(old.version), parse_version(new.version)
    made = bump_made(old_v, new_v) if old_v and new_v else Bump.NONE
    return Comparison(old, tuple(judged), required, made)


def _unversioned(data: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """A document without its ``metadata.version``: what a republished copy leaves alike."""
    out = dict(data)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k != "version"}
    return out


def _earlier(index: Index, art: Artifact) -> list[Artifact]:
    """Versions of the same (kind, id) below ``art``, newest first."""
    mine = parse_version(art.version)
    if mine is None:
        return []
    found: list[tuple[semver.Version, Artifact]] = []
    seen: set[Key] = set()
    for other in index.by_kind_id.get((art.kind, art.id), []):
        version = parse_version(other.version)
        if version is not None and version < mine and other.key not in seen:
            seen.add(other.key)
            found.append((version, other))
    return [a for _, a in sorted(found, key=lambda p: p[0], reverse=True)]


# --------------------------------------------------------------------------- findings
def _change_findings(item: Versioned, label: str) -> Iterator[Finding]:
    art = item.art
    for n, comp in enumerate(item.comparisons):
        for j in comp.changes:
            if n > 0 and (comp.ok or j.verdict.requires <= comp.made):
                continue  # against older versions, only what the bump does not cover
            judged = (f"{j.verdict.value} under {item.mode.name}; requires a "
                      f"{j.verdict.requires.word} bump" if item.mode.checks
                      else "not checked: the mode is NONE")
            message = (f"{art.kind} {art.id} {comp.old.version} -> {art.version}: "
                       f"{j.change.message} ({judged})")
            yield finding(j.change.code, j.where.path, j.where.line, j.where.col, message,
                          related=(j.was,) if j.was is not None else ())
        if not comp.ok:
            causes = [j for j in comp.changes if j.verdict.requires > comp.made]
            yield located(
                "VER001", art, "/metadata/version",
                f"{art.kind} {art.id} {comp.old.version} -> {art.version} is a "
                f"{comp.made.word} bump, but its changes against {comp.old.version} require a "
                f"{comp.required.word} bump under {item.mode.name} ("
                + ", ".join(sorted({f'{j.change.code} {j.verdict.value}' for j in causes}))
                + f"): publish it as {next_version(comp.old.version, comp.required)} or "
                "higher", tuple(_cause(j) for j in causes))


def next_version(old: str, bump: Bump) -> str:
    """The lowest version after ``old`` that makes ``bump`` (for ``0.y.z`` the minor number
    is the major's, SemVer section 4)."""
    v = parse_version(old)
    if v is None:
        return f"a {bump.word} bump of {old}"
    if v.major == 0:
        return f"0.{v.minor + 1}.0" if bump is Bump.MAJOR else f"0.{v.minor}.{v.patch + 1}"
    if bump is Bump.MAJOR:
        return f"{v.major + 1}.0.0"
    return f"{v.major}.{v.minor + 1}.0" if bump is Bump.MINOR else \
        f"{v.major}.{v.minor}.{v.patch + 1}"


def _cause(j: Judged) -> Related:
    """Where a cause of VER001 is shown: the new side, or the old one when it is gone."""
    place = j.was if not j.change.pointer and j.was is not None else j.where
    return Related(place.path, place.line, place.col, f"{j.change.code} {j.change.message}")


def _retired(contract: Contract, key: Key, today: dt.date) -> bool:
    name = lock_name(key)
    for _, dep in contract.deprecations():
        if dep["target"].strip() == name:
            try:
                return parse_day(dep["removeAfter"]) < today
            except ValueError:
                return False
    return False


def _namers(index: Index, key: Key) -> Iterator[tuple[Artifact, str]]:
    """(artifact, pointer) of every reference in the working tree to the version ``key``
    (:func:`rspp.rules.refs.links`: a deferred artifact's from its header)."""
    kind, ident, version = key
    for art in index.artifacts:
        if not art.schema_valid:
            continue
        for pointer, ref_kind, text in links(art):
            ref = parse_ref(text)
            if ref is not None and ref_kind == kind and ref.id == ident \
                    and version_identity(ref.version) == version:
                yield art, pointer


def _rollouts_back(repo: Repository, history: History) -> Iterator[Finding]:
    """ROL009: a rollout (mutable, so never locked) whose version is below the base's: its
    version orders the decisions made with it, and that order never goes back."""
    if history.base_keys is None:
        return
    for art in sorted(repo.index.of_kind("RolloutManifest"), key=lambda a: a.path):
        mine = parse_version(art.version)
        based = [a for a in history.index.by_kind_id.get((art.kind, art.id), [])
                 if a.key in history.found_at]
        versions = [v for v in (parse_version(a.version) for a in based) if v is not None]
        top = max(versions, default=None)
        if mine is not None and top is not None and mine < top:
            yield located("ROL009", art, "/metadata/version",
                          f"rollout {art.id} goes back from {top} at {history.label} to "
                          f"{art.version}: a rollout's version only moves forward")


def _deleted(history: History, lock: Lock | None, contract: Contract,
             today: dt.date) -> Iterator[Finding]:
    """VER002: a locked version no longer in the working tree, not retired, still named."""
    head = history.index  # the working tree's keys are the first added
    present = {a.key for a in head.artifacts if a.path and a.key not in history.found_at}
    entries = dict(lock.entries) if lock is not None else {}
    if history.base_lock is not None:
        entries.update({k: v for k, v in history.base_lock.entries.items() if k not in entries})
    from rspp.compat.history import key_of

    for entry in sorted(entries):
        key = key_of(entry)
        if key is None or key in present or key[0] in MUTABLE_KINDS or \
                _retired(contract, key, today):
            continue
        namers = list(_namers(head, key))
        named = ", ".join(f"{a.kind} {a.ref}" for a, _ in namers[:3])
        lock_here = lock is not None and entry in lock.entries
        which = LOCK_FILE if lock_here else f"{LOCK_FILE} of {history.label}"
        message = (f"{lock_name(key)} was deleted from the repository while {which}"
                   + (f" and {named} still name it" if named else " still names it")
                   + ": retire it first (a deprecation of target "
                   f"'{lock_name(key)}' in the compatibility contract), and delete it after "
                   "its removeAfter date")
        if key[0] not in AUTHORED_KINDS and key[0] not in history.pack_kinds:
            # a pack's kind whose pack is not enabled: its files are unknown kinds (ENV001)
            message = (f"{lock_name(key)} is locked, but no enabled pack declares the "
                       f"artifact kind {key[0]}: enable the pack that does in the "
                       "configuration's [packs], or retire the version before deleting it")
        if namers:
            art, pointer = namers[0]
            span = art.doc.span(pointer)
            yield finding("VER002", art.path, span.line, span.col, message, pointer=pointer,
                          subject=lock_name(key))
        else:
            line, col = lock.location(entry) if lock is not None else (1, 1)
            yield finding("VER002", LOCK_FILE, line, col, message, pointer="/artifacts",
                          subject=lock_name(key))


def base_contract_of(history: History) -> Contract | None:
    """The compatibility contract the base had (None without a base or contract)."""
    return Contract(newest(history.base_contracts)) if history.base_contracts else None


def judging_mode(contract: Contract, base: Contract | None, kind: str) -> Mode:
    """The mode ``kind`` is judged under: the head's, never weaker than the base's (a change
    cannot relax the mode it is judged under; a relaxed contract applies once merged)."""
    mode = MODES[contract.mode(kind)]
    return mode if base is None else stricter(mode, MODES[base.mode(kind)])


def evaluate(repo: Repository, lock: Lock | None, options: Options,
             history: History | None = None) -> Evaluation:
    """Evaluate the gate over ``repo`` (the working tree, already validated) against
    ``options.against``, whose base the caller may have read already (``history``, from
    ``with_base``). Raises GitError when the base cannot be read."""
    if history is None:
        history = (with_base(repo, options.against, fetch=options.fetch)
                   if options.against is not None else working_tree(repo))
    contract = active_contract(repo.index)
    base_contract = base_contract_of(history)

    def mode_of(kind: str) -> Mode:
        return judging_mode(contract, base_contract, kind)

    compares = options.against is not None or options.compare_tree
    head = [a for a in repo.index.artifacts if a.kind not in MUTABLE_KINDS]
    new = [a for a in head if a.schema_valid and history.is_new(a.key)] if compares else []
    unchecked = tuple(a for a in head if not a.schema_valid and history.is_new(a.key)) \
        if compares else ()
    firsts: list[Artifact] = []
    # Transitive modes need every published version: recover lock entries neither tree has.
    transitive = {a.kind for a in new if mode_of(a.kind).transitive}
    if transitive and history.git is not None:
        locks = [lk for lk in (lock, history.base_lock) if lk is not None]
        from rspp.compat.history import key_of

        wanted = {k for lk in locks for k in map(key_of, lk.entries)
                  if k is not None and k[0] in transitive}
        recover(history, wanted, repo.root, fetch=options.fetch)
    views = Views(history.index)
    uses = cache(partial(dependents_of, repo.index))
    results: list[Versioned] = []
    findings: list[Finding] = []
    for art in sorted(new, key=lambda a: (a.kind, a.id, a.path)):
        mode = mode_of(art.kind)
        earlier = _earlier(history.index, art)
        if not earlier:
            firsts.append(art)
            continue
        targets = earlier if mode.transitive else earlier[:1]
        comps = tuple(_compare(views, old, art, mode, history.label, uses) for old in targets)
        item = Versioned(art, mode, comps)
        results.append(item)
        findings.extend(_change_findings(item, history.label))
        if mode.transitive:
            mine = parse_version(art.version)
            for key in sorted(history.missing):
                other = parse_version(key[2])
                if key[:2] == (art.kind, art.id) and mine and other and other < mine:
                    findings.append(located(
                        "VER003", art, "/metadata/version",
                        f"{lock_name(key)} is in {LOCK_FILE} but no commit of "
                        f"{history.label} holds it: {mode.name} cannot compare {art.ref} with "
                        "it (fetch the full history: git fetch --unshallow, or check out with "
                        "fetch-depth: 0)"))
    findings.extend(_deleted(history, lock, contract, options.today))
    findings.extend(_rollouts_back(repo, history))
    return Evaluation(history.label, tuple(results), tuple(findings), tuple(firsts),
                      unchecked)


def gate(repo: Repository, lock: Lock | None, options: Options,
         others: Sequence[Finding] = (), *,
         history: History | None = None) -> tuple[Evaluation, list[Finding]]:
    """The whole gate: ``evaluate``, skew, deprecations, then waivers over those findings
    and ``others`` (the rest of the run's findings, e.g. validation). Returns the evaluation
    and every finding (``others`` included, waived ones marked)."""
    from rspp.compat.deprecations import check_deprecations
    from rspp.compat.skew import check_skew
    from rspp.compat.waivers import Target, apply_waivers

    result = evaluate(repo, lock, options, history)
    contract = active_contract(repo.index)
    found = [*others, *result.findings, *check_skew(repo.index, contract),
             *check_deprecations(repo.index, contract, options.today)]
    compared = [Target.of(v.art) for v in result.versions]

    def judged(rule: str, target: Target) -> bool:
        return rule not in PER_VERSION or any(target.names(c) for c in compared)

    return result, apply_waivers(found, repo.index, options.today, emitted=EMITTED,
                                 judged=judged)
