"""The artifact models (pydantic v2): the source of truth for ``schemas/``.

Each kind is one envelope (apiVersion, kind, metadata, spec) with a kind-specific spec model.
Models are strict (no coercion) and closed (unknown keys are errors), so the generated JSON
Schema and the models accept exactly the same documents. Semantic rules live in ``rspp.rules``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from rspp.model import ids
from rspp.model.views import (
    CancelScope,
    CompatMode,
    DegradeTrigger,
    ExtensionType,
    GateType,
    InFlight,
    Lane,
    PinKind,
    ProfileMode,
    RecordingLevel,
    Shedding,
    SourceKind,
    TrustLevel,
)

Identifier = Annotated[str, Field(pattern=ids.ID_PATTERN, max_length=63)]
SemVer = Annotated[str, Field(pattern=ids.SEMVER_PATTERN, max_length=128)]
Reference = Annotated[str, Field(pattern=ids.REF_PATTERN, max_length=300)]
Digest = Annotated[str, Field(pattern=ids.DIGEST_PATTERN)]
# A package URL or an OCI image reference pinned by digest (ids.IMPL_PATTERN).
ImplRef = Annotated[str, Field(pattern=ids.IMPL_PATTERN, max_length=300)]
PortTypeStr = Annotated[str, Field(pattern=ids.PORT_TYPE_PATTERN, max_length=200)]
NodeTypeName = Annotated[str, Field(pattern=ids.NODE_TYPE_PATTERN, max_length=100)]
LocalId = Annotated[str, Field(pattern=ids.LOCAL_ID_PATTERN, max_length=63)]
PortRef = Annotated[str, Field(pattern=ids.PORT_REF_PATTERN, max_length=130)]
Date = Annotated[str, Field(pattern=ids.DATE_PATTERN)]
Text = Annotated[str, Field(max_length=4000)]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegInt = Annotated[int, Field(ge=0)]
Millis = Annotated[int, Field(ge=0, le=3_600_000)]
# Free-form values (parameters): any JSON value; the views read them as JsonValue.
Params = dict[str, object]


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: object) -> object:
        """Optional fields are left out, never null (the schemas say the same)."""
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None:
                    raise ValueError(f"{key}: null is not allowed; leave the key out")
        return data


# --------------------------------------------------------------------------- shared
# The vocabulary (Lane, Shedding, ...) is defined once, in rspp.model.views.
class Metadata(Strict):
    id: Identifier
    version: SemVer
    owners: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    description: Text | None = None
    labels: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._/-]{0,62}$")],
                 Annotated[str, Field(max_length=63)]] = {}


class Buffer(Strict):
    """A bounded edge buffer. Fields left out come from the execution profile."""

    capacity: PositiveInt | None = None
    low_watermark: NonNegInt | None = None
    high_watermark: PositiveInt | None = None
    shedding: Shedding | None = None


class Cancel(Strict):
    scope: CancelScope
    in_flight: InFlight = "drop"


class PortDeclModel(Strict):
    type: PortTypeStr
    required: bool = True


class Ports(Strict):
    inputs: dict[LocalId, PortDeclModel] = {}
    outputs: dict[LocalId, PortTypeStr] = {}


# --------------------------------------------------------------------------- PipelineSpec
class Fallback(Strict):
    """Standby nodes the runtime switches to, in order, when the primary fails."""

    targets: Annotated[list[LocalId], Field(min_length=1)]
    attempt_timeout_ms: Millis = 10_000
    max_retries: Annotated[int, Field(ge=0, le=10)] = 0
    retry_interval_ms: Millis = 500


class Degrade(Strict):
    """A cheaper or faster stand-in used when the trigger fires."""

    target: LocalId
    trigger: DegradeTrigger


class RouteCase(Strict):
    when: Annotated[str, Field(min_length=1, max_length=500)]
    port: LocalId


class Routes(Strict):
    """Conditional routing of a router node: one output port per case, plus a default."""

    cases: Annotated[list[RouteCase], Field(min_length=1)]
    default: LocalId | None = None


class Node(Strict):
    # Field order is the canonical key order `rspp fmt` writes.
    id: LocalId
    type: NodeTypeName
    extension: Reference | None = None
    description: Text | None = None
    params: Params = {}
    cancel: Cancel | None = None
    fallback: Fallback | None = None
    degrade: Degrade | None = None
    routes: Routes | None = None


class Edge(Strict):
    from_: PortRef = Field(alias="from")
    to: PortRef
    lane: Lane | None = None
    buffer: Buffer | None = None


class Import(Strict):
    module: Reference
    as_: LocalId = Field(alias="as")
    params: Params = {}


class PipelineSpecBody(Strict):
    description: Text | None = None
    imports: list[Import] = []
    nodes: Annotated[list[Node], Field(min_length=1)]
    edges: list[Edge] = []


# --------------------------------------------------------------------------- Module
class ModuleBindings(Strict):
    """Where each interface port enters or leaves the module's own graph."""

    inputs: dict[LocalId, Annotated[list[PortRef], Field(min_length=1)]] = {}
    outputs: dict[LocalId, PortRef] = {}


class ModuleBody(Strict):
    description: Text | None = None
    interface: Ports
    bind: ModuleBindings
    imports: list[Import] = []
    nodes: Annotated[list[Node], Field(min_length=1)]
    edges: list[Edge] = []


# --------------------------------------------------------------------------- ExecutionProfile
class LaneSetting(Strict):
    priority: Annotated[int, Field(ge=0, le=1000)]
    buffer: Buffer


class Lanes(Strict):
    control: LaneSetting
    data: LaneSetting
    telemetry: LaneSetting


class Budgets(Strict):
    turn_latency_ms: Millis
    first_audio_ms: Millis | None = None
    stt_final_ms: Millis | None = None
    llm_first_token_ms: Millis | None = None
    tts_first_byte_ms: Millis | None = None
    max_cost_per_turn_usd: Annotated[float, Field(ge=0)] | None = None
    max_cost_per_session_usd: Annotated[float, Field(ge=0)] | None = None


class ExecutionProfileBody(Strict):
    description: Text | None = None
    mode: ProfileMode
    lanes: Lanes
    budgets: Budgets
    shedding_on_budget_breach: Shedding = "degrade"
    node_defaults: dict[NodeTypeName, Params] = {}


# --------------------------------------------------------------------------- PolicyOverlay
class ProviderRule(Strict):
    node: LocalId
    prefer: Annotated[list[NodeTypeName], Field(min_length=1)]
    when: Annotated[str, Field(max_length=500)] | None = None


class CircuitBreaker(Strict):
    node: LocalId
    failure_threshold: Annotated[int, Field(ge=1, le=1000)]
    window_ms: Millis
    open_for_ms: Millis
    half_open_probes: Annotated[int, Field(ge=1, le=100)] = 1


class CostCap(Strict):
    scope: Literal["turn", "session", "tenant_day"]
    max_usd: Annotated[float, Field(gt=0)]
    action: Literal["degrade", "reject", "alert"]


class DegradeRule(Strict):
    node: LocalId
    to: LocalId
    when: Annotated[str, Field(min_length=1, max_length=500)]


class InsertRule(Strict):
    """Insert a node on an existing edge (from -> node -> to) at a turn boundary."""

    on_edge: Annotated[list[PortRef], Field(min_length=2, max_length=2)]
    node: Node
    input: LocalId
    output: LocalId


class PolicyOverlayBody(Strict):
    description: Text | None = None
    applies_at: Literal["turn_boundary"] = "turn_boundary"
    provider_rules: list[ProviderRule] = []
    circuit_breakers: list[CircuitBreaker] = []
    cost_caps: list[CostCap] = []
    degrade_rules: list[DegradeRule] = []
    insert_rules: list[InsertRule] = []


# --------------------------------------------------------------------------- ExtensionManifest
class Isolation(Strict):
    mode: Literal["in_process_sandbox", "process", "container", "remote"]
    network: Literal["none", "egress_allowlist", "any"] = "none"
    egress_allowlist: list[Annotated[str, Field(max_length=253)]] = []
    filesystem: Literal["none", "read_only", "scratch"] = "none"


class Resources(Strict):
    cpu_millis: Annotated[int, Field(ge=1, le=64_000)] | None = None
    memory_mib: Annotated[int, Field(ge=1, le=262_144)] | None = None
    timeout_ms: Annotated[int, Field(ge=1, le=3_600_000)] | None = None


class NodePackage(Strict):
    """NodePackageRef: where a node implementation comes from and its content digest."""

    type: NodeTypeName
    impl: ImplRef
    digest: Digest
    execution_mode: Literal["in_process", "external"] = "in_process"
    extension: Reference | None = None


class Endpoint(Strict):
    protocol: Literal["grpc", "http", "websocket"]
    address: Annotated[str, Field(min_length=1, max_length=300)]


class AdapterContracts(Strict):
    transport: Annotated[str, Field(min_length=1, max_length=100)]
    event_abi: SemVer


class ExtensionManifestBody(Strict):
    description: Text | None = None
    type: ExtensionType
    extension_api: SemVer
    node_type: NodeTypeName | None = None
    implements: NodeTypeName | None = None
    ports: Ports | None = None
    params: Params = {}
    default_cancel: Cancel | None = None
    trust_level: TrustLevel | None = None
    isolation: Isolation | None = None
    resources: Resources | None = None
    endpoint: Endpoint | None = None
    package: NodePackage | None = None
    contracts: AdapterContracts | None = None


# --------------------------------------------------------------------------- PipelineBundle
class Pin(Strict):
    kind: PinKind
    ref: Reference


class CompatibilityWindow(Strict):
    min_runtime: SemVer
    max_runtime: SemVer | None = None
    event_abi: SemVer


class PipelineBundleBody(Strict):
    description: Text | None = None
    pins: Annotated[list[Pin], Field(min_length=1)]
    node_packages: list[NodePackage] = []
    compatibility: CompatibilityWindow


# --------------------------------------------------------------------------- RolloutManifest
class CanaryStep(Strict):
    weight: Annotated[int, Field(ge=1, le=100)]
    pause_seconds: Annotated[int, Field(ge=0, le=604_800)] = 0


class Cohort(Strict):
    name: LocalId
    tenants: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]],
                       Field(min_length=1)]


class Strategy(Strict):
    type: Literal["canary", "percentage", "cohort"]
    steps: list[CanaryStep] = []
    percentage: Annotated[int, Field(ge=0, le=100)] | None = None
    cohorts: list[Cohort] = []


class Admission(Strict):
    regions: list[Annotated[str, Field(pattern=r"^[a-z]{2}-[a-z]+-\d+$")]] = []
    max_concurrent_sessions: PositiveInt | None = None
    require_signed_bundle: bool = True
    max_runtime_skew_minor: Annotated[int, Field(ge=0, le=10)] = 1


class Rollback(Strict):
    bundle: Reference
    on_error_rate_pct: Annotated[float, Field(gt=0, le=100)] | None = None
    on_p95_turn_latency_ms: Millis | None = None


class RolloutManifestBody(Strict):
    description: Text | None = None
    bundle: Reference
    strategy: Strategy
    admission: Admission = Admission()
    rollback: Rollback | None = None


# --------------------------------------------------------------------------- ReplayEvidenceManifest
class Fixture(Strict):
    path: Annotated[str, Field(min_length=1, max_length=300)]
    description: Text | None = None


class DivergencePolicy(Strict):
    mode: Literal["strict", "tolerant"]
    max_timing_drift_ms: Millis = 0
    ignore_fields: list[LocalId] = []


class ReplayEvidenceManifestBody(Strict):
    description: Text | None = None
    evidence_schema_version: SemVer
    recording_level: RecordingLevel
    required_fields: Annotated[list[LocalId], Field(min_length=1)]
    fixtures: list[Fixture] = []
    divergence_policy: DivergencePolicy


# --------------------------------------------------------------------------- CompatibilityContract
class SchemaCompatibility(Strict):
    default: CompatMode
    per_kind: dict[Annotated[str, Field(pattern=r"^[A-Z][A-Za-z]+$")], CompatMode] = {}


class SkewPolicy(Strict):
    max_major_behind: Annotated[int, Field(ge=0, le=5)] = 0
    max_minor_behind: Annotated[int, Field(ge=0, le=50)]
    max_minor_ahead: Annotated[int, Field(ge=0, le=50)] = 0


class Deprecation(Strict):
    target: Annotated[str, Field(min_length=1, max_length=200)]
    since: Date
    remove_after: Date
    replacement: Annotated[str, Field(max_length=200)] | None = None


class EventField(Strict):
    """One field every turn event of the current event ABI carries (or may carry)."""

    type: Literal["string", "integer", "number", "boolean", "object", "array"]
    required: bool = True
    description: Text | None = None


# A runtime release line, MAJOR.MINOR (every patch of the line reads the same ABIs).
MinorLine = Annotated[str, Field(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")]


class EventAbi(Strict):
    current: SemVer
    supported: Annotated[list[SemVer], Field(min_length=1)]
    fields: dict[LocalId, EventField] = {}
    runtime_reads: dict[MinorLine, Annotated[list[SemVer], Field(min_length=1)]] = {}


class CompatibilityContractBody(Strict):
    description: Text | None = None
    schema_compatibility: SchemaCompatibility
    version_skew: dict[LocalId, SkewPolicy]
    deprecations: list[Deprecation] = []
    event_abi: EventAbi


# --------------------------------------------------------------------------- CompatibilityWaivers
Code = Annotated[str, Field(pattern=r"^[A-Z]{2,4}[0-9]{3}$")]
# The artifact a waiver is for: id@version, or Kind/id@version when ids clash across kinds.
WaivedArtifact = Annotated[str, Field(pattern=ids.WAIVED_PATTERN, max_length=300)]


class Waiver(Strict):
    """One accepted finding: the rule, the artifact version it is for, who accepts it, why,
    and until when."""

    rule: Code
    artifact: WaivedArtifact
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    expires: Date
    link: Annotated[str, Field(pattern=r"^https://\S+$", max_length=500)] | None = None


class CompatibilityWaiversBody(Strict):
    description: Text | None = None
    waivers: list[Waiver] = []


# --------------------------------------------------------------------------- ConformanceGates
class Gate(Strict):
    id: LocalId
    type: GateType
    required: bool = True
    description: Text | None = None
    thresholds: dict[LocalId, float | int] = {}


class ConformanceGatesBody(Strict):
    description: Text | None = None
    bundle: Reference | None = None
    gates: Annotated[list[Gate], Field(min_length=1)]


# --------------------------------------------------------------------------- envelopes
class _Envelope(Strict):
    api_version: Literal["rspp.dev/v1alpha1"] = Field(alias="apiVersion")
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


class ExtensionManifest(_Envelope):
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


# --------------------------------------------------------------------------- derived kinds
class DefaultingSource(Strict):
    """Where one value of a resolved view came from."""

    kind: SourceKind
    ref: Annotated[str, Field(max_length=300)] | None = None
    file: Annotated[str, Field(max_length=500)] | None = None
    line: PositiveInt | None = None
    column: PositiveInt | None = None
    pointer: Annotated[str, Field(max_length=500)] | None = None
    reason: Text


class ResolvedBuffer(Strict):
    capacity: PositiveInt
    low_watermark: NonNegInt
    high_watermark: PositiveInt
    shedding: Shedding


class ResolvedPackage(Strict):
    impl: ImplRef
    digest: Digest


NamespacedId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*$",
                                    max_length=300)]
NamespacedPortRef = Annotated[str, Field(
    pattern=r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*\.[a-z][a-z0-9_]*$", max_length=300)]


class ResolvedFallback(Strict):
    targets: Annotated[list[NamespacedId], Field(min_length=1)]
    attempt_timeout_ms: Millis
    max_retries: Annotated[int, Field(ge=0, le=10)]
    retry_interval_ms: Millis


class ResolvedDegrade(Strict):
    target: NamespacedId
    trigger: DegradeTrigger


class ResolvedNode(Strict):
    id: NamespacedId
    type: NodeTypeName
    module: Reference | None = None
    extension: Reference | None = None
    params: Params
    cancel: Cancel
    fallback: ResolvedFallback | None = None
    degrade: ResolvedDegrade | None = None
    routes: Routes | None = None
    inputs: dict[LocalId, PortTypeStr]
    outputs: dict[LocalId, PortTypeStr]
    execution_mode: Literal["in_process", "external"]
    package: ResolvedPackage | None = None


class ResolvedEdge(Strict):
    from_: NamespacedPortRef = Field(alias="from")
    to: NamespacedPortRef
    type: PortTypeStr
    lane: Lane
    priority: Annotated[int, Field(ge=0, le=1000)]
    buffer: ResolvedBuffer


class ResolvedLane(Strict):
    priority: Annotated[int, Field(ge=0, le=1000)]


class ResolvedLanes(Strict):
    control: ResolvedLane
    data: ResolvedLane
    telemetry: ResolvedLane


class ResolvedProviderRule(Strict):
    policy: Reference
    node: NamespacedId
    prefer: Annotated[list[NodeTypeName], Field(min_length=1)]
    when: Annotated[str, Field(max_length=500)] | None = None


class ResolvedCircuitBreaker(Strict):
    policy: Reference
    node: NamespacedId
    failure_threshold: Annotated[int, Field(ge=1, le=1000)]
    window_ms: Millis
    open_for_ms: Millis
    half_open_probes: Annotated[int, Field(ge=1, le=100)]


class ResolvedCostCap(Strict):
    policy: Reference
    scope: Literal["turn", "session", "tenant_day"]
    max_usd: Annotated[float, Field(gt=0)]
    action: Literal["degrade", "reject", "alert"]


class ResolvedDegradeRule(Strict):
    policy: Reference
    node: NamespacedId
    to: NamespacedId
    when: Annotated[str, Field(min_length=1, max_length=500)]


class TurnPolicy(Strict):
    """Policy rules the turn-plan resolver evaluates at each turn boundary (never mid-turn)."""

    provider_rules: list[ResolvedProviderRule]
    circuit_breakers: list[ResolvedCircuitBreaker]
    cost_caps: list[ResolvedCostCap]
    degrade_rules: list[ResolvedDegradeRule]


class ResolvedSpecBody(Strict):
    source: Reference
    profile: Reference
    policies: list[Reference]
    bundle: Reference | None = None
    mode: ProfileMode
    lanes: ResolvedLanes
    budgets: Budgets
    shedding_on_budget_breach: Shedding
    nodes: list[ResolvedNode]
    edges: list[ResolvedEdge]
    turn_policy: TurnPolicy
    defaulting_sources: dict[str, DefaultingSource]


class Provenance(Strict):
    """How a derived file was made: `rspp status` compares it with the inputs now."""

    generator: Annotated[str, Field(min_length=1, max_length=100)]
    generator_version: Annotated[str, Field(min_length=1, max_length=50)]
    inputs: dict[Annotated[str, Field(max_length=500)], Digest]
    fingerprint: Digest


class ResolvedSpec(_Envelope):
    kind: Literal["ResolvedSpec"]
    spec: ResolvedSpecBody
    rspp: Provenance | None = Field(default=None, alias="_rspp")


class TurnDecision(Strict):
    """One policy decision frozen at turn open."""

    rule: Annotated[str, Field(min_length=1, max_length=300)]
    node: NamespacedId | None = None
    outcome: Annotated[str, Field(min_length=1, max_length=100)]
    active: NamespacedId | None = None
    reason: Text


class ResolvedTurnPlanBody(Strict):
    plan_hash: Digest
    bundle: Reference
    resolved_spec_digest: Digest
    session: Annotated[str, Field(min_length=1, max_length=200)]
    turn: NonNegInt
    lease_epoch: NonNegInt
    routing_snapshot_ref: Annotated[str, Field(min_length=1, max_length=300)]
    determinism_context: dict[LocalId, object]
    admitted: bool
    active_nodes: dict[NamespacedId, NamespacedId]
    decisions: list[TurnDecision]


class ResolvedTurnPlan(_Envelope):
    kind: Literal["ResolvedTurnPlan"]
    spec: ResolvedTurnPlanBody


def _by_kind(*models: type[_Envelope]) -> dict[str, type[_Envelope]]:
    """Kind name (the model's ``kind`` literal) -> model, in the order given."""
    return {get_args(m.model_fields["kind"].annotation)[0]: m for m in models}


# The kind names themselves live once, in rspp.core.constants; a test keeps these in step.
AUTHORED_MODELS = _by_kind(PipelineSpec, Module, ExecutionProfile, PolicyOverlay,
                           ExtensionManifest, PipelineBundle, RolloutManifest,
                           ReplayEvidenceManifest, CompatibilityContract, ConformanceGates,
                           CompatibilityWaivers)
DERIVED_MODELS = _by_kind(ResolvedSpec, ResolvedTurnPlan)
ALL_MODELS: Final = MappingProxyType({**AUTHORED_MODELS, **DERIVED_MODELS})
