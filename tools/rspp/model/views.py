"""Typed views of the artifact data: what the rules and the resolver read.

One ``TypedDict`` per model of ``rspp.model.kinds``, with the same name, the JSON names of its
fields (``lowWatermark``, ``from``) and the same required fields: a field the model gives a
default is ``NotRequired`` here, because the data is the document as written, before any
default is filled in. Nested models are nested views; free-form values (``params``) are
``JsonValue``. A test walks every view beside its model and fails on any difference, so the
two cannot drift.

A view is a promise about schema-valid data only. Rules that declare ``needs_schema_valid``
(the default) see only schema-valid artifacts and read their body through the accessors at
``rspp.model.access`` (``bundle_body(art)["pins"]``); anything else reads ``Artifact.spec``,
a ``JsonObject``, and narrows with ``isinstance``. The accessors check the kind, never the
content: call them on artifacts whose ``schema_valid`` is true.

The vocabulary (lanes, shedding modes, ...) is defined here once and used by the models.
The rules and the resolver import these names for type checking only (the classes cost
start-up time that a pre-commit run would pay for nothing); ``rspp.model.kinds`` imports the
vocabulary at run time. It does not postpone
its annotations (no ``from __future__ import annotations``): Python 3.11 cannot tell
``NotRequired`` fields from postponed ones, so views are defined before they are used.
"""

from typing import Literal, NotRequired, TypedDict

from rspp.core.jsontypes import JsonValue

# --------------------------------------------------------------------------- vocabulary
Lane = Literal["control", "data", "telemetry"]
Shedding = Literal["drop_oldest", "drop_newest", "degrade", "block"]
CancelScope = Literal["turn", "session", "none"]
InFlight = Literal["flush", "drop"]
DegradeTrigger = Literal["budget_exceeded", "provider_error", "overload", "cost_cap"]
ProfileMode = Literal["standard", "low_latency"]
ExtensionType = Literal["custom_node", "external_node", "runtime_adapter"]
TrustLevel = Literal["trusted", "restricted", "untrusted"]
PinKind = Literal["PipelineSpec", "ExecutionProfile", "PolicyOverlay"]
RecordingLevel = Literal["L0", "L1", "L2"]
ParamType = Literal["integer", "number", "boolean", "string", "array"]
CompatMode = Literal["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL",
                     "FULL_TRANSITIVE", "NONE"]
GateType = Literal["latency", "cancel_fence", "authority", "replay_completeness", "lifecycle",
                   "artifact", "command"]
SourceKind = Literal["spec", "module", "profile", "policy", "bundle", "extension", "builtin"]


# --------------------------------------------------------------------------- shared
class Metadata(TypedDict):
    id: str
    version: str
    owners: NotRequired[list[str]]
    description: NotRequired[str]
    labels: NotRequired[dict[str, str]]


class Buffer(TypedDict):
    """A bounded edge buffer. Fields left out come from the execution profile."""

    capacity: NotRequired[int]
    lowWatermark: NotRequired[int]
    highWatermark: NotRequired[int]
    shedding: NotRequired[Shedding]


class Cancel(TypedDict):
    scope: CancelScope
    inFlight: NotRequired[InFlight]


class PortDeclModel(TypedDict):
    type: str
    required: NotRequired[bool]


class Ports(TypedDict):
    inputs: NotRequired[dict[str, PortDeclModel]]
    outputs: NotRequired[dict[str, str]]


# --------------------------------------------------------------- PipelineSpec
class Fallback(TypedDict):
    """Standby nodes the runtime switches to, in order, when the primary fails."""

    targets: list[str]
    attemptTimeoutMs: NotRequired[int]
    maxRetries: NotRequired[int]
    retryIntervalMs: NotRequired[int]


class Degrade(TypedDict):
    """A cheaper or faster stand-in used when the trigger fires."""

    target: str
    trigger: DegradeTrigger


class RouteCase(TypedDict):
    when: str
    port: str


class Routes(TypedDict):
    """Conditional routing of a router node: one output port per case, plus a default."""

    cases: list[RouteCase]
    default: NotRequired[str]


class Node(TypedDict):
    id: str
    type: str
    extension: NotRequired[str]
    description: NotRequired[str]
    params: NotRequired[dict[str, JsonValue]]
    cancel: NotRequired[Cancel]
    fallback: NotRequired[Fallback]
    degrade: NotRequired[Degrade]
    routes: NotRequired[Routes]


Edge = TypedDict("Edge", {
    "from": str,
    "to": str,
    "lane": NotRequired[Lane],
    "buffer": NotRequired[Buffer],
})


Import = TypedDict("Import", {
    "module": str,
    "as": str,
    "params": NotRequired[dict[str, JsonValue]],
})


class PipelineSpecBody(TypedDict):
    description: NotRequired[str]
    imports: NotRequired[list[Import]]
    nodes: list[Node]
    edges: NotRequired[list[Edge]]


# --------------------------------------------------------------------- Module
class ModuleBindings(TypedDict):
    """Where each interface port enters or leaves the module's own graph."""

    inputs: NotRequired[dict[str, list[str]]]
    outputs: NotRequired[dict[str, str]]


class ModuleBody(TypedDict):
    description: NotRequired[str]
    interface: Ports
    bind: ModuleBindings
    imports: NotRequired[list[Import]]
    nodes: list[Node]
    edges: NotRequired[list[Edge]]


# ----------------------------------------------------------- ExecutionProfile
class LaneSetting(TypedDict):
    priority: int
    buffer: Buffer


class Lanes(TypedDict):
    control: LaneSetting
    data: LaneSetting
    telemetry: LaneSetting


class Budgets(TypedDict):
    turnLatencyMs: int
    firstAudioMs: NotRequired[int]
    sttFinalMs: NotRequired[int]
    llmFirstTokenMs: NotRequired[int]
    ttsFirstByteMs: NotRequired[int]
    maxCostPerTurnUsd: NotRequired[float]
    maxCostPerSessionUsd: NotRequired[float]


class ExecutionProfileBody(TypedDict):
    description: NotRequired[str]
    mode: ProfileMode
    lanes: Lanes
    budgets: Budgets
    sheddingOnBudgetBreach: NotRequired[Shedding]
    nodeDefaults: NotRequired[dict[str, dict[str, JsonValue]]]


# -------------------------------------------------------------- PolicyOverlay
class ProviderRule(TypedDict):
    node: str
    prefer: list[str]
    when: NotRequired[str]


class CircuitBreaker(TypedDict):
    node: str
    failureThreshold: int
    windowMs: int
    openForMs: int
    halfOpenProbes: NotRequired[int]


class CostCap(TypedDict):
    scope: Literal["turn", "session", "tenant_day"]
    maxUsd: float
    action: Literal["degrade", "reject", "alert"]


class DegradeRule(TypedDict):
    node: str
    to: str
    when: str


class InsertRule(TypedDict):
    """Insert a node on an existing edge (from -> node -> to) at a turn boundary."""

    onEdge: list[str]
    node: Node
    input: str
    output: str


class PolicyOverlayBody(TypedDict):
    description: NotRequired[str]
    appliesAt: NotRequired[Literal["turn_boundary"]]
    providerRules: NotRequired[list[ProviderRule]]
    circuitBreakers: NotRequired[list[CircuitBreaker]]
    costCaps: NotRequired[list[CostCap]]
    degradeRules: NotRequired[list[DegradeRule]]
    insertRules: NotRequired[list[InsertRule]]


# ---------------------------------------------------------- ExtensionManifest
class Isolation(TypedDict):
    mode: Literal["in_process_sandbox", "process", "container", "remote"]
    network: NotRequired[Literal["none", "egress_allowlist", "any"]]
    egressAllowlist: NotRequired[list[str]]
    filesystem: NotRequired[Literal["none", "read_only", "scratch"]]


class Resources(TypedDict):
    cpuMillis: NotRequired[int]
    memoryMib: NotRequired[int]
    timeoutMs: NotRequired[int]


class NodePackage(TypedDict):
    """NodePackageRef: where a node implementation comes from and its content digest."""

    type: str
    impl: str
    digest: str
    executionMode: NotRequired[Literal["in_process", "external"]]
    extension: NotRequired[str]


class Endpoint(TypedDict):
    protocol: Literal["grpc", "http", "websocket"]
    address: str


class AdapterAudio(TypedDict):
    formats: list[str]
    sampleRates: list[int]
    channels: NotRequired[list[int]]


class AdapterContracts(TypedDict):
    transport: str
    eventAbi: str
    eventAbiReads: NotRequired[list[str]]
    audio: NotRequired[AdapterAudio]
    controlEvents: NotRequired[list[str]]


class ParamDeclaration(TypedDict):
    description: NotRequired[str]
    type: NotRequired[ParamType]
    unit: NotRequired[str]
    minimum: NotRequired[int | float]
    maximum: NotRequired[int | float]
    enum: NotRequired[list[str | int]]
    items: NotRequired[Literal["string"]]
    default: NotRequired[JsonValue]


class ExtensionManifestBody(TypedDict):
    description: NotRequired[str]
    type: ExtensionType
    extensionApi: str
    nodeType: NotRequired[str]
    implements: NotRequired[str]
    ports: NotRequired[Ports]
    params: NotRequired[dict[str, ParamDeclaration]]
    defaultCancel: NotRequired[Cancel]
    trustLevel: NotRequired[TrustLevel]
    isolation: NotRequired[Isolation]
    resources: NotRequired[Resources]
    endpoint: NotRequired[Endpoint]
    package: NotRequired[NodePackage]
    contracts: NotRequired[AdapterContracts]


# ------------------------------------------------------------- PipelineBundle
class Pin(TypedDict):
    kind: PinKind
    ref: str


class CompatibilityWindow(TypedDict):
    minRuntime: str
    maxRuntime: NotRequired[str]
    eventAbi: str


class PipelineBundleBody(TypedDict):
    description: NotRequired[str]
    pins: list[Pin]
    nodePackages: NotRequired[list[NodePackage]]
    compatibility: CompatibilityWindow


# ------------------------------------------------------------ RolloutManifest
class CanaryStep(TypedDict):
    weight: int
    pauseSeconds: NotRequired[int]


class Cohort(TypedDict):
    name: str
    tenants: list[str]


class Strategy(TypedDict):
    type: Literal["canary", "percentage", "cohort"]
    steps: NotRequired[list[CanaryStep]]
    percentage: NotRequired[int]
    cohorts: NotRequired[list[Cohort]]


class Admission(TypedDict):
    regions: NotRequired[list[str]]
    maxConcurrentSessions: NotRequired[int]
    requireSignedBundle: NotRequired[bool]
    maxRuntimeSkewMinor: NotRequired[int]


class Rollback(TypedDict):
    bundle: str
    onErrorRatePct: NotRequired[float]
    onP95TurnLatencyMs: NotRequired[int]


class RolloutManifestBody(TypedDict):
    description: NotRequired[str]
    bundle: str
    strategy: Strategy
    admission: NotRequired[Admission]
    rollback: NotRequired[Rollback]


# ----------------------------------------------------- ReplayEvidenceManifest
class Fixture(TypedDict):
    path: str
    description: NotRequired[str]


class DivergencePolicy(TypedDict):
    mode: Literal["strict", "tolerant"]
    maxTimingDriftMs: NotRequired[int]
    ignoreFields: NotRequired[list[str]]


class ReplayEvidenceManifestBody(TypedDict):
    description: NotRequired[str]
    evidenceSchemaVersion: str
    recordingLevel: RecordingLevel
    requiredFields: list[str]
    fixtures: NotRequired[list[Fixture]]
    divergencePolicy: DivergencePolicy


# ------------------------------------------------------ CompatibilityContract
class SchemaCompatibility(TypedDict):
    default: CompatMode
    perKind: NotRequired[dict[str, CompatMode]]


class SkewPolicy(TypedDict):
    maxMajorBehind: NotRequired[int]
    maxMinorBehind: int
    maxMinorAhead: NotRequired[int]


class Deprecation(TypedDict):
    target: str
    since: str
    removeAfter: str
    replacement: NotRequired[str]


class EventField(TypedDict):
    type: Literal["string", "integer", "number", "boolean", "object", "array"]
    required: NotRequired[bool]
    description: NotRequired[str]


class EventAbi(TypedDict):
    current: str
    supported: list[str]
    fields: NotRequired[dict[str, EventField]]
    runtimeReads: NotRequired[dict[str, list[str]]]


class CompatibilityContractBody(TypedDict):
    description: NotRequired[str]
    schemaCompatibility: SchemaCompatibility
    versionSkew: dict[str, SkewPolicy]
    deprecations: NotRequired[list[Deprecation]]
    eventAbi: EventAbi


# ------------------------------------------------------- CompatibilityWaivers
class Waiver(TypedDict):
    rule: str
    artifact: str
    owner: str
    reason: str
    expires: str
    link: NotRequired[str]


class CompatibilityWaiversBody(TypedDict):
    description: NotRequired[str]
    waivers: NotRequired[list[Waiver]]


# ----------------------------------------------------------- ConformanceGates
class Gate(TypedDict):
    id: str
    type: GateType | str  # a built-in type, or a pack's (vendor.kind)
    required: NotRequired[bool]
    description: NotRequired[str]
    thresholds: NotRequired[dict[str, float | int]]
    traces: NotRequired[list[str]]
    paths: NotRequired[list[str]]
    command: NotRequired[list[str]]
    retries: NotRequired[int]
    timeoutSeconds: NotRequired[int]


class ConformanceGatesBody(TypedDict):
    description: NotRequired[str]
    bundle: NotRequired[str]
    replay: NotRequired[str]
    gates: list[Gate]


# ------------------------------------------------------------------ envelopes
class _Envelope(TypedDict):
    apiVersion: Literal["rspp.dev/v1alpha1"]
    metadata: Metadata


class PipelineSpec(_Envelope):
    kind: Literal["PipelineSpec"]
    spec: PipelineSpecBody


class Module(_Envelope):
    kind: Literal["Module"]
    spec: ModuleBody


class ExecutionProfile(_Envelope):
    kind: Literal["ExecutionProfile"]
    spec: ExecutionProfileBody


class PolicyOverlay(_Envelope):
    kind: Literal["PolicyOverlay"]
    spec: PolicyOverlayBody


class ExtensionManifest(TypedDict):
    apiVersion: Literal["rspp.dev/v1beta1"]  # its storage version (ADR 0023)
    metadata: Metadata
    kind: Literal["ExtensionManifest"]
    spec: ExtensionManifestBody


class PipelineBundle(_Envelope):
    kind: Literal["PipelineBundle"]
    spec: PipelineBundleBody


class RolloutManifest(_Envelope):
    kind: Literal["RolloutManifest"]
    spec: RolloutManifestBody


class ReplayEvidenceManifest(_Envelope):
    kind: Literal["ReplayEvidenceManifest"]
    spec: ReplayEvidenceManifestBody


class CompatibilityContract(_Envelope):
    kind: Literal["CompatibilityContract"]
    spec: CompatibilityContractBody


class ConformanceGates(_Envelope):
    kind: Literal["ConformanceGates"]
    spec: ConformanceGatesBody


class CompatibilityWaivers(_Envelope):
    kind: Literal["CompatibilityWaivers"]
    spec: CompatibilityWaiversBody


# -------------------------------------------------------------- derived kinds
class DefaultingSource(TypedDict):
    """Where one value of a resolved view came from."""

    kind: SourceKind
    ref: NotRequired[str]
    file: NotRequired[str]
    line: NotRequired[int]
    column: NotRequired[int]
    pointer: NotRequired[str]
    reason: str


class ResolvedBuffer(TypedDict):
    capacity: int
    lowWatermark: int
    highWatermark: int
    shedding: Shedding


class ResolvedPackage(TypedDict):
    impl: str
    digest: str


class ResolvedFallback(TypedDict):
    targets: list[str]
    attemptTimeoutMs: int
    maxRetries: int
    retryIntervalMs: int


class ResolvedDegrade(TypedDict):
    target: str
    trigger: DegradeTrigger


class ResolvedNode(TypedDict):
    id: str
    type: str
    module: NotRequired[str]
    extension: NotRequired[str]
    params: dict[str, JsonValue]
    cancel: Cancel
    fallback: NotRequired[ResolvedFallback]
    degrade: NotRequired[ResolvedDegrade]
    routes: NotRequired[Routes]
    inputs: dict[str, str]
    outputs: dict[str, str]
    executionMode: Literal["in_process", "external"]
    package: NotRequired[ResolvedPackage]


ResolvedEdge = TypedDict("ResolvedEdge", {
    "from": str,
    "to": str,
    "type": str,
    "lane": Lane,
    "priority": int,
    "buffer": ResolvedBuffer,
})


class ResolvedLane(TypedDict):
    priority: int


class ResolvedLanes(TypedDict):
    control: ResolvedLane
    data: ResolvedLane
    telemetry: ResolvedLane


class ResolvedProviderRule(TypedDict):
    policy: str
    node: str
    prefer: list[str]
    when: NotRequired[str]


class ResolvedCircuitBreaker(TypedDict):
    policy: str
    node: str
    failureThreshold: int
    windowMs: int
    openForMs: int
    halfOpenProbes: int


class ResolvedCostCap(TypedDict):
    policy: str
    scope: Literal["turn", "session", "tenant_day"]
    maxUsd: float
    action: Literal["degrade", "reject", "alert"]


class ResolvedDegradeRule(TypedDict):
    policy: str
    node: str
    to: str
    when: str


class TurnPolicy(TypedDict):
    """Policy rules the turn-plan resolver evaluates at each turn boundary (never mid-turn)."""

    providerRules: list[ResolvedProviderRule]
    circuitBreakers: list[ResolvedCircuitBreaker]
    costCaps: list[ResolvedCostCap]
    degradeRules: list[ResolvedDegradeRule]


class ResolvedSpecBody(TypedDict):
    source: str
    profile: str
    policies: list[str]
    bundle: NotRequired[str]
    mode: ProfileMode
    lanes: ResolvedLanes
    budgets: Budgets
    sheddingOnBudgetBreach: Shedding
    nodes: list[ResolvedNode]
    edges: list[ResolvedEdge]
    turnPolicy: TurnPolicy
    defaultingSources: dict[str, DefaultingSource]


class Provenance(TypedDict):
    """How a derived file was made: `rspp status` compares it with the inputs now."""

    generator: str
    generatorFingerprint: str
    inputs: dict[str, str]
    fingerprint: str


class ResolvedSpec(_Envelope):
    kind: Literal["ResolvedSpec"]
    spec: ResolvedSpecBody
    _rspp: NotRequired[Provenance]


class TurnDecision(TypedDict):
    """One policy decision frozen at turn open."""

    rule: str
    node: NotRequired[str]
    outcome: str
    active: NotRequired[str]
    reason: str


class ResolvedTurnPlanBody(TypedDict):
    planHash: str
    bundle: str
    resolvedSpecDigest: str
    session: str
    turn: int
    leaseEpoch: int
    routingSnapshotRef: str
    determinismContext: dict[str, JsonValue]
    admitted: bool
    activeNodes: dict[str, str]
    decisions: list[TurnDecision]


class ResolvedTurnPlan(_Envelope):
    kind: Literal["ResolvedTurnPlan"]
    spec: ResolvedTurnPlanBody


# --------------------------------------------------------------------------- accessors
GraphBody = PipelineSpecBody | ModuleBody
