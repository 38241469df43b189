"""Packs: rule checks an installed distribution contributes, enabled by name (ADR 0024).

A pack is a Python distribution installed beside rspp that declares one entry point in the
group ``rspp.packs`` (PyPA entry points specification) whose object is a :class:`Pack` (or a
callable with no argument that returns one)::

    [project.entry-points."rspp.packs"]
    acme = "acme_rspp_pack:PACK"

A repository enables it by distribution name and PEP 440 version range in its configuration
(``[packs]`` of ``rspp.toml``, :mod:`rspp.load.config`). Only enabled distributions are looked
at, and nothing of theirs is imported before these checks pass:

- the distribution is installed (PCK001) at a version inside the range (PCK002);
- neither its metadata nor its entry point's top-level module lies inside the repository
  being checked, unless inside the running interpreter's own environment and not tracked by
  git (PCK003): a pull request must not be able to make rspp run its code, through a planted
  ``*.dist-info`` folder or a module that shadows the installed one (``python -m`` puts the
  current folder first on the import path);
- it declares exactly one ``rspp.packs`` entry point, which loads to a :class:`Pack` whose
  codes are ``<PREFIX>NNN`` under its own prefix (PCK004);
- its prefix is not one of rspp's code prefixes nor another pack's (PCK005).

Every problem is a located finding at the pack's entry in the configuration; a pack with one
is not used at all. ``digest`` is ``sha256:`` over the bytes of the distribution's ``RECORD``
(the installer's list of its files with their hashes; PEP 376/627), or over its ``METADATA``
when it has none, so ``rspp packs list`` names exactly the code that ran.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NoReturn

import msgspec

from rspp.core.catalogue import PREFIXES as BUILTIN_PREFIXES
from rspp.core.catalogue import Entry
from rspp.core.constants import ALL_KINDS, AUTHORED_KINDS
from rspp.core.findings import Finding, Severity
from rspp.core.sink import finding
from rspp.core.text import flat, reason
from rspp.load.spans import one_line
from rspp.model.catalog import BUILTIN, NodeType
from rspp.model.ids import NODE_TYPE_PATTERN
from rspp.rules.base import ArtifactCheck, Context, Hit, Rule

if TYPE_CHECKING:
    from importlib.metadata import Distribution

    from rspp.load.config import Config, PackRequest
    from rspp.model.artifact import Artifact

GROUP: Final = "rspp.packs"
"""The entry point group a pack declares."""

_PREFIX = re.compile(r"[A-Z]{2,8}")


KindTable = Mapping[str, tuple[str, object, str]]
"""The artifact kinds of the enabled packs (:meth:`Packs.kinds`): kind -> (its apiVersion,
its compiled JSON Schema validator, the name of the pack that declares it)."""


class PackRule(msgspec.Struct, frozen=True):
    """One rule a pack contributes: its ``code`` (``<PREFIX>NNN``), one-line ``summary``,
    ``doc`` (for ``rspp explain`` and every report format), the artifact ``kinds`` it reads,
    and ``check`` (artifact, context) -> hits, as rspp's own rules (:mod:`rspp.rules.base`).
    With ``needs_schema_valid`` (the default) it sees only schema-valid artifacts."""

    code: str
    summary: str
    doc: str
    kinds: tuple[str, ...]
    check: ArtifactCheck
    severity: Severity = Severity.ERROR
    needs_schema_valid: bool = True


class GateRequest(msgspec.Struct, frozen=True):
    """What a pack's gate is run with: the repository ``root``, the gate's ``id``, its
    ``thresholds`` (name -> number, as written) and ``paths`` (repository-relative)."""

    root: Path
    id: str
    thresholds: Mapping[str, float | int]
    paths: tuple[str, ...]


class GateVerdict(msgspec.Struct, frozen=True):
    """A pack gate's answer: ``passed``, and the ``reasons`` a failure (or a pass) gives."""

    passed: bool
    reasons: tuple[str, ...] = ()


class PackGate(msgspec.Struct, frozen=True):
    """A gate type a pack provides: ``type`` is ``<prefix in lower case>.<name>``
    (``acme.soak``), ``run`` answers one gate of that type (a raise is the gate's error)."""

    type: str
    summary: str
    run: Callable[[GateRequest], GateVerdict]


class PackKind(msgspec.Struct, frozen=True):
    """An artifact type a pack contributes (the kernel design's "pack contribution: schemas").

    Files of the repository's artifact folders whose ``apiVersion`` is ``api_version``
    (``<group>/<version>``, the group a DNS name of the pack's own, never ``rspp.dev``; the
    version ``v1``, ``v1beta1``, ``v2alpha3``... as Kubernetes names them) and whose ``kind``
    is ``kind`` (PascalCase, unique among rspp's kinds and the enabled packs') are artifacts
    of this type: validated against ``schema`` (a self-contained JSON Schema 2020-12 document,
    as a JSON-compatible mapping: a ``$ref`` outside it is never fetched) and against rspp's
    envelope (``metadata.id`` an id, ``metadata.version`` a SemVer version), then read by the
    rules whose ``kinds`` name ``kind``. ``summary`` says what it is, in one line."""

    api_version: str
    kind: str
    schema: Mapping[str, object]
    summary: str = ""


class Pack(msgspec.Struct, frozen=True):
    """What a pack contributes: rules whose codes all start with ``prefix`` (2 to 8 capital
    letters, e.g. ``ACME`` for ``ACME001``); node types (:class:`NodeType`, as the built-in
    catalog declares them: ports, typed parameters, execution mode) that specs use like
    built-in ones, without an ``extension:`` reference; gate types ConformanceGates
    manifests run (``rspp gates run``); and artifact types (:class:`PackKind`)."""

    prefix: str
    rules: tuple[PackRule, ...] = ()
    node_types: tuple[NodeType, ...] = ()
    gates: tuple[PackGate, ...] = ()
    summary: str = ""
    kinds: tuple[PackKind, ...] = ()


class LoadedPack(msgspec.Struct, frozen=True):
    """An enabled pack that passed every check: its distribution ``name`` and ``version``,
    the ``digest`` of its installed files, what it contributes, and the compiled
    ``validators`` of its artifact types (by kind; the schemas compiled once, at load)."""

    name: str
    version: str
    digest: str
    pack: Pack
    validators: Mapping[str, object] = MappingProxyType({})

    def rules(self) -> tuple[Rule, ...]:
        """The pack's rules as the engine runs them (category ``pack``, reported by the
        rules), by code. A check that raises reports, under its own code at the artifact,
        that it failed (rspp's checks never raise; a pack's may)."""
        return tuple(Rule(Entry(r.code, "pack", r.severity, r.summary, r.doc, "rules"),
                          r.kinds, _guarded(self.name, r.code, r.check), r.needs_schema_valid)
                     for r in sorted(self.pack.rules, key=lambda r: r.code))


def _guarded(name: str, code: str, check: ArtifactCheck) -> ArtifactCheck:
    """``check`` with its exceptions turned into one hit at the artifact: a broken pack rule
    is a finding that fails the run, never a traceback and never a silent pass."""

    def run(art: Artifact, ctx: Context) -> Iterator[Hit]:
        try:
            hits = list(check(art, ctx))
        except Exception as exc:  # the pack's fault; the run goes on and fails on it
            yield Hit("", f"rule {code} of pack {name} failed on this artifact "
                          f"({reason(exc, 200)})")
            return
        yield from hits

    return run


class Packs(msgspec.Struct, frozen=True):
    """The packs a configuration enables, loaded (``packs``, by name) and the findings about
    the ones that could not be (PCK001-PCK005, at their configuration entries)."""

    packs: tuple[LoadedPack, ...] = ()
    findings: tuple[Finding, ...] = ()

    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for p in self.packs for r in p.rules())

    def gates(self) -> dict[str, PackGate]:
        """Gate type -> the pack gate that runs it (types are under each pack's prefix, so
        they never clash)."""
        return {g.type: g for p in self.packs for g in p.pack.gates}

    def node_types(self) -> dict[str, NodeType]:
        """Name -> node type, of every pack (names never clash: PCK005)."""
        return {t.name: t for p in self.packs for t in p.pack.node_types}

    def catalog(self) -> Mapping[str, NodeType]:
        """The node catalog with the packs' types: the built-in one when they add none."""
        extra = self.node_types()
        return MappingProxyType({**BUILTIN, **extra}) if extra else BUILTIN

    def entries(self) -> dict[str, Entry]:
        """Code -> catalogue entry of every rule the packs contribute."""
        return {r.code: r.entry for r in self.rules()}

    def kinds(self) -> KindTable:
        """Artifact kind -> (its apiVersion, its compiled validator, the pack's name), of
        every pack (kinds never clash: PCK005)."""
        return {k.kind: (k.api_version, p.validators[k.kind], p.name)
                for p in self.packs for k in p.pack.kinds}

    def fingerprint(self) -> str:
        """What the packs are, for cache keys: name, version and digest of each."""
        return ";".join(f"{p.name}={p.version}@{p.digest}" for p in self.packs)


NO_PACKS: Final = Packs()


def load_packs(root: Path, config: Config | None, *,
               environment: Callable[[str], Distribution] | None = None) -> Packs:
    """Load the packs ``config`` enables for the repository at ``root`` (see the module doc).
    Imports nothing when it enables none. ``environment`` finds an installed distribution by
    name (default: :func:`importlib.metadata.distribution`). Never raises for a bad pack:
    each problem is a finding."""
    if config is None or not config.packs:
        return NO_PACKS
    from importlib.metadata import PackageNotFoundError, distribution

    find = environment or distribution
    loaded: list[LoadedPack] = []
    problems: list[Finding] = []
    prefixes: dict[str, str] = {}
    types: dict[str, str] = {}  # node type -> the pack that declares it
    kinds: dict[str, str] = {}  # artifact kind -> the pack that declares it
    for request in config.packs:
        try:
            dist = find(request.name)
        except PackageNotFoundError:
            problems.append(_at(request, "PCK001", f"pack {request.name} is enabled but not "
                                                   "installed in this environment"))
            continue
        outcome = _load_one(root, request, dist)
        if isinstance(outcome, Finding):
            problems.append(outcome)
            continue
        taken = prefixes.get(outcome.pack.prefix)
        if outcome.pack.prefix in BUILTIN_PREFIXES or taken is not None:
            owner = f"pack {taken}" if taken is not None else "rspp's own rules"
            problems.append(_at(request, "PCK005", f"pack {request.name} uses the code prefix "
                                                   f"{outcome.pack.prefix}, which {owner} "
                                                   "already uses"))
            continue
        clash = next((t.name for t in outcome.pack.node_types
                      if t.name in BUILTIN or t.name in types), None)
        if clash is not None:
            owner = f"pack {types[clash]}" if clash in types else "the built-in catalog"
            problems.append(_at(request, "PCK005", f"pack {request.name} declares node type "
                                                   f"{clash}, which {owner} already has"))
            continue
        taken_kind = next((k.kind for k in outcome.pack.kinds
                           if k.kind in ALL_KINDS or k.kind in kinds), None)
        if taken_kind is not None:
            owner = (f"pack {kinds[taken_kind]}" if taken_kind in kinds
                     else "rspp's own artifact kinds")
            problems.append(_at(request, "PCK005", f"pack {request.name} declares the artifact "
                                                   f"kind {taken_kind}, which {owner} already "
                                                   "has"))
            continue
        prefixes[outcome.pack.prefix] = request.name
        types.update((t.name, request.name) for t in outcome.pack.node_types)
        kinds.update((k.kind, request.name) for k in outcome.pack.kinds)
        loaded.append(outcome)
    return Packs(tuple(loaded), tuple(problems))


def _at(request: PackRequest, code: str, message: str) -> Finding:
    where = request.where
    return finding(code, where.path, where.line, where.col, one_line(message))


def _load_one(root: Path, request: PackRequest, dist: Distribution) -> LoadedPack | Finding:
    """The pack of ``dist`` once every check has passed, else the finding that refuses it."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    version = dist.version
    try:
        # PEP 440 containment as packaging decides it; any version ("*") takes whatever is
        # installed, a pre-release included
        wanted = SpecifierSet(request.specifier, prereleases=True if not request.specifier
                              else None)
        inside_range = wanted.contains(Version(version))
    except InvalidVersion:
        inside_range = False
    if not inside_range:
        return _at(request, "PCK002", f"pack {request.name} {version} is installed; the "
                                      f"configuration asks for {request.specifier}")
    here = _inside_repository(root, [Path(str(dist.locate_file("")))])
    if here is not None:
        return _at(request, "PCK003", f"pack {request.name} is refused: its metadata is in the "
                                      f"repository ({here}); rspp never runs code from the "
                                      "repository it checks")
    points = [ep for ep in dist.entry_points if ep.group == GROUP]
    if len(points) != 1:
        return _at(request, "PCK004", f"pack {request.name} must declare exactly one {GROUP} "
                                      f"entry point; it declares {len(points)}")
    point = points[0]
    top = point.module.partition(".")[0]
    here = _inside_repository(root, _module_places(top))
    if here is not None:
        return _at(request, "PCK003", f"pack {request.name} is refused: its module {top} "
                                      f"would be imported from the repository ({here}); rspp "
                                      "never runs code from the repository it checks")
    try:
        made = point.load()
        pack = made if isinstance(made, Pack) else made() if callable(made) else made
    except Exception as exc:  # a pack's own failure is its finding, never rspp's crash
        return _at(request, "PCK004", f"pack {request.name} failed to load: {reason(exc)}")
    if not isinstance(pack, Pack):
        return _at(request, "PCK004", f"pack {request.name}'s entry point {point.value} gives "
                                      f"{type(pack).__name__}, not an rspp Pack")
    problem = pack_problem(pack)
    validators: dict[str, object] = {}
    for declared in pack.kinds if problem is None else ():
        compiled = compile_kind_schema(declared)
        if isinstance(compiled, str):
            problem = f"artifact kind {declared.kind} has a schema that {compiled}"
            break
        validators[declared.kind] = compiled
    if problem is not None:
        return _at(request, "PCK004", f"pack {request.name} {problem}")
    return LoadedPack(request.name, version, _digest(dist), pack,
                      MappingProxyType(validators))


DRAFT_2020_12: Final = "https://json-schema.org/draft/2020-12/schema"
"""The one dialect a pack's schema may declare in ``$schema`` (or leave out)."""
_API_VERSION = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
                          r"/v[1-9][0-9]{0,3}((alpha|beta)[1-9][0-9]{0,3})?")
_KIND = re.compile(r"[A-Z][A-Za-z0-9]{1,62}")


def compile_kind_schema(declared: PackKind) -> object | str:
    """The JSON Schema 2020-12 validator of ``declared``'s schema, or why it cannot be one
    (a phrase: "is not JSON", "is not a valid JSON Schema 2020-12: ..."). Its ``$ref``s may
    point only inside it: a retriever refuses every other URI, so nothing is fetched or
    read."""
    import jsonschema_rs

    def refuse(uri: str, /) -> NoReturn:
        raise ValueError(f"{uri} is outside the schema; nothing is fetched")

    if not isinstance(declared.schema, Mapping):
        return "is not a mapping (a JSON Schema document is a JSON object)"
    try:
        text = json.dumps(declared.schema, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return "is not JSON (a mapping of strings, numbers, booleans, null, lists and mappings)"
    dialect = declared.schema.get("$schema")
    if dialect is not None and str(dialect).rstrip("#") != DRAFT_2020_12:
        return (f"declares $schema {str(dialect)[:100]!r}; a pack's schema is JSON Schema "
                f"2020-12 ({DRAFT_2020_12}), read as nothing else")
    try:
        return jsonschema_rs.Draft202012Validator(json.loads(text), validate_formats=False,
                                                  retriever=refuse)
    except Exception as exc:  # the library's refusals, whatever their class: never a crash
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"is not a valid JSON Schema 2020-12: {flat(said, 200)}"


def pack_problem(pack: Pack) -> str | None:
    """Why ``pack`` is malformed (a phrase following "pack NAME", for PCK004), or None: its
    prefix, its codes and their docs, its gate types, node types and artifact kinds (names,
    apiVersions, duplicates). Its kinds' schemas are checked by :func:`compile_kind_schema`."""
    if not _PREFIX.fullmatch(pack.prefix):
        return f"has the code prefix {pack.prefix!r}; a prefix is 2 to 8 capital letters"
    seen: set[str] = set()
    for rule in pack.rules:
        if not re.fullmatch(re.escape(pack.prefix) + r"[0-9]{3}", rule.code):
            return f"has the rule code {rule.code!r}; its codes are {pack.prefix}NNN"
        if rule.code in seen:
            return f"has the rule code {rule.code} twice"
        seen.add(rule.code)
        if not rule.summary.strip() or not rule.doc.strip() or not rule.kinds:
            return f"rule {rule.code} needs a summary, a doc and the kinds it reads"
        unknown = [k for k in rule.kinds
                   if k not in AUTHORED_KINDS and k not in {d.kind for d in pack.kinds
                                                            if isinstance(d, PackKind)}]
        if unknown:
            return (f"rule {rule.code} reads the kind {unknown[0]!r}, which is neither rspp's "
                    "nor one the pack declares: the rule would never run")
    gate_types = [g.type for g in pack.gates]
    for gate in pack.gates:
        if not isinstance(gate, PackGate) or not re.fullmatch(
                re.escape(pack.prefix.lower()) + r"\.[a-z][a-z0-9_]*", gate.type):
            return (f"declares a gate type that is not an rspp PackGate named "
                    f"{pack.prefix.lower()}.<name>")
        if gate_types.count(gate.type) > 1:
            return f"declares gate type {gate.type} twice"
    kind_names = [k.kind for k in pack.kinds]
    for declared in pack.kinds:
        if not isinstance(declared, PackKind) or not isinstance(declared.schema, Mapping):
            return "declares an artifact kind that is not an rspp PackKind with a schema"
        if not _KIND.fullmatch(declared.kind):
            return (f"declares the artifact kind {declared.kind!r}; a kind is PascalCase "
                    "(a capital letter, then letters and digits)")
        group = declared.api_version.partition("/")[0]
        if not _API_VERSION.fullmatch(declared.api_version) or group == "rspp.dev":
            return (f"declares the apiVersion {declared.api_version!r} for "
                    f"{declared.kind}; it is <group>/<version> with a DNS name of the pack's "
                    "own as group (not rspp.dev) and a version such as v1 or v1beta1")
        if kind_names.count(declared.kind) > 1:
            return f"declares the artifact kind {declared.kind} twice"
    names = [t.name for t in pack.node_types]
    for node_type in pack.node_types:
        if not isinstance(node_type, NodeType) or not re.fullmatch(NODE_TYPE_PATTERN,
                                                                   node_type.name):
            return ("declares a node type that is not an rspp NodeType with a name like "
                    "vendor.kind")
        if names.count(node_type.name) > 1:
            return f"declares node type {node_type.name} twice"
        if list(node_type.decls) != list(node_type.params):
            return (f"node type {node_type.name} must declare each parameter once in params "
                    "(its default) and in decls (its declaration), in the same order")
    return None


def _module_places(top: str) -> list[Path]:
    """Where ``top`` (a top-level module name) would be imported from, found without running
    it (``find_spec`` of a top-level name executes nothing)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(top)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    places = [Path(spec.origin)] if spec.origin and spec.has_location else []
    places.extend(Path(p) for p in (spec.submodule_search_locations or ()))
    return places


def _inside_repository(root: Path, places: Iterable[Path]) -> str | None:
    """The first of ``places`` inside the repository (as a repository-relative name), or None.
    A place inside the running interpreter's own environment (``sys.prefix``) counts as
    inside only when git tracks a file under it, or cannot tell."""
    base = root.resolve()
    environment = Path(sys.prefix).resolve()
    for place in places:
        real = place.resolve()
        if not real.is_relative_to(base):
            continue
        rel = real.relative_to(base).as_posix() or "."
        if real.is_relative_to(environment) and environment.is_relative_to(base) \
                and not _tracked(base, rel):
            continue
        return rel
    return None


def _tracked(root: Path, rel: str) -> bool:
    """Whether git tracks a file at or under ``rel``; True when git cannot answer."""
    try:
        done = subprocess.run(["git", "-C", str(root), "ls-files", "--", rel],
                              capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return True
    return done.returncode != 0 or bool(done.stdout.strip())


def _digest(dist: Distribution) -> str:
    """``sha256:`` over the bytes of the distribution's RECORD (its METADATA without one)."""
    body: bytes | None = None
    for file in dist.files or ():
        if file.name == "RECORD" and file.parent.name.endswith(".dist-info"):
            try:
                body = Path(str(file.locate())).read_bytes()
            except OSError:
                body = None
            break
    if body is None:
        body = (dist.read_text("METADATA") or "").encode("utf-8", "surrogateescape")
    return "sha256:" + hashlib.sha256(body).hexdigest()


def listing_text(packs: Packs) -> str:
    """One line per pack (name, version, digest), then one per rule, node type, gate type and
    artifact kind it contributes."""
    if not packs.packs:
        return "no pack loaded (see the findings above)\n" if packs.findings \
            else "no packs enabled\n"
    out: list[str] = []
    for pack in packs.packs:
        out.append(f"{pack.name} {pack.version} {pack.digest}")
        out.extend(f"  {rule.code} {rule.severity.value}: {rule.summary}"
                   for rule in pack.rules())
        out.extend(f"  node type {t.name}" for t in sorted(pack.pack.node_types,
                                                           key=lambda t: t.name))
        out.extend(f"  gate type {g.type}: {g.summary}" for g in sorted(pack.pack.gates,
                                                                        key=lambda g: g.type))
        out.extend(f"  artifact kind {k.kind} ({k.api_version})"
                   + (f": {k.summary}" if k.summary else "")
                   for k in sorted(pack.pack.kinds, key=lambda k: k.kind))
    return "\n".join(out) + "\n"


def listing_json(packs: Packs, findings: Iterable[Finding] = ()) -> str:
    """``{"packs": [{"name", "version", "digest", "prefix", "rules": [{"code", "severity",
    "summary", "kinds"}], "nodeTypes": [name], "gateTypes": [{"type", "summary"}],
    "artifactKinds": [{"apiVersion", "kind", "summary"}]}], "findings": [{"code", "path",
    "line", "col", "message"}]}``, keys sorted: ``findings`` are why a configured pack is not
    among ``packs`` (PCK001-PCK005) and the configuration's own problems."""
    body = {"findings": [{"code": f.code, "path": f.path, "line": f.line, "col": f.col,
                          "message": f.message} for f in findings],
            "packs": [{"name": p.name, "version": p.version, "digest": p.digest,
                       "prefix": p.pack.prefix,
                       "rules": [{"code": r.code, "severity": r.severity.value,
                                  "summary": r.summary, "kinds": list(r.kinds)}
                                 for r in p.rules()],
                       "nodeTypes": sorted(t.name for t in p.pack.node_types),
                       "gateTypes": [{"type": g.type, "summary": g.summary}
                                     for g in sorted(p.pack.gates, key=lambda g: g.type)],
                       "artifactKinds": [{"apiVersion": k.api_version, "kind": k.kind,
                                          "summary": k.summary}
                                         for k in sorted(p.pack.kinds, key=lambda k: k.kind)]}
                      for p in packs.packs]}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"
