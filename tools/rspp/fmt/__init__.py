"""`rspp fmt`: canonical formatting of artifact files that keeps comments and meaning.

``format_text`` formats one text; ``run`` formats files and ``render`` reports what it did.
Every file is read by the strict loader first: a file it refuses is reported, never
formatted. A formatted text is written only if it loads to the same data (values and types)
and keeps every comment; otherwise the file is left alone with an FMT001 finding.

``artifact_text`` is how rspp writes an artifact it builds: the same canonical text.
"""

from rspp.fmt.engine import FileOutcome, FmtOptions, FmtResult, Status, format_file, render, run
from rspp.fmt.order import canonical_order
from rspp.fmt.text import FMT001, Formatted, format_document, format_text
from rspp.fmt.write import ArtifactWriteError, artifact_text

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
