"""One bundle version as one OCI artifact (ADR 0008): the bytes publish pushes and signs.

Packing reads nothing from disk: it takes the artifacts a validated repository holds in
memory, so what is pushed and signed is exactly what was validated, whatever happens to the
working tree meanwhile. The same inputs give byte-identical layers and manifest.

Layers, in this order, each the RFC 8785 canonical JSON of its content: the bundle, every
artifact the bundle's resolved view depends on (pins, modules, extensions; by lock key), and
the resolved view. The manifest is an OCI image manifest v1.1 with ``artifactType``
:data:`rspp.release.oci.BUNDLE_TYPE` and the empty config (``manifest.md``, "Guidelines for
Artifact Usage").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from rspp.core.canonical import canonical_bytes
from rspp.release import oci

ID: Final = "dev.rspp.id"
VERSION: Final = "dev.rspp.version"
DIGEST: Final = "dev.rspp.digest"
KIND: Final = "dev.rspp.kind"
OCI_VERSION: Final = "org.opencontainers.image.version"
REVISION: Final = "org.opencontainers.image.revision"
CREATED: Final = "org.opencontainers.image.created"
DESCRIPTION: Final = "org.opencontainers.image.description"
VIEW_TITLE: Final = "ResolvedSpec"

PROVENANCE: Final = "https://slsa.dev/provenance/v1"
BUILD_TYPE: Final = "https://rspp.dev/publish/bundle/v1"


@dataclass(frozen=True, slots=True)
class Member:
    """One artifact that goes into the package: its lock key (``Kind/id@version``), its
    digest (``sha256:`` over its canonical JSON, as bundles pin it) and its data."""

    key: str
    digest: str
    data: object


@dataclass(frozen=True, slots=True)
class Source:
    """Where the content comes from: the git commit (40 hex), its committer time (RFC 3339)
    and the digest of the lock file read at that commit (``sha256:<hex>`` of its bytes)."""

    commit: str
    created: str
    lock_digest: str


@dataclass(frozen=True, slots=True)
class Layer:
    descriptor: oci.Descriptor
    data: bytes


@dataclass(frozen=True, slots=True)
class Packed:
    """A bundle version ready to push.

    ``ref``: ``id@version``; ``tag``: the OCI tag (``id-version``, made safe);
    ``bundle_digest``: the bundle's artifact digest; ``manifest``/``digest``: the manifest's
    bytes and ``sha256:`` digest; ``pins``: lock key -> digest of every member but the view.
    """

    ref: str
    tag: str
    bundle_digest: str
    manifest: bytes
    digest: str
    layers: tuple[Layer, ...]
    pins: Mapping[str, str]

    @property
    def descriptor(self) -> oci.Descriptor:
        return oci.Descriptor(oci.MANIFEST, self.digest, len(self.manifest),
                              artifact_type=oci.BUNDLE_TYPE)


def tag_for(ident: str, version: str) -> str:
    """The OCI tag of a bundle version: ``id-version`` with characters outside the tag
    grammar as ``_`` (``livekit/v1`` ``1.0.0+b`` -> ``livekit_v1-1.0.0_b``)."""
    return oci.safe_tag(f"{ident}-{version}")


def pack(bundle: Member, members: Sequence[Member], view: object, source: Source,
         description: str = "") -> Packed:
    """The OCI artifact of one bundle version.

    ``bundle.key`` is ``PipelineBundle/id@version``; ``members`` are the artifacts the view
    depends on (any order: they are written by lock key); ``view`` the resolved view's data.
    """
    kind, _, ref = bundle.key.partition("/")
    ident, _, version = ref.rpartition("@")
    ordered = [bundle, *sorted((m for m in members if m.key != bundle.key),
                               key=lambda m: m.key)]
    layers = [_layer(oci.ARTIFACT_LAYER, m.data, m.key, {KIND: m.key.partition("/")[0],
                                                         DIGEST: m.digest})
              for m in ordered]
    layers.append(_layer(oci.VIEW_LAYER, view, f"{VIEW_TITLE}/{ref}", {}))
    notes = {ID: ident, VERSION: version, DIGEST: bundle.digest, KIND: kind,
             OCI_VERSION: version, REVISION: source.commit, CREATED: source.created,
             oci.TITLE: ref}
    if description:
        notes[DESCRIPTION] = description
    manifest = oci.artifact_manifest(oci.BUNDLE_TYPE, [layer.descriptor for layer in layers],
                                     annotations=notes)
    return Packed(ref, tag_for(ident, version), bundle.digest, manifest, oci.sha256(manifest),
                  tuple(layers), MappingProxyType({m.key: m.digest for m in ordered}))


def _layer(media_type: str, data: object, title: str, notes: Mapping[str, str]) -> Layer:
    raw = canonical_bytes(data)
    return Layer(oci.Descriptor.of(media_type, raw, {oci.TITLE: title, **notes}), raw)


def provenance(packed: Packed, source: Source, builder: str, tool: str,
               python: str) -> dict[str, object]:
    """The SLSA provenance v1 predicate (https://slsa.dev/spec/v1.0/provenance) of a
    package: what was built (``externalParameters``: the bundle and the commit), with what
    (``internalParameters``: rspp and Python versions, the lock digest), from which inputs
    (``resolvedDependencies``: every member's lock key and sha256), by whom (``builder.id``).
    """
    return {
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": {"bundle": packed.ref, "commit": source.commit},
            "internalParameters": {"tool": tool, "python": python,
                                   "lockDigest": source.lock_digest},
            "resolvedDependencies": [
                {"name": key, "digest": {"sha256": digest.removeprefix("sha256:")}}
                for key, digest in sorted(packed.pins.items())],
        },
        "runDetails": {"builder": {"id": builder},
                       "metadata": {"invocationId": f"{packed.ref}@{source.commit}"}},
    }
