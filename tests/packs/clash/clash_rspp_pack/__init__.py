"""A test pack that takes rspp's own code prefix REF (refused: PCK005)."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.model.artifact import Artifact
from rspp.rules.base import Context, Hit
from rspp.rules.packs import Pack, PackRule


def _never(art: Artifact, ctx: Context) -> Iterator[Hit]:
    yield Hit("", "never reported: the pack is refused")


def make() -> Pack:
    return Pack(prefix="REF", rules=(
        PackRule("REF900", "A clashing code.", "Its prefix is rspp's own.", ("PipelineSpec",),
                 _never),))
