"""API versions per kind and the registry of migrations between them (ADR 0023).

Each kind has its own list of served API versions, oldest first (the Kubernetes model: a kind
moves from ``v1alpha1`` to ``v1beta1`` on its own). The last one is the *storage* version:
the one rspp writes, the one every rule, the resolver and the views read. A document written
at an older served version is validated against that version's schema, then upgraded in
memory, one migration at a time, to the storage version.

A migration is a pure function from a document of ``kind`` at ``source`` to the same
document at ``target``: it never drops what the author wrote, never adds a constraint the
author did not write, and the upgraded artifact resolves to the same view. Only forward paths
exist; asking for an older version, or for a version the kind does not have, is an unknown
path (:class:`MigrationError`).

The first migration, ``ExtensionManifest`` ``rspp.dev/v1alpha1`` -> ``rspp.dev/v1beta1``,
turns each parameter default (``name: value``) into a parameter declaration (``name:
{default: value}``), to which the author can then add a JSON-Schema ``type``, a ``unit``, a
range and the allowed values: an extension's node type is then checked exactly like a
built-in one (rules PRM002 and EXT005).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

import msgspec

from rspp.core.constants import API_VERSION, AUTHORED_KINDS
from rspp.core.jsontypes import JsonObject

V1ALPHA1: Final = API_VERSION
V1BETA1: Final = "rspp.dev/v1beta1"

SERVED: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    **dict.fromkeys(AUTHORED_KINDS, (V1ALPHA1,)),
    "ExtensionManifest": (V1ALPHA1, V1BETA1),
})
"""Kind -> the API versions this rspp reads, oldest first; the last is the storage version."""


class MigrationError(Exception):
    """No migration path: ``pointer`` (a JSON pointer, RFC 6901) names the value to blame,
    ``message`` says why in one line."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message


class Migration(msgspec.Struct, frozen=True):
    """One step: ``upgrade`` takes a schema-valid document of ``kind`` at ``source`` and returns
    a new document at ``target`` (the input is not changed)."""

    kind: str
    source: str
    target: str
    summary: str
    upgrade: Callable[[JsonObject], JsonObject]


def storage_version(kind: str) -> str:
    """The API version rspp writes and reads ``kind`` at (the newest served)."""
    return SERVED.get(kind, (API_VERSION,))[-1]


def served(kind: str) -> tuple[str, ...]:
    """The API versions of ``kind`` this rspp reads, oldest first (``()``: not a kind)."""
    return SERVED.get(kind, ())


def short(api_version: str) -> str:
    """``rspp.dev/v1beta1`` -> ``v1beta1``."""
    return api_version.rpartition("/")[2]


def schema_name(kind: str, api_version: str) -> str:
    """The name of the schema that validates ``kind`` written at ``api_version``: the kind
    itself at its storage version, else the kind with the version appended
    (``ExtensionManifestV1alpha1``), so each served version keeps its own schema file."""
    if api_version == storage_version(kind):
        return kind
    version = short(api_version)
    return kind + version[:1].upper() + version[1:]


def _params_to_declarations(data: JsonObject) -> JsonObject:
    out = copy.deepcopy(data)
    out["apiVersion"] = V1BETA1
    spec = out.get("spec")
    if isinstance(spec, dict) and isinstance(spec.get("params"), dict):
        params = spec["params"]
        assert isinstance(params, dict)  # checked above; narrows for the type checker
        spec["params"] = {name: {"default": value} for name, value in params.items()}
    return out


MIGRATIONS: Final = (
    Migration("ExtensionManifest", V1ALPHA1, V1BETA1,
              "parameter defaults (name: value) become parameter declarations "
              "(name: {default: value})", _params_to_declarations),
)
"""Every migration this rspp knows, by kind and source version."""


def path(kind: str, source: str, target: str) -> tuple[Migration, ...]:
    """The migrations that take ``kind`` from ``source`` to ``target``, in order (``()`` when
    they are the same version).

    Raises MigrationError (at ``/apiVersion``) when either version is not one the kind has,
    or ``target`` is older than ``source`` (no migration goes backwards)."""
    versions = served(kind)
    for version in (source, target):
        if version not in versions:
            listed = ", ".join(versions) or "none"
            raise MigrationError("/apiVersion", f"{kind} has no API version {version!r} "
                                                f"(this rspp reads {listed})")
    if versions.index(target) < versions.index(source):
        raise MigrationError("/apiVersion", f"no migration path from {source} down to "
                                            f"{target} for {kind}: migrations only go forward")
    steps: list[Migration] = []
    at = source
    while at != target:
        step = next((m for m in MIGRATIONS if m.kind == kind and m.source == at), None)
        if step is None:  # a served version without a step out of it: a registry fault
            raise MigrationError("/apiVersion", f"no migration from {at} for {kind}")
        steps.append(step)
        at = step.target
    return tuple(steps)


def upgrade(data: JsonObject, kind: str, target: str | None = None) -> JsonObject:
    """``data`` (a schema-valid document of ``kind``) at ``target`` (default: the storage
    version); ``data`` itself when it is already there. Raises MigrationError when there is
    no path (see :func:`path`)."""
    source = data.get("apiVersion")
    if not isinstance(source, str):
        raise MigrationError("/apiVersion", "the document has no apiVersion")
    out = data
    for step in path(kind, source, target or storage_version(kind)):
        out = step.upgrade(out)
    return out
