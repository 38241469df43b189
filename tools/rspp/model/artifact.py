"""Artifacts (documents whose envelope is valid) and the repository index of them.

Versions are SemVer 2.0.0 strings. Build metadata (``+...``) MUST be ignored when determining
precedence (SemVer 2.0.0, section 10), so rspp treats ``1.0.0`` and ``1.0.0+b`` as one
version: ``version_identity`` is the one place that says so, and everything that compares
versions or uses them as keys (uniqueness, the lock, immutability, references) goes through it.

This module stays free of pydantic: it sits on the hot validation path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, cast

import msgspec

from rspp.core.jsontypes import JsonObject, JsonValue
from rspp.load.document import Document
from rspp.model.catalog import BUILTIN, NodeType


def version_identity(version: str) -> str:
    """The version without its build metadata: ``"1.0.0+b.7"`` -> ``"1.0.0"``.

    SemVer 2.0.0 section 10: build metadata MUST be ignored when determining version
    precedence, so two versions that differ only in it are the same version (one may not
    replace or sit beside the other). The pre-release part stays: ``1.0.0-rc.1`` is its own
    version. Every string is accepted (no validation); text without ``+`` is returned as is.
    """
    return version.partition("+")[0]


@dataclass(slots=True)
class Artifact:
    """A loaded document with a schema-valid envelope."""

    doc: Document
    kind: str
    id: str
    version: str
    schema_valid: bool = True

    @property
    def path(self) -> str:
        return self.doc.path

    @property
    def spec(self) -> JsonObject:
        """The body as loaded (not validated): read it through ``rspp.model.views`` when the
        artifact is schema-valid, else narrow what you read."""
        value = self.doc.data.get("spec")
        return value if isinstance(value, dict) else {}

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def key(self) -> tuple[str, str, str]:
        """(kind, id, version identity): one key per version, build metadata ignored."""
        return (self.kind, self.id, version_identity(self.version))


class Index(msgspec.Struct):
    """Every artifact of the repository, by (kind, id, version identity) and by (kind, id).

    Two artifacts whose versions differ only in build metadata share one ``by_key`` entry
    (DUP001 reports the second)."""

    artifacts: list[Artifact] = msgspec.field(default_factory=list)
    by_key: dict[tuple[str, str, str], list[Artifact]] = msgspec.field(default_factory=dict)
    by_kind_id: dict[tuple[str, str], list[Artifact]] = msgspec.field(default_factory=dict)
    # The node catalog the rules and the resolver read (ADR 0024): the built-in types, and
    # those of the packs the repository enables. Types an extension manifest provides are
    # found through the manifest a node names.
    node_types: Mapping[str, NodeType] = msgspec.field(default_factory=lambda: BUILTIN)
    # The gate types the enabled packs provide (vendor.kind), besides the built-in ones.
    pack_gate_types: frozenset[str] = frozenset()

    def add(self, art: Artifact) -> None:
        self.artifacts.append(art)
        self.by_key.setdefault(art.key, []).append(art)
        self.by_kind_id.setdefault((art.kind, art.id), []).append(art)

    def get(self, kind: str, ident: str, version: str) -> Artifact | None:
        """The artifact a reference ``ident@version`` names, or None.

        A version without build metadata names that version whatever build metadata the
        artifact carries (``x@1.0.0`` finds ``1.0.0+b``: there is only one 1.0.0). A version
        with build metadata names exactly that build (``x@1.0.0+c`` does not find
        ``1.0.0+b``). When duplicates exist, the first definition (path order) is returned.
        """
        found = self.by_key.get((kind, ident, version_identity(version)))
        if not found:
            return None
        if "+" in version:
            return next((a for a in found if a.version == version), None)
        return found[0]

    def versions(self, kind: str, ident: str) -> list[str]:
        return sorted({a.version for a in self.by_kind_id.get((kind, ident), [])})

    def of_kind(self, kind: str) -> Iterator[Artifact]:
        return (a for a in self.artifacts if a.kind == kind)


_DOC_SLOT = Artifact.__dict__["doc"]  # the slot behind Artifact.doc


SUMMARIZED: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "PipelineBundle": ("compatibility",),
})
"""The fields of ``spec`` a header keeps, by kind (:func:`summary_of`): what the checks over
every artifact of a kind read (skew reads each bundle's compatibility), so that they do not
load documents that have no finding. Only these are read through :func:`spec_field`."""


def summary_of(art: Artifact) -> dict[str, JsonValue]:
    """The fields of ``art``'s body that :data:`SUMMARIZED` names for its kind, as loaded
    (absent fields left out)."""
    body = art.spec
    return {name: body[name] for name in SUMMARIZED.get(art.kind, ()) if name in body}


def spec_field(art: Artifact, name: str) -> JsonValue | None:
    """The field ``name`` of ``art``'s body (None when absent); a deferred artifact's from
    its header, its document unread. Raises KeyError when :data:`SUMMARIZED` does not name
    the field for the artifact's kind (a header would not have it)."""
    if name not in SUMMARIZED.get(art.kind, ()):
        raise KeyError(f"{art.kind}.spec.{name} is not a summarized field")
    if isinstance(art, DeferredArtifact):
        return art.summary.get(name)
    return art.spec.get(name)


class DeferredArtifact(Artifact):
    """An artifact known by its header only (kind, id, version, path, the references it
    makes: ``links``, (pointer, kind, text) as :func:`rspp.rules.refs.references` gives
    them, and the ``summary`` of its body, :func:`summary_of`), whose document is loaded on
    first use by ``fetch``; a partial validation run (ADR 0013) holds every file it does not
    check as one, and so do the stages after a run that did not load everything. It is
    schema-valid: only a file that loaded without a finding gets a header. ``fetch`` raises
    what it raises (``RepositoryError`` when the file changed meanwhile)."""

    __slots__ = ("_fetch", "_path", "digest", "links", "summary")

    def __init__(self, path: str, kind: str, ident: str, version: str,
                 links: tuple[tuple[str, str, str], ...], summary: Mapping[str, JsonValue],
                 fetch: Callable[[], Document]) -> None:
        self.kind, self.id, self.version, self.schema_valid = kind, ident, version, True
        self._path, self._fetch, self.links, self.summary = path, fetch, links, summary
        # the canonical digest of its content when a record has it
        # (rspp.validate.digests), so that hashing does not load the document
        self.digest: str | None = None

    @property
    def doc(self) -> Document:
        try:
            return cast("Document", _DOC_SLOT.__get__(self, Artifact))
        except AttributeError:
            loaded = self._fetch()
            self.doc = loaded
            return loaded

    @doc.setter
    def doc(self, value: Document) -> None:
        # The recorded digest is of this content (the loader refuses a document whose
        # content is not the one the header and the record were taken for).
        if value.digest is None:
            value.digest = self.digest
        _DOC_SLOT.__set__(self, value)

    @property
    def loaded(self) -> bool:
        """Whether the document was loaded."""
        try:
            _DOC_SLOT.__get__(self, Artifact)
        except AttributeError:
            return False
        return True

    @property
    def path(self) -> str:
        return self._path
