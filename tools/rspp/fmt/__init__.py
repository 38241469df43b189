"""Floor 7 (capability): the canonical formatter for artifact files. Imports gen and below; never a sibling capability."""

from rspp.fmt.engine import FileOutcome, FmtOptions, FmtResult, Status, format_file, render, run
from rspp.fmt.text import FMT001, Formatted, format_document, format_text
from rspp.fmt.write import ArtifactWriteError, artifact_text
from rspp.model.order import canonical_order

__all__ = [
    "FMT001",
    "ArtifactWriteError",
    "FileOutcome",
    "FmtOptions",
    "FmtResult",
    "Formatted",
    "Status",
    "artifact_text",
    "canonical_order",
    "format_document",
    "format_file",
    "format_text",
    "render",
    "run",
]
