"""CompatibilityContract and ConformanceGates rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from rspp.model.access import contract_body, gates_body
from rspp.model.artifact import Artifact
from rspp.rules.base import Check, Context, Hit

MVP_GATES = ("latency", "cancel_fence", "authority", "replay_completeness", "lifecycle")


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


def _event_abi(art: Artifact, ctx: Context) -> Iterator[Hit]:
    abi = contract_body(art)["eventAbi"]
    if abi["current"] not in abi["supported"]:
        yield Hit("/spec/eventAbi/current",
                  f"current event ABI {abi['current']} is not in supported "
                  f"({', '.join(abi['supported'])})")


def _gate_ids(art: Artifact, ctx: Context) -> Iterator[Hit]:
    seen: set[str] = set()
    for i, gate in enumerate(gates_body(art)["gates"]):
        if gate["id"] in seen:
            yield Hit(f"/spec/gates/{i}/id", f"gate id {gate['id']!r} is used twice")
        seen.add(gate["id"])


def _mvp_gates(art: Artifact, ctx: Context) -> Iterator[Hit]:
    gates = gates_body(art)["gates"]
    required = {g["type"] for g in gates if g.get("required", True)}
    for gate_type in (t for t in MVP_GATES if t not in required):
        optional = next((i for i, g in enumerate(gates) if g["type"] == gate_type), None)
        if optional is None:
            yield Hit("/spec/gates", f"no gate of type {gate_type}")
        else:
            yield Hit(f"/spec/gates/{optional}/required",
                      f"the {gate_type} gate must be required")


CHECKS: tuple[Check, ...] = (
    Check("CMP001", kinds=("CompatibilityContract",), check=_deprecation_window),
    Check("CMP002", kinds=("CompatibilityContract",), check=_event_abi),
    Check("GAT001", kinds=("ConformanceGates",), check=_gate_ids),
    Check("GAT002", kinds=("ConformanceGates",), check=_mvp_gates),
)
