"""ReplayEvidenceManifest rules."""

from __future__ import annotations

import stat
from collections.abc import Iterator

from rspp.core.paths import Refused, Resolver, kind_of
from rspp.model.access import replay_body
from rspp.model.artifact import Artifact
from rspp.rules.base import Check, Context, Hit

# The OR-02 baseline: fields every accepted turn's evidence carries at any recording level.
OR02_BASELINE = (
    "session_id", "turn_id", "correlation_id", "lease_epoch", "bundle_ref", "plan_hash",
    "turn_open_ts", "turn_close_ts", "terminal_outcome", "cancel_events",
)


def _baseline(art: Artifact, ctx: Context) -> Iterator[Hit]:
    have = set(replay_body(art)["requiredFields"])
    missing = [f for f in OR02_BASELINE if f not in have]
    if missing:
        yield Hit("/spec/requiredFields", f"the OR-02 baseline also requires "
                                          f"{', '.join(missing)}")


def _escapes(path: str) -> bool:
    return path.startswith("/") or "\\" in path or ":" in path or ".." in path.split("/")


def _fixtures(art: Artifact) -> Iterator[tuple[int, str]]:
    for i, fixture in enumerate(replay_body(art).get("fixtures") or []):
        yield i, fixture["path"]


def _resolver(ctx: Context) -> Resolver | None:
    """One resolver per run (it remembers the folders it has seen)."""
    if ctx.root is None:
        return None
    key = ("replay", "resolver")
    found = ctx.cache.get(key)
    if not isinstance(found, Resolver):
        found = ctx.cache[key] = Resolver(ctx.root)
    return found


def _fixture_paths(art: Artifact, ctx: Context) -> Iterator[Hit]:
    resolver = _resolver(ctx)
    for i, path in _fixtures(art):
        if _escapes(path):
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture path {path!r} must be a relative "
                      "path inside the repository (no absolute paths, '..', URLs or drives)")
            continue
        outcome = resolver.resolve(path) if resolver is not None else None
        if isinstance(outcome, Refused) and outcome.code == "FILE002":
            how = (f"the symbolic link {outcome.link} -> {outcome.target}" if outcome.link
                   else "a symbolic link")
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture path {path!r} leaves the "
                      f"repository through {how}")


def _fixture_exists(art: Artifact, ctx: Context) -> Iterator[Hit]:
    resolver = _resolver(ctx)
    if resolver is None:
        return
    for i, path in _fixtures(art):
        if _escapes(path):
            continue
        outcome = resolver.resolve(path)
        if isinstance(outcome, Refused):
            if outcome.code != "FILE002":  # FILE002 is RPL002's
                yield Hit(f"/spec/fixtures/{i}/path", f"fixture {path} cannot be read: "
                          f"{outcome.reason}")
        elif outcome.mode is None:
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture {path} does not exist in the "
                                                  "repository")
        elif not stat.S_ISREG(outcome.mode):
            yield Hit(f"/spec/fixtures/{i}/path", f"fixture {path} is {kind_of(outcome.mode)}, "
                                                  "not a regular file")


CHECKS: tuple[Check, ...] = (
    Check("RPL001", kinds=("ReplayEvidenceManifest",), check=_baseline),
    Check("RPL002", kinds=("ReplayEvidenceManifest",), check=_fixture_paths, reads_files=True),
    Check("RPL003", kinds=("ReplayEvidenceManifest",), check=_fixture_exists, reads_files=True),
)
