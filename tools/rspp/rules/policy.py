"""PolicyOverlay rules, and the codes the resolve stage emits for what only the resolved
graph shows (profile node defaults that change port types, policy insert rules)."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.core.findings import Severity
from rspp.model.artifact import Artifact
from rspp.model.expr import ExprError, parse
from rspp.model.views import policy_body
from rspp.rules.base import Context, Hit, Rule

_E = Severity.ERROR


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


def _resolve(code: str, summary: str, doc: str) -> Rule:
    return Rule(code, "resolve", _E, summary, doc, emitted_by="resolve")


RULES: tuple[Rule, ...] = (
    Rule("POL002", "policy", _E, "A policy condition does not parse.",
         "Degrade and provider rules carry `when` conditions that the turn-plan resolver "
         "evaluates at each turn boundary: names (signals of the routing snapshot), numbers, "
         "quoted strings, true/false, comparisons (== != < <= > >=), and, or, not and "
         "parentheses. Nothing else: no calls, no arithmetic. A condition that does not parse "
         "would fail every turn, so it fails validation instead.",
         kinds=("PolicyOverlay",), check=_conditions),
    _resolve("POL003", "A policy insert rule breaks port typing or lane rules.",
             "An insert rule puts a node on an existing edge (from -> node.input, "
             "node.output -> to); both new edges keep the replaced edge's lane and buffer. "
             "Both must be well typed once the bundle's profile defaults apply, exactly like "
             "authored edges (TYP001), and carry traffic their lane allows (LANE002). "
             "Reported at resolve time on the insert rule, so it never reaches a running "
             "turn."),
    _resolve("POL005", "A policy inserts a node the pipeline cannot run.",
             "The inserted node's type must exist, its parameters must be known, the named "
             "input and output ports must exist, it may need no other input, and its id must "
             "not clash with a node of the resolved pipeline."),
    _resolve("POL006", "A provider rule prefers a type the node cannot switch to.",
             "A provider rule orders the node types a turn may use for a node. Switching means "
             "handing the node's wiring to one of its stand-ins (fallback targets, degrade "
             "target), so every preferred type must be the node's own type or a stand-in's."),
    _resolve("TYP003", "Port types stop matching once the profile's node defaults apply.",
             "A profile's nodeDefaults can change parameters that shape port types (a sample "
             "rate, a channel count). The resolved graph is type-checked again with the "
             "defaults applied; the finding sits on the spec edge and names the profile."),
    Rule("RSV001", "resolve", _E, "A resolved view is re-normalized with another profile.",
             "normalize(resolved) returns the view unchanged when given the profile (and "
         "overlays) it was resolved with. A different profile would mix two resolutions; "
         "resolve the spec again instead.", emitted_by="api"),
    Rule("PLN001", "plan", _E, "A routing snapshot or turn request is not valid.",
         "A routing snapshot has snapshotId, providers (node type -> healthy, degraded or "
         "down), breakers (node id -> closed, open or half_open) and signals (the values "
         "conditions read); nothing else. The turn request needs a session, and a turn and "
         "lease epoch of 0 or more.", emitted_by="api"),
    Rule("PLN002", "plan", _E, "A condition reads a signal the routing snapshot lacks.",
         "Cost caps read session.cost_usd and tenant_day.cost_usd; degrade and provider "
         "conditions read the names they mention. A missing signal fails the plan instead of "
         "counting as false: a turn must never run on a guess.", emitted_by="api"),
    Rule("PLN003", "plan", _E, "A turn plan would change mid-turn, or its lease is stale.",
         "Plans are frozen at turn open. Asking again for a planned turn with other inputs "
         "(new routing, another policy) is refused: changes apply from the next turn. A "
         "lease epoch lower than one the session already holds is stale and refused.",
         emitted_by="api"),
)
