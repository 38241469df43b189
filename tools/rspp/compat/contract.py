"""The compatibility contract in effect, and the helpers every compatibility check shares.

A repository's contract is the newest version (SemVer 2.0.0 precedence, section 11) of its
CompatibilityContract; published older versions stay in the tree until they are retired and
are not in effect. When several contract ids exist, the first id in sorted order is in effect
(one contract per repository is the supported layout). Without a contract, every kind's mode
is BACKWARD (the Schema Registry default) and there is no skew policy, deprecation or event
ABI to check against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import semver

from rspp.core.findings import Finding, Related
from rspp.core.sink import finding
from rspp.model.access import contract_body
from rspp.model.artifact import Artifact, Index, version_identity

if TYPE_CHECKING:
    from rspp.model.views import CompatibilityContractBody, CompatMode, Deprecation, SkewPolicy

DEFAULT_MODE: CompatMode = "BACKWARD"


def parse_version(text: object) -> semver.Version | None:
    """``text`` as a SemVer 2.0.0 version (build metadata dropped, section 10), or None."""
    if not isinstance(text, str):
        return None
    try:
        return semver.Version.parse(version_identity(text))
    except ValueError:
        return None


def same_version(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name one version: SemVer equality (build metadata ignored)
    when both parse, else equal text."""
    va, vb = parse_version(a), parse_version(b)
    return va == vb if va is not None and vb is not None else a == b


def newest(artifacts: Sequence[Artifact]) -> Artifact | None:
    """The artifact with the highest version (SemVer precedence); unparsable versions last."""
    best: tuple[semver.Version, Artifact] | None = None
    for art in artifacts:
        version = parse_version(art.version)
        if version is not None and (best is None or version > best[0]):
            best = (version, art)
    return best[1] if best else None


@dataclass(frozen=True, slots=True)
class Contract:
    """The contract in effect (``artifact`` None when the repository has none)."""

    artifact: Artifact | None

    @property
    def body(self) -> CompatibilityContractBody | None:
        return contract_body(self.artifact) if self.artifact is not None else None

    def mode(self, kind: str) -> CompatMode:
        """The compatibility mode of ``kind``: ``perKind``, else ``default``, else BACKWARD."""
        body = self.body
        if body is None:
            return DEFAULT_MODE
        modes = body["schemaCompatibility"]
        return modes.get("perKind", {}).get(kind, modes["default"])

    def skew(self, component: str) -> SkewPolicy | None:
        """The skew policy of ``component`` (``runtime``, ``control_plane``, ``sdk``...)."""
        body = self.body
        return body["versionSkew"].get(component) if body is not None else None

    def deprecations(self) -> list[tuple[int, Deprecation]]:
        """(index in ``spec.deprecations``, entry), in file order."""
        body = self.body
        return list(enumerate(body.get("deprecations", []))) if body is not None else []


def active_contract(index: Index) -> Contract:
    """The contract in effect; see the module doc."""
    by_id: dict[str, list[Artifact]] = {}
    for art in index.of_kind("CompatibilityContract"):
        if art.schema_valid:
            by_id.setdefault(art.id, []).append(art)
    for ident in sorted(by_id):
        found = newest(by_id[ident])
        if found is not None:
            return Contract(found)
    return Contract(None)


def located(code: str, art: Artifact, pointer: str, message: str,
            related: Sequence[Related] = ()) -> Finding:
    """A finding at ``pointer`` of ``art`` (its nearest existing parent when absent)."""
    span = art.doc.span(pointer)
    return finding(code, art.path, span.line, span.col, message, pointer=pointer,
                   related=tuple(related))


def related_at(art: Artifact, pointer: str, message: str) -> Related:
    span = art.doc.span(pointer)
    return Related(art.path, span.line, span.col, message)


def parse_day(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (ISO 8601 calendar date); ValueError otherwise."""
    if len(text) != 10:
        raise ValueError(f"{text!r} is not a YYYY-MM-DD date")
    return dt.date.fromisoformat(text)
