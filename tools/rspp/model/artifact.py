"""Artifacts (documents whose envelope is valid) and the repository index of them.

Versions are SemVer 2.0.0 strings. Build metadata (``+...``) MUST be ignored when determining
precedence (SemVer 2.0.0, section 10), so rspp treats ``1.0.0`` and ``1.0.0+b`` as one
version: ``version_identity`` is the one place that says so, and everything that compares
versions or uses them as keys (uniqueness, the lock, immutability, references) goes through it.

This module stays free of pydantic: it sits on the hot validation path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import cast

import msgspec

from rspp.core.jsontypes import JsonObject
from rspp.load.document import Document


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


class DeferredArtifact(Artifact):
    """An artifact known by its header only (kind, id, version, path, and the ids it
    refers to: ``refs``, (kind, id) pairs), whose document is loaded on first use by
    ``fetch``; a partial validation run (ADR 0013) holds every file it does not check as one.
    It is schema-valid: only a file that loaded without a finding gets a header. ``fetch``
    raises what it raises (``RepositoryError`` when the file changed meanwhile)."""

    __slots__ = ("_fetch", "_path", "digest", "refs")

    def __init__(self, path: str, kind: str, ident: str, version: str,
                 refs: tuple[tuple[str, str], ...], fetch: Callable[[], Document]) -> None:
        self.kind, self.id, self.version, self.schema_valid = kind, ident, version, True
        self._path, self._fetch, self.refs = path, fetch, refs
        # the canonical digest of its content when a record has it
        # (rspp.validate.digests), so that hashing does not load the document
        self.digest: str | None = None

    @property
    def doc(self) -> Document:
        try:
            return cast("Document", _DOC_SLOT.__get__(self, Artifact))
        except AttributeError:
            loaded = self._fetch()
            _DOC_SLOT.__set__(self, loaded)
            return loaded

    @doc.setter
    def doc(self, value: Document) -> None:
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
