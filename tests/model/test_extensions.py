"""The extension control points (rspp.model.extensions): the registry built from a repository's
manifests refuses clashes, a runtime adds its own adapter beside the manifests', and an
adapter's contract is judged against what a resolved view needs of its transport."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from rspp.core.jsontypes import JsonObject, JsonValue
from rspp.load.document import Document
from rspp.model.artifact import Artifact, Index
from rspp.model.extensions import (
    ContractProblem,
    EventABIContract,
    ExtensionRegistry,
    ExternalNodeBoundary,
    ManifestAdapter,
    NodePlugin,
    RegistryError,
    RuntimeAdapterPlugin,
    TransportContract,
    transport_contract,
)
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions
from tests.helpers.repos import copy_examples

ROOT = Path(__file__).resolve().parents[2]
SIP_VIEW = ROOT / "docs" / "pipelines" / "sip_telephony_bundle@1.0.0.resolved.json"


def _adapter(**contracts: JsonValue) -> ManifestAdapter:
    body: JsonObject = {"type": "runtime_adapter", "extensionApi": "1.0.0",
                        "contracts": {"transport": "sip", "eventAbi": "1.1.0", **contracts}}
    doc = Document("a.yaml", "", {"kind": "ExtensionManifest", "spec": body}, "yaml")
    adapter = ManifestAdapter.of(Artifact(doc, "ExtensionManifest", "sip_adapter", "1.0.0"))
    assert adapter is not None
    return adapter


def test_the_transport_contract_of_a_resolved_view() -> None:
    view = json.loads(SIP_VIEW.read_text(encoding="utf-8"))
    assert transport_contract(view) == TransportContract(
        frozenset({"sip"}), frozenset({"pcm16"}), frozenset({8000}), frozenset({1}),
        frozenset({"cancel"}))


def test_a_manifest_adapter_judges_only_what_it_declares() -> None:
    needs = TransportContract(frozenset({"sip"}), frozenset({"pcm16"}), frozenset({8000}),
                              frozenset({1}), frozenset({"cancel"}))
    abi = EventABIContract("1.1.0", ("1.0.0", "1.1.0"))
    assert _adapter().validate_contract(needs, abi) == ()  # no audio or events declared
    full = _adapter(eventAbiReads=["1.0.0", "1.1.0"],
                    audio={"formats": ["pcm16"], "sampleRates": [8000]},
                    controlEvents=["cancel"])
    assert full.validate_contract(needs, abi) == ()
    narrow = _adapter(eventAbiReads=["1.0.0", "2.0.0"],
                      audio={"formats": ["opus"], "sampleRates": [16000], "channels": [2]},
                      controlEvents=[])
    codes = [(p.code, p.pointer) for p in narrow.validate_contract(needs, abi)]
    assert codes == [("SKW010", "/spec/contracts/eventAbiReads/1"),
                     ("SKW011", "/spec/contracts/eventAbiReads"),
                     ("SKW012", "/spec/contracts/audio/formats"),
                     ("SKW012", "/spec/contracts/audio/sampleRates"),
                     ("SKW012", "/spec/contracts/audio/channels"),
                     ("SKW013", "/spec/contracts/controlEvents")]
    # build metadata is not a version of its own (SemVer 2.0.0 section 10)
    assert _adapter().validate_contract(needs, EventABIContract("1.1.0+b", ("1.1.0",))) == ()


@dataclass(frozen=True)
class _CodeAdapter:
    """An adapter a runtime implements in code and registers itself."""

    id: str = "acme-webrtc"
    transport: str = "webrtc"

    def validate_contract(self, transport: TransportContract,
                          abi: EventABIContract) -> tuple[ContractProblem, ...]:
        if abi.version != "1.1.0":
            return (ContractProblem("SKW011", f"{self.id} reads 1.1.0 only", ""),)
        return ()


def test_a_runtime_registers_its_own_adapter_beside_the_manifests(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    (root / "pipelines" / "extensions" / "sip_adapter.yaml").write_text(
        "apiVersion: rspp.dev/v1alpha1\nkind: ExtensionManifest\nmetadata:\n"
        "  id: sip_adapter\n  version: \"1.0.0\"\nspec:\n  type: runtime_adapter\n"
        "  extensionApi: \"1.0.0\"\n  contracts:\n    transport: sip\n"
        "    eventAbi: \"1.1.0\"\n", encoding="utf-8")
    report, repo = validate_repository(ValidateOptions(root=root))
    assert not report.failed
    registry = ExtensionRegistry.from_index(repo.index)
    assert [a.id for a in registry.adapters()] == ["sip_adapter@1.0.0"]
    nodes = registry.node_types()
    # two versions of the sentiment extension, each registered under its own reference
    assert [(type(n).__name__, n.ref) for n in nodes["custom.sentiment"]] == [
        ("NodePlugin", "custom_sentiment_node@1.0.0"), ("NodePlugin", "custom_sentiment_node@2.0.0")]
    assert [type(n).__name__ for n in nodes["external.llm_gateway"]] == ["ExternalNodeBoundary"]
    mine = _CodeAdapter()
    assert isinstance(mine, RuntimeAdapterPlugin)
    registry.register_runtime_adapter(mine)
    assert [a.id for a in registry.adapters("webrtc")] == ["acme-webrtc"]
    with pytest.raises(RegistryError, match="already registered"):
        registry.register_runtime_adapter(_CodeAdapter())
    assert mine.validate_contract(TransportContract(), EventABIContract("1.0.0"))[0].code \
        == "SKW011"


def test_a_node_type_is_in_process_or_external_never_both() -> None:
    registry = ExtensionRegistry()
    registry.register_node_plugin(NodePlugin("acme.scorer", "scorer@1.0.0", {}))
    registry.register_node_plugin(NodePlugin("acme.scorer", "scorer@1.1.0", {}))  # versions
    with pytest.raises(RegistryError, match="already registered"):
        registry.register_node_plugin(NodePlugin("acme.scorer", "scorer@1.0.0", {}))
    with pytest.raises(RegistryError, match=r"in process in scorer@1\.0\.0 and external"):
        registry.register_external_node_boundary(
            ExternalNodeBoundary("acme.scorer", "remote_scorer@1.0.0", {}))
    assert [n.ref for n in registry.node_types()["acme.scorer"]] == ["scorer@1.0.0",
                                                                     "scorer@1.1.0"]


def test_an_empty_index_registers_nothing() -> None:
    registry = ExtensionRegistry.from_index(Index())
    assert registry.adapters() == () and registry.node_types() == {}
