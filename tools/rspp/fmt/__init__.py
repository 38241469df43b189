"""`rspp fmt`: canonical formatting of artifact files that keeps comments and meaning.

``format_text`` formats one text; ``run`` formats files and ``render`` reports what it did.
Every file is read by the strict loader first: a file it refuses is reported, never
formatted. A formatted text is written only if it loads to the same data (values and types)
and keeps every comment; otherwise the file is left alone with an FMT001 finding.
"""

from rspp.fmt.engine import FileOutcome, FmtOptions, FmtResult, Status, format_file, render, run
from rspp.fmt.text import FMT001, Formatted, format_document, format_text

__all__ = [
    "FMT001",
    "FileOutcome",
    "FmtOptions",
    "FmtResult",
    "Formatted",
    "Status",
    "format_document",
    "format_file",
    "format_text",
    "render",
    "run",
]
