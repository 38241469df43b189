"""Lane vocabulary shared by the rules and the resolver: which traffic may ride which lane."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.model.ids import PortType

if TYPE_CHECKING:
    from rspp.model.views import Lane

LANES: Final[tuple[Lane, Lane, Lane]] = ("control", "data", "telemetry")

# Port base-type prefix -> lanes its traffic may use. Unknown prefixes are unrestricted.
LANES_FOR: Final = MappingProxyType({
    "control": frozenset({"control"}), "metrics": frozenset({"telemetry"}),
    "audio": frozenset({"data"}), "text": frozenset({"data"}),
    "event": frozenset({"control", "data"}),
})


def default_lane(t: PortType) -> Lane:
    """The lane an edge carrying ``t`` rides when it names none."""
    prefix = t.base.split("/", 1)[0]
    return "control" if prefix == "control" else "telemetry" if prefix == "metrics" else "data"


def allowed_lanes(t: PortType) -> frozenset[str] | None:
    """The lanes ``t`` may ride, or None when any lane will do."""
    return LANES_FOR.get(t.base.split("/", 1)[0])


def lane_of(value: object) -> Lane:
    """``value`` as a lane name; KeyError for anything else (schema-valid data has none)."""
    for lane in LANES:
        if value == lane:
            return lane
    raise KeyError(value)
