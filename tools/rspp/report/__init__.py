"""Reporters: render one ValidationResult as text, json, github or sarif. They never print."""

from __future__ import annotations

from collections.abc import Callable

from rspp.report import formats
from rspp.validate.engine import ValidationResult

Reporter = Callable[[ValidationResult], str]

REPORTERS: dict[str, Reporter] = {
    "text": formats.text,
    "json": formats.json_report,
    "github": formats.github,
    "sarif": formats.sarif,
}
