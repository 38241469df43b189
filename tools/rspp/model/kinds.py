"""The artifact models (pydantic v2): the source of truth for ``schemas/``.

Each kind is one envelope (apiVersion, kind, metadata, spec) with a kind-specific spec model.
Models are strict (no coercion) and closed (unknown keys are errors), so the generated JSON
Schema and the models accept exactly the same documents. Semantic rules live in ``rspp.rules``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from rspp.core.constants import RUNTIME_SKEW_MINOR_DEFAULT
from rspp.model import ids
from rspp.model.catalog import BUILTIN, NodeType
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


def _type_summary(t: NodeType) -> str:
    """One built-in type in words, for editor completion and hover."""
    inputs = ", ".join(f"{n}{'' if d.required else ' (optional)'}" for n, d in t.inputs.items())
    outputs = ", ".join(t.outputs) or ("one per route" if t.dynamic_outputs else "")
    parts = [f"Built-in {t.category} node ({t.execution.replace('_', ' ')})."]
    parts += [f"Inputs: {inputs}." if inputs else "", f"Outputs: {outputs}." if outputs else "",
              f"Parameters: {', '.join(t.params)}." if t.params else ""]
    return " ".join(p for p in parts if p)


OUTSIDE_CATALOG: Final = ("A node type outside the built-in catalog: an extension's type, named "
                   "with extension: id@version.")
"""The description of the last node-type choice, the one every string passes."""


def _catalog_choices(schema: dict[str, Any]) -> None:
    """Editor completion and hover, JSON Schema annotations only (nothing more is validated):
    one documented ``const`` per built-in type, in catalog order, then a branch every string
    passes, so a type outside the catalog (an extension's) stays schema-valid and an unknown
    one reaches rule REF002 with its "did you mean". Editors offer each ``const`` with its
    description."""
    choices: list[dict[str, str]] = [{"const": name, "description": _type_summary(t)}
                                for name, t in BUILTIN.items()]
    choices.append({"description": OUTSIDE_CATALOG})
    schema["anyOf"] = choices


# A node type a document uses (not one it defines): the pattern as NodeTypeName, and the
# catalog for editors.
UsedNodeType = Annotated[str, Field(pattern=ids.NODE_TYPE_PATTERN, max_length=100,
                                    json_schema_extra=_catalog_choices)]
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
        use_attribute_docstrings=True,
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
    """The artifact's id, unique per kind: lowercase letters, digits, _ and -, optionally
    /-separated parts (simple/v1); at most 63 characters."""
    version: SemVer
    """The artifact's SemVer 2.0 version (quote it in YAML: "1.0.0"). A published version never
    changes; a change is a new version."""
    owners: list[Annotated[str, Field(min_length=1, max_length=200)]] = []
    """Who owns the artifact (team addresses or handles); reviewers and alerts go to them."""
    description: Text | None = None
    """What the artifact is for, in a sentence or two (at most 4000 characters)."""
    labels: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._/-]{0,62}$")],
                 Annotated[str, Field(max_length=63)]] = {}
    """Free labels for grouping and search: lowercase keys (at most 63 characters) to short
    string values."""


class Buffer(Strict):
    """A bounded edge buffer. Fields left out come from the execution profile."""

    capacity: PositiveInt | None = None
    """The most messages the edge holds. Left out: the profile's default for the edge's lane."""
    low_watermark: NonNegInt | None = None
    """Fill level (messages) at which a blocked producer resumes; 0 < low < high <= capacity.
    Left out: from the profile."""
    high_watermark: PositiveInt | None = None
    """Fill level (messages) at which shedding starts; at most the capacity. Left out: from the
    profile."""
    shedding: Shedding | None = None
    """What happens above the high watermark: drop the oldest or newest message, switch to the
    degrade stand-in, or block the producer. Left out: from the profile."""


class Cancel(Strict):
    scope: CancelScope
    """What a barge-in cancels on this node: the current turn, the whole session, or nothing
    (none)."""
    in_flight: InFlight = "drop"
    """What happens to output already produced when the node is cancelled: flush it downstream or
    drop it."""


class PortDeclModel(Strict):
    type: PortTypeStr
    """The port's media-type-like type with parameters, such as
    audio/pcm16;rate=16000;channels=1."""
    required: bool = True
    """Whether the port must be connected (true) or may be left unconnected (false)."""


class Ports(Strict):
    inputs: dict[LocalId, PortDeclModel] = {}
    """Input ports by name, each with its type and whether it must be connected."""
    outputs: dict[LocalId, PortTypeStr] = {}
    """Output ports by name, each with its type (audio/pcm16;rate=16000;channels=1, text/plain,
    ...)."""


# --------------------------------------------------------------------------- PipelineSpec
class Fallback(Strict):
    """Standby nodes the runtime switches to, in order, when the primary fails."""

    targets: Annotated[list[LocalId], Field(min_length=1)]
    """Local ids of the standby nodes, tried in this order when the primary fails."""
    attempt_timeout_ms: Millis = 10_000
    """How long one attempt may take before the next target is tried, in ms."""
    max_retries: Annotated[int, Field(ge=0, le=10)] = 0
    """How many times a failed attempt is retried on the same node before moving on (0 to 10)."""
    retry_interval_ms: Millis = 500
    """Wait between two retries on the same node, in ms."""


class Degrade(Strict):
    """A cheaper or faster stand-in used when the trigger fires."""

    target: LocalId
    """Local id of the cheaper or faster node that stands in for this one."""
    trigger: DegradeTrigger
    """What switches to the stand-in: a latency budget exceeded, a provider error, overload, or a
    cost cap reached."""


class RouteCase(Strict):
    when: Annotated[str, Field(min_length=1, max_length=500)]
    """A condition over the turn's signals (session.cost_usd > 0.5 and ...); the first case that
    holds picks its port."""
    port: LocalId
    """The output port the message leaves by when the condition holds."""


class Routes(Strict):
    """Conditional routing of a router node: one output port per case, plus a default."""

    cases: Annotated[list[RouteCase], Field(min_length=1)]
    """The conditions, tried in order; the first that holds routes the message."""
    default: LocalId | None = None
    """The output port used when no case holds. Left out: the message is dropped."""


class Node(Strict):
    # Field order is the canonical key order `rspp fmt` writes.
    id: LocalId
    """The node's id, unique in its spec or module: lowercase letters, digits and _
    ([a-z][a-z0-9_]*). Edges name ports as id.port."""
    type: UsedNodeType
    """The node type: a built-in type of the catalog (stt.deepgram, llm.openai, ...) or the type
    its extension provides."""
    extension: Reference | None = None
    """The ExtensionManifest (id@version) that provides a custom node type; left out for built-in
    types."""
    description: Text | None = None
    """What this node does in the pipeline, for readers and generated pages."""
    params: Params = {}
    """The node's parameters by name; built-in types declare their parameters, units and defaults
    in the catalog (docs/catalog.md)."""
    cancel: Cancel | None = None
    """What a barge-in cancels on this node and what happens to its in-flight output."""
    fallback: Fallback | None = None
    """Standby nodes the runtime switches to, in order, when this node fails."""
    degrade: Degrade | None = None
    """A cheaper or faster stand-in used when its trigger fires."""
    routes: Routes | None = None
    """Conditional routing for a router node: one output port per condition, plus a default."""


class Edge(Strict):
    from_: PortRef = Field(alias="from")
    """The producing port, as node.port."""
    to: PortRef
    """The consuming port, as node.port; its type must accept the producer's type."""
    lane: Lane | None = None
    """The lane the edge rides: control, data or telemetry. Left out: chosen from the port type
    (control/* on control, metrics/* on telemetry, the rest on data)."""
    buffer: Buffer | None = None
    """The edge's bounded buffer; fields left out come from the profile's default for the edge's
    lane."""


class Import(Strict):
    module: Reference
    """The Module imported, as id@version."""
    as_: LocalId = Field(alias="as")
    """The local name of the import; its nodes are addressed as name/node and its interface ports
    as name.port."""
    params: Params = {}
    """Parameter values passed to the module's nodes."""


class PipelineSpecBody(Strict):
    description: Text | None = None
    """What the pipeline does, for readers and generated pages."""
    imports: list[Import] = []
    """Modules used by this pipeline, each under a local name."""
    nodes: Annotated[list[Node], Field(min_length=1)]
    """The pipeline's nodes (at least one)."""
    edges: list[Edge] = []
    """Connections from an output port to an input port (node.port)."""


# --------------------------------------------------------------------------- Module
class ModuleBindings(Strict):
    """Where each interface port enters or leaves the module's own graph."""

    inputs: dict[LocalId, Annotated[list[PortRef], Field(min_length=1)]] = {}
    """For each interface input, the inner ports (node.port) it feeds."""
    outputs: dict[LocalId, PortRef] = {}
    """For each interface output, the inner port (node.port) it comes from."""


class ModuleBody(Strict):
    description: Text | None = None
    """What the module does, for readers and generated pages."""
    interface: Ports
    """The ports the module offers to the pipelines that import it."""
    bind: ModuleBindings
    """The inner ports (node.port) each interface port is bound to."""
    imports: list[Import] = []
    """Other modules used inside this one, each under a local name."""
    nodes: Annotated[list[Node], Field(min_length=1)]
    """The module's nodes (at least one)."""
    edges: list[Edge] = []
    """Connections between the module's own ports (node.port)."""


# --------------------------------------------------------------------------- ExecutionProfile
class LaneSetting(Strict):
    priority: Annotated[int, Field(ge=0, le=1000)]
    """The lane's scheduling priority, 0 to 1000; higher runs first."""
    buffer: Buffer
    """The default buffer of every edge on this lane; an edge may override any field."""


class Lanes(Strict):
    control: LaneSetting
    """Settings of the control lane (cancellation, turn events)."""
    data: LaneSetting
    """Settings of the data lane (audio, text)."""
    telemetry: LaneSetting
    """Settings of the telemetry lane (metrics)."""


class Budgets(Strict):
    turn_latency_ms: Millis
    """End-to-end latency budget of one turn, from end of user speech to the answer, in ms."""
    first_audio_ms: Millis | None = None
    """Budget for the first audio of the answer after the user stops speaking, in ms."""
    stt_final_ms: Millis | None = None
    """Budget for the final transcript after the user stops speaking, in ms."""
    llm_first_token_ms: Millis | None = None
    """Budget for the language model's first token, in ms."""
    tts_first_byte_ms: Millis | None = None
    """Budget for the first byte of synthesized speech, in ms."""
    max_cost_per_turn_usd: Annotated[float, Field(ge=0)] | None = None
    """Most a turn may cost, in USD."""
    max_cost_per_session_usd: Annotated[float, Field(ge=0)] | None = None
    """Most a session may cost, in USD."""


class ExecutionProfileBody(Strict):
    description: Text | None = None
    """What the profile is for, for readers and generated pages."""
    mode: ProfileMode
    """The profile mode: standard, or low_latency (stricter rules on buffers and shedding)."""
    lanes: Lanes
    """Priority and default buffer of each lane (control, data, telemetry)."""
    budgets: Budgets
    """Latency budgets (ms) and cost caps (USD) of a turn and a session."""
    shedding_on_budget_breach: Shedding = "degrade"
    """What the runtime does when a budget is exceeded: drop the oldest or newest message,
    degrade, or block."""
    node_defaults: dict[NodeTypeName, Params] = {}
    """Default parameters per node type (stt.deepgram: {model: nova-3}); a node's own params win."""


# --------------------------------------------------------------------------- PolicyOverlay
class ProviderRule(Strict):
    node: LocalId
    """Local id of the node whose provider the rule chooses."""
    prefer: Annotated[list[UsedNodeType], Field(min_length=1)]
    """Node types to run the node as, most preferred first; the first healthy one is used."""
    when: Annotated[str, Field(max_length=500)] | None = None
    """A condition over the turn's signals; left out, the rule always applies."""


class CircuitBreaker(Strict):
    node: LocalId
    """Local id of the node the breaker guards."""
    failure_threshold: Annotated[int, Field(ge=1, le=1000)]
    """Failures within the window that open the breaker (1 to 1000)."""
    window_ms: Millis
    """The window failures are counted in, in ms."""
    open_for_ms: Millis
    """How long the breaker stays open before probing again, in ms."""
    half_open_probes: Annotated[int, Field(ge=1, le=100)] = 1
    """Requests let through while half open; all must succeed to close the breaker."""


class CostCap(Strict):
    scope: Literal["turn", "session", "tenant_day"]
    """What the cap counts: one turn, one session, or one tenant's day."""
    max_usd: Annotated[float, Field(gt=0)]
    """The cap, in USD (greater than 0)."""
    action: Literal["degrade", "reject", "alert"]
    """What happens when the cap is reached: degrade, reject the turn, or alert only."""


class DegradeRule(Strict):
    node: LocalId
    """Local id of the node to degrade."""
    to: LocalId
    """Local id of the node that stands in for it."""
    when: Annotated[str, Field(min_length=1, max_length=500)]
    """The condition over the turn's signals that triggers the switch."""


class InsertRule(Strict):
    """Insert a node on an existing edge (from -> node -> to) at a turn boundary."""

    on_edge: Annotated[list[PortRef], Field(min_length=2, max_length=2)]
    """The edge to insert on, as its two ports [from, to] (node.port)."""
    node: Node
    """The node inserted."""
    input: LocalId
    """The inserted node's input port that receives the edge's messages."""
    output: LocalId
    """The inserted node's output port that feeds the edge's old consumer."""


class PolicyOverlayBody(Strict):
    description: Text | None = None
    """What the policy is for, for readers and generated pages."""
    applies_at: Literal["turn_boundary"] = "turn_boundary"
    """When the policy takes effect: at a turn boundary, never mid-turn."""
    provider_rules: list[ProviderRule] = []
    """Which provider type each node runs as, by preference and condition."""
    circuit_breakers: list[CircuitBreaker] = []
    """Breakers that take a failing node out of service for a while."""
    cost_caps: list[CostCap] = []
    """Spending limits (USD) per turn, session or tenant day, and what happens when reached."""
    degrade_rules: list[DegradeRule] = []
    """Conditions that switch a node to a stand-in."""
    insert_rules: list[InsertRule] = []
    """Nodes inserted on existing edges (for example a redaction step)."""


# --------------------------------------------------------------------------- ExtensionManifest
class Isolation(Strict):
    mode: Literal["in_process_sandbox", "process", "container", "remote"]
    """How the extension is isolated: an in-process sandbox, its own process, a container, or a
    remote service."""
    network: Literal["none", "egress_allowlist", "any"] = "none"
    """Network access: none, only the hosts of egressAllowlist, or any."""
    egress_allowlist: list[Annotated[str, Field(max_length=253)]] = []
    """Host names the extension may reach when network is egress_allowlist."""
    filesystem: Literal["none", "read_only", "scratch"] = "none"
    """File-system access: none, read only, or a private scratch directory."""


class Resources(Strict):
    cpu_millis: Annotated[int, Field(ge=1, le=64_000)] | None = None
    """CPU limit in millicores (1000 = one core)."""
    memory_mib: Annotated[int, Field(ge=1, le=262_144)] | None = None
    """Memory limit in MiB."""
    timeout_ms: Annotated[int, Field(ge=1, le=3_600_000)] | None = None
    """Longest time one call may take, in ms."""


class NodePackage(Strict):
    """NodePackageRef: where a node implementation comes from and its content digest."""

    type: NodeTypeName
    """The node type this package implements."""
    impl: ImplRef
    """Where the implementation comes from: a package URL (pkg:pypi/name@1.0.0) or an OCI image
    reference pinned by digest."""
    digest: Digest
    """The implementation's content digest, sha256:<64 lowercase hex>."""
    execution_mode: Literal["in_process", "external"] = "in_process"
    """Whether the node runs inside the runtime process (in_process) or as an external service
    (external)."""
    extension: Reference | None = None
    """The ExtensionManifest (id@version) the package comes from, for custom types."""


class Endpoint(Strict):
    protocol: Literal["grpc", "http", "websocket"]
    """The protocol the runtime speaks to the external node: grpc, http or websocket."""
    address: Annotated[str, Field(min_length=1, max_length=300)]
    """The service address (host:port or URL) the runtime connects to."""


ControlEvent = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)]


class AdapterAudio(Strict):
    formats: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.+-]*$",
                                                 max_length=50)]],
                       Field(min_length=1)]
    """The sample formats the adapter carries, as audio port types name them after audio/
    (pcm16, ...)."""
    sample_rates: Annotated[list[Annotated[int, Field(ge=8000, le=192000)]], Field(min_length=1)]
    """The sample rates it carries, in Hz."""
    channels: Annotated[list[Annotated[int, Field(ge=1, le=8)]], Field(min_length=1)] = [1]
    """The channel counts it carries."""


class AdapterContracts(Strict):
    transport: Annotated[str, Field(min_length=1, max_length=100)]
    """The transport the runtime adapter implements (livekit, sip, websocket, ...): it runs
    the bundles whose transport nodes are of that family (transport.<family>.input/output)."""
    event_abi: SemVer
    """The event ABI version (SemVer) the adapter emits."""
    event_abi_reads: Annotated[list[SemVer], Field(min_length=1)] | None = None
    """The event ABI versions (SemVer) the adapter reads from a pipeline; only eventAbi when
    absent."""
    audio: AdapterAudio | None = None
    """The audio the adapter's transport carries; when absent, no bundle's audio is checked
    against it."""
    control_events: list[ControlEvent] | None = None
    """The control events the adapter delivers to the transport's output (cancel, for
    barge-in, ...), as control port types name them after control/; when absent, not
    checked."""


ParamType = Literal["integer", "number", "boolean", "string", "array"]


class ParamDeclaration(Strict):
    """One parameter of an extension's node type (ExtensionManifest rspp.dev/v1beta1)."""

    description: Text | None = None
    """What the parameter does, for readers and generated pages."""
    type: ParamType | None = None
    """The JSON-Schema type of its values: integer, number, boolean, string or array (of
    strings). Left out, any value is accepted and nothing else here is checked."""
    unit: Annotated[str, Field(max_length=20)] | None = None
    """The unit of a numeric value, for readers (Hz, ms, s, tokens)."""
    minimum: int | float | None = None
    """The smallest value allowed (inclusive)."""
    maximum: int | float | None = None
    """The largest value allowed (inclusive)."""
    enum: Annotated[list[str | int], Field(min_length=1)] | None = None
    """The allowed values, when the set is closed."""
    items: Literal["string"] | None = None
    """The type of each item of an array value: string (the one item type checked)."""
    default: object = None
    """The value a node gets when it sets none (any JSON value); left out, none."""


class ExtensionManifestBody(Strict):
    description: Text | None = None
    """What the extension does, for readers and generated pages."""
    type: ExtensionType
    """The extension kind: a custom node run by the runtime, an external node reached over the
    network, or a runtime adapter."""
    extension_api: SemVer
    """The extension API version (SemVer) the extension is written against."""
    node_type: NodeTypeName | None = None
    """The node type this extension defines (custom and external nodes); nodes use it with
    extension: id@version."""
    implements: UsedNodeType | None = None
    """The built-in node type whose ports this extension provides, so it can replace that type."""
    ports: Ports | None = None
    """The node's input and output ports."""
    params: dict[str, ParamDeclaration] = {}
    """The node's parameters by name: each one's default and, when declared, its JSON-Schema
    type, unit, range and allowed values (checked like a built-in type's)."""
    default_cancel: Cancel | None = None
    """The cancel scope and in-flight handling nodes of this type get when they declare none."""
    trust_level: TrustLevel | None = None
    """How far the runtime trusts the extension: trusted, restricted or untrusted."""
    isolation: Isolation | None = None
    """How the extension is isolated: process model, network and file-system access."""
    resources: Resources | None = None
    """CPU (millicores), memory (MiB) and time (ms) limits."""
    endpoint: Endpoint | None = None
    """Where the runtime reaches an external node."""
    package: NodePackage | None = None
    """The implementation package, pinned by digest."""
    contracts: AdapterContracts | None = None
    """The transport and event ABI a runtime adapter implements."""



class ExtensionManifestV1alpha1Body(ExtensionManifestBody):
    """The body of an ExtensionManifest written at rspp.dev/v1alpha1: as at rspp.dev/v1beta1,
    but each parameter is only its default value."""

    params: Params = {}  # type: ignore[assignment]  # the older version's wider shape
    """The node's parameters and their default values."""

# --------------------------------------------------------------------------- PipelineBundle
class Pin(Strict):
    kind: PinKind
    """The kind of the pinned artifact: PipelineSpec, ExecutionProfile or PolicyOverlay."""
    ref: Reference
    """The pinned artifact as id@version#sha256:<digest>."""


class CompatibilityWindow(Strict):
    min_runtime: SemVer
    """The oldest runtime version (SemVer) that may run the bundle."""
    max_runtime: SemVer | None = None
    """The newest runtime version (SemVer) that may run the bundle; left out, no upper bound."""
    event_abi: SemVer
    """The event ABI version (SemVer) the bundle's nodes speak."""


class PipelineBundleBody(Strict):
    description: Text | None = None
    """What the bundle is for, for readers and generated pages."""
    pins: Annotated[list[Pin], Field(min_length=1)]
    """The spec, profile and policies the bundle runs, each pinned by id@version and digest."""
    node_packages: list[NodePackage] = []
    """The implementation of every node type the bundle needs, pinned by digest."""
    compatibility: CompatibilityWindow
    """The runtime versions and event ABI the bundle runs with."""


# --------------------------------------------------------------------------- RolloutManifest
class CanaryStep(Strict):
    weight: Annotated[int, Field(ge=1, le=100)]
    """Share of traffic sent to the new bundle in this step, in percent (1 to 100)."""
    pause_seconds: Annotated[int, Field(ge=0, le=604_800)] = 0
    """How long to hold this step before the next one, in seconds (at most 7 days)."""


class Cohort(Strict):
    name: LocalId
    """The cohort's name."""
    tenants: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]],
                       Field(min_length=1)]
    """The tenant ids in the cohort."""


class Strategy(Strict):
    type: Literal["canary", "percentage", "cohort"]
    """How traffic moves: canary steps, a fixed percentage, or named cohorts of tenants."""
    steps: list[CanaryStep] = []
    """The canary steps, in order (type canary)."""
    percentage: Annotated[int, Field(ge=0, le=100)] | None = None
    """Share of traffic on the new bundle, in percent (type percentage)."""
    cohorts: list[Cohort] = []
    """The tenant cohorts, in rollout order (type cohort)."""


class Admission(Strict):
    regions: list[Annotated[str, Field(pattern=r"^[a-z]{2}-[a-z]+-\d+$")]] = []
    """Regions (us-east-1, ...) the bundle may run in; empty: every region."""
    max_concurrent_sessions: PositiveInt | None = None
    """Most sessions that may run the bundle at once; left out, no limit."""
    require_signed_bundle: bool = True
    """Whether runtimes refuse a bundle whose signature does not verify."""
    max_runtime_skew_minor: Annotated[int, Field(ge=0, le=10)] = RUNTIME_SKEW_MINOR_DEFAULT
    """How many minor versions a runtime may trail the bundle's window (0 to 10)."""


class Rollback(Strict):
    bundle: Reference
    """The bundle (id@version) to return to."""
    on_error_rate_pct: Annotated[float, Field(gt=0, le=100)] | None = None
    """Roll back when the error rate exceeds this, in percent."""
    on_p95_turn_latency_ms: Millis | None = None
    """Roll back when the 95th percentile turn latency exceeds this, in ms."""


class RolloutManifestBody(Strict):
    description: Text | None = None
    """What the rollout is for, for readers and generated pages."""
    bundle: Reference
    """The bundle rolled out, as id@version."""
    strategy: Strategy
    """How traffic moves to the bundle."""
    admission: Admission = Admission()
    """Where and under which conditions runtimes admit the bundle."""
    rollback: Rollback | None = None
    """The bundle to return to and the signals that trigger it."""


# --------------------------------------------------------------------------- ReplayEvidenceManifest
class Fixture(Strict):
    path: Annotated[str, Field(min_length=1, max_length=300)]
    """The fixture file, relative to the repository."""
    description: Text | None = None
    """What the fixture records."""


class DivergencePolicy(Strict):
    mode: Literal["strict", "tolerant"]
    """How replay compares: strict (any difference fails) or tolerant (timing within
    maxTimingDriftMs and ignored fields pass)."""
    max_timing_drift_ms: Millis = 0
    """Largest timing difference tolerated between recording and replay, in ms."""
    ignore_fields: list[LocalId] = []
    """Evidence fields left out of the comparison."""


class ReplayEvidenceManifestBody(Strict):
    description: Text | None = None
    """What the evidence is for, for readers and generated pages."""
    evidence_schema_version: SemVer
    """The version (SemVer) of the evidence record format."""
    recording_level: RecordingLevel
    """How much is recorded: L0 (decisions), L1 (plus events) or L2 (plus payloads)."""
    required_fields: Annotated[list[LocalId], Field(min_length=1)]
    """Fields every evidence record must carry."""
    fixtures: list[Fixture] = []
    """Recorded sessions replayed in tests."""
    divergence_policy: DivergencePolicy
    """How a replay is compared with its recording."""


# --------------------------------------------------------------------------- CompatibilityContract
class SchemaCompatibility(Strict):
    default: CompatMode
    """The compatibility mode of every kind not listed in perKind (BACKWARD, FORWARD, FULL, ...)."""
    per_kind: dict[Annotated[str, Field(pattern=r"^[A-Z][A-Za-z]+$")], CompatMode] = {}
    """The compatibility mode per artifact kind (PipelineSpec: BACKWARD)."""


class SkewPolicy(Strict):
    max_major_behind: Annotated[int, Field(ge=0, le=5)] = 0
    """How many major versions the component may trail."""
    max_minor_behind: Annotated[int, Field(ge=0, le=50)]
    """How many minor versions the component may trail."""
    max_minor_ahead: Annotated[int, Field(ge=0, le=50)] = 0
    """How many minor versions the component may lead."""


class Deprecation(Strict):
    target: Annotated[str, Field(min_length=1, max_length=200)]
    """What is deprecated: an event ABI version, a node type, a parameter value or an artifact
    version (Kind/id@version)."""
    since: Date
    """The date the deprecation was announced, YYYY-MM-DD."""
    remove_after: Date
    """The date after which a use is an error, YYYY-MM-DD."""
    replacement: Annotated[str, Field(max_length=200)] | None = None
    """What to use instead."""


class EventField(Strict):
    """One field every turn event of the current event ABI carries (or may carry)."""

    type: Literal["string", "integer", "number", "boolean", "object", "array"]
    """The field's JSON type."""
    required: bool = True
    """Whether every event carries the field."""
    description: Text | None = None
    """What the field holds."""


# A runtime release line, MAJOR.MINOR (every patch of the line reads the same ABIs).
MinorLine = Annotated[str, Field(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")]


class EventAbi(Strict):
    current: SemVer
    """The event ABI version (SemVer) new bundles speak."""
    supported: Annotated[list[SemVer], Field(min_length=1)]
    """The event ABI versions still supported."""
    fields: dict[LocalId, EventField] = {}
    """The fields of a turn event in the current ABI, by name."""
    runtime_reads: dict[MinorLine, Annotated[list[SemVer], Field(min_length=1)]] = {}
    """For each runtime line (MAJOR.MINOR), the event ABI versions it reads."""


class CompatibilityContractBody(Strict):
    description: Text | None = None
    """What the contract covers, for readers."""
    schema_compatibility: SchemaCompatibility
    """Which compatibility mode each artifact kind is checked under."""
    version_skew: dict[LocalId, SkewPolicy]
    """How far each component (runtime, ...) may trail or lead, by name."""
    deprecations: list[Deprecation] = []
    """Dated deprecations: after removeAfter a use is an error."""
    event_abi: EventAbi
    """The event ABI versions: current, supported, and which runtime lines read which."""


# --------------------------------------------------------------------------- CompatibilityWaivers
Code = Annotated[str, Field(pattern=r"^[A-Z]{2,4}[0-9]{3}$")]
# The artifact a waiver is for: id@version, or Kind/id@version when ids clash across kinds.
WaivedArtifact = Annotated[str, Field(pattern=ids.WAIVED_PATTERN, max_length=300)]


class Waiver(Strict):
    """One accepted finding: the rule, the artifact version it is for, who accepts it, why,
    and until when."""

    rule: Code
    """The rule code waived, such as CHG001."""
    artifact: WaivedArtifact
    """The artifact version the waiver is for: id@version, or Kind/id@version when ids clash
    across kinds."""
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    """Who accepts the finding."""
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    """Why the finding is accepted."""
    expires: Date
    """The last day the waiver applies, YYYY-MM-DD."""
    link: Annotated[str, Field(pattern=r"^https://\S+$", max_length=500)] | None = None
    """An https link to the discussion or ticket."""


class CompatibilityWaiversBody(Strict):
    description: Text | None = None
    """What the waivers cover, for readers."""
    waivers: list[Waiver] = []
    """The accepted findings, each with an owner, a reason and an expiry date."""


# --------------------------------------------------------------------------- ConformanceGates
# A repository-relative POSIX path (a trace file, an artifact folder).
RepoPath = Annotated[str, Field(min_length=1, max_length=300)]
# A command-line argument of a command gate.
Arg = Annotated[str, Field(max_length=4000)]


# A gate type an enabled pack provides: <pack prefix in lower case>.<name> (ADR 0024).
PackGateType = Annotated[str, Field(pattern=r"^[a-z]{2,8}\.[a-z][a-z0-9_]*$", max_length=63)]


class Gate(Strict):
    id: LocalId
    """The gate's id, unique in the file."""
    type: GateType | PackGateType
    """What the gate checks: latency, cancel fencing, authority, replay completeness or
    lifecycle over recorded traces; artifact (rspp validation of paths); command (an
    allow-listed executable); or a type an enabled pack provides (acme.soak)."""
    required: bool = True
    """Whether a failing gate blocks the rollout (true) or only reports (false)."""
    description: Text | None = None
    """What the gate checks."""
    thresholds: dict[LocalId, float | int] = {}
    """The gate's limits by metric name (p95_turn_latency_ms: 800); units are in the names.
    Trace gates only; the metrics of each type are listed in docs/gates.md."""
    traces: list[RepoPath] = []
    """Trace gates: the trace files (repository-relative) checked; left out, the traces given
    on the command line, else the replay manifest's fixtures."""
    paths: list[RepoPath] = []
    """Artifact gates: the files or folders (repository-relative) validated."""
    command: Annotated[list[Arg], Field(min_length=1, max_length=100)] | None = None
    """Command gates: the argument vector; the first item is a bare executable name (no
    slash, GAT006), which must be on the consumer config's [gates] allow-commands list."""
    retries: Annotated[int, Field(ge=0, le=3)] = 0
    """How many times a failing gate is run again (0-3)."""
    timeout_seconds: Annotated[int, Field(ge=1, le=3600)] = 600
    """How long one attempt may take, in seconds (1-3600)."""


class ConformanceGatesBody(Strict):
    description: Text | None = None
    """What the gates are for, for readers."""
    bundle: Reference | None = None
    """The bundle (id@version) the gates apply to; left out, every bundle."""
    replay: Reference | None = None
    """The ReplayEvidenceManifest (id@version) whose requiredFields and fixtures the trace
    gates use."""
    gates: Annotated[list[Gate], Field(min_length=1)]
    """The gates (at least one)."""


# --------------------------------------------------------------------------- envelopes
class _Envelope(Strict):
    api_version: Literal["rspp.dev/v1alpha1"] = Field(alias="apiVersion")
    """The schema version of the file: rspp.dev/v1alpha1."""
    metadata: Metadata
    """The artifact's id, version, owners, description and labels."""


class PipelineSpec(_Envelope):
    kind: Literal["PipelineSpec"]
    """The artifact kind: PipelineSpec."""
    spec: PipelineSpecBody
    """The pipeline: its nodes, edges and imported modules."""


class Module(_Envelope):
    kind: Literal["Module"]
    """The artifact kind: Module."""
    spec: ModuleBody
    """The module: its interface, bindings, nodes and edges."""


class ExecutionProfile(_Envelope):
    kind: Literal["ExecutionProfile"]
    """The artifact kind: ExecutionProfile."""
    spec: ExecutionProfileBody
    """The profile: lane priorities and default buffers, budgets, node defaults."""


class PolicyOverlay(_Envelope):
    kind: Literal["PolicyOverlay"]
    """The artifact kind: PolicyOverlay."""
    spec: PolicyOverlayBody
    """The policy: provider rules, circuit breakers, cost caps, degrade and insert rules."""


class ExtensionManifest(_Envelope):
    api_version: Literal["rspp.dev/v1beta1"] = Field(alias="apiVersion")  # type: ignore[assignment]
    """The schema version of the file: rspp.dev/v1beta1 (rspp reads rspp.dev/v1alpha1 too,
    and upgrades it: `rspp migrate`)."""
    kind: Literal["ExtensionManifest"]
    """The artifact kind: ExtensionManifest."""
    spec: ExtensionManifestBody
    """The extension: its type, ports, parameters, isolation and package."""


class ExtensionManifestV1alpha1(_Envelope):
    """An ExtensionManifest written at rspp.dev/v1alpha1, the version before typed parameter
    declarations."""

    kind: Literal["ExtensionManifest"]
    """The artifact kind: ExtensionManifest."""
    spec: ExtensionManifestV1alpha1Body
    """The extension: its type, ports, parameter defaults, isolation and package."""


class PipelineBundle(_Envelope):
    kind: Literal["PipelineBundle"]
    """The artifact kind: PipelineBundle."""
    spec: PipelineBundleBody
    """The bundle: pinned spec, profile and policies, node packages and runtime window."""


class RolloutManifest(_Envelope):
    kind: Literal["RolloutManifest"]
    """The artifact kind: RolloutManifest."""
    spec: RolloutManifestBody
    """The rollout: bundle, strategy, admission and rollback."""


class ReplayEvidenceManifest(_Envelope):
    kind: Literal["ReplayEvidenceManifest"]
    """The artifact kind: ReplayEvidenceManifest."""
    spec: ReplayEvidenceManifestBody
    """The evidence contract: record format, recording level, fixtures and divergence policy."""


class CompatibilityContract(_Envelope):
    kind: Literal["CompatibilityContract"]
    """The artifact kind: CompatibilityContract."""
    spec: CompatibilityContractBody
    """The contract: compatibility modes, version skew, deprecations and event ABI."""


class ConformanceGates(_Envelope):
    kind: Literal["ConformanceGates"]
    """The artifact kind: ConformanceGates."""
    spec: ConformanceGatesBody
    """The gates a bundle must pass before it is rolled out."""


class CompatibilityWaivers(_Envelope):
    kind: Literal["CompatibilityWaivers"]
    """The artifact kind: CompatibilityWaivers."""
    spec: CompatibilityWaiversBody
    """The accepted findings."""


# --------------------------------------------------------------------------- derived kinds
class DefaultingSource(Strict):
    """Where one value of a resolved view came from."""

    kind: SourceKind
    """Where the value came from: the spec, a module, the profile, a policy, the bundle, an
    extension, or a built-in default."""
    ref: Annotated[str, Field(max_length=300)] | None = None
    """The artifact that supplied it, as id@version."""
    file: Annotated[str, Field(max_length=500)] | None = None
    """The file that supplied it, relative to the repository."""
    line: PositiveInt | None = None
    """The 1-based line of the value in that file."""
    column: PositiveInt | None = None
    """The 1-based column of the value in that file."""
    pointer: Annotated[str, Field(max_length=500)] | None = None
    """The JSON pointer of the value in that file."""
    reason: Text
    """Why this value applies, in words."""


class ResolvedBuffer(Strict):
    capacity: PositiveInt
    """The most messages the edge holds."""
    low_watermark: NonNegInt
    """Fill level (messages) at which a blocked producer resumes."""
    high_watermark: PositiveInt
    """Fill level (messages) at which shedding starts."""
    shedding: Shedding
    """What happens above the high watermark."""


class ResolvedPackage(Strict):
    impl: ImplRef
    """Where the implementation comes from: a package URL or an OCI image reference pinned by
    digest."""
    digest: Digest
    """The implementation's content digest, sha256:<64 lowercase hex>."""


NamespacedId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*$",
                                    max_length=300)]
NamespacedPortRef = Annotated[str, Field(
    pattern=r"^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*\.[a-z][a-z0-9_]*$", max_length=300)]


class ResolvedFallback(Strict):
    targets: Annotated[list[NamespacedId], Field(min_length=1)]
    """Ids of the standby nodes, in the order they are tried."""
    attempt_timeout_ms: Millis
    """How long one attempt may take, in ms."""
    max_retries: Annotated[int, Field(ge=0, le=10)]
    """Retries on the same node before moving on."""
    retry_interval_ms: Millis
    """Wait between two retries, in ms."""


class ResolvedDegrade(Strict):
    target: NamespacedId
    """Id of the stand-in node."""
    trigger: DegradeTrigger
    """What switches to the stand-in."""


class ResolvedNode(Strict):
    id: NamespacedId
    """The node's id; nodes of imported modules are alias/node."""
    type: NodeTypeName
    """The node type."""
    module: Reference | None = None
    """The Module (id@version) the node comes from, if any."""
    extension: Reference | None = None
    """The ExtensionManifest (id@version) that provides the type, if any."""
    params: Params
    """Every parameter with its value after defaults."""
    cancel: Cancel
    """The cancel scope and in-flight handling."""
    fallback: ResolvedFallback | None = None
    """The standby nodes and retry settings."""
    degrade: ResolvedDegrade | None = None
    """The stand-in and its trigger."""
    routes: Routes | None = None
    """The routing cases of a router node."""
    inputs: dict[LocalId, PortTypeStr]
    """Input port types by port name, parameters substituted."""
    outputs: dict[LocalId, PortTypeStr]
    """Output port types by port name, parameters substituted."""
    execution_mode: Literal["in_process", "external"]
    """Whether the node runs in the runtime process or as an external service."""
    package: ResolvedPackage | None = None
    """The implementation the bundle pins for the node's type."""


class ResolvedEdge(Strict):
    from_: NamespacedPortRef = Field(alias="from")
    """The producing port, as node.port."""
    to: NamespacedPortRef
    """The consuming port, as node.port."""
    type: PortTypeStr
    """The type of the messages on the edge."""
    lane: Lane
    """The lane the edge rides."""
    priority: Annotated[int, Field(ge=0, le=1000)]
    """The lane's priority, 0 to 1000."""
    buffer: ResolvedBuffer
    """The edge's complete buffer."""


class ResolvedLane(Strict):
    priority: Annotated[int, Field(ge=0, le=1000)]
    """The lane's scheduling priority, 0 to 1000."""


class ResolvedLanes(Strict):
    control: ResolvedLane
    """The control lane."""
    data: ResolvedLane
    """The data lane."""
    telemetry: ResolvedLane
    """The telemetry lane."""


class ResolvedProviderRule(Strict):
    policy: Reference
    """The PolicyOverlay (id@version) the rule comes from."""
    node: NamespacedId
    """The node whose provider the rule chooses."""
    prefer: Annotated[list[NodeTypeName], Field(min_length=1)]
    """Node types to run the node as, most preferred first."""
    when: Annotated[str, Field(max_length=500)] | None = None
    """The condition under which the rule applies."""


class ResolvedCircuitBreaker(Strict):
    policy: Reference
    """The PolicyOverlay (id@version) the breaker comes from."""
    node: NamespacedId
    """The node the breaker guards."""
    failure_threshold: Annotated[int, Field(ge=1, le=1000)]
    """Failures within the window that open the breaker."""
    window_ms: Millis
    """The window failures are counted in, in ms."""
    open_for_ms: Millis
    """How long the breaker stays open, in ms."""
    half_open_probes: Annotated[int, Field(ge=1, le=100)]
    """Requests let through while half open."""


class ResolvedCostCap(Strict):
    policy: Reference
    """The PolicyOverlay (id@version) the cap comes from."""
    scope: Literal["turn", "session", "tenant_day"]
    """What the cap counts: a turn, a session, or a tenant's day."""
    max_usd: Annotated[float, Field(gt=0)]
    """The cap, in USD."""
    action: Literal["degrade", "reject", "alert"]
    """What happens when the cap is reached."""


class ResolvedDegradeRule(Strict):
    policy: Reference
    """The PolicyOverlay (id@version) the rule comes from."""
    node: NamespacedId
    """The node to degrade."""
    to: NamespacedId
    """The node that stands in for it."""
    when: Annotated[str, Field(min_length=1, max_length=500)]
    """The condition that triggers the switch."""


class TurnPolicy(Strict):
    """Policy rules the turn-plan resolver evaluates at each turn boundary (never mid-turn)."""

    provider_rules: list[ResolvedProviderRule]
    """Provider choices, evaluated at turn open."""
    circuit_breakers: list[ResolvedCircuitBreaker]
    """Circuit breakers, by node."""
    cost_caps: list[ResolvedCostCap]
    """Spending limits in USD."""
    degrade_rules: list[ResolvedDegradeRule]
    """Conditions that switch a node to a stand-in."""


class ResolvedSpecBody(Strict):
    source: Reference
    """The PipelineSpec (id@version#digest) resolved."""
    profile: Reference
    """The ExecutionProfile (id@version#digest) applied."""
    policies: list[Reference]
    """The PolicyOverlays (id@version#digest) applied, in order."""
    bundle: Reference | None = None
    """The PipelineBundle (id@version) this view belongs to, if any."""
    mode: ProfileMode
    """The profile mode."""
    lanes: ResolvedLanes
    """The priority of each lane."""
    budgets: Budgets
    """Latency budgets (ms) and cost caps (USD)."""
    shedding_on_budget_breach: Shedding
    """What the runtime does when a budget is exceeded."""
    nodes: list[ResolvedNode]
    """Every node after module expansion and policy inserts, with all values filled in."""
    edges: list[ResolvedEdge]
    """Every edge after module rewiring and policy inserts, with type, lane and buffer."""
    turn_policy: TurnPolicy
    """The policy rules evaluated at each turn boundary."""
    defaulting_sources: dict[str, DefaultingSource]
    """Where each value came from, by JSON pointer into this view."""


class Provenance(Strict):
    """How a derived file was made: `rspp status` compares it with the inputs now."""

    generator: Annotated[str, Field(min_length=1, max_length=100)]
    """The program that wrote the file."""
    generator_fingerprint: Digest
    """Digest of the generator's own code: a different value means rspp changed how it writes
    the file, so it is stale."""
    inputs: dict[Annotated[str, Field(max_length=500)], Digest]
    """Digest of every input file, by path."""
    fingerprint: Digest
    """Digest over the inputs and the generator; a different value means the file is stale."""


class ResolvedSpec(_Envelope):
    kind: Literal["ResolvedSpec"]
    """The artifact kind: ResolvedSpec."""
    spec: ResolvedSpecBody
    """The resolved view: every node, edge, lane, budget and policy rule with its values filled
    in."""
    rspp: Provenance | None = Field(default=None, alias="_rspp")
    """How the file was made, so `rspp status` can tell whether it is stale."""


class TurnDecision(Strict):
    """One policy decision frozen at turn open."""

    rule: Annotated[str, Field(min_length=1, max_length=300)]
    """The policy rule that decided."""
    node: NamespacedId | None = None
    """The node the decision is about, if any."""
    outcome: Annotated[str, Field(min_length=1, max_length=100)]
    """What was decided."""
    active: NamespacedId | None = None
    """The node that runs as a result, if the decision switched one."""
    reason: Text
    """Why, in words."""


class ResolvedTurnPlanBody(Strict):
    plan_hash: Digest
    """sha256 over the canonical JSON of the plan without this field."""
    bundle: Reference
    """The bundle (id@version) the turn runs."""
    resolved_spec_digest: Digest
    """The digest of the resolved view the plan was made from."""
    session: Annotated[str, Field(min_length=1, max_length=200)]
    """The session id."""
    turn: NonNegInt
    """The turn number within the session, from 0."""
    lease_epoch: NonNegInt
    """The session lease epoch; a plan with a lower epoch is stale."""
    routing_snapshot_ref: Annotated[str, Field(min_length=1, max_length=300)]
    """The routing snapshot (provider health, breaker state, signals) the plan read."""
    determinism_context: dict[LocalId, object]
    """Values that make the turn replayable (seeds, clocks), by name."""
    admitted: bool
    """Whether the turn was admitted (false when a cost cap rejects it)."""
    active_nodes: dict[NamespacedId, NamespacedId]
    """For each switchable node, the node it runs as this turn."""
    decisions: list[TurnDecision]
    """Every policy decision, with its reason."""


class ResolvedTurnPlan(_Envelope):
    kind: Literal["ResolvedTurnPlan"]
    """The artifact kind: ResolvedTurnPlan."""
    spec: ResolvedTurnPlanBody
    """The turn plan: admission, active nodes and decisions frozen at turn open."""


def _by_kind(*models: type[_Envelope]) -> dict[str, type[_Envelope]]:
    """Kind name (the model's ``kind`` literal) -> model, in the order given."""
    return {get_args(m.model_fields["kind"].annotation)[0]: m for m in models}


# The kind names themselves live once, in rspp.core.constants; a test keeps these in step.
AUTHORED_MODELS = _by_kind(PipelineSpec, Module, ExecutionProfile, PolicyOverlay,
                           ExtensionManifest, PipelineBundle, RolloutManifest,
                           ReplayEvidenceManifest, CompatibilityContract, ConformanceGates,
                           CompatibilityWaivers)
DERIVED_MODELS = _by_kind(ResolvedSpec, ResolvedTurnPlan)
OLDER_MODELS: Final = MappingProxyType({"ExtensionManifestV1alpha1": ExtensionManifestV1alpha1})
"""The models of older served API versions, by schema name
(:func:`rspp.model.migrations.schema_name`); each keeps its schema file."""
ALL_MODELS: Final = MappingProxyType({**AUTHORED_MODELS, **DERIVED_MODELS})
