"""A test pack declaring the artifact kinds LatencyBudget (acme-rspp-pack's) and PipelineSpec
(rspp's own): refused (PCK005) with either."""

from __future__ import annotations

from rspp.rules.packs import Pack, PackKind

_ANY = {"type": "object"}

PACK = Pack(prefix="SHADOW", kinds=(
    PackKind("shadow.example/v1", "LatencyBudget", _ANY),
    PackKind("shadow.example/v1", "PipelineSpec", _ANY),
))
