"""Codes emitted by `rspp fmt`."""

from __future__ import annotations

from rspp.core.findings import Severity
from rspp.rules.base import Rule

RULES: tuple[Rule, ...] = (
    Rule("FMT001", "format", Severity.ERROR,
         "rspp fmt cannot format the file without changing its meaning or losing a comment.",
         "rspp fmt writes a formatted file only when the strict loader reads the new text as "
         "the same data (every value, with its type) and every comment is still there. When "
         "that cannot be guaranteed (a comment inside a flow collection or after a list "
         "item's block scalar indicator, or text the round-trip YAML library cannot read or "
         "write back faithfully) the file is left exactly as it was and the finding points at "
         "the place concerned. Move the comment, write the collection in block style, or "
         "format that part by hand.",
         emitted_by="fmt", needs_schema_valid=False),
)
