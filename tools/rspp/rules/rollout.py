"""RolloutManifest rules."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import Final

from rspp.model.access import rollout_body
from rspp.model.artifact import Artifact
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


CHECKS: tuple[Check, ...] = (
    Check("ROL001", kinds=("RolloutManifest",), check=_strategy_shape),
    Check("ROL002", kinds=("RolloutManifest",), check=_canary_steps),
    Check("ROL003", kinds=("RolloutManifest",), check=_rollback_target),
)
