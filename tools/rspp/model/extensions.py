"""The extension control points of the platform design: ``ExtensionRegistry`` and
``RuntimeAdapterPlugin`` (the scaffolds guide, section 2, "Key Interfaces"; ADR 0022).

A runtime registers what it can run: node plugins (custom node types run in process), external
node boundaries (node types reached over the network) and runtime adapters (transport and
event ABI bridges). :meth:`ExtensionRegistry.from_index` registers what the repository's
ExtensionManifests declare; a runtime embedding rspp may register its own
:class:`RuntimeAdapterPlugin` implementations beside them.

``RuntimeAdapterPlugin.validate_contract(transport, abi)`` answers whether an adapter can run
a pipeline: ``transport`` is what the pipeline needs of its transport
(:func:`transport_contract` reads it from a resolved view), ``abi`` the event ABI the
pipeline's bundle speaks and the versions the compatibility contract supports. It returns the
problems, each with a stable code (SKW010..SKW013, documented in docs/rules.md), a message and
the JSON pointer of the manifest field it contradicts; none when the adapter can run it.

Nothing here imports code: a manifest is data, and a plugin a runtime registers is an object it
already holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from rspp.core.jsontypes import JsonValue, as_array, as_object
from rspp.model.artifact import Artifact, Index, version_identity

_TRANSPORT_NODE = re.compile(r"^transport\.([a-z0-9_]+)\.(input|output)$")
_AUDIO = re.compile(r"^audio/([a-z0-9][a-z0-9_.+-]*)((?:;[a-z_]+=[^;]*)*)$")


@dataclass(frozen=True, slots=True)
class TransportContract:
    """What a pipeline needs of its transport: the transport ``families`` its transport nodes
    belong to (``transport.<family>.input``), the audio ``formats`` (the subtype of their
    ``audio/...`` port types), ``sample_rates`` (Hz) and ``channels`` of those ports, and the
    ``control_events`` its transport output consumes (the ``control/<event>`` types of the
    edges into it)."""

    families: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    sample_rates: frozenset[int] = frozenset()
    channels: frozenset[int] = frozenset()
    control_events: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EventABIContract:
    """The event ABI a pipeline's bundle speaks (``version``, its compatibility.eventAbi) and
    the versions the compatibility contract supports (``supported``; empty: no contract)."""

    version: str
    supported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractProblem:
    """Why an adapter cannot run a pipeline: a catalogue ``code``, a one-line ``message``,
    and the JSON ``pointer`` of the adapter manifest's field it contradicts."""

    code: str
    message: str
    pointer: str


@runtime_checkable
class RuntimeAdapterPlugin(Protocol):
    """A transport/runtime bridge (the design's ``RuntimeAdapterPlugin``)."""

    @property
    def id(self) -> str:
        """A stable identifier, unique in a registry."""
        ...

    @property
    def transport(self) -> str:
        """The transport family it implements (livekit, sip, websocket, ...)."""
        ...

    def validate_contract(self, transport: TransportContract,
                          abi: EventABIContract) -> tuple[ContractProblem, ...]:
        """The problems that keep it from running a pipeline needing ``transport`` and
        speaking ``abi``; empty when it can run it."""
        ...


@dataclass(frozen=True, slots=True)
class ManifestAdapter:
    """A runtime adapter as an ExtensionManifest of type runtime_adapter declares it
    (``spec.contracts``): ``reads`` defaults to the emitted ``event_abi``; ``formats``,
    ``sample_rates``, ``channels`` and ``control_events`` are None when not declared (then
    not checked)."""

    id: str
    transport: str
    event_abi: str
    reads: tuple[str, ...]
    formats: frozenset[str] | None = None
    sample_rates: frozenset[int] | None = None
    channels: frozenset[int] | None = None
    control_events: frozenset[str] | None = None
    artifact: Artifact | None = field(default=None, compare=False)

    @classmethod
    def of(cls, art: Artifact) -> ManifestAdapter | None:
        """The adapter a schema-valid runtime_adapter manifest declares (None for another
        extension type, or without ``contracts``)."""
        body = art.spec
        contracts = as_object(body.get("contracts"))
        if body.get("type") != "runtime_adapter" or not contracts:
            return None
        emitted = str(contracts.get("eventAbi", ""))
        reads = tuple(str(v) for v in as_array(contracts.get("eventAbiReads"))) or (emitted,)
        audio = contracts.get("audio")
        events = contracts.get("controlEvents")
        return cls(
            art.ref, str(contracts.get("transport", "")), emitted, reads,
            _strings(audio, "formats"), _ints(audio, "sampleRates"),
            _ints(audio, "channels", default=(1,)),
            frozenset(str(e) for e in as_array(events)) if isinstance(events, list) else None,
            art)

    def validate_contract(self, transport: TransportContract,
                          abi: EventABIContract) -> tuple[ContractProblem, ...]:
        """SKW010: an ABI it reads is not supported by the contract; SKW011: it does not
        read the pipeline's event ABI; SKW012: it does not carry the pipeline's audio;
        SKW013: it does not deliver a control event the pipeline consumes. Only the fields
        the manifest declares are checked (see the class doc)."""
        out: list[ContractProblem] = []
        reads_at = "/spec/contracts/eventAbiReads"
        declared_reads = self.artifact is None or "eventAbiReads" in as_object(
            self.artifact.spec.get("contracts"))
        where = reads_at if declared_reads else "/spec/contracts/eventAbi"
        if abi.supported:
            for i, version in enumerate(self.reads):
                if not any(_same(version, s) for s in abi.supported):
                    out.append(ContractProblem(
                        "SKW010", f"runtime adapter {self.id} reads event ABI {version}, which "
                        f"the contract does not support ({', '.join(abi.supported)})",
                        f"{reads_at}/{i}" if declared_reads else where))
        if not any(_same(abi.version, v) for v in self.reads):
            out.append(ContractProblem(
                "SKW011", f"runtime adapter {self.id} does not read event ABI {abi.version} "
                f"(it reads {', '.join(self.reads)})", where))
        out.extend(self._audio(transport))
        if self.control_events is not None:
            missing = sorted(transport.control_events - self.control_events)
            if missing:
                out.append(ContractProblem(
                    "SKW013", f"runtime adapter {self.id} does not deliver control event(s) "
                    f"{', '.join(missing)}", "/spec/contracts/controlEvents"))
        return tuple(out)

    def _audio(self, transport: TransportContract) -> Iterator[ContractProblem]:
        checks: tuple[tuple[str, frozenset[str] | frozenset[int] | None,
                            frozenset[str] | frozenset[int], str], ...] = (
            ("format", self.formats, transport.formats, "formats"),
            ("sample rate (Hz)", self.sample_rates, transport.sample_rates, "sampleRates"),
            ("channel count", self.channels, transport.channels, "channels"))
        for what, offered, needed, name in checks:
            if offered is None:
                continue
            missing = sorted(str(v) for v in needed - offered)
            if missing:
                yield ContractProblem(
                    "SKW012", f"runtime adapter {self.id} does not carry audio {what} "
                    f"{', '.join(missing)}", f"/spec/contracts/audio/{name}")


def _same(a: str, b: str) -> bool:
    """One version, build metadata ignored (SemVer 2.0.0 section 10)."""
    return version_identity(a) == version_identity(b)


def _strings(audio: JsonValue | None, name: str) -> frozenset[str] | None:
    values = as_object(audio).get(name) if isinstance(audio, dict) else None
    return frozenset(str(v) for v in values) if isinstance(values, list) else None


def _ints(audio: JsonValue | None, name: str,
          default: tuple[int, ...] | None = None) -> frozenset[int] | None:
    if not isinstance(audio, dict):
        return None
    values = audio.get(name)
    if not isinstance(values, list):
        return frozenset(default) if default is not None else None
    return frozenset(v for v in values if isinstance(v, int) and not isinstance(v, bool))


@dataclass(frozen=True, slots=True)
class NodePlugin:
    """A custom node type run in the runtime's process (an ExtensionManifest of type
    custom_node): its ``node_type``, the manifest's ``ref`` and body as written."""

    node_type: str
    ref: str
    body: Mapping[str, JsonValue]


@dataclass(frozen=True, slots=True)
class ExternalNodeBoundary:
    """A node type reached over the network (type external_node), with its endpoint."""

    node_type: str
    ref: str
    body: Mapping[str, JsonValue]


class RegistryError(ValueError):
    """A registration that clashes with one already made."""


class ExtensionRegistry:
    """What a runtime can run besides the built-in node catalog (the design's
    ``ExtensionRegistry``). Node plugins and external boundaries are keyed by (node type,
    manifest ref): versions of one extension declare the same type. A node type is either
    in-process or external, never both; an adapter id is registered once. A clash raises
    :class:`RegistryError`."""

    def __init__(self) -> None:
        self._nodes: dict[tuple[str, str], NodePlugin | ExternalNodeBoundary] = {}
        self._adapters: dict[str, RuntimeAdapterPlugin] = {}

    def register_node_plugin(self, plugin: NodePlugin) -> None:
        self._register_node(plugin)

    def register_external_node_boundary(self, boundary: ExternalNodeBoundary) -> None:
        self._register_node(boundary)

    def _register_node(self, node: NodePlugin | ExternalNodeBoundary) -> None:
        key = (node.node_type, node.ref)
        if key in self._nodes:
            raise RegistryError(f"node type {node.node_type} of {node.ref} is already "
                                "registered")
        other = next((n for (t, _), n in self._nodes.items()
                      if t == node.node_type and type(n) is not type(node)), None)
        if other is not None:
            raise RegistryError(f"node type {node.node_type} is {_mode(other)} in {other.ref} "
                                f"and {_mode(node)} in {node.ref}")
        self._nodes[key] = node

    def register_runtime_adapter(self, adapter: RuntimeAdapterPlugin) -> None:
        if adapter.id in self._adapters:
            raise RegistryError(f"runtime adapter {adapter.id} is already registered")
        self._adapters[adapter.id] = adapter

    def node_types(self) -> dict[str, tuple[NodePlugin | ExternalNodeBoundary, ...]]:
        """Every registered node type with its plugins or boundaries, by node type."""
        out: dict[str, list[NodePlugin | ExternalNodeBoundary]] = {}
        for (node_type, _), node in sorted(self._nodes.items()):
            out.setdefault(node_type, []).append(node)
        return {k: tuple(v) for k, v in out.items()}

    def adapters(self, transport: str | None = None) -> tuple[RuntimeAdapterPlugin, ...]:
        """The registered runtime adapters (of ``transport`` only, when given), by id."""
        return tuple(a for _, a in sorted(self._adapters.items())
                     if transport is None or a.transport == transport)

    @classmethod
    def from_index(cls, index: Index) -> ExtensionRegistry:
        """The registry of the schema-valid ExtensionManifests of ``index`` (path order).
        Raises RegistryError on a clash (a node type declared in process by one manifest
        and external by another)."""
        registry = cls()
        for art in sorted(index.of_kind("ExtensionManifest"), key=lambda a: a.path):
            if not art.schema_valid:
                continue
            body = art.spec
            node_type = body.get("nodeType")
            if body.get("type") == "custom_node" and isinstance(node_type, str):
                registry.register_node_plugin(NodePlugin(node_type, art.ref, body))
            elif body.get("type") == "external_node" and isinstance(node_type, str):
                registry.register_external_node_boundary(
                    ExternalNodeBoundary(node_type, art.ref, body))
            else:
                adapter = ManifestAdapter.of(art)
                if adapter is not None:
                    registry.register_runtime_adapter(adapter)
        return registry


def _mode(node: NodePlugin | ExternalNodeBoundary) -> str:
    return "in process" if isinstance(node, NodePlugin) else "external"


def transport_contract(view: Mapping[str, object]) -> TransportContract:
    """What the pipeline of a resolved view (a ResolvedSpec's data) needs of its transport:
    see :class:`TransportContract`. Port types follow the catalog's form
    ``audio/<format>;rate=<Hz>;channels=<n>``."""
    spec = as_object(view.get("spec"))
    families: set[str] = set()
    formats: set[str] = set()
    rates: set[int] = set()
    channels: set[int] = set()
    outputs: set[str] = set()
    for node in (as_object(n) for n in as_array(spec.get("nodes"))):
        match = _TRANSPORT_NODE.match(str(node.get("type", "")))
        if match is None:
            continue
        families.add(match[1])
        if match[2] == "output":
            outputs.add(str(node.get("id", "")))
        ports = [*as_object(node.get("inputs")).values(), *as_object(node.get("outputs")).values()]
        for port in ports:
            audio = _AUDIO.match(port) if isinstance(port, str) else None
            if audio is None:
                continue
            formats.add(audio[1])
            for part in audio[2].split(";")[1:]:
                name, _, value = part.partition("=")
                if value.isdigit() and name == "rate":
                    rates.add(int(value))
                elif value.isdigit() and name == "channels":
                    channels.add(int(value))
    events: set[str] = set()
    for edge in (as_object(e) for e in as_array(spec.get("edges"))):
        target, kind = str(edge.get("to", "")), str(edge.get("type", ""))
        if target.rpartition(".")[0] in outputs and kind.startswith("control/"):
            events.add(kind.removeprefix("control/"))
    return TransportContract(frozenset(families), frozenset(formats), frozenset(rates),
                             frozenset(channels), frozenset(events))
