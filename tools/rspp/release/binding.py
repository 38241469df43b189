"""Rollouts bound to releases (ADR 0008): a rollout may only move traffic to a bundle that
is published and verifies, and fall back to one that is published, verifies, runs the same
pipeline and is older.

The static rules (ROL004-ROL008, :mod:`rspp.rules.rollout`) judge the rollout against the
repository; these checks judge it against a store: ROL010 for the bundle rolled out, ROL011
for the rollback target. Each runs the full verification of :func:`rspp.release.verify.
pull_verified` (signed index, signature and signer, digests, provenance, and with
``runtimes`` the bundle's runtime window), so a rollout passes only with what a runtime would
accept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from rspp.core.findings import Finding
from rspp.core.sink import finding
from rspp.model.access import rollout_body
from rspp.model.artifact import Artifact
from rspp.release import oci

if TYPE_CHECKING:
    from rspp.release.index import TrustState
    from rspp.release.trust import TrustPolicy
    from rspp.release.verify import Verified


def check_bound(rollout: Artifact, store: oci.Store, policy: TrustPolicy,
                state: TrustState | None, *, now: dt.datetime | None = None,
                offline: bool = True, runtimes: Sequence[str] = (),
                locked: Mapping[str, str] | None = None) -> list[Finding]:
    """The ROL010/ROL011 findings of ``rollout`` against ``store`` (none: bound).
    ``locked``: the repository's lock entries (``Kind/id@version`` -> digest); a published
    bundle whose digest is not the locked one is not the bundle the repository reviewed.

    Raises StoreError REL003 when the store cannot be reached."""
    from rspp.compat.contract import parse_version

    body = rollout_body(rollout)
    out: list[Finding] = []

    def hit(code: str, pointer: str, message: str) -> None:
        span = rollout.doc.span(pointer)
        out.append(finding(code, rollout.path, span.line, span.col, message, pointer=pointer))

    lock = locked or {}
    new = _pulled("ROL010", "/spec/bundle", body["bundle"], store, policy, state, now,
                  offline, runtimes, hit, lock)
    if "rollback" not in body:
        return out
    old = _pulled("ROL011", "/spec/rollback/bundle", body["rollback"]["bundle"], store,
                  policy, state, now, offline, runtimes, hit, lock)
    if new is None or old is None:
        return out
    ours, theirs = _pipeline(new), _pipeline(old)
    if ours != theirs:
        hit("ROL011", "/spec/rollback/bundle", f"the published rollback target {old.ref} "
            f"runs pipeline {theirs}, the rolled-out {new.ref} runs {ours}")
    new_v, old_v = (parse_version(v.ref.rpartition("@")[2]) for v in (new, old))
    if new_v is not None and old_v is not None and not old_v < new_v:
        hit("ROL011", "/spec/rollback/bundle", f"the published rollback target {old.ref} is "
            f"not older than {new.ref}")
    return out


def _pulled(code: str, pointer: str, text: str, store: oci.Store, policy: TrustPolicy,
            state: TrustState | None, now: dt.datetime | None, offline: bool,
            runtimes: Sequence[str], hit: Callable[[str, str, str], None],
            locked: Mapping[str, str]) -> Verified | None:
    from rspp.release.verify import pull_verified

    ref, _, pin = text.partition("#")
    verified = None
    try:
        for runtime in runtimes or (None,):
            verified = pull_verified(store, ref, policy, state, now=now, offline=offline,
                                     runtime=runtime)
    except oci.StoreError as exc:
        if exc.code == "REL003":
            raise
        hit(code, pointer, f"{ref} does not verify in {store.location}: {exc.code} "
            f"{exc.one_line()}")
        return None
    except oci.ReleaseError as exc:
        hit(code, pointer, f"{ref} is not published and verified in {store.location}: "
            f"{exc.code} {exc.one_line()}")
        return None
    assert verified is not None
    if pin and pin != verified.bundle_digest:
        hit(code, pointer, f"{ref} is pinned as {pin}, the published bundle is "
            f"{verified.bundle_digest}")
        return None
    expected = locked.get(f"PipelineBundle/{ref}")
    if expected is not None and expected != verified.bundle_digest:
        hit(code, pointer, f"the published {ref} is {verified.bundle_digest}, rspp.lock "
            f"records {expected}: not the bundle this repository reviewed")
        return None
    return verified


def _pipeline(verified: Verified) -> str:
    """The spec id a verified bundle pins (``""`` when it pins none)."""
    return next(_specs(verified), "")


def _specs(verified: Verified) -> Iterator[str]:
    bundle = verified.bundle
    spec = bundle.get("spec") if isinstance(bundle, dict) else None
    for pin in spec.get("pins", []) if isinstance(spec, dict) else []:
        if isinstance(pin, dict) and pin.get("kind") == "PipelineSpec":
            yield str(pin.get("ref", "")).partition("#")[0].rpartition("@")[0]
