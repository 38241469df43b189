"""Floor 2, reports: the Report every command returns and its renderers (text, json, github, sarif). Imports only rspp.core and rspp.load; never prints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from rspp.report import formats
from rspp.report.result import Report

Reporter = Callable[[Report], str]

REPORTERS: Final[Mapping[str, Reporter]] = MappingProxyType({
    "text": formats.text,
    "json": formats.json_report,
    "github": formats.github,
    "sarif": formats.sarif,
})
