"""The signed index of published bundles: TUF's snapshot and timestamp ideas (ADR 0008).

The index is an artifact tagged :data:`oci.INDEX_TAG` whose one layer is the RFC 8785 JSON
``{"bundles": {"id@version": "sha256:<manifest digest>"}, "expires": "YYYY-MM-DDTHH:MM:SSZ",
"version": N}``, signed like a bundle (a referrer). Each publish that changes it writes
version N+1 (TUF "snapshot": the set of published bundles, and which manifest each one is)
with a new expiry (TUF "timestamp": a frozen store goes stale). A consumer keeps the highest
version it trusted per store (:class:`TrustState`) and refuses a lower one (IDX001, rollback)
or an expired one (IDX002, freeze) before it uses anything the index names (The Update
Framework specification v1.0, section 5.3-5.4, "rollback" and "freeze" attacks).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from rspp.core.canonical import canonical_bytes
from rspp.release import oci

INDEX_LAYER: Final = "application/vnd.rspp.index.layer.v1+json"
PREDICATE: Final = "https://rspp.dev/index/v1"
STATE_FILE: Final = ".rspp/trusted-index.json"
"""Where the CLI keeps the versions it trusted, relative to the repository root."""
_MAX_BUNDLES: Final = 100_000


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """``version`` (1, 2, …), ``expires`` (UTC), ``bundles`` (``id@version`` -> manifest
    digest)."""

    version: int
    expires: dt.datetime
    bundles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def to_bytes(self) -> bytes:
        return canonical_bytes({"version": self.version, "expires": stamp(self.expires),
                                "bundles": dict(sorted(self.bundles.items()))})


def stamp(when: dt.datetime) -> str:
    """``when`` as RFC 3339 UTC with seconds: ``2026-11-30T12:00:00Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def parse(data: bytes, where: str) -> IndexDoc:
    """Parse an index layer; ReleaseError IDX003 when it is not one."""
    def bad(what: str) -> oci.ReleaseError:
        return oci.ReleaseError("IDX003", f"the index of {where} is malformed: {what}",
                                "republish it with `rspp bundle publish --refresh-index`")

    try:
        value = oci.load_json(data, f"the index of {where}", "IDX003")
    except oci.ReleaseError as exc:
        raise bad(exc.cause) from None
    if not isinstance(value, dict) or set(value) != {"version", "expires", "bundles"}:
        raise bad("it is not {bundles, expires, version}")
    version, expires, bundles = value["version"], value["expires"], value["bundles"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad("version is not a positive integer")
    when = parse_stamp(expires) if isinstance(expires, str) else None
    if when is None:
        raise bad("expires is not YYYY-MM-DDTHH:MM:SSZ")
    if (not isinstance(bundles, dict) or len(bundles) > _MAX_BUNDLES
            or not all(isinstance(k, str) and isinstance(v, str) and oci.is_digest(v)
                       for k, v in bundles.items())):
        raise bad("bundles is not an object of id@version -> sha256 digest")
    return IndexDoc(version, when, MappingProxyType(dict(bundles)))


def pack_index(doc: IndexDoc) -> tuple[bytes, bytes]:
    """The index's manifest and layer bytes (the manifest annotated with the version)."""
    layer = doc.to_bytes()
    desc = oci.Descriptor.of(INDEX_LAYER, layer)
    manifest = oci.artifact_manifest(
        oci.INDEX_TYPE, [desc], annotations={"dev.rspp.index.version": str(doc.version),
                                             "dev.rspp.index.expires": stamp(doc.expires)})
    return manifest, layer


def check_fresh(doc: IndexDoc, trusted: int, now: dt.datetime, where: str) -> None:
    """Refuse a rolled-back (IDX001) or expired (IDX002) index."""
    if doc.version < trusted:
        raise oci.ReleaseError("IDX001", f"the index of {where} is version {doc.version}, "
                               f"older than version {trusted} already trusted: a rollback",
                               "the store was rolled back or is being replayed; do not "
                               "use it")
    if doc.expires <= now:
        raise oci.ReleaseError("IDX002", f"the index of {where} expired at "
                               f"{stamp(doc.expires)}: the store may be frozen",
                               "publish again (`rspp bundle publish --refresh-index`)")


@dataclass(slots=True)
class TrustState:
    """The highest index version trusted, per store location; a JSON file
    ``{"indexes": {"<location>": N}}`` (by default :data:`STATE_FILE`)."""

    path: Path
    root: Path
    versions: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, root: Path) -> TrustState:
        """Read the state; a missing file is an empty state. ReleaseError IDX003 when the
        file is not a state."""
        from rspp.core.files import FileAccessError, read_existing

        try:
            raw = read_existing(path, root=root, verb="read")
        except FileAccessError as exc:
            raise oci.ReleaseError("IDX003", exc.cause, exc.remedy) from exc
        if raw is None:
            return cls(path, root)
        try:
            value = oci.load_json(raw, str(path), "IDX003")
        except oci.ReleaseError:
            value = None
        versions = value.get("indexes") if isinstance(value, dict) else None
        if not (isinstance(versions, dict)
                and all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                        and v >= 0 for k, v in versions.items())):
            raise oci.ReleaseError("IDX003", f"{path} is not a trusted-index state file",
                                   "delete it only if you know no rollback happened")
        return cls(path, root, dict(versions))

    def trusted(self, location: str) -> int:
        return self.versions.get(location, 0)

    def remember(self, location: str, version: int) -> None:
        """Record ``version`` (never lowering a recorded one) and write the file atomically."""
        from rspp.core.files import FileAccessError, write_atomic

        if version <= self.trusted(location):
            return
        self.versions[location] = version
        text = json.dumps({"indexes": dict(sorted(self.versions.items()))}, indent=2) + "\n"
        try:
            write_atomic(self.path, text.encode("utf-8"), root=self.root)
        except FileAccessError as exc:
            raise oci.ReleaseError("IDX003", exc.cause, exc.remedy) from exc
