"""CompatibilityContract rules and the grammar of deprecation targets.

A deprecation target (``spec.deprecations[].target``) names what is going away in one of four
forms:

- ``event ABI <semver>``: an event ABI version (``event ABI 1.0.0``);
- ``<type>``: a node type (``stt.deepgram``);
- ``<type> params.<name>=<value>``: one value of a node type's parameter
  (``stt.deepgram params.model=nova-2``); the value is compared with the text of the YAML/JSON
  scalar (``nova-2``, ``0.5``, ``true``);
- ``<Kind>/<id>@<version>``: an artifact version, in the lock's key form
  (``PipelineBundle/livekit_voice_assistant_bundle@0.9.0``).

:func:`parse_target` reads them (CMP003 reports a target in none of the forms); the
compatibility gate (``rspp.compat.deprecations``) finds their uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import msgspec

from rspp.core.constants import AUTHORED_KINDS
from rspp.core.suggest import did_you_mean
from rspp.model.access import contract_body
from rspp.model.artifact import Artifact
from rspp.model.ids import NODE_TYPE_PATTERN, SEMVER_CORE, parse_ref
from rspp.rules.base import Check, Context, Hit

# Patterns, compiled by ``re`` when a deprecation target is first parsed: a run that reads
# no compatibility contract compiles none (ADR 0014).
_TYPE = NODE_TYPE_PATTERN[1:-1]
_ABI_TARGET = rf"^event ABI (?P<version>{SEMVER_CORE})$"
_TYPE_TARGET = rf"^(?P<type>{_TYPE})$"
_PARAM_TARGET = (
    rf"^(?P<type>{_TYPE}) params\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>\S(?:.*\S)?)$")
_ARTIFACT_TARGET = r"^(?P<kind>[A-Z][A-Za-z]+)/(?P<ref>\S+)$"


class AbiTarget(msgspec.Struct, frozen=True):
    """``event ABI <version>``."""

    version: str

    def __str__(self) -> str:
        return f"event ABI {self.version}"


class NodeTypeTarget(msgspec.Struct, frozen=True):
    """``<type>``: every node of the type."""

    type: str

    def __str__(self) -> str:
        return f"node type {self.type}"


class ParamTarget(msgspec.Struct, frozen=True):
    """``<type> params.<name>=<value>``: nodes of the type whose parameter has the value."""

    type: str
    name: str
    value: str

    def __str__(self) -> str:
        return f"{self.type} params.{self.name}={self.value}"


class ArtifactTarget(msgspec.Struct, frozen=True):
    """``<Kind>/<id>@<version>``: references to that artifact version."""

    kind: str
    id: str
    version: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.id}@{self.version}"


Target = AbiTarget | NodeTypeTarget | ParamTarget | ArtifactTarget


def parse_target(text: str) -> Target | None:
    """The deprecation target ``text`` names (see the module doc), or None."""
    if found := re.match(_ABI_TARGET, text):
        return AbiTarget(found["version"])
    if found := re.match(_TYPE_TARGET, text):
        return NodeTypeTarget(found["type"])
    if found := re.match(_PARAM_TARGET, text):
        return ParamTarget(found["type"], found["name"], found["value"])
    if (found := re.match(_ARTIFACT_TARGET, text)) and found["kind"] in AUTHORED_KINDS:
        ref = parse_ref(found["ref"])
        if ref is not None and ref.digest is None:
            return ArtifactTarget(found["kind"], ref.id, ref.version)
    return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _deprecation_window(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, dep in enumerate(contract_body(art).get("deprecations") or []):
        since, until = _date(dep["since"]), _date(dep["removeAfter"])
        if since is None:
            yield Hit(f"/spec/deprecations/{i}/since", f"{dep['since']} is not a calendar date")
        if until is None:
            yield Hit(f"/spec/deprecations/{i}/removeAfter",
                      f"{dep['removeAfter']} is not a calendar date")
        if since and until and until <= since:
            yield Hit(f"/spec/deprecations/{i}/removeAfter",
                      f"removeAfter {dep['removeAfter']} is not after since {dep['since']}")


def _deprecation_target(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, dep in enumerate(contract_body(art).get("deprecations") or []):
        if parse_target(dep["target"]) is None:
            yield Hit(f"/spec/deprecations/{i}/target",
                      f"deprecation target {dep['target']!r} is none of: event ABI <semver>, "
                      "<node type>, <node type> params.<name>=<value>, <Kind>/<id>@<version>")


def _deprecated_type_known(art: Artifact, ctx: Context) -> Iterator[Hit]:
    declared = set(ctx.index.node_types) | {str(e.spec.get("nodeType")) for e in
                               ctx.index.of_kind("ExtensionManifest") if e.spec.get("nodeType")}
    for i, dep in enumerate(contract_body(art).get("deprecations") or []):
        target = parse_target(dep["target"])
        if isinstance(target, NodeTypeTarget | ParamTarget) and target.type not in declared:
            yield Hit(f"/spec/deprecations/{i}/target",
                      f"deprecation target names node type {target.type!r}, which neither the "
                      "built-in catalog nor an extension manifest declares: it matches nothing"
                      f"{did_you_mean(target.type, declared)}")


def _event_abi(art: Artifact, ctx: Context) -> Iterator[Hit]:
    abi = contract_body(art)["eventAbi"]
    if abi["current"] not in abi["supported"]:
        yield Hit("/spec/eventAbi/current",
                  f"current event ABI {abi['current']} is not in supported "
                  f"({', '.join(abi['supported'])})")


CHECKS: tuple[Check, ...] = (
    Check("CMP001", kinds=("CompatibilityContract",), check=_deprecation_window),
    Check("CMP002", kinds=("CompatibilityContract",), check=_event_abi),
    Check("CMP003", kinds=("CompatibilityContract",), check=_deprecation_target),
    Check("CMP004", kinds=("CompatibilityContract",), check=_deprecated_type_known),
)
