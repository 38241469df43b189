"""Runtime adapter contracts against the compatibility contract and the bundles that would run
on each adapter (SKW010..SKW013; ADR 0022).

Each runtime_adapter ExtensionManifest is taken as a :class:`rspp.model.extensions.ManifestAdapter`.
The event ABI versions it declares it reads must be ones the contract supports (SKW010, when
the repository has a contract; the emitted eventAbi is SKW005's). A bundle would run on it when its resolved view has transport
nodes of the adapter's transport family; for each such bundle,
``validate_contract(transport_contract(view), EventABIContract(bundle's eventAbi, supported))``
must find nothing: the adapter reads the bundle's event ABI (SKW011), carries its audio
(SKW012) and delivers the control events its transport output consumes (SKW013). A finding
sits at the manifest field it contradicts; its related location is the bundle's
``compatibility.eventAbi`` (SKW011) or its first pin (the others). A bundle that cannot be
resolved is left to the rules that say why.
"""

from __future__ import annotations

from rspp.compat.contract import Contract, located, related_at
from rspp.core.findings import Finding
from rspp.model.access import compatibility
from rspp.model.artifact import Artifact, Index
from rspp.model.extensions import (
    EventABIContract,
    ManifestAdapter,
    TransportContract,
    transport_contract,
)
from rspp.resolve.api import bundle_inputs, resolve_inputs

_PER_BUNDLE = ("SKW011", "SKW012", "SKW013")


def check_adapters(index: Index, contract: Contract) -> list[Finding]:
    """Every runtime adapter finding of the repository (see the module doc), sorted."""
    adapters = [(art, adapter) for art in sorted(index.of_kind("ExtensionManifest"),
                                                  key=lambda a: a.path)
                if art.schema_valid and (adapter := ManifestAdapter.of(art)) is not None]
    if not adapters:
        return []
    body = contract.body
    supported = tuple(body["eventAbi"]["supported"]) if body is not None else ()
    found: dict[tuple[str, str, str], Finding] = {}
    for art, adapter in adapters:
        for problem in adapter.validate_contract(
                TransportContract(), EventABIContract(adapter.reads[0], supported)):
            # reads not declared: they are the emitted eventAbi, which SKW005 judges
            if problem.code == "SKW010" and problem.pointer != "/spec/contracts/eventAbi":
                key = (problem.code, art.path, problem.message)
                found.setdefault(key, located(problem.code, art, problem.pointer,
                                              problem.message))
    for bundle, view_needs in _bundles(index):
        abi = EventABIContract(_event_abi(bundle), supported)
        for art, adapter in adapters:
            if adapter.transport not in view_needs.families:
                continue
            for problem in adapter.validate_contract(view_needs, abi):
                if problem.code not in _PER_BUNDLE:
                    continue
                at = "/spec/compatibility/eventAbi" if problem.code == "SKW011" \
                    else "/spec/pins/0/ref"
                message = f"{problem.message}, which bundle {bundle.ref} needs"
                found.setdefault((problem.code, art.path, message), located(
                    problem.code, art, problem.pointer, message,
                    [related_at(bundle, at, f"bundle {bundle.ref}")]))
    return sorted(found.values(), key=Finding.sort_key)


def _bundles(index: Index) -> list[tuple[Artifact, TransportContract]]:
    """Each resolvable schema-valid bundle with what its pipeline needs of its transport."""
    out = []
    for bundle in sorted(index.of_kind("PipelineBundle"), key=lambda a: a.path):
        inputs = bundle_inputs(bundle, index) if bundle.schema_valid else None
        view = resolve_inputs(inputs, index).view if inputs is not None else None
        if view is not None:
            out.append((bundle, transport_contract(view)))
    return out


def _event_abi(bundle: Artifact) -> str:
    return str(compatibility(bundle)["eventAbi"])
