"""The one copy of the names every floor shares: the API version, the artifact kinds and the
folders rspp manages. Literal data; imports nothing."""

from __future__ import annotations

from typing import Final

# The apiVersion every artifact and every derived view carries (DESIGN.md, "Artifact kinds").
API_VERSION: Final = "rspp.dev/v1alpha1"

# Kinds authors write, in the order the schemas and docs list them.
AUTHORED_KINDS: Final = (
    "PipelineSpec", "Module", "ExecutionProfile", "PolicyOverlay", "ExtensionManifest",
    "PipelineBundle", "RolloutManifest", "ReplayEvidenceManifest", "CompatibilityContract",
    "ConformanceGates", "CompatibilityWaivers",
)
# Kinds rspp derives (resolved views); never authored by hand.
DERIVED_KINDS: Final = ("ResolvedSpec", "ResolvedTurnPlan")
ALL_KINDS: Final = (*AUTHORED_KINDS, *DERIVED_KINDS)
# Kinds whose published versions may change (a rollout advances); every other version is
# immutable once published.
MUTABLE_KINDS: Final = frozenset({"RolloutManifest", "CompatibilityWaivers"})
# Kinds that hold a node graph.
GRAPH_KINDS: Final = ("PipelineSpec", "Module")

# Top-level folders that hold artifacts, the folder of derived files, the lock file.
ARTIFACT_DIRS: Final = ("pipelines", "compat", "rollouts")
DERIVED_DIR: Final = "docs/pipelines"
LOCK_FILE: Final = "rspp.lock"

RUNTIME_SKEW_MINOR_DEFAULT: Final = 1
"""How many minor versions a runtime may trail a bundle's window when a rollout's admission
does not say (``admission.maxRuntimeSkewMinor``; the RolloutManifest model's default)."""
SHARED_STR_MAX: Final = 64
"""The longest string value (in code points) the loaders share, as they share every key:
artifacts of one repository repeat the same node types, ids, modes and units thousands of
times, and one copy of each (``sys.intern``) instead of one per occurrence saves about a
quarter of the memory their data takes (ADR 0019). Longer strings (descriptions, prompts)
rarely repeat."""
