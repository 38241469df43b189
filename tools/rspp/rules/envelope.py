"""The envelope rule the checks report (ENV003); the validation engine reports the rest."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Final

from rspp.core.constants import ARTIFACT_DIRS
from rspp.model.artifact import Artifact
from rspp.rules.base import Check, Context, Hit

# Where each kind lives. pipelines/examples/ may hold any kind.
HOME: Final[Mapping[str, str]] = MappingProxyType({
    "PipelineSpec": "pipelines/specs/",
    "Module": "pipelines/modules/",
    "ExecutionProfile": "pipelines/profiles/",
    "PolicyOverlay": "pipelines/policies/",
    "ExtensionManifest": "pipelines/extensions/",
    "PipelineBundle": "pipelines/bundles/",
    "RolloutManifest": "rollouts/",
    "ReplayEvidenceManifest": "pipelines/replay/",
    "CompatibilityContract": "compat/",
    "ConformanceGates": "pipelines/tests/",
    "CompatibilityWaivers": "compat/",
})
_MANAGED = tuple(f"{folder}/" for folder in ARTIFACT_DIRS)


def _misplaced(art: Artifact, ctx: Context) -> Iterator[Hit]:
    path = art.path
    if not path.startswith(_MANAGED) or path.startswith("pipelines/examples/"):
        return
    home = HOME.get(art.kind)
    if home and not path.startswith(home):
        yield Hit("/kind", f"{art.kind} belongs under {home}, not in {path.rsplit('/', 1)[0]}/")


CHECKS: tuple[Check, ...] = (
    Check("ENV003", kinds=tuple(HOME), check=_misplaced, needs_schema_valid=False),
)
