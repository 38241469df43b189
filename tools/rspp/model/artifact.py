"""Artifacts (documents whose envelope is valid) and the repository index of them.

This module stays free of pydantic: it sits on the hot validation path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rspp.load.document import Document


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
    def spec(self) -> dict[str, Any]:
        value = self.doc.data.get("spec")
        return value if isinstance(value, dict) else {}

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.id, self.version)


@dataclass(slots=True)
class Index:
    """Every artifact of the repository, by (kind, id, version) and by (kind, id)."""

    artifacts: list[Artifact] = field(default_factory=list)
    by_key: dict[tuple[str, str, str], list[Artifact]] = field(default_factory=dict)
    by_kind_id: dict[tuple[str, str], list[Artifact]] = field(default_factory=dict)

    def add(self, art: Artifact) -> None:
        self.artifacts.append(art)
        self.by_key.setdefault(art.key, []).append(art)
        self.by_kind_id.setdefault((art.kind, art.id), []).append(art)

    def get(self, kind: str, ident: str, version: str) -> Artifact | None:
        found = self.by_key.get((kind, ident, version))
        return found[0] if found else None

    def versions(self, kind: str, ident: str) -> list[str]:
        return sorted({a.version for a in self.by_kind_id.get((kind, ident), [])})

    def of_kind(self, kind: str) -> Iterator[Artifact]:
        return (a for a in self.artifacts if a.kind == kind)
