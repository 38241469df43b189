"""ReplayEvidenceManifest rules."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.findings import Severity
from rspp.model.artifact import Artifact
from rspp.rules.base import Context, Hit, Rule

# The OR-02 baseline: fields every accepted turn's evidence carries at any recording level.
OR02_BASELINE = (
    "session_id", "turn_id", "correlation_id", "lease_epoch", "bundle_ref", "plan_hash",
    "turn_open_ts", "turn_close_ts", "terminal_outcome", "cancel_events",
)


def _baseline(art: Artifact, ctx: Context) -> Iterator[Hit]:
    have = set(art.spec["requiredFields"])
    missing = [f for f in OR02_BASELINE if f not in have]
    if missing:
        yield Hit("/spec/requiredFields", f"the OR-02 baseline also requires "
                                          f"{', '.join(missing)}")


def _escapes(path: str) -> bool:
    return path.startswith("/") or "\\" in path or ":" in path or ".." in path.split("/")


def _fixture_paths(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for i, fixture in enumerate(art.spec.get("fixtures") or []):
        path = fixture["path"]
        if _escapes(path):
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture path {path!r} must be a relative "
                      "path inside the repository (no absolute paths, '..', URLs or drives)")


def _fixture_exists(art: Artifact, ctx: Context) -> Iterator[Hit]:
    if ctx.root is None:
        return
    for i, fixture in enumerate(art.spec.get("fixtures") or []):
        path = fixture["path"]
        if _escapes(path):
            continue
        target = ctx.root / path
        if not target.is_file() or target.is_symlink():
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture {path} is not a regular file in the "
                                                  "repository")


RULES: tuple[Rule, ...] = (
    Rule("RPL001", "replay", Severity.ERROR,
         "Replay evidence does not require the whole OR-02 baseline.",
         "Baseline evidence completeness is mandatory for every accepted turn, whatever the "
         "recording level: " + ", ".join(OR02_BASELINE) + ".",
         kinds=("ReplayEvidenceManifest",), check=_baseline),
    Rule("RPL002", "replay", Severity.ERROR, "A fixture path leaves the repository.",
         "Fixture paths are relative POSIX paths inside the repository. Absolute paths, '..' "
         "segments, backslashes, drive letters and URLs are refused; rspp never fetches "
         "anything a manifest names.",
         kinds=("ReplayEvidenceManifest",), check=_fixture_paths),
    Rule("RPL003", "replay", Severity.ERROR, "A fixture file does not exist.",
         "Every fixture a replay manifest names is a regular file (not a symbolic link) at that "
         "path in the repository, so replay regressions never run against missing evidence.",
         kinds=("ReplayEvidenceManifest",), check=_fixture_exists),
)
