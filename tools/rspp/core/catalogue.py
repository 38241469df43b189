"""The code catalogue: every code rspp reports, as literal data.

One frozen :class:`Entry` per code: its stable ID, category, default severity, one-line
summary, documentation and the stage that emits it (``emitted_by``); a retired code keeps its
entry and names its replacement (``replaced_by``). Every string is written out here, never
assembled at run time, so ``grep CODE`` finds the code's whole definition. Findings take their
severity from here (:mod:`rspp.core.sink`); the rule modules (:mod:`rspp.rules`) only bind the
codes ``emitted_by="rules"`` to their checks, and the generated rule reference
(docs/rules.md), ``rspp rules list``, ``rspp explain`` and SARIF rule descriptors read it.

Entries are grouped by category, ordered by code within a category. The codes emitted by
``cli`` are not findings about an artifact: the command line named something rspp must not or
cannot use, or a write was refused to keep the repository safe; they stop the command (exit
code 2) and print as one line, ``rspp: error: CODE message (remedy)``. Every ``loader`` code
is an error: a file that cannot be read safely has no meaning to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import msgspec

from rspp.core.findings import Severity

Emitter = Literal["rules", "engine", "loader", "api", "resolve", "cli", "fmt", "check",
                  "lock", "git", "compat", "release", "trace"]
"""The stage that reports a code: ``rules`` (a check bound in :mod:`rspp.rules`), ``engine``
(the validation engine), ``loader`` (reading and parsing a file), ``api`` (the library
functions behind resolve, normalize and plan), ``resolve`` (resolving a bundle), ``cli`` (the
command line, before any artifact is judged), ``fmt``, ``check`` and ``lock`` (``rspp fmt``,
``rspp check``, ``rspp lock``), ``git`` (reading the base ref), ``compat`` (the
compatibility gate: ``rspp compat`` and ``rspp check``), ``release`` (publishing, signing,
verifying) and ``trace`` (the replay trace checker, :mod:`rspp.conform.trace`: its findings
are about a recorded trace's lines, not an artifact)."""


class Entry(msgspec.Struct, frozen=True):
    """One code of the catalogue."""

    code: str
    category: str
    severity: Severity
    summary: str
    doc: str
    emitted_by: Emitter
    replaced_by: str | None = None

    @property
    def retired(self) -> bool:
        return self.replaced_by is not None

    @property
    def configurable(self) -> bool:
        """Whether a consumer's configuration (``rspp.toml``, ADR 0010) may lower this code's
        severity or exclude its findings: only the judgements of the rules and of the
        compatibility gate (:data:`CONFIGURABLE_EMITTERS`), never a code of
        :data:`FIXED_CATEGORIES` or :data:`FIXED_CODES`. Raising a severity is always allowed.
        """
        return (self.emitted_by in CONFIGURABLE_EMITTERS
                and self.category not in FIXED_CATEGORIES and self.code not in FIXED_CODES)


CONFIGURABLE_EMITTERS: Final = frozenset({"rules", "compat"})
"""The stages whose codes configuration may lower or exclude. Never the loader (a file that
cannot be read safely has no meaning), the engine and api (envelope, schema, resolving,
plans), the lock, immutability and derived-file checks, git, publishing, signatures and
verification, or the command line: lowering those would turn what every other check relies
on into a green run."""
FIXED_CATEGORIES: Final = frozenset({"waiver", "reference", "bundle", "version"})
"""Categories of configurable stages that still cannot be lowered: waivers are the reviewed,
dated way to accept a gate finding, and their expiry cannot be switched off; references
(a bundle whose references do not resolve has no meaning), bundle pins (a digest that no
longer matches is a release consumers refuse) and versions (SemVer bumps, deleted published
versions: the gate's promise to consumers) are what a release relies on."""
FIXED_CODES: Final = frozenset[str]()
"""Single codes of other categories that cannot be lowered (none today)."""


ENTRIES: tuple[Entry, ...] = (
    # buffer
    Entry(
        code="BUF001",
        category="buffer",
        severity=Severity.ERROR,
        summary="An edge has no bounded buffer after profile defaults.",
        doc="Every edge has a bounded buffer with explicit capacity, low and high watermarks and "
            "a shedding mode. Fields the edge leaves out come from the execution profile's "
            "default for the edge's lane. The check runs for each bundle, with the profile it "
            "pins, and points at the spec edge.",
        emitted_by="rules",
    ),
    Entry(
        code="BUF002",
        category="buffer",
        severity=Severity.ERROR,
        summary="Buffer watermarks are not 0 < low < high <= capacity.",
        doc="The low watermark resumes producers, the high watermark starts shedding; both lie "
            "strictly inside the capacity. Checked on profile lane defaults, on complete edge "
            "buffers, and on edge buffers completed by a bundle's profile.",
        emitted_by="rules",
    ),
    Entry(
        code="BUF003",
        category="buffer",
        severity=Severity.ERROR,
        summary="A low-latency profile lets a data-lane edge block.",
        doc="In low_latency mode no data-lane edge may block indefinitely: a deterministic "
            "shedding path (drop_oldest, drop_newest or degrade) is required, on the profile's "
            "data-lane default and on every data-lane edge of a spec bundled with the profile.",
        emitted_by="rules",
    ),
    # bundle
    Entry(
        code="BND001",
        category="bundle",
        severity=Severity.ERROR,
        summary="A bundle does not pin exactly one spec and one profile.",
        doc="A PipelineBundle is an immutable release of exactly one PipelineSpec and one "
            "ExecutionProfile, plus zero or more PolicyOverlays. Anything else is ambiguous at "
            "session start.",
        emitted_by="rules",
    ),
    Entry(
        code="BND002",
        category="bundle",
        severity=Severity.ERROR,
        summary="A bundle does not pin a node package for a node type its spec uses.",
        doc="Bundles pin the implementation (and digest) of every node type the pinned spec and "
            "its modules instantiate, so a release never picks up a different implementation at "
            "run time.",
        emitted_by="rules",
    ),
    Entry(
        code="BND003",
        category="bundle",
        severity=Severity.ERROR,
        summary="A bundle pins the same artifact id twice.",
        doc="Each (kind, id) appears once among a bundle's pins; two versions of one policy in "
            "one release leave the runtime to guess.",
        emitted_by="rules",
    ),
    Entry(
        code="BND004",
        category="bundle",
        severity=Severity.ERROR,
        summary="A bundle's node package disagrees with its extension manifest or the spec's "
                "extension.",
        doc="For a node type provided by an extension, the bundle's node package (type, impl, "
            "digest) must be the package the extension manifest declares; otherwise the release "
            "would run an implementation nobody admitted. The package's extension version must "
            "also be the one the spec's nodes of that type name: the resolved view follows the "
            "spec, so a package admitted under another manifest version would run settings "
            "(trust, isolation, egress) no reviewer saw.",
        emitted_by="rules",
    ),
    Entry(
        code="BND005",
        category="bundle",
        severity=Severity.ERROR,
        summary="A bundle's pinned digest no longer matches the artifact.",
        doc="A pin `id@version#sha256:<digest>` names the exact content the bundle was built "
            "from: the sha256 over the RFC 8785 canonical JSON of the artifact (`rspp digest`). "
            "If the artifact's content changed since, the bundle would run something nobody "
            "released: publish the change under a new version instead. Pins without a digest are "
            "filled in by `rspp build` until the bundle is locked, and `rspp lock` refuses a "
            "bundle until they are (LCK003): `rspp build`, then `rspp lock`. A pin's version "
            "names the artifact's version identity: `x@1.0.0` pins `x` `1.0.0+b` (build metadata "
            "is ignored, SemVer 2.0.0 section 10), while `x@1.0.0+c` names only that build.",
        emitted_by="rules",
    ),
    # change (rspp.compat.changes)
    Entry(
        code="CHG000",
        category="change",
        severity=Severity.INFO,
        summary="A cosmetic change: the resolved view is the same.",
        doc="Only descriptions, labels, owners or comments changed; what the runtime "
            "executes is identical. Requires at least a patch bump (docs/compat.md).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG001",
        category="change",
        severity=Severity.INFO,
        summary="A node was removed or renamed.",
        doc="A node of the resolved graph is gone (or, with the same type and the same "
            "edges, now has another id). Policies, rollouts, traces and dashboards that "
            "name it no longer find it: breaks BACKWARD; a rename breaks FORWARD too.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG002",
        category="change",
        severity=Severity.INFO,
        summary="A node was added.",
        doc="The resolved graph gained a node. Dependents written against the new "
            "version may name it, and the previous version lacks it: breaks FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG003",
        category="change",
        severity=Severity.INFO,
        summary="A port a dependent uses was removed, or its type narrowed.",
        doc="For a node of a spec, or for a node type declared by an extension "
            "manifest: a port that some edge connects (directly, or through a fallback "
            "or degrade stand-in taking over its primary's wiring) is gone, or its "
            "media type accepts less (another base type, or a parameter added or "
            "changed); a required input was added to (or an input made required on) a "
            "node type specs use; or the type no longer implements the type it "
            "implemented. Breaks BACKWARD; a changed base type or parameter value "
            "breaks FORWARD too. A port no spec or module connects changes compatibly "
            "(CHG016).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG004",
        category="change",
        severity=Severity.INFO,
        summary="An edge changed lane.",
        doc="An edge moved between the control, data and telemetry lanes, which changes "
            "its priority and the shedding rules it is under: breaks BACKWARD and "
            "FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG005",
        category="change",
        severity=Severity.INFO,
        summary="An edge was removed.",
        doc="A connection of the resolved graph is gone: what flowed along it no longer "
            "arrives. Breaks BACKWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG006",
        category="change",
        severity=Severity.INFO,
        summary="An edge was added.",
        doc="The resolved graph gained a connection. Breaks FORWARD (the previous "
            "version lacks it).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG007",
        category="change",
        severity=Severity.INFO,
        summary="A buffer shrank below the old high watermark, or shedding changed on a low-latency profile.",
        doc="An edge's (or a lane default's) capacity is now below the high watermark "
            "the previous version allowed, so a burst that used to be buffered is shed; "
            "or, on a low-latency profile, the shedding mode changed, which changes "
            "what is dropped under load. Breaks BACKWARD and FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG008",
        category="change",
        severity=Severity.INFO,
        summary="A module's interface changed.",
        doc="An input or output of the module's interface was removed or retyped "
            "(breaks BACKWARD and, for a retype, FORWARD), an input was added without a "
            "default (required) or made required (breaks BACKWARD), or a port was added "
            "(breaks FORWARD: importers of the new version may bind it).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG009",
        category="change",
        severity=Severity.INFO,
        summary="A budget was tightened (or added).",
        doc="A latency or cost budget is lower than before, or newly set: components "
            "tuned for the previous budget may now breach it. Breaks BACKWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG010",
        category="change",
        severity=Severity.INFO,
        summary="A budget was loosened (or removed).",
        doc="A latency or cost budget is higher than before, or gone: what was written "
            "against the new version's looser budget would breach the previous one. "
            "Breaks FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG011",
        category="change",
        severity=Severity.INFO,
        summary="A policy rule was removed or its target changed.",
        doc="A provider rule, circuit breaker, cost cap, degrade rule or insert rule of "
            "a policy overlay (or a resolved view's turn policy) is gone (breaks "
            "BACKWARD) or now targets something else: another preferred provider list, "
            "degrade target, cost-cap action or insertion edge (breaks BACKWARD and "
            "FORWARD).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG012",
        category="change",
        severity=Severity.INFO,
        summary="A profile default changed.",
        doc="A node default of an execution profile changed. The finding lists what it "
            "changes in each bundle that pins the previous profile version (resolved "
            "again with the new one); when it changes some bundle's resolved view it "
            "breaks BACKWARD, otherwise it is compatible.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG013",
        category="change",
        severity=Severity.INFO,
        summary="An event or evidence field was made required.",
        doc="An event ABI field was added as required or made required, or a replay "
            "evidence manifest requires a new field: events recorded under the previous "
            "version lack it. Breaks BACKWARD (the Schema Registry reading: a new "
            "reader of old data).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG014",
        category="change",
        severity=Severity.INFO,
        summary="An event or evidence field was removed or retyped.",
        doc="A field of the event ABI is gone (breaks FORWARD when it was required: "
            "readers of the previous ABI cannot read new events; compatible when it was "
            "optional) or has another type (breaks both); or a replay evidence manifest "
            "no longer requires a field (breaks FORWARD: readers of the previous "
            "manifest require it).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG015",
        category="change",
        severity=Severity.INFO,
        summary="A node's type changed.",
        doc="A node kept its id but runs another node type: its ports, parameters and "
            "behaviour may all differ. Breaks BACKWARD and FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG016",
        category="change",
        severity=Severity.INFO,
        summary="A value changed.",
        doc="A value of the resolved view (a parameter, cancel behaviour, fallback, "
            "route, package digest...) that no more specific rule covers changed: "
            "compatible, a minor bump.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG017",
        category="change",
        severity=Severity.INFO,
        summary="A policy rule was added.",
        doc="A policy overlay (or a resolved view's turn policy) gained a rule. Breaks "
            "FORWARD.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG018",
        category="change",
        severity=Severity.INFO,
        summary="A bundle's runtime window or event ABI changed.",
        doc="minRuntime raised or maxRuntime lowered narrows the runtimes that may run "
            "the bundle (breaks BACKWARD); widening it breaks FORWARD; another event "
            "ABI breaks both.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG019",
        category="change",
        severity=Severity.INFO,
        summary="A compatibility mode was relaxed.",
        doc="A new version of the compatibility contract checks less for some kind: a "
            "direction (BACKWARD or FORWARD) or transitivity is dropped, down to NONE. "
            "What every dependent was promised is withdrawn: breaks BACKWARD. Until it "
            "is merged, changes are judged under the stricter of the base's and the new "
            "contract's modes, so a pull request cannot relax the mode its own changes "
            "are judged under. Tightening a mode is compatible.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG020",
        category="change",
        severity=Severity.INFO,
        summary="A parameter a spec sets was removed from a node type.",
        doc="An extension manifest's node type no longer declares a parameter that some "
            "spec or module of the repository sets on a node of that type: upgrading "
            "the extension makes those nodes invalid (PRM001). Breaks BACKWARD. A "
            "parameter nobody sets is removed compatibly (CHG016).",
        emitted_by="compat",
    ),
    Entry(
        code="CHG021",
        category="change",
        severity=Severity.INFO,
        summary="A parameter declaration was narrowed while a spec sets the parameter.",
        doc="An extension manifest's node type (ExtensionManifest rspp.dev/v1beta1) now declares "
            "a parameter more narrowly than before: a type or item type added or changed, a "
            "minimum raised or added, a maximum lowered or added, allowed values added or "
            "removed. Some spec or module of the repository sets the parameter, so a value it "
            "accepted may now be refused (PRM002). Breaks BACKWARD. Widening a declaration, or "
            "narrowing one nobody sets, is compatible.",
        emitted_by="compat",
    ),
    Entry(
        code="CHG022",
        category="change",
        severity=Severity.INFO,
        summary="A value of an artifact of a pack's kind changed; rspp cannot judge it.",
        doc="An artifact kind an enabled pack declares (docs/packs.md) has no meaning rspp "
            "knows: whether a changed value still reads what was written against the old "
            "version is the pack's business, not rspp's. Rather than call an unknown change "
            "compatible, rspp counts it as breaking in both directions, so it needs a major "
            "version (or a waiver saying why it is safe). Descriptions, labels and owners stay "
            "cosmetic (CHG000).",
        emitted_by="compat",
    ),
    # compat
    Entry(
        code="CMP001",
        category="compat",
        severity=Severity.ERROR,
        summary="A deprecation window is not a valid date range.",
        doc="since and removeAfter are calendar dates (YYYY-MM-DD) and removeAfter comes after "
            "since, so consumers get a real window to migrate.",
        emitted_by="rules",
    ),
    Entry(
        code="CMP002",
        category="compat",
        severity=Severity.ERROR,
        summary="The current event ABI is not a supported one.",
        doc="eventAbi.current must be listed in eventAbi.supported; otherwise the runtime would "
            "emit events no consumer is declared to read.",
        emitted_by="rules",
    ),
    Entry(
        code="CMP003",
        category="compat",
        severity=Severity.ERROR,
        summary="A deprecation target does not follow the target grammar.",
        doc="spec.deprecations[].target is one of: `event ABI <semver>`; a node type "
            "`<type>` (stt.deepgram); a parameter value `<type> params.<name>=<value>` "
            "(stt.deepgram params.model=nova-2); an artifact version `<Kind>/<id>@<version>` "
            "(PipelineBundle/voice@1.0.0, the lock's key form). A target in no form matches "
            "nothing, so its deprecation would never warn.",
        emitted_by="rules",
    ),
    Entry(
        code="CMP004",
        category="compat",
        severity=Severity.WARNING,
        summary="A deprecation names a node type nothing declares.",
        doc="The target's node type (in `<type>` or `<type> params.<name>=<value>`) is neither "
            "in the built-in catalog nor the nodeType of an extension manifest, so the "
            "deprecation can match no node: usually a typo (the message suggests the closest "
            "type). A type that was declared and is gone everywhere can be dropped from the "
            "deprecations.",
        emitted_by="rules",
    ),
    # config (rspp.load.config)
    Entry(
        code="CFG001",
        category="config",
        severity=Severity.ERROR,
        summary="The configuration file is not valid TOML.",
        doc="rspp.toml, or pyproject.toml when rspp reads [tool.rspp] from it, must parse as "
            "TOML 1.0 (duplicate keys included). Located where the parser stopped. Nothing of "
            "a configuration that does not parse is applied; fix it, or delete the file.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG002",
        category="config",
        severity=Severity.ERROR,
        summary="The configuration has a key rspp does not know.",
        doc="The keys are severity, exclude and exclude_codes (docs/configuration.md). An "
            "unknown key is refused, never ignored: a misspelt exclude would otherwise "
            "silently change nothing. The message names the nearest key.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG003",
        category="config",
        severity=Severity.ERROR,
        summary="A configuration value has the wrong type or is not allowed.",
        doc="severity and exclude_codes are tables keyed by code; a severity is one of "
            "error, warning, info or off; exclude and each exclude_codes entry are lists of "
            "glob strings. The configuration is not applied until it is fixed.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG004",
        category="config",
        severity=Severity.ERROR,
        summary="The configuration names a code that does not exist or is retired.",
        doc="Codes are written exactly as the catalogue spells them (`rspp rules list`); the "
            "message names the nearest code, or the replacement of a retired one. A typo would "
            "otherwise configure nothing while looking like it did.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG005",
        category="config",
        severity=Severity.ERROR,
        summary="The configuration lowers or excludes a code that cannot be configured.",
        doc="Only the findings of the rules and of the compatibility gate can be lowered or "
            "excluded; the codes that guard reading, resolving, the lock, immutability, "
            "derived files, publishing, signatures, waivers and the configuration itself "
            "cannot (ADR 0010). Raising any code's severity is allowed. A path in exclude "
            "never hides these codes either.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG006",
        category="config",
        severity=Severity.ERROR,
        summary="An exclude pattern is not a repository-relative glob.",
        doc="A pattern matches the whole repository-relative path with / between folders: * "
            "and ? within one folder name, ** as a whole segment for any depth (legacy/** is "
            "everything under legacy/). Refused: empty, absolute, backslashes, . or .. or "
            "empty segments, a trailing /, ** inside a name, and character classes.",
        emitted_by="loader",
    ),
    Entry(
        code="CFG007",
        category="config",
        severity=Severity.ERROR,
        summary="rspp is configured in both rspp.toml and pyproject.toml.",
        doc="Configuration comes from one file at the repository root: rspp.toml, or the "
            "[tool.rspp] table of pyproject.toml. With both, neither is applied; keep one. "
            "Located at [tool.rspp], with rspp.toml as the related location.",
        emitted_by="loader",
    ),
    # deprecation (rspp.compat.deprecations)
    Entry(
        code="DEP001",
        category="deprecation",
        severity=Severity.ERROR,
        summary="Something removed by the contract's deprecations is still used.",
        doc="A use of a spec.deprecations[].target of the contract in effect after its "
            "removeAfter date. Targets: `event ABI <semver>` (bundles' compatibility.eventAbi, "
            "runtime adapters' contracts.eventAbi, the contract's eventAbi.current); a node "
            "type `<type>` (nodes of every PipelineSpec and Module, and of every bundle's "
            "resolved view); a parameter value `<type> params.<name>=<value>` (the value "
            "compared as its YAML/JSON scalar text: nova-2, 0.5, true; a value that comes from "
            "the catalog, the profile or an extension's defaults is located at the bundle's "
            "spec pin); an artifact version `<Kind>/<id>@<version>` (bundle pins, rollout "
            "bundles and rollback bundles, module imports, node extensions). Today is the "
            "clock's date unless pinned (--today YYYY-MM-DD). The related location is the "
            "deprecation entry.",
        emitted_by="compat",
    ),
    Entry(
        code="DEP002",
        category="deprecation",
        severity=Severity.WARNING,
        summary="Something deprecated by the contract is used inside its window.",
        doc="A use of a spec.deprecations[].target (the grammar of DEP001) on or after its "
            "since date and on or before its removeAfter date; the message names the "
            "removeAfter date and the replacement. Before since nothing is reported.",
        emitted_by="compat",
    ),
    # derived
    Entry(
        code="DRV001",
        category="derived",
        severity=Severity.ERROR,
        summary="A derived file is stale.",
        doc="Derived files (resolved views and pipeline pages under docs/pipelines/, bundle "
            "pins) record their generator, a fingerprint of the generator's code (sha256 over "
            "the source of the rspp modules that make the file), the digest of every input and a "
            "fingerprint of their own content. The file is stale when an input changed, the "
            "generator's code changed, or it was edited by hand. Run `rspp build`, then `rspp "
            "lock`.",
        emitted_by="check",
    ),
    Entry(
        code="DRV002",
        category="derived",
        severity=Severity.ERROR,
        summary="A derived file is missing.",
        doc="Every bundle has a resolved view and a pipeline page under docs/pipelines/, and "
            "pins that carry digests. `rspp build` writes what is missing.",
        emitted_by="check",
    ),
    Entry(
        code="DRV003",
        category="derived",
        severity=Severity.ERROR,
        summary="A derived file cannot be read or generated.",
        doc="The file has no readable provenance (`_rspp` in JSON, front matter in Markdown), or "
            "its generator failed. `rspp build` rewrites it when its inputs are valid.",
        emitted_by="check",
    ),
    Entry(
        code="DRV004",
        category="derived",
        severity=Severity.ERROR,
        summary="A derived file is blocked: it cannot be built as things are.",
        doc="`rspp status` calls a derived file blocked when one of its inputs has validation "
            "errors (fix them, then `rspp build`, then `rspp lock`), or when a locked bundle's "
            "pins carry no digest: a published bundle cannot be rewritten, so remove the lock "
            "entry if it is not published yet and run `rspp build`, then `rspp lock`, or publish "
            "a new version of the bundle. `rspp check` fails on every state that `rspp status` "
            "does not call fresh.",
        emitted_by="check",
    ),
    # envelope
    Entry(
        code="ENV001",
        category="envelope",
        severity=Severity.ERROR,
        summary="The kind is missing or unknown.",
        doc="Every artifact names its kind (PipelineSpec, ExecutionProfile, Module, "
            "PolicyOverlay, ExtensionManifest, PipelineBundle, RolloutManifest, "
            "ReplayEvidenceManifest, CompatibilityContract, ConformanceGates). Without a known "
            "kind nothing else can be checked, so this finding stands alone for the file.",
        emitted_by="engine",
    ),
    Entry(
        code="ENV002",
        category="envelope",
        severity=Severity.ERROR,
        summary="The apiVersion is missing or not supported.",
        doc="Artifacts are read by apiVersion first and validated against that version's model. "
            "Each kind has its own served versions (ExtensionManifest: rspp.dev/v1alpha1 and "
            "rspp.dev/v1beta1; every other kind: rspp.dev/v1alpha1); a newer apiVersion needs "
            "a newer rspp, an unknown one is a typo. Older served versions are upgraded in "
            "memory; rspp migrate rewrites the files.",
        emitted_by="engine",
    ),
    Entry(
        code="ENV003",
        category="envelope",
        severity=Severity.WARNING,
        summary="The artifact is not in the folder for its kind.",
        doc="The repository layout is fixed: specs in pipelines/specs, profiles in "
            "pipelines/profiles, rollouts in rollouts/ and so on (pipelines/examples may hold "
            "any kind). A misplaced file is still validated, but reviewers and CODEOWNERS rules "
            "will look for it elsewhere.",
        emitted_by="rules",
    ),
    # extension
    Entry(
        code="EXT001",
        category="extension",
        severity=Severity.ERROR,
        summary="A custom or external node lacks trust level, isolation or resource limits.",
        doc="Custom and external node extensions are admitted only when they declare trustLevel, "
            "isolation and resources with cpuMillis, memoryMib and timeoutMs. The runtime "
            "enforces those limits; without them an extension could starve the pipeline.",
        emitted_by="rules",
    ),
    Entry(
        code="EXT002",
        category="extension",
        severity=Severity.ERROR,
        summary="An extension lacks the fields its type needs.",
        doc="Node extensions declare nodeType, ports and package (the implementation and its "
            "digest); external nodes also an endpoint. Runtime adapters declare the transport "
            "and event ABI contracts they implement.",
        emitted_by="rules",
    ),
    Entry(
        code="EXT003",
        category="extension",
        severity=Severity.ERROR,
        summary="An extension's isolation contradicts its type or trust level.",
        doc="External nodes run out of process, so their isolation mode is process, container or "
            "remote. Untrusted extensions never get unrestricted network access.",
        emitted_by="rules",
    ),
    Entry(
        code="EXT004",
        category="extension",
        severity=Severity.ERROR,
        summary="An extension does not have the ports of the node type it implements.",
        doc="An extension that declares implements: <built-in type> can stand in for that type "
            "(as a fallback, or through a provider rule), so it must offer every port of the "
            "type, with compatible types.",
        emitted_by="rules",
    ),
    Entry(
        code="EXT005",
        category="extension",
        severity=Severity.ERROR,
        summary="A parameter declaration of an extension contradicts itself.",
        doc="An ExtensionManifest (rspp.dev/v1beta1) declares each parameter of its node type "
            "with an optional JSON-Schema type, unit, range and allowed values; specs are then "
            "checked against it exactly like a built-in type (PRM002). The declaration itself "
            "must hold together: the default must be a value the declaration accepts, the "
            "minimum may not exceed the maximum, and a range, allowed values or item type need "
            "a type they apply to.",
        emitted_by="rules",
    ),
    # file
    Entry(
        code="FILE001",
        category="file",
        severity=Severity.ERROR,
        summary="The file cannot be read.",
        doc="The file exists but could not be opened or read (permissions, I/O error). Nothing "
            "in it was checked. Fix the permissions or remove the file from the set being "
            "validated.",
        emitted_by="loader",
    ),
    Entry(
        code="FILE002",
        category="file",
        severity=Severity.ERROR,
        summary="A symbolic link points outside the repository.",
        doc="Artifacts must live inside the repository. A symbolic link whose target resolves "
            "outside the repository root is refused without being opened, so a hostile link "
            "cannot make rspp read arbitrary files (for example /etc/shadow or a device).",
        emitted_by="loader",
    ),
    Entry(
        code="FILE003",
        category="file",
        severity=Severity.ERROR,
        summary="Not a regular file (FIFO, device, socket or directory).",
        doc="Only regular files are artifacts. FIFOs, character and block devices and sockets "
            "are refused without being opened for reading, because opening them can block "
            "forever or produce unbounded data.",
        emitted_by="loader",
    ),
    Entry(
        code="FILE004",
        category="file",
        severity=Severity.ERROR,
        summary="The file is larger than the size limit.",
        doc="Artifact files are small (a few kilobytes). A file over the limit (1 MiB by "
            "default) is refused before it is read into memory, so a huge or generated file "
            "cannot exhaust memory or time.",
        emitted_by="loader",
    ),
    Entry(
        code="FILE005",
        category="file",
        severity=Severity.ERROR,
        summary="The file is not valid UTF-8.",
        doc="Artifacts are UTF-8 text. UTF-16 and UTF-32 files (recognised by their byte-order "
            "mark) and byte sequences that are not UTF-8 are refused; the finding points at the "
            "first offending byte. Re-save the file as UTF-8 without a byte-order mark.",
        emitted_by="loader",
    ),
    Entry(
        code="FILE006",
        category="file",
        severity=Severity.ERROR,
        summary="The file contains a NUL byte or a forbidden control character.",
        doc="YAML and JSON text may not contain NUL or other C0 control characters besides tab, "
            "line feed and carriage return. Their presence usually means a binary file or a "
            "corrupted write.",
        emitted_by="loader",
    ),
    # format
    Entry(
        code="FMT001",
        category="format",
        severity=Severity.ERROR,
        summary="rspp fmt cannot format the file without changing its meaning or losing a "
                "comment.",
        doc="rspp fmt writes a formatted file only when the strict loader reads the new text as "
            "the same data (every value, with its type) and every comment is still there. When "
            "that cannot be guaranteed (a comment inside a flow collection or after a list "
            "item's block scalar indicator, or text the round-trip YAML library cannot read or "
            "write back faithfully) the file is left exactly as it was and the finding points at "
            "the place concerned. Move the comment, write the collection in block style, or "
            "format that part by hand.",
        emitted_by="fmt",
    ),
    # gates
    Entry(
        code="GAT001",
        category="gates",
        severity=Severity.ERROR,
        summary="Two gates share one id.",
        doc="Gate ids name results in reports and CI annotations; they are unique per manifest.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT002",
        category="gates",
        severity=Severity.ERROR,
        summary="A gate manifest leaves out an MVP gate or makes one optional.",
        doc="The MVP conformance suite has a required gate of each type: latency, cancel_fence, "
            "authority, replay_completeness, lifecycle. A manifest without one of them, or with "
            "one only as `required: false`, cannot certify a bundle: a failing optional gate "
            "does not block it.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT003",
        category="gates",
        severity=Severity.ERROR,
        summary="A gate threshold is outside its metric's range.",
        doc="A percentage threshold lies between 0 and 100; a latency or a count is never "
            "negative, and a count is a whole number. A threshold outside the range can never "
            "be met (or never fail), so the gate means nothing. The metrics, their units and "
            "directions are listed in docs/gates.md.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT004",
        category="gates",
        severity=Severity.ERROR,
        summary="A gate threshold names a metric its gate type does not measure.",
        doc="Each trace gate type measures a fixed set of metrics (docs/gates.md); a threshold "
            "on another name would be ignored by the gate runner. The finding suggests the "
            "nearest metric name. Artifact and command gates pass or fail and take no "
            "thresholds.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT005",
        category="gates",
        severity=Severity.ERROR,
        summary="A latency threshold is looser than the bundle profile's budget.",
        doc="Execution profiles state p95 latency budgets (`spec.budgets`). A p50 or p95 "
            "threshold above the budget of the profile the manifest's bundle pins lets a bundle "
            "that misses its own budget pass the gate. Tighten the threshold to at most the "
            "budget, or raise the budget in a new profile version. p99 thresholds are not "
            "compared.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT006",
        category="gates",
        severity=Severity.ERROR,
        summary="A gate's fields do not fit its type.",
        doc="Trace gates (latency, cancel_fence, authority, replay_completeness, lifecycle) "
            "take `traces`; an artifact gate needs `paths`; a command gate needs `command`, "
            "whose first item is a bare executable name (no slash) looked up on PATH among the "
            "allow-listed commands. A field of another type would be ignored.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT007",
        category="gates",
        severity=Severity.ERROR,
        summary="A required MVP gate tolerates invariant violations.",
        doc="The violation counts of the MVP gates (`cancel_fence_violations`, "
            "`stale_epoch_outputs`, `split_brain_turns`, `incomplete_turns`, "
            "`missing_correlation_ids`, `plan_hash_drifts`, `illegal_transitions`, "
            "`pre_turn_terminal_markers`) count broken runtime invariants (TRC010-TRC016), and "
            "`baseline_completeness_pct` the accepted turns with their whole evidence. A "
            "required gate with a count threshold of 1 or more, or a completeness threshold "
            "below 100, passes a bundle that breaks the invariant it certifies, which GAT002's "
            "required gate was meant to prevent. Leave the threshold out (the implicit limit is "
            "0, or 100%) or set it to 0 (100); to track a tolerance, put it on a second gate "
            "marked `required: false`.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT008",
        category="gates",
        severity=Severity.ERROR,
        summary="A required latency gate has no budget to hold turns to.",
        doc="A latency gate compares measured percentiles with its thresholds and, when the "
            "manifest names a `bundle`, with the p95 budgets of the bundle's profile. A "
            "required latency gate in a manifest without `bundle` and without any latency "
            "percentile threshold (`p50_*_ms`, `p95_*_ms`, `p99_*_ms`) passes however slow the "
            "turns are. Name the certified bundle in `spec.bundle`, or give the gate a "
            "threshold such as `p95_turn_latency_ms`.",
        emitted_by="rules",
    ),
    Entry(
        code="GAT009",
        category="gates",
        severity=Severity.ERROR,
        summary="A gate's type is a pack's (vendor.kind) that no enabled pack provides.",
        doc="Besides the built-in gate types, a ConformanceGates manifest may use a type an "
            "installed pack provides, named <pack prefix>.<name> (acme.soak; ADR 0024, "
            "docs/packs.md). The pack must be enabled in rspp.toml [packs]; otherwise the gate "
            "could never run (rspp gates run reports it as an error). A pack gate takes "
            "thresholds and paths, which the pack reads; traces and command are for the "
            "built-in trace and command gates (GAT006).",
        emitted_by="rules",
    ),
    # git
    Entry(
        code="GIT001",
        category="git",
        severity=Severity.ERROR,
        summary="The base ref cannot be read from git.",
        doc="`--against` accepts branches, tags, commit ids and remote refs. In a shallow clone "
            "a missing base is fetched from the remote; when that fails the check stops with "
            "this code: fetch the base (`git fetch origin main`) or clone with full history "
            "(actions/checkout `fetch-depth: 0`). A base whose rspp.lock cannot be read (over "
            "16 MiB, or not a valid lock) stops the check too: its published versions would "
            "be unknown, and a comparison with less than the base is no comparison.",
        emitted_by="git",
    ),
    # graph
    Entry(
        code="CAN001",
        category="graph",
        severity=Severity.ERROR,
        summary="A node does not declare its cancel scope.",
        doc="Barge-in cancels work by scope. Each node declares cancel.scope (turn, session or "
            "none) and what happens to in-flight output (inFlight: flush or drop), so "
            "cancellation fencing is explicit and reviewable.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG001",
        category="graph",
        severity=Severity.ERROR,
        summary="Two nodes (or imports) share one id.",
        doc="Node ids and module import aliases share one namespace within a spec or module; "
            "edges name them as node.port, so a duplicate makes every edge to it ambiguous.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG002",
        category="graph",
        severity=Severity.ERROR,
        summary="An edge or binding names a node that does not exist.",
        doc="Every edge's from and to (node.port) must name a node or module import of the same "
            "graph; in a module, bindings must name nodes of the module.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG003",
        category="graph",
        severity=Severity.ERROR,
        summary="An edge or binding names a port the node does not have.",
        doc="The port must exist on the node type (built-in catalog, extension manifest or the "
            "imported module's interface), on the right side: edges leave from output ports and "
            "arrive at input ports.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG004",
        category="graph",
        severity=Severity.ERROR,
        summary="The graph has a cycle.",
        doc="Pipelines are directed acyclic graphs: a cycle would feed a turn's output back into "
            "its own input. The message names the cycle's path; the finding sits on the edge "
            "that closes it.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG005",
        category="graph",
        severity=Severity.WARNING,
        summary="A node cannot be reached from any source node.",
        doc="Sources are nodes without inputs (transport inputs) and, in modules, the nodes "
            "bound to interface inputs. A node no source reaches never runs; it is usually a "
            "missing edge. Fallback and degrade stand-ins are exempt.",
        emitted_by="rules",
    ),
    Entry(
        code="DAG006",
        category="graph",
        severity=Severity.ERROR,
        summary="A required input port is not connected.",
        doc="Each input port the node type marks as required needs at least one incoming edge "
            "(or, in a module, a binding from the interface). Stand-ins are wired through their "
            "primary and are exempt.",
        emitted_by="rules",
    ),
    Entry(
        code="FBK001",
        category="graph",
        severity=Severity.ERROR,
        summary="A fallback or degrade target is missing.",
        doc="fallback.targets and degrade.target name stand-in nodes of the same graph. The "
            "target must exist, be a node (not a module import) and differ from the primary.",
        emitted_by="rules",
    ),
    Entry(
        code="FBK002",
        category="graph",
        severity=Severity.ERROR,
        summary="A fallback or degrade target cannot replace its primary.",
        doc="A stand-in takes over the primary's wiring, so it needs every port the primary "
            "uses, with types compatible with the edges connected to the primary.",
        emitted_by="rules",
    ),
    Entry(
        code="LANE002",
        category="graph",
        severity=Severity.ERROR,
        summary="An edge rides a lane its traffic may not use.",
        doc="control/* traffic rides the control lane, metrics/* the telemetry lane, audio and "
            "text the data lane; event/* may use control or data. Putting cancel signals on the "
            "data lane would let audio starve them.",
        emitted_by="rules",
    ),
    Entry(
        code="MOD001",
        category="graph",
        severity=Severity.ERROR,
        summary="A module's interface and its bindings disagree.",
        doc="Every interface input and output of a module is bound to node ports inside it, and "
            "every binding names an interface port.",
        emitted_by="rules",
    ),
    Entry(
        code="MOD002",
        category="graph",
        severity=Severity.ERROR,
        summary="Modules import each other in a cycle.",
        doc="Module imports expand inline; a cycle would expand forever. The message names the "
            "cycle.",
        emitted_by="rules",
    ),
    Entry(
        code="MOD003",
        category="graph",
        severity=Severity.ERROR,
        summary="An import sets parameters the module's nodes do not have.",
        doc="imports[].params overrides parameters of the imported module's nodes for this "
            "import only: a mapping of module node id to parameter values. Each node id must be "
            "a node of the module and each parameter one its type declares; the resolved view "
            "records the import as the source of each overridden value.",
        emitted_by="rules",
    ),
    Entry(
        code="PRM001",
        category="graph",
        severity=Severity.ERROR,
        summary="A node sets a parameter its type does not have.",
        doc="Node parameters, a profile's nodeDefaults and the nodes a policy inserts are "
            "checked against the node type's declared parameters (built-in catalog or the "
            "extension manifest's params). A misspelled parameter would otherwise be ignored and "
            "the default used without anyone noticing; in a profile it would be copied into "
            "every node of that type. The message suggests the closest declared name.",
        emitted_by="rules",
    ),
    Entry(
        code="PRM002",
        category="graph",
        severity=Severity.ERROR,
        summary="A parameter value does not match the catalog's type, range or allowed values.",
        doc="Each built-in parameter declares its type (integer, number, boolean, string, list "
            "of strings), its unit, its range and, where the provider's set is closed, its "
            "allowed values (docs/catalog.md). Values are checked wherever they are written: "
            "node params in specs and modules, imports[].params overrides, a profile's "
            "nodeDefaults and the nodes a policy inserts. A float is not an integer (write 64, "
            "not 64.0), a boolean is not a number, and a string is neither: YAML 1.2 reads no, "
            "yes, on and off as strings, so a boolean parameter written `no` is refused with the "
            "fix (use false). An extension's node type is checked the same way where its "
            "manifest declares a parameter's type (ExtensionManifest rspp.dev/v1beta1; EXT005 "
            "checks the declaration), and by name only elsewhere (PRM001).",
        emitted_by="rules",
    ),
    Entry(
        code="RTE001",
        category="graph",
        severity=Severity.ERROR,
        summary="Conditional routes have no default route.",
        doc="A router evaluates its cases in order; when none matches, the turn must still go "
            "somewhere. Declare routes.default.",
        emitted_by="rules",
    ),
    Entry(
        code="RTE002",
        category="graph",
        severity=Severity.ERROR,
        summary="Routes are declared on a non-router node, or a router has none.",
        doc="Only router nodes route conditionally; each case names a distinct output port.",
        emitted_by="rules",
    ),
    Entry(
        code="RTE003",
        category="graph",
        severity=Severity.ERROR,
        summary="A route condition does not parse.",
        doc="Router cases carry `when` conditions in the same small language as policy "
            "conditions (see POL002): names, literals, comparisons, and/or/not, parentheses.",
        emitted_by="rules",
    ),
    Entry(
        code="TYP001",
        category="graph",
        severity=Severity.ERROR,
        summary="An edge connects ports whose types do not match.",
        doc="Port types are media-type-like strings with parameters "
            "(audio/pcm16;rate=16000;channels=1). An edge is well typed when the base types are "
            "equal and every parameter the consumer declares is present with the same value on "
            "the producer. There is no implicit wildcard: 8 kHz telephony audio meets a 16 kHz "
            "model through an audio.resample node.",
        emitted_by="rules",
    ),
    Entry(
        code="TYP002",
        category="graph",
        severity=Severity.ERROR,
        summary="A port's type depends on a parameter that has no value.",
        doc="Some node types derive port types from parameters (audio.resample's from_rate, a "
            "router's type). Without a value the port type is unknown and the edge cannot be "
            "checked; set the parameter on the node.",
        emitted_by="rules",
    ),
    # immutability
    Entry(
        code="IMM001",
        category="immutability",
        severity=Severity.ERROR,
        summary="Content changed under a version that exists at the base.",
        doc="Published versions never change: `rspp check --against BASE` compares the digest "
            "(sha256 over RFC 8785 canonical JSON) of every version in the working tree with the "
            "same version at the base ref (or its lock entry there). Reformatting and comments "
            "never change a digest; any change of meaning needs a new version. Build metadata is "
            "not part of a version (SemVer 2.0.0 section 10): replacing a published `1.0.1` by "
            "`1.0.1+b` is a change under 1.0.1.",
        emitted_by="check",
    ),
    Entry(
        code="IMM002",
        category="immutability",
        severity=Severity.ERROR,
        summary="A new version is lower than the highest version at the base.",
        doc="Versions never go back: a version added on a branch must be greater (SemVer order, "
            "build metadata ignored) than every version of the same kind and id at the base.",
        emitted_by="check",
    ),
    Entry(
        code="IMM003",
        category="immutability",
        severity=Severity.ERROR,
        summary="One version maps to two digests.",
        doc="rspp.lock records the digest each version was published with. Content whose digest "
            "differs from its lock entry would give one version two contents; `rspp lock` "
            "refuses to rewrite the entry and `rspp check` reports it. Versions that differ only "
            "in build metadata (`1.0.0`, `1.0.0+b`) are one version (SemVer 2.0.0 section 10): "
            "the second is never locked beside the first.",
        emitted_by="lock",
    ),
    Entry(
        code="IMM004",
        category="immutability",
        severity=Severity.ERROR,
        summary="A lock entry of the base was removed or rewritten.",
        doc="The lock is append-only: every entry at the base must still be in the working "
            "tree's lock with the same key and digest (an entry `1.0.1` rewritten as `1.0.1+b` "
            "is rewritten).",
        emitted_by="check",
    ),
    Entry(
        code="IMM005",
        category="immutability",
        severity=Severity.ERROR,
        summary="History was rewritten under a published version.",
        doc="When the base is not an ancestor of HEAD (a force-push) or the base's own lock "
            "disagrees with its content, a version published there that now has other content is "
            "reported as a history rewrite, not as an ordinary edit.",
        emitted_by="check",
    ),
    Entry(
        code="LCK001",
        category="immutability",
        severity=Severity.ERROR,
        summary="A published version is missing from rspp.lock.",
        doc="Every artifact version except rollout manifests (mutable by design) is recorded in "
            "rspp.lock. Run `rspp build` (bundle pins get their digests), then `rspp lock`, and "
            "commit both with the new version.",
        emitted_by="lock",
    ),
    Entry(
        code="LCK002",
        category="immutability",
        severity=Severity.ERROR,
        summary="rspp.lock is not a valid lock file.",
        doc="rspp.lock is JSON: {\"lockVersion\": 1, \"artifacts\": {\"Kind/id@version\": "
            "\"sha256:<64 hex>\"}}. It is written by `rspp lock`. It records each version once: "
            "two keys whose versions differ only in build metadata are one version.",
        emitted_by="lock",
    ),
    Entry(
        code="LCK003",
        category="immutability",
        severity=Severity.ERROR,
        summary="A bundle is locked before its pins carry digests.",
        doc="Locking a bundle publishes it; a bundle must pin exactly the content it was built "
            "from (`id@version#sha256:<digest>`). `rspp build` writes the digests into a new "
            "bundle's pins, which changes the bundle's own digest, so the order is `rspp build`, "
            "then `rspp lock`. `rspp lock` refuses (and writes nothing) while a new bundle has a "
            "pin without a digest; `rspp check` reports the same.",
        emitted_by="lock",
    ),
    # index
    Entry(
        code="IDX001",
        category="index",
        severity=Severity.ERROR,
        summary="A store's signed index is older than the version already trusted.",
        doc="Each publish that changes the set of published bundles writes the next index "
            "version. A consumer remembers the highest version it verified "
            "(.rspp/trusted-index.json) and refuses a lower one: the store was rolled back "
            "or is replaying an old index (TUF's rollback attack). Checked before anything "
            "the index names is used.",
        emitted_by="release",
    ),
    Entry(
        code="IDX002",
        category="index",
        severity=Severity.ERROR,
        summary="A store's signed index has expired.",
        doc="The index carries an expiry (rspp bundle publish --index-ttl-days, 30 by "
            "default). An expired index may hide newer releases (TUF's freeze attack): "
            "verification refuses it until a publisher refreshes it (rspp bundle publish "
            "--refresh-index).",
        emitted_by="release",
    ),
    Entry(
        code="IDX003",
        category="index",
        severity=Severity.ERROR,
        summary="A store has no usable index.",
        doc="The tag rspp-index is missing (or was removed after this machine trusted a "
            "version of it), is not an rspp index, or its layer is not {bundles, expires, "
            "version}; or the trusted-index state file is unreadable. Nothing in a store "
            "without a verified index is trusted, and a publisher never extends such an "
            "index.",
        emitted_by="release",
    ),
    Entry(
        code="IDX004",
        category="index",
        severity=Severity.ERROR,
        summary="A bundle is not in the signed index, or its tag names another manifest.",
        doc="The signed index names, for each published bundle version, the manifest "
            "published for it. A version it does not list is not published; a tag that "
            "names another manifest was moved after publishing, and the bundle is refused.",
        emitted_by="release",
    ),
    # io
    Entry(
        code="IO001",
        category="io",
        severity=Severity.ERROR,
        summary="A write outside the repository (or inside .git) is refused.",
        doc="Every file rspp writes (build, docs, schemas, fmt, lock, `--out`, `--out-dir`) must "
            "lie inside the repository root, after resolving every folder on the way, and never "
            "inside `.git`. Choose a path inside the repository.",
        emitted_by="cli",
    ),
    Entry(
        code="IO002",
        category="io",
        severity=Severity.ERROR,
        summary="A symbolic link or special file is in the way of a write.",
        doc="rspp never writes through a symbolic link: the target, and every folder between the "
            "repository root and it, are opened without following links, and the temporary file "
            "is created exclusively in the target's folder. A committed link (for example "
            "`docs/` pointing elsewhere) could otherwise make a build overwrite files outside "
            "the repository. Replace the link with a real folder or file.",
        emitted_by="cli",
    ),
    Entry(
        code="IO003",
        category="io",
        severity=Severity.ERROR,
        summary="The operating system refused a write.",
        doc="Permissions, a full disk or a size limit stopped the write. The existing file is "
            "left whole and no temporary file remains; fix the cause and run the command again.",
        emitted_by="cli",
    ),
    # lane
    Entry(
        code="LANE001",
        category="lane",
        severity=Severity.ERROR,
        summary="Lane priority is not control > data > telemetry.",
        doc="Under pressure the runtime serves lanes by strict priority: control (cancel, turn "
            "events) before data (audio, text) before telemetry. A profile must keep that order.",
        emitted_by="rules",
    ),
    # migration
    Entry(
        code="MIG001",
        category="migration",
        severity=Severity.ERROR,
        summary="No migration leads from the artifact's apiVersion to the one asked for.",
        doc="Migrations only go forward, one served API version to the next, per kind (ADR "
            "0023). rspp migrate --to names a version older than the file's, or the registry has "
            "no step out of a served version: the file is left as it is and the finding points "
            "at its apiVersion. (A kind that has no such version at all is left alone; a "
            "version no kind has is a usage error.)",
        emitted_by="fmt",
    ),
    # pack
    Entry(
        code="PCK001",
        category="pack",
        severity=Severity.ERROR,
        summary="A pack the configuration enables is not installed.",
        doc="[packs] in rspp.toml enables installed distributions by name (ADR 0024, "
            "docs/packs.md). The named distribution is not installed in the environment rspp "
            "runs in: install it (pip install <name>) or remove the entry. No pack is ever "
            "installed or fetched by rspp.",
        emitted_by="loader",
    ),
    Entry(
        code="PCK002",
        category="pack",
        severity=Severity.ERROR,
        summary="The installed version of a pack is outside the range the configuration asks "
                "for.",
        doc="Each [packs] entry gives a PEP 440 version range (\">=1.2,<2\", or \"*\" for any); "
            "the installed distribution's version must be inside it, so a repository is never "
            "judged by a pack version it did not agree to. Install a matching version or "
            "change the range.",
        emitted_by="loader",
    ),
    Entry(
        code="PCK003",
        category="pack",
        severity=Severity.ERROR,
        summary="A pack would be loaded from inside the repository being checked.",
        doc="rspp never runs code from the repository it checks: a pull request could otherwise "
            "run code in CI by adding a *.dist-info folder or a module that shadows an "
            "installed pack (python -m puts the current folder first on the import path). A "
            "pack whose metadata or top-level module lies inside the repository is refused "
            "before anything of it is imported, unless it lies in the running interpreter's "
            "own environment and git tracks nothing there (a virtual environment created in "
            "the checkout). Install packs into the environment, not into the repository.",
        emitted_by="loader",
    ),
    Entry(
        code="PCK004",
        category="pack",
        severity=Severity.ERROR,
        summary="A pack cannot be loaded or does not hold an rspp Pack.",
        doc="An enabled pack declares exactly one entry point in the group rspp.packs whose "
            "object is an rspp.rules.packs.Pack (or a callable returning one): a code prefix "
            "of 2 to 8 capital letters and rules coded <PREFIX>NNN, each with a summary, a doc "
            "and the artifact kinds it reads; node types named vendor.kind with their "
            "parameters declared; gate types named <prefix>.<name>; artifact kinds with a "
            "PascalCase name, an apiVersion <group>/<version> of the pack's own group (not "
            "rspp.dev) and a self-contained JSON Schema 2020-12 (a $ref outside it is refused, "
            "never fetched). An import error, a missing or second entry point, another object "
            "or a malformed contribution is this finding; the pack is not used.",
        emitted_by="loader",
    ),
    Entry(
        code="PCK005",
        category="pack",
        severity=Severity.ERROR,
        summary="A pack's code prefix, node type or artifact kind clashes with rspp's or "
                "another pack's.",
        doc="Rule codes are namespaced by prefix: a pack may not use a prefix of rspp's own "
            "codes (ENV, REF, SCH, ...) or one another enabled pack uses, so a code always "
            "names one rule in every report format. Likewise a node type or an artifact kind "
            "names one thing: a pack may not declare a built-in node type or an rspp kind "
            "(PipelineSpec, ResolvedSpec, ...), nor one another enabled pack declares. "
            "Rename it, or enable one of the two packs.",
        emitted_by="loader",
    ),
    # path
    Entry(
        code="PATH001",
        category="path",
        severity=Severity.ERROR,
        summary="A path named on the command line is outside the repository.",
        doc="rspp reads and writes only inside the repository (the folder holding `.git` or "
            "`pipelines/`, or `--root`). Name paths inside it, or set `--root`.",
        emitted_by="cli",
    ),
    Entry(
        code="PATH002",
        category="path",
        severity=Severity.ERROR,
        summary="A path named on the command line does not exist.",
        doc="The file or folder named on the command line (or `--root`) does not exist. Check "
            "the spelling; paths are relative to the current folder.",
        emitted_by="cli",
    ),
    Entry(
        code="PATH003",
        category="path",
        severity=Severity.ERROR,
        summary="A file named on the command line is not an artifact file.",
        doc="Artifact files end in `.yaml`, `.yml` or `.json`; another file named on the command "
            "line is refused rather than silently skipped.",
        emitted_by="cli",
    ),
    # plan
    Entry(
        code="PLN001",
        category="plan",
        severity=Severity.ERROR,
        summary="A routing snapshot or turn request is not valid.",
        doc="A routing snapshot has snapshotId, providers (node type -> healthy, degraded or "
            "down), breakers (node id -> closed, open or half_open) and signals (the values "
            "conditions read); nothing else. The turn request needs a session, and a turn and "
            "lease epoch of 0 or more.",
        emitted_by="api",
    ),
    Entry(
        code="PLN002",
        category="plan",
        severity=Severity.ERROR,
        summary="A condition reads a signal the routing snapshot lacks.",
        doc="Cost caps read session.cost_usd and tenant_day.cost_usd; degrade and provider "
            "conditions read the names they mention. A missing signal fails the plan instead of "
            "counting as false: a turn must never run on a guess.",
        emitted_by="api",
    ),
    Entry(
        code="PLN003",
        category="plan",
        severity=Severity.ERROR,
        summary="A turn plan would change mid-turn, or its lease is stale.",
        doc="Plans are frozen at turn open. Asking again for a planned turn with other inputs "
            "(new routing, another policy) is refused: changes apply from the next turn. A lease "
            "epoch lower than one the session already holds is stale and refused.",
        emitted_by="api",
    ),
    # policy
    Entry(
        code="POL001",
        category="policy",
        severity=Severity.ERROR,
        summary="A bundled policy names a node or edge its spec does not have.",
        doc="Policy overlays act on the nodes and edges of the spec they are bundled with: "
            "provider rules, circuit breakers and degrade rules name nodes; insert rules name an "
            "existing edge (from, to). Checked for each bundle and reported on the policy.",
        emitted_by="rules",
    ),
    Entry(
        code="POL002",
        category="policy",
        severity=Severity.ERROR,
        summary="A policy condition does not parse.",
        doc="Degrade and provider rules carry `when` conditions that the turn-plan resolver "
            "evaluates at each turn boundary: names (signals of the routing snapshot), numbers, "
            "quoted strings, true/false, comparisons (== != < <= > >=), and, or, not and "
            "parentheses. Nothing else: no calls, no arithmetic. A condition that does not parse "
            "would fail every turn, so it fails validation instead.",
        emitted_by="rules",
    ),
    # reference
    Entry(
        code="DUP001",
        category="reference",
        severity=Severity.ERROR,
        summary="The same (kind, id, version) is defined twice.",
        doc="One version of one artifact is defined once. A second file with the same kind, id "
            "and version makes references ambiguous and digests unstable; bump the version of "
            "the new content instead. The finding is on the later file (in path order) and "
            "points at the first.",
        emitted_by="rules",
    ),
    Entry(
        code="REF001",
        category="reference",
        severity=Severity.ERROR,
        summary="A reference names an id@version that no artifact defines.",
        doc="Artifacts refer to each other by id@version: spec and module imports of modules, "
            "spec nodes of extensions, bundle pins of specs, profiles and policies, bundle node "
            "packages of extensions, rollouts and rollbacks of bundles, gate manifests of "
            "bundles. Each must resolve to an artifact of the expected kind in the repository; "
            "the message lists the versions that do exist. When only some files are validated, a "
            "file whose reference is broken by them is reported too.",
        emitted_by="rules",
    ),
    Entry(
        code="REF002",
        category="reference",
        severity=Severity.ERROR,
        summary="A node type is not in the catalog or not provided by the named extension.",
        doc="Node types come from the built-in catalog (docs/catalog.md) or from an extension "
            "manifest named on the node with extension: id@version, whose nodeType must equal "
            "the node's type.",
        emitted_by="rules",
    ),
    Entry(
        code="REF003",
        category="reference",
        severity=Severity.ERROR,
        summary="An extension implements a node type that is not built in.",
        doc="implements names the built-in node type whose port signature an extension follows "
            "(so it can stand in for it). It must exist in the built-in catalog.",
        emitted_by="rules",
    ),
    # release
    Entry(
        code="REL001",
        category="release",
        severity=Severity.ERROR,
        summary="This bundle version is already published with other content.",
        doc="A published version never changes: the store's tag id-version names another "
            "manifest of the same id and version. Publishing the same content again is a "
            "no-op (exit 0); other content is refused. Release a new version instead.",
        emitted_by="release",
    ),
    Entry(
        code="REL002",
        category="release",
        severity=Severity.ERROR,
        summary="The bundle's tag in the store names another artifact.",
        doc="The tag id-version (characters outside OCI's tag grammar written as _) names a "
            "manifest whose dev.rspp.id and dev.rspp.version annotations are of another "
            "bundle, or no rspp bundle at all; or a manifest of this very bundle with the "
            "same content that no signature the policy trusts covers (the store was changed "
            "outside rspp); or two bundles of the repository would publish under one tag "
            "(a/b and a_b). Rename the bundle or publish into another store.",
        emitted_by="release",
    ),
    Entry(
        code="REL003",
        category="release",
        severity=Severity.ERROR,
        summary="The store cannot be used.",
        doc="The registry did not answer, refused the request or the credentials "
            "(RSPP_REGISTRY_USERNAME, RSPP_REGISTRY_PASSWORD), or a file of the layout "
            "store could not be read or written (a link, a path outside the repository, an "
            "operating-system error). Nothing was published past the last complete step; "
            "publish again.",
        emitted_by="release",
    ),
    Entry(
        code="REL004",
        category="release",
        severity=Severity.ERROR,
        summary="The store answered with content that is not what was asked for.",
        doc="A blob or manifest whose bytes do not hash to its digest, larger than allowed, "
            "or not the JSON document it should be. The store was changed outside rspp or "
            "is hostile: nothing read from it is used.",
        emitted_by="release",
    ),
    Entry(
        code="REL005",
        category="release",
        severity=Severity.ERROR,
        summary="A bundle cannot be published from this working tree.",
        doc="Publishing records the commit it publishes: every file a bundle depends on, "
            "and rspp.lock, must be committed, every input locked with the digest it has, "
            "and the bundle must resolve. Commit, run rspp lock, and publish again.",
        emitted_by="release",
    ),
    # replay
    Entry(
        code="RPL001",
        category="replay",
        severity=Severity.ERROR,
        summary="Replay evidence does not require the whole OR-02 baseline.",
        doc="Baseline evidence completeness is mandatory for every accepted turn, whatever the "
            "recording level: session_id, turn_id, correlation_id, lease_epoch, bundle_ref, "
            "plan_hash, turn_open_ts, turn_close_ts, terminal_outcome, cancel_events.",
        emitted_by="rules",
    ),
    Entry(
        code="RPL002",
        category="replay",
        severity=Severity.ERROR,
        summary="A fixture path leaves the repository.",
        doc="Fixture paths are relative POSIX paths inside the repository. Absolute paths, '..' "
            "segments, backslashes, drive letters and URLs are refused, and so is a path that "
            "leaves the repository through a symbolic link (a link whose target is outside, on "
            "the path or at its end). Links are resolved one component at a time from their "
            "text: rspp never looks at, opens or fetches anything outside the repository that a "
            "manifest names.",
        emitted_by="rules",
    ),
    Entry(
        code="RPL003",
        category="replay",
        severity=Severity.ERROR,
        summary="A fixture file does not exist.",
        doc="Every fixture a replay manifest names is a regular file at that path in the "
            "repository, so replay regressions never run against missing evidence. A symbolic "
            "link that stays inside the repository is followed, as everywhere in rspp; a folder, "
            "FIFO, device, dangling link or link loop is refused.",
        emitted_by="rules",
    ),
    # repository
    Entry(
        code="REPO001",
        category="repository",
        severity=Severity.ERROR,
        summary="No repository was found.",
        doc="No folder at or above the current one holds `.git` or `pipelines/`, so there is "
            "nothing rspp could check; a run that checks nothing is never green. Run rspp inside "
            "a repository or pass `--root`.",
        emitted_by="cli",
    ),
    Entry(
        code="REPO002",
        category="repository",
        severity=Severity.ERROR,
        summary="The repository holds no artifact files.",
        doc="No `.yaml`, `.yml` or `.json` file was found under `pipelines/`, `compat/` or "
            "`rollouts/` (or under the folders named), so nothing was checked; a run that checks "
            "nothing is never green. Check `--root` and the folder names.",
        emitted_by="cli",
    ),
    Entry(
        code="REPO003",
        category="repository",
        severity=Severity.ERROR,
        summary="A file changed while rspp was checking the repository.",
        doc="A partial run (`rspp validate FILE...`, the pre-commit hook) reads the files it "
            "does not check by the header its cache recorded for their content, and loads one "
            "only when a rule needs it. A file whose content no longer matched its header when "
            "it was loaded was changed during the run: the run stops rather than mix two "
            "states of the repository. Run rspp again once the files stay put.",
        emitted_by="cli",
    ),
    # resolve
    Entry(
        code="POL003",
        category="resolve",
        severity=Severity.ERROR,
        summary="A policy insert rule breaks port typing or lane rules.",
        doc="An insert rule puts a node on an existing edge (from -> node.input, node.output -> "
            "to); both new edges keep the replaced edge's lane and buffer. Both must be well "
            "typed once the bundle's profile defaults apply, exactly like authored edges "
            "(TYP001), and carry traffic their lane allows (LANE002). Reported at resolve time "
            "on the insert rule, so it never reaches a running turn.",
        emitted_by="resolve",
    ),
    Entry(
        code="POL005",
        category="resolve",
        severity=Severity.ERROR,
        summary="A policy inserts a node the pipeline cannot run.",
        doc="The inserted node's type must exist, its parameters must be known, the named input "
            "and output ports must exist, it may need no other input, and its id must not clash "
            "with a node of the resolved pipeline.",
        emitted_by="resolve",
    ),
    Entry(
        code="POL006",
        category="resolve",
        severity=Severity.ERROR,
        summary="A provider rule prefers a type the node cannot switch to.",
        doc="A provider rule orders the node types a turn may use for a node. Switching means "
            "handing the node's wiring to one of its stand-ins (fallback targets, degrade "
            "target), so every preferred type must be the node's own type or a stand-in's.",
        emitted_by="resolve",
    ),
    Entry(
        code="RSV001",
        category="resolve",
        severity=Severity.ERROR,
        summary="A resolved view is re-normalized with another profile.",
        doc="normalize(resolved) returns the view unchanged when given the profile (and "
            "overlays) it was resolved with. A different profile would mix two resolutions; "
            "resolve the spec again instead.",
        emitted_by="api",
    ),
    Entry(
        code="TYP003",
        category="resolve",
        severity=Severity.ERROR,
        summary="Port types stop matching once the profile's node defaults apply.",
        doc="A profile's nodeDefaults can change parameters that shape port types (a sample "
            "rate, a channel count). The resolved graph is type-checked again with the defaults "
            "applied; the finding sits on the spec edge and names the profile.",
        emitted_by="resolve",
    ),
    # rollout
    Entry(
        code="ROL001",
        category="rollout",
        severity=Severity.ERROR,
        summary="The rollout strategy lacks its settings or carries another strategy's.",
        doc="canary rollouts need steps, percentage rollouts a percentage, cohort rollouts "
            "cohorts; settings of another strategy are refused so a reviewer never reads ignored "
            "numbers.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL002",
        category="rollout",
        severity=Severity.ERROR,
        summary="Canary step weights do not increase.",
        doc="Each canary step sends a larger share of traffic to the new bundle than the step "
            "before it.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL003",
        category="rollout",
        severity=Severity.ERROR,
        summary="The rollback target is the bundle being rolled out.",
        doc="A rollback returns traffic to a previous, known-good bundle; pointing it at the new "
            "bundle makes rollback a no-op.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL004",
        category="rollout",
        severity=Severity.ERROR,
        summary="The last canary step does not reach 100 %.",
        doc="A canary moves new sessions to the bundle step by step and ends with all "
            "of them (weight 100); a rollout meant to stop part way is a percentage "
            "rollout, which says so.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL005",
        category="rollout",
        severity=Severity.ERROR,
        summary="A pinned rollout target names other content.",
        doc="The bundle or rollback reference carries #sha256:<hex>, and the bundle "
            "with that id and version in the repository has another digest (RFC 8785 "
            "canonical JSON): the rollout would admit content nobody reviewed. Pin the "
            "published bundle's digest, or drop the pin.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL006",
        category="rollout",
        severity=Severity.ERROR,
        summary="The rollback target is another pipeline or a newer release.",
        doc="A rollback returns new sessions to an earlier, known-good release of the "
            "same pipeline: the rollback bundle must pin the same spec id as the bundle "
            "rolled out, and its version must be lower (SemVer 2.0.0 precedence).",
        emitted_by="rules",
    ),
    Entry(
        code="ROL007",
        category="rollout",
        severity=Severity.ERROR,
        summary="A tenant is in two cohorts.",
        doc="Each tenant moves with exactly one cohort of a cohort rollout; a tenant "
            "named twice would be moved twice, at the first cohort's step.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL008",
        category="rollout",
        severity=Severity.ERROR,
        summary="A cohort rollout has no rollback target.",
        doc="A cohort rollout moves named tenants, whose sessions must have a "
            "known-good release to return to: spec.rollback.bundle is required.",
        emitted_by="rules",
    ),
    Entry(
        code="ROL009",
        category="rollout",
        severity=Severity.ERROR,
        summary="A rollout's version goes back.",
        doc="Rollouts change in place (they are the mutable traffic-control surface, "
            "never locked), and their version orders the decisions made with them: "
            "against the base (rspp check --against, rspp compat --against) a rollout's "
            "version is never below the version the base has.",
        emitted_by="compat",
    ),
    Entry(
        code="ROL010",
        category="rollout",
        severity=Severity.ERROR,
        summary="A rollout's bundle is not published, or does not verify.",
        doc="rspp rollout verify checks a rollout against a store: its bundle must be "
            "published there, verify under the trust policy (signature, signer, digests, "
            "provenance), and its runtime window must admit the runtimes the rollout names.",
        emitted_by="release",
    ),
    Entry(
        code="ROL011",
        category="rollout",
        severity=Severity.ERROR,
        summary="A rollout's rollback target is not published, or does not verify.",
        doc="The release a rollout falls back to must be published in the same store, "
            "verify under the trust policy, be of the same pipeline and older than the "
            "bundle rolled out.",
        emitted_by="release",
    ),
    # schema
    Entry(
        code="SCH001",
        category="schema",
        severity=Severity.ERROR,
        summary="The artifact does not match its kind's schema.",
        doc="The artifact is validated against schemas/<Kind>.schema.json (JSON Schema 2020-12, "
            "generated from the models). Each violation is one finding located at the offending "
            "value; an unknown key is located at the key. Versions must be quoted SemVer "
            "strings: version: 1.10 is the number 1.1 in YAML, which is why it is refused.",
        emitted_by="engine",
    ),
    Entry(
        code="SCH002",
        category="schema",
        severity=Severity.ERROR,
        summary="A schema rspp validates with is refused.",
        doc="rspp validates with its own schemas only: each schema file must declare exactly "
            "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\" and rspp's \"$id\" "
            "for its kind, and every $ref must point inside the schema (\"#/$defs/...\") or at "
            "another of rspp's schemas by its $id. A remote or file: $ref, a relative path, an "
            "unknown dialect, or a file that cannot be read or is not a valid JSON Schema "
            "refuses the schema: nothing is fetched or read, each artifact of that kind is "
            "reported as not validated, with the location of the offending value in the schema "
            "file. In rspp's own repository the schemas are working-tree files; regenerate them "
            "with `rspp schemas --write`.",
        emitted_by="api",
    ),
    Entry(
        code="SCH003",
        category="schema",
        severity=Severity.ERROR,
        summary="A float literal where the schema says integer.",
        doc="JSON Schema counts 64.0 as an integer and the digest (RFC 8785) writes it as 64, so "
            "neither tells capacity: 64.0 from capacity: 64; a runtime reading the YAML gets a "
            "float. Where the schema accepts only an integer, a float literal (64.0, 6.4e1, 64.) "
            "is refused: write 64. Fields that accept any number are not affected. See ADR 0004.",
        emitted_by="engine",
    ),
    # signature
    Entry(
        code="SIG001",
        category="signature",
        severity=Severity.ERROR,
        summary="The offline signing key cannot be used.",
        doc="The --key file is missing, unreadable, not a PEM PKCS#8 Ed25519 private key, "
            "or readable by others (mode wider than 0600).",
        emitted_by="release",
    ),
    Entry(
        code="SIG002",
        category="signature",
        severity=Severity.ERROR,
        summary="rspp keygen refuses to overwrite a key file.",
        doc="Neither key file may exist: an existing key is never replaced. Choose another "
            "name or remove the old files yourself.",
        emitted_by="release",
    ),
    Entry(
        code="SIG003",
        category="signature",
        severity=Severity.ERROR,
        summary="Keyless signing is not possible here.",
        doc="--sign sigstore needs an ambient OIDC identity (GitHub Actions with "
            "permissions: id-token: write) or a token, and the sigstore services; neither "
            "was available. Nothing was published unsigned.",
        emitted_by="release",
    ),
    # skew (rspp.compat.skew)
    Entry(
        code="SKW001",
        category="skew",
        severity=Severity.ERROR,
        summary="A bundle's runtime window is wider than the runtime skew policy allows.",
        doc="A bundle's compatibility.minRuntime .. maxRuntime may span at most "
            "versionSkew.runtime.maxMinorBehind + maxMinorAhead minor versions, and at most "
            "maxMajorBehind major versions (0 when absent: both ends on one major), of the "
            "contract in effect. A window without maxRuntime is open-ended and always too wide "
            "when a runtime skew policy exists. Without a contract or a runtime policy nothing "
            "is checked. Reported at the bundle's maxRuntime, with the policy fields as related "
            "locations.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW002",
        category="skew",
        severity=Severity.ERROR,
        summary="A bundle's minRuntime is above its maxRuntime.",
        doc="compatibility.minRuntime must not be above compatibility.maxRuntime (SemVer "
            "precedence): an inverted window admits no runtime at all. Checked with or without "
            "a contract.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW003",
        category="skew",
        severity=Severity.ERROR,
        summary="A bundle's event ABI is not one the contract supports.",
        doc="compatibility.eventAbi of a bundle must be listed in the contract's "
            "eventAbi.supported; otherwise the bundle expects events no consumer is declared "
            "to read.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW004",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime line of a bundle's window does not read the bundle's event ABI.",
        doc="For every runtime line (major.minor) of a bundle's runtime window that the "
            "contract's eventAbi.runtimeReads names, the bundle's compatibility.eventAbi must "
            "be among the versions that line reads. A window within one major holds every "
            "minor between its ends; lines runtimeReads does not name are not checked. "
            "Related locations point at the runtimeReads entries that lack the version.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW005",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime adapter speaks an event ABI the contract does not support.",
        doc="An ExtensionManifest of type runtime_adapter declares contracts.eventAbi; it must "
            "be listed in the contract's eventAbi.supported.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW006",
        category="skew",
        severity=Severity.ERROR,
        summary="A rollout admits more runtime skew than the skew policy allows.",
        doc="A rollout's admission.maxRuntimeSkewMinor (1 when absent) may not exceed the "
            "contract's versionSkew.runtime.maxMinorBehind: the rollout would admit runtimes "
            "the policy says may not run the bundle.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW007",
        category="skew",
        severity=Severity.ERROR,
        summary="A rollout's rollback target shares no runtime with the bundle rolled out.",
        doc="The runtime window (compatibility.minRuntime .. maxRuntime) of "
            "spec.rollback.bundle must overlap the window of spec.bundle: a runtime running the "
            "new bundle must be able to run the rollback target. Compares two bundles, so it "
            "applies with or without a contract; a missing bundle is REF001's.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW008",
        category="skew",
        severity=Severity.WARNING,
        summary="A rollout's rollback target covers only part of the bundle's runtime window.",
        doc="Every runtime line (major.minor) of spec.bundle's runtime window should be in "
            "spec.rollback.bundle's window; the message names the lines that cannot roll back. "
            "The lines of a window within one major are every minor between its ends; other "
            "windows are read through the lines the contract's eventAbi.runtimeReads names.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW009",
        category="skew",
        severity=Severity.ERROR,
        summary="No runtime line both bundles run on reads the rollback target's event ABI.",
        doc="Of the runtime lines shared by spec.bundle's and spec.rollback.bundle's windows, "
            "at least one that the contract's eventAbi.runtimeReads names must read the "
            "rollback target's compatibility.eventAbi; otherwise rolling back hands runtimes "
            "events they cannot read. Quiet when runtimeReads names none of the shared lines.",
        emitted_by="compat",
    ),
    # syntax
    Entry(
        code="SKW010",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime adapter reads an event ABI the contract does not support.",
        doc="The event ABI versions a runtime adapter reads (contracts.eventAbiReads, else "
            "contracts.eventAbi) must each be listed in the contract's eventAbi.supported.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW011",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime adapter does not read the event ABI of a bundle it would run.",
        doc="A bundle would run on a runtime adapter when its resolved view has transport "
            "nodes of the adapter's transport family (transport.<family>.input/output). The "
            "bundle's compatibility.eventAbi must be among the versions the adapter reads "
            "(contracts.eventAbiReads, else contracts.eventAbi). The related location is the "
            "bundle's eventAbi.",
        emitted_by="compat",
    ),
    Entry(
        code="SKW012",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime adapter does not carry the audio of a bundle it would run.",
        doc="When a runtime adapter declares contracts.audio, every audio format, sample rate "
            "(Hz) and channel count of the audio ports of a bundle's transport nodes "
            "(audio/<format>;rate=<Hz>;channels=<n> in its resolved view) must be among the "
            "ones it declares (channels: 1 when not listed).",
        emitted_by="compat",
    ),
    Entry(
        code="SKW013",
        category="skew",
        severity=Severity.ERROR,
        summary="A runtime adapter does not deliver a control event a bundle's transport "
                "consumes.",
        doc="When a runtime adapter declares contracts.controlEvents, every control event "
            "type (control/<event>) of an edge into a bundle's transport output node (cancel, "
            "for barge-in) must be among them.",
        emitted_by="compat",
    ),
    Entry(
        code="LOAD001",
        category="syntax",
        severity=Severity.ERROR,
        summary="The file is not well-formed YAML or JSON.",
        doc="The parser could not read the file. The finding points at the place the parser "
            "stopped; the text of the parser's problem is included in the message.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD002",
        category="syntax",
        severity=Severity.ERROR,
        summary="A mapping has the same key twice.",
        doc="YAML parsers disagree on duplicate keys (most silently keep the last one), so a "
            "duplicate can hide a value from a reviewer. rspp refuses every duplicate key in "
            "YAML and JSON; the finding points at the second occurrence and names the first.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD003",
        category="syntax",
        severity=Severity.ERROR,
        summary="YAML anchors and aliases are not allowed.",
        doc="Anchors and aliases (&a, *a) let a few bytes expand into an exponentially large "
            "tree (the 'billion laughs' attack) and make the data a reviewer sees differ from "
            "the data the tool checks. Write the value out; share structure through modules and "
            "profiles.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD004",
        category="syntax",
        severity=Severity.ERROR,
        summary="YAML merge keys (<<) are not allowed.",
        doc="Merge keys are a YAML 1.1 extension that YAML 1.2 dropped; they depend on aliases "
            "and hide where a value came from. Write the keys out explicitly.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD005",
        category="syntax",
        severity=Severity.ERROR,
        summary="Explicit YAML tags are not allowed (only !!str).",
        doc="Custom and language-specific tags (!!python/object, !ruby/..., !custom) can trigger "
            "code execution in other tools and change meaning silently. Only the core tag !!str "
            "is accepted, to force a plain scalar to be a string.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD006",
        category="syntax",
        severity=Severity.ERROR,
        summary="A mapping key is not a string.",
        doc="Keys must be strings so every artifact maps one-to-one onto JSON. A plain key that "
            "YAML 1.2 reads as a number, boolean or null (1, true, null), or a key that is "
            "itself a mapping or sequence, is refused; quote it if a string was meant.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD007",
        category="syntax",
        severity=Severity.ERROR,
        summary="The file must hold exactly one document.",
        doc="An artifact file holds exactly one YAML document (or one JSON value). Empty files "
            "and files with several '---' separated documents are refused; split them into one "
            "file per artifact.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD008",
        category="syntax",
        severity=Severity.ERROR,
        summary="The top level of the file is not a mapping.",
        doc="Every artifact is a mapping with apiVersion, kind, metadata and spec at the top.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD009",
        category="syntax",
        severity=Severity.ERROR,
        summary="The data is nested too deeply, or its paths are too long.",
        doc="Nesting is bounded (64 levels by default) and checked while parsing, before any "
            "recursive code sees the data: very deep input crashes recursive parsers and "
            "walkers. Every value is located by its JSON pointer, so the total length of those "
            "paths is bounded too (64 characters per input character): a huge key above many "
            "values would otherwise need gigabytes of paths. Folders are bounded the same way: "
            "discovery does not enter a folder more than 32 levels below the repository root and "
            "reports it here, so a hostile chain of folders cannot exhaust the walk.",
        emitted_by="loader",
    ),
    Entry(
        code="LOAD010",
        category="syntax",
        severity=Severity.ERROR,
        summary="A number cannot be represented exactly in canonical JSON.",
        doc="NaN, infinities, floats that overflow (1e400), integers outside -(2^53-1)..2^53-1 "
            "and floats of magnitude 2^53 or more (canonical JSON writes those as such integers) "
            "are refused: digests are computed over canonical JSON (RFC 8785), whose numbers are "
            "IEEE 754 doubles and cannot represent them exactly. Integers longer than 4,000 "
            "digits are refused before they are converted at all. Quote a large identifier.",
        emitted_by="loader",
    ),
    # trace
    Entry(
        code="TRC001",
        category="trace",
        severity=Severity.ERROR,
        summary="A trace line is not one JSON object.",
        doc="Every line of a trace is one JSON object in UTF-8 (blank lines are skipped). Bad "
            "JSON, invalid UTF-8, NaN or Infinity, a duplicate key at any depth (a second "
            "`lease_epoch` would hide the first), a line over 1 MiB, or a corrupt or truncated "
            "gzip stream is reported at its line; the line is skipped and checking continues. "
            "A gate never passes on a trace with unreadable lines.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC002",
        category="trace",
        severity=Severity.ERROR,
        summary="A trace event breaks the event schema.",
        doc="An event's `event` is one of the closed set of the event ABI 1.x, and it carries "
            "`session_id` (non-empty string), `turn_id` (string; non-empty except on lease "
            "events), `lease_epoch` (integer >= 0), `lane` (control, data, telemetry) and "
            "`ts_mono_ns` (integer >= 0); `stage_mark` names a known `stage`, cancels a "
            "`scope` of turn or session. See docs/replay.md and "
            "schemas/TraceEvent.schema.json. The event is skipped and checking continues.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC003",
        category="trace",
        severity=Severity.ERROR,
        summary="The trace's event ABI is not one the checker and the contract support.",
        doc="A trace is checked under the event ABI of its bundle (`spec.compatibility.eventAbi`). "
            "The checker reads ABI 1.x; the compatibility contract's `eventAbi.supported` "
            "lists the versions still supported. A trace of another ABI is not checked: its "
            "events may mean something else.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC004",
        category="trace",
        severity=Severity.ERROR,
        summary="A trace holds no event.",
        doc="A trace with no readable event proves nothing: checking it is never a pass. An "
            "empty file, a file of blank lines, or one whose every line is unreadable "
            "(TRC001/TRC002) fires once, at line 1.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC010",
        category="trace",
        severity=Severity.ERROR,
        summary="A turn event breaks the lifecycle OPEN -> ACTIVE -> (COMMIT | ABORT) -> CLOSE.",
        doc="Invariant 5: an accepted turn's lifecycle is exactly OPEN -> ACTIVE -> (COMMIT | "
            "ABORT) -> CLOSE. Fires on an event not allowed in the turn's state (a commit "
            "before active, a second open, an output after abort, anything after close, an "
            "in-turn event for a turn never opened) and on a turn still open at the end of the "
            "trace.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC011",
        category="trace",
        severity=Severity.ERROR,
        summary="A pre-turn outcome (admit, reject, defer) emits a turn terminal marker.",
        doc="Invariant 6: admit, reject and defer are pre-turn outcomes and never emit turn "
            "terminal markers. Fires on an admit, reject or defer carrying `terminal_outcome`, "
            "and on a `turn_commit`, `turn_abort` or `turn_close` for a candidate that was "
            "admitted, deferred or rejected but never opened.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC012",
        category="trace",
        severity=Severity.ERROR,
        summary="Output is accepted or played after a cancel was accepted for its scope.",
        doc="Invariant 11: after `cancel_accepted`, a new `output_accepted` or "
            "`playback_started` for that scope is invalid (scope `turn`: the same turn; scope "
            "`session`: every turn of the session open at that moment). The finding names the "
            "line of the accepted cancel.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC013",
        category="trace",
        severity=Severity.ERROR,
        summary="An output carrying a stale lease epoch is accepted.",
        doc="Invariant 12: lease epoch authority is validated on egress. An `output_accepted` "
            "or `playback_started` whose `lease_epoch` is below the highest epoch its session "
            "has seen comes from a stale holder (after a handover) and must have been "
            "rejected. A `lease_acquired` that does not raise the epoch fires too.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC014",
        category="trace",
        severity=Severity.ERROR,
        summary="An event has no correlation id, or another one than its turn's.",
        doc="Invariant 13: correlation identities are present end to end. Every event carries "
            "a non-empty `correlation_id`, and every event of a turn carries the one its "
            "`turn_open` carried.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC015",
        category="trace",
        severity=Severity.ERROR,
        summary="An accepted turn lacks replay evidence its manifest requires.",
        doc="Invariant 14: baseline (OR-02) evidence is complete for every accepted turn, at "
            "any recording level. Each of the replay manifest's `requiredFields` appears on at "
            "least one of the turn's events; `turn_open_ts`/`turn_close_ts` are the "
            "timestamps of its open and close, `terminal_outcome` is carried by its terminal "
            "event and agrees with it, and `cancel_events` needs every `cancel_accepted` "
            "preceded by a `cancel_requested` of its scope.",
        emitted_by="trace",
    ),
    Entry(
        code="TRC016",
        category="trace",
        severity=Severity.ERROR,
        summary="A turn's event names another plan hash than the one frozen at turn open.",
        doc="Invariant 4: the ResolvedTurnPlan is frozen at turn start and immutable for the "
            "turn. An event of the turn carrying a `plan_hash` other than its `turn_open`'s "
            "means the plan changed mid-turn (a provider fallback runs inside the frozen plan, "
            "it never re-plans).",
        emitted_by="trace",
    ),
    Entry(
        code="TRC017",
        category="trace",
        severity=Severity.ERROR,
        summary="A stage's p95 latency is above its profile budget.",
        doc="Latency budgets of the bundle's ExecutionProfile (`spec.budgets`, p95 targets) "
            "against the turns of the trace: turn latency (end of speech to first audio), "
            "first audio (commit to first audio), STT final, LLM first token, TTS first byte. "
            "One finding per stage over budget, at the slowest turn, with p50/p95/p99 and the "
            "number of turns over budget. Checked only when a bundle is given.",
        emitted_by="trace",
    ),
    # verify
    Entry(
        code="VFY001",
        category="verify",
        severity=Severity.ERROR,
        summary="A published artifact has no signature.",
        doc="No signature refers to the manifest (OCI referrers, fallback tag "
            "sha256-<hex>). An unsigned bundle or index is never accepted.",
        emitted_by="release",
    ),
    Entry(
        code="VFY002",
        category="verify",
        severity=Severity.ERROR,
        summary="A signature does not verify over this content.",
        doc="The envelope or sigstore bundle is malformed, its signature is invalid, its "
            "payload is not an in-toto statement, or the statement's subject is another "
            "manifest (a signature over other content).",
        emitted_by="release",
    ),
    Entry(
        code="VFY003",
        category="verify",
        severity=Severity.ERROR,
        summary="A valid signature by a signer the trust policy does not allow.",
        doc="The trust policy lists the offline key ids and the sigstore identities (issuer "
            "with identity or workflow) whose signatures are accepted; a signature by "
            "anyone else is refused, however valid.",
        emitted_by="release",
    ),
    Entry(
        code="VFY004",
        category="verify",
        severity=Severity.ERROR,
        summary="A layer's bytes do not match its descriptor.",
        doc="A layer (the bundle, a pinned artifact, the resolved view) whose bytes do not "
            "hash to the digest its manifest names, whose size differs, or which is not RFC "
            "8785 canonical JSON: it was changed after publishing.",
        emitted_by="release",
    ),
    Entry(
        code="VFY005",
        category="verify",
        severity=Severity.ERROR,
        summary="A bundle's pin does not match the artifact it names.",
        doc="Every pin of the bundle (id@version#sha256:...) must name a layer of the "
            "artifact holding exactly that content, and the manifest's dev.rspp.digest must "
            "be the bundle layer's digest.",
        emitted_by="release",
    ),
    Entry(
        code="VFY006",
        category="verify",
        severity=Severity.ERROR,
        summary="The provenance does not agree with the content.",
        doc="The signed statement must be SLSA provenance v1 for this bundle, name the "
            "commit the manifest names, and record exactly the artifact's inputs and their "
            "digests (the index's signature: its version).",
        emitted_by="release",
    ),
    Entry(
        code="VFY007",
        category="verify",
        severity=Severity.ERROR,
        summary="A published artifact is not an rspp bundle, or holds foreign content.",
        doc="The manifest must be an rspp bundle artifact for the id and version asked for; "
            "every layer must be an rspp layer (an archive or any other media type is never "
            "unpacked) with a title Kind/id@version and no path tricks; exactly one "
            "resolved view; extraction only into a new folder.",
        emitted_by="release",
    ),
    Entry(
        code="VFY008",
        category="verify",
        severity=Severity.ERROR,
        summary="The trust policy file is not valid.",
        doc="The policy (kind TrustPolicy) lists keys (keyid, publicKey) and sigstore "
            "identities; unknown fields, bad keys, an empty policy, or an unreadable file "
            "are refused with the place of the fault.",
        emitted_by="release",
    ),
    Entry(
        code="VFY009",
        category="verify",
        severity=Severity.ERROR,
        summary="A runtime outside the bundle's window.",
        doc="With --runtime, the runtime version must be within the bundle's "
            "compatibility.minRuntime..maxRuntime: outside the skew window the bundle is "
            "not handed out.",
        emitted_by="release",
    ),
    # version (rspp.compat.engine)
    Entry(
        code="VER001",
        category="version",
        severity=Severity.ERROR,
        summary="The version bump is smaller than the changes require.",
        doc="A new version's bump (major, minor, patch; SemVer 2.0.0 section 8, with "
            "0.y.z's minor acting as major) is below what its breaking, compatible or "
            "cosmetic changes require under the kind's compatibility mode "
            "(docs/compat.md); located at metadata.version with the changes as related "
            "locations.",
        emitted_by="compat",
    ),
    Entry(
        code="VER002",
        category="version",
        severity=Severity.ERROR,
        summary="A published version was deleted without a retirement.",
        doc="A version recorded in rspp.lock is no longer in the repository, no "
            "deprecation of it (target Kind/id@version) has passed its removeAfter "
            "date, and the lock, a bundle, a rollout or an import still names it. "
            "Retire it first: deprecate it with a date, move its users, then delete it "
            "after that date.",
        emitted_by="compat",
    ),
    Entry(
        code="VER003",
        category="version",
        severity=Severity.ERROR,
        summary="A version a transitive mode must compare with cannot be found.",
        doc="Under a *_TRANSITIVE mode a new version is compared with every published "
            "version of its id; this one is in rspp.lock but in no commit of the base's "
            "history (a shallow clone that could not be deepened, or rewritten "
            "history). The gate does not call the check green without it: fetch the "
            "full history.",
        emitted_by="compat",
    ),
    # waiver (rspp.compat.waivers)
    Entry(
        code="WVR001",
        category="waiver",
        severity=Severity.ERROR,
        summary="A waiver has expired.",
        doc="Every waiver in compat/waivers.yaml (CompatibilityWaivers) carries an expiry date "
            "and is valid through that day. After it, the waiver accepts nothing: the finding it "
            "covered is an error again, and the waiver itself is this error, located at its "
            "expires. Fix the finding and delete the waiver, or, when the exception still "
            "stands, have its owner set a new date in review.",
        emitted_by="compat",
    ),
    Entry(
        code="WVR002",
        category="waiver",
        severity=Severity.ERROR,
        summary="A waiver accepts no finding.",
        doc="A waiver names one rule on one artifact version (id@version, or Kind/id@version; "
            "build metadata ignored) and accepts every finding of that rule about that version: "
            "the findings located in its file, or placed elsewhere (in rspp.lock) with it as "
            "their subject. A waiver that matched nothing in a run that checks its rule is stale "
            "(the change was fixed, or it names the wrong version) and is this error, so the "
            "list holds only live exceptions: delete it. Runs that do not check the rule leave "
            "the waiver alone.",
        emitted_by="compat",
    ),
    Entry(
        code="WVR003",
        category="waiver",
        severity=Severity.ERROR,
        summary="A waiver names a rule that does not exist or cannot be waived.",
        doc="Only findings of the compatibility gate can be waived: the codes reported by `rspp "
            "compat` and `rspp check` (breaking changes, version bumps, skew, deprecations), "
            "except the waiver codes themselves. Validation errors are fixed, not waived, and "
            "there are no inline ignore comments. The finding points at the waiver's rule; `rspp "
            "rules list` shows every code and who reports it.",
        emitted_by="compat",
    ),
    Entry(
        code="WVR004",
        category="waiver",
        severity=Severity.ERROR,
        summary="Two waivers name the same rule on the same artifact version.",
        doc="One waiver per rule and artifact version, so one owner, reason and expiry answer "
            "for its findings. id@version and Kind/id@version name the same version when the "
            "kinds do not differ, and build metadata is ignored. The second waiver (in file "
            "order) is this error and accepts nothing; merge the two.",
        emitted_by="compat",
    ),
    Entry(
        code="WVR005",
        category="waiver",
        severity=Severity.ERROR,
        summary="A waiver's expiry is not a calendar date.",
        doc="expires is a quoted YYYY-MM-DD calendar date (ISO 8601); a day that does not exist, "
            "such as 2027-02-30, cannot say when the exception ends. The waiver accepts nothing "
            "until the date is fixed.",
        emitted_by="compat",
    ),
    Entry(
        code="WVR006",
        category="waiver",
        severity=Severity.ERROR,
        summary="A waiver names an artifact version the repository does not have.",
        doc="artifact must name a version in the repository (id@version or Kind/id@version), "
            "or the version a finding of this run is about (a deleted version named in "
            "rspp.lock). A typo would otherwise wait silently until the expiry; the waiver "
            "accepts nothing until it is fixed.",
        emitted_by="compat",
    ),
)

BY_CODE: Mapping[str, Entry] = MappingProxyType({e.code: e for e in ENTRIES})
"""Every entry by its code (read-only)."""

PREFIXES: Final = frozenset(e.code.rstrip("0123456789") for e in ENTRIES)
"""The code prefixes of rspp's own codes (``ENV``, ``REF``, ...): no pack may use one."""


def entry(code: str) -> Entry:
    """The entry of ``code``, exactly as written; KeyError for a code the catalogue lacks."""
    return BY_CODE[code]


def get(code: str) -> Entry | None:
    """The entry of ``code`` in any letter case (``dag004`` is DAG004), or None."""
    return BY_CODE.get(code.upper())
