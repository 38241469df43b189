"""RolloutManifest rules."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Final

from rspp.model.access import bundle_body, rollout_body
from rspp.model.artifact import Artifact, version_identity
from rspp.model.digest import artifact_digest
from rspp.model.ids import parse_ref
from rspp.rules.base import Check, Context, Hit

_NEEDS: Final = MappingProxyType({
    "canary": "steps", "percentage": "percentage", "cohort": "cohorts",
})


def _strategy_shape(art: Artifact, ctx: Context) -> Iterator[Hit]:
    strategy = rollout_body(art)["strategy"]
    kind = strategy["type"]
    field = _NEEDS[kind]
    if strategy.get(field) in (None, []):
        yield Hit("/spec/strategy", f"a {kind} rollout needs strategy.{field}")
    for other, name in _NEEDS.items():
        if other != kind and strategy.get(name) not in (None, []):
            yield Hit(f"/spec/strategy/{name}", f"strategy.{name} has no meaning in a {kind} "
                                                "rollout", key=True)


def _canary_steps(art: Artifact, ctx: Context) -> Iterator[Hit]:
    steps = rollout_body(art)["strategy"].get("steps") or []
    for i in range(1, len(steps)):
        if steps[i]["weight"] <= steps[i - 1]["weight"]:
            yield Hit(f"/spec/strategy/steps/{i}/weight",
                      f"canary weights must increase (step {i}: {steps[i]['weight']} after "
                      f"{steps[i - 1]['weight']})")


def _rollback_target(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = rollout_body(art)
    rollback = body.get("rollback")
    if rollback and rollback["bundle"].split("#")[0] == body["bundle"].split("#")[0]:
        yield Hit("/spec/rollback/bundle", "the rollback target is the bundle being rolled out")


def _canary_reaches_all(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = rollout_body(art)
    steps = body["strategy"].get("steps") or []
    if body["strategy"]["type"] == "canary" and steps and steps[-1]["weight"] != 100:
        yield Hit(f"/spec/strategy/steps/{len(steps) - 1}/weight",
                  f"the last canary step sends {steps[-1]['weight']} % of new sessions to "
                  f"{body['bundle']}: a canary ends at 100 (a rollout that should stop part "
                  "way is a percentage rollout)")


def _targets(art: Artifact) -> Iterator[tuple[str, str]]:
    """(pointer, reference) of the bundle and the rollback target."""
    body = rollout_body(art)
    yield "/spec/bundle", body["bundle"]
    if "rollback" in body:
        yield "/spec/rollback/bundle", body["rollback"]["bundle"]


def _bundle(ctx: Context, text: str) -> Artifact | None:
    ref = parse_ref(text)
    return ctx.index.get("PipelineBundle", ref.id, ref.version) if ref else None


def _pinned_digest(art: Artifact, ctx: Context) -> Iterator[Hit]:
    for pointer, text in _targets(art):
        ref, found = parse_ref(text), _bundle(ctx, text)
        if ref is None or ref.digest is None or found is None:
            continue
        actual = artifact_digest(found)
        if ref.digest != actual:
            yield Hit(pointer, f"{text} pins {ref.digest}, but {found.ref} ({found.path}) has "
                               f"digest {actual}: pin the bundle that is published")


def _spec_of(bundle: Artifact) -> str | None:
    for pin in bundle_body(bundle)["pins"]:
        ref = parse_ref(pin["ref"]) if pin["kind"] == "PipelineSpec" else None
        if ref is not None:
            return ref.id
    return None


def _rollback_older(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = rollout_body(art)
    if "rollback" not in body:
        return
    new, old = _bundle(ctx, body["bundle"]), _bundle(ctx, body["rollback"]["bundle"])
    if new is None or old is None or not new.schema_valid or not old.schema_valid:
        return
    ours, theirs = _spec_of(new), _spec_of(old)
    if ours is not None and theirs is not None and ours != theirs:
        yield Hit("/spec/rollback/bundle",
                  f"the rollback target {old.ref} runs pipeline {theirs}, not {ours} (the "
                  f"pipeline of {new.ref}): a rollback returns to an earlier release of the "
                  "same pipeline")
    import semver  # only when a rollback target is compared (ADR 0014)

    try:
        newer = semver.Version.parse(version_identity(old.version)) > \
            semver.Version.parse(version_identity(new.version))
    except ValueError:
        return
    if newer:
        yield Hit("/spec/rollback/bundle",
                  f"the rollback target {old.ref} is newer than {new.ref}: a rollback returns "
                  "to an older, known-good release")


def _tenants_once(art: Artifact, ctx: Context) -> Iterator[Hit]:
    seen: dict[str, str] = {}
    for i, cohort in enumerate(rollout_body(art)["strategy"].get("cohorts") or []):
        for j, tenant in enumerate(cohort["tenants"]):
            if tenant in seen:
                yield Hit(f"/spec/strategy/cohorts/{i}/tenants/{j}",
                          f"tenant {tenant!r} is in cohort {seen[tenant]!r} already: a tenant "
                          "moves with one cohort")
            else:
                seen[tenant] = cohort["name"]


def _cohort_rollback(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = rollout_body(art)
    if body["strategy"]["type"] == "cohort" and "rollback" not in body:
        yield Hit("/spec/strategy", "a cohort rollout moves named tenants: it needs a "
                                    "rollback target (spec.rollback.bundle)")


CHECKS: tuple[Check, ...] = (
    Check("ROL001", kinds=("RolloutManifest",), check=_strategy_shape),
    Check("ROL002", kinds=("RolloutManifest",), check=_canary_steps),
    Check("ROL003", kinds=("RolloutManifest",), check=_rollback_target),
    Check("ROL004", kinds=("RolloutManifest",), check=_canary_reaches_all),
    Check("ROL005", kinds=("RolloutManifest",), check=_pinned_digest),
    Check("ROL006", kinds=("RolloutManifest",), check=_rollback_older),
    Check("ROL007", kinds=("RolloutManifest",), check=_tenants_once),
    Check("ROL008", kinds=("RolloutManifest",), check=_cohort_rollback),
)
