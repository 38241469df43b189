"""PolicyOverlay rules, and the codes the resolve stage emits for what only the resolved
graph shows (profile node defaults that change port types, policy insert rules)."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.model.access import policy_body
from rspp.model.artifact import Artifact
from rspp.model.expr import ExprError, parse
from rspp.rules.base import Check, Context, Hit


def condition_hits(pointer: str, text: object) -> Iterator[Hit]:
    if not isinstance(text, str):
        return
    try:
        parse(text)
    except ExprError as exc:
        yield Hit(pointer, f"condition {text!r} does not parse at column {exc.col}: {exc}")


def _conditions(art: Artifact, ctx: Context) -> Iterator[Hit]:
    body = policy_body(art)
    for i, provider in enumerate(body.get("providerRules") or []):
        yield from condition_hits(f"/spec/providerRules/{i}/when", provider.get("when"))
    for i, degrade in enumerate(body.get("degradeRules") or []):
        yield from condition_hits(f"/spec/degradeRules/{i}/when", degrade["when"])


CHECKS: tuple[Check, ...] = (
    Check("POL002", kinds=("PolicyOverlay",), check=_conditions),
)
