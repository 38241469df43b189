"""The resolver's working values: items with per-field origins, and problems."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

import msgspec

from rspp.core.findings import Related
from rspp.model.artifact import Artifact


class Origin(NamedTuple):
    """Where a resolved value came from; becomes one entry of ``defaultingSources``.

    ``art`` + ``pointer`` locate an authored value (its line is looked up only when the view
    is written, so validation never pays for it); ``raw`` carries an entry read back from an
    existing resolved view. A tuple, not a dataclass: a view records thousands of them.
    """

    kind: str
    reason: str
    art: Artifact | None = None
    pointer: str = ""
    ref: str | None = None
    raw: Mapping[str, object] | None = None

    def to_json(self) -> dict[str, object]:
        if self.raw is not None:
            return dict(self.raw)
        out: dict[str, object] = {"kind": self.kind, "reason": self.reason}
        if self.art is not None:
            span = self.art.doc.span(self.pointer)
            out.update(ref=self.art.ref, file=self.art.path, line=span.line, column=span.col,
                       pointer=self.pointer)
        elif self.ref is not None:
            out["ref"] = self.ref
        return out


_SOURCE_KIND: Final = MappingProxyType({
    "PipelineSpec": "spec", "Module": "module", "ExecutionProfile": "profile",
    "PolicyOverlay": "policy", "PipelineBundle": "bundle", "ExtensionManifest": "extension",
})


def authored(art: Artifact, pointer: str, reason: str) -> Origin:
    return Origin(_SOURCE_KIND.get(art.kind, "spec"), reason, art, pointer)


def builtin(ref: str, reason: str) -> Origin:
    return Origin("builtin", reason, ref=ref)


class Problem(msgspec.Struct, frozen=True):
    """A resolve-time error, located in the artifact that must change."""

    code: str
    art: Artifact
    pointer: str
    message: str
    related: tuple[Related, ...] = ()


# A field path inside an item: the keys from the item down to a value ("cancel", "inFlight").
FieldPath = tuple[str, ...]


class Item(msgspec.Struct):
    """A resolved node or edge (or the top level): its data and each leaf's origin.

    Origins are keyed by the path of the leaf inside the item (``("params", "model")``).
    ``data`` is the item's part of the view being built: JSON values, some of them written
    from the typed views of the inputs (``rspp.model.views``) as they are.
    """

    data: dict[str, object] = msgspec.field(default_factory=dict)
    origins: dict[FieldPath, Origin] = msgspec.field(default_factory=dict)
    # Where problems about this item are reported (artifact, pointer).
    blame: tuple[Artifact, str] | None = None

    def put(self, path: FieldPath, value: object, origin: Origin) -> None:
        """Set ``value`` at ``path``, creating parents, and record its origin."""
        target = self.data
        for part in path[:-1]:
            target = _child(target, part)
        target[path[-1]] = value
        self.origins[path] = origin

    def fill(self, path: FieldPath, value: object, origin: Origin) -> bool:
        """Set ``value`` only where nothing is set yet (defaults never override)."""
        target = self.data
        for part in path[:-1]:
            target = _child(target, part)
        if path[-1] in target:
            return False
        target[path[-1]] = value
        self.origins[path] = origin
        return True

    def has(self, path: FieldPath) -> bool:
        return self.get(path, _MISSING) is not _MISSING

    def get(self, path: FieldPath, default: object = None) -> object:
        target: object = self.data
        for part in path:
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                return default
        return target


    def text(self, key: str) -> str:
        """The string at ``key`` (ids, types, port references, lanes are strings)."""
        value = self.data[key]
        if not isinstance(value, str):
            raise TypeError(f"{key} is {type(value).__name__}, not a string")
        return value

    def mapping(self, key: str) -> dict[str, object]:
        """The mapping at ``key``, made empty first when there is none."""
        return _child(self.data, key)


def _child(target: dict[str, object], key: str) -> dict[str, object]:
    child = target.setdefault(key, {})
    if not isinstance(child, dict):
        raise TypeError(f"{key} is {type(child).__name__}, not a mapping")
    return child


_MISSING = object()
